//! What the account says about a number beyond its contact card (DeepCall's
//! Directory, catalogue section 5): its account manager (`setAM` /
//! `unsetAm`), the do-not-call list (`setDnc` / `getDnc`) and the blacklist
//! (`Blacklist`).
//!
//! - The **account manager** is an agent the caller's calls are offered to
//!   first, as a sticky pin of type `all` is, when no pin covers the call.
//! - **DNC** (do not call): an outbound call to the number is refused
//!   (`callEvent`). DeepCall's `dnc`: `-1` for ever, or a Unix time until
//!   which it holds; `0` (or a time past) is "not on the list".
//! - The **blacklist**: the caller is not offered to agents when it calls
//!   one of the listed numbers of the account (`callRoute`), and an
//!   outbound call to it from one of them is refused. The list is either
//!   every number of the account (`"all"`) or some of them.
//!
//! A number need not be a contact to carry these: a caller is put on the
//! DNC list or blacklisted from a call, before anyone makes a card for it.

use crate::domain::ids::AgentId;

/// How the blacklist names "every number of the account" (stored as `""`).
pub const EVERY_NUMBER: &str = "all";

/// Why a dial was refused: remembered for the call's later facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bar {
    /// The number is on the do-not-call list.
    Dnc,
    /// The number is blacklisted on the calling number.
    Blacklist,
}

/// How long a refused dial's call id is remembered: its later facts
/// (answered, ended) are refused too, not taken as a call.
pub const BARRED_CALL_MEMORY: i64 = 3_600;

/// DeepCall's `dnc` for "for ever".
pub const DNC_FOREVER: i64 = -1;

/// One number's marks, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallerMarks {
    /// The agent its calls go to first; `None`: none set.
    pub account_manager: Option<AgentId>,
    /// `-1` for ever, else the Unix time the DNC entry ends; `None`: never
    /// put on the list (or taken off).
    pub dnc: Option<i64>,
    /// The account's numbers (DIDs, digits) it is blacklisted on, sorted;
    /// `""` stands for every number (and is then the only entry).
    pub blocked: Vec<String>,
}

impl CallerMarks {
    /// DeepCall's `dnc` as of `now` (Unix seconds): `-1`, the time it ends,
    /// or `0` when the number is not on the list (an entry past its time
    /// is not).
    pub fn dnc_at(&self, now: i64) -> i64 {
        match self.dnc {
            Some(DNC_FOREVER) => DNC_FOREVER,
            Some(until) if until > now => until,
            _ => 0,
        }
    }

    /// Whether an outbound call to the number may not be placed at `now`.
    pub fn on_dnc(&self, now: i64) -> bool {
        self.dnc_at(now) != 0
    }

    /// Whether calls between the number and the account's number `did`
    /// (digits; `""` when unknown) are barred: blacklisted on every number,
    /// or on that one — written as listed, or with the account's
    /// `country_code` or a trunk `0` before it (`918000000003`,
    /// `08000000003` for `8000000003`).
    pub fn blocked_on(&self, did: &str, country_code: &str) -> bool {
        let national = [did.strip_prefix(country_code), did.strip_prefix('0')];
        let same = |b: &str| b == did || national.iter().flatten().any(|n| *n == b);
        self.blocked.iter().any(|b| b.is_empty() || (!did.is_empty() && same(b)))
    }

    /// The blacklist as the Directory shows it: `["all"]`, the numbers, or `[]`.
    pub fn blacklist(&self) -> Vec<String> {
        self.blocked.iter().map(|b| if b.is_empty() { EVERY_NUMBER.to_string() } else { b.clone() }).collect()
    }

    /// Whether the number carries no mark at all at `now`.
    pub fn is_clear(&self, now: i64) -> bool {
        self.account_manager.is_none() && !self.on_dnc(now) && self.blocked.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dnc_entry_holds_until_its_time_and_forever_is_minus_one() {
        let mut marks = CallerMarks::default();
        assert_eq!((marks.dnc_at(100), marks.on_dnc(100)), (0, false));
        marks.dnc = Some(DNC_FOREVER);
        assert_eq!((marks.dnc_at(100), marks.on_dnc(100)), (-1, true));
        marks.dnc = Some(200);
        assert_eq!((marks.dnc_at(199), marks.on_dnc(199)), (200, true));
        assert_eq!((marks.dnc_at(200), marks.on_dnc(200)), (0, false));
    }

    #[test]
    fn the_blacklist_bars_every_number_or_the_listed_ones() {
        let every = CallerMarks { blocked: vec![String::new()], ..Default::default() };
        assert!(every.blocked_on("918030000001", "91") && every.blocked_on("", "91"));
        assert_eq!(every.blacklist(), vec!["all"]);
        let some = CallerMarks { blocked: vec!["918030000001".into()], ..Default::default() };
        assert!(some.blocked_on("918030000001", "91"));
        assert!(!some.blocked_on("918030000002", "91"));
        assert!(!some.blocked_on("", "91"), "a call whose number is unknown is barred only by `all`");
        let national = CallerMarks { blocked: vec!["8030000001".into()], ..Default::default() };
        for did in ["8030000001", "918030000001", "08030000001"] {
            assert!(national.blocked_on(did, "91"), "{did}");
        }
        assert!(!national.blocked_on("18030000001", "91"), "another country's number");
        assert!(CallerMarks::default().is_clear(0));
        assert!(!some.is_clear(0));
    }
}
