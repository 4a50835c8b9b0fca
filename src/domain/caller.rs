//! Who a call is from, as telephony writes it: a phone number in any of the
//! forms people and trunks use, a SIP or tel URI around one, an internal
//! extension, or nothing at all when the caller withheld it. A caller id is
//! a fact about a call, not an input to validate: whatever a PBX sends, the
//! call's events still apply (issue 25: a withheld number refused the
//! `offered` and the `answered`, so the agent talking stayed `available`).

use super::phone::normalize_phone;

/// Longest internal extension kept as written (`1002`, `201`, `cc800`).
pub const MAX_EXTENSION: usize = 8;

/// What PBXs write for a caller who withheld the number (RFC 3323's
/// `anonymous`, Asterisk's and carriers' words), compared without case.
const WITHHELD: [&str; 8] =
    ["anonymous", "restricted", "private", "unknown", "unavailable", "withheld", "blocked", "anonymous.invalid"];

/// A call's caller, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallerId {
    /// A phone number, digits with the country code (`919876543210`).
    Number(String),
    /// An internal extension, as written: no country code is added.
    Extension(String),
    /// Withheld, absent or unreadable: never looked up, never called back.
    Withheld,
}

impl CallerId {
    /// Reads what the telephony sent (`None`: it sent nothing). A URI
    /// (`sip:+919876543210@trunk;user=phone`, `<tel:+91-98765-43210>`, with
    /// or without a display name) gives its user part, parameters dropped;
    /// that is read by the number rule (`phone::normalize_phone`, with the
    /// account's `country_code`), else kept as an extension when short and
    /// plain, else withheld.
    pub fn read(raw: Option<&str>, country_code: &str) -> CallerId {
        let Some(user) = raw.map(user_part).filter(|u| !u.is_empty()) else { return CallerId::Withheld };
        if WITHHELD.iter().any(|w| user.eq_ignore_ascii_case(w)) {
            return CallerId::Withheld;
        }
        if let Some(number) = normalize_phone(&user, country_code) {
            return CallerId::Number(number);
        }
        let plain = user.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '*' | '#' | '-' | '_' | '.'));
        if plain && user.chars().count() <= MAX_EXTENSION { CallerId::Extension(user) } else { CallerId::Withheld }
    }

    /// The form events store and show: the number's digits, the extension
    /// as written, or empty for a withheld caller.
    pub fn stored(self) -> String {
        match self {
            CallerId::Number(n) | CallerId::Extension(n) => n,
            CallerId::Withheld => String::new(),
        }
    }
}

/// The user part of a caller id: what is inside `<…>` when there is one,
/// without a `sip:`/`sips:`/`tel:` scheme, the host after `@` and the
/// parameters after `;`; `%2B` read as `+`.
fn user_part(raw: &str) -> String {
    let mut s = raw.trim();
    if let (Some(open), Some(close)) = (s.find('<'), s.rfind('>'))
        && open < close
    {
        s = s[open + 1..close].trim();
    }
    for scheme in ["sips:", "sip:", "tel:"] {
        // By `get`: a caller id may hold any character, and a byte index
        // inside one would panic.
        if s.get(..scheme.len()).is_some_and(|head| head.eq_ignore_ascii_case(scheme)) {
            s = &s[scheme.len()..];
            break;
        }
    }
    let s = s.split(['@', ';']).next().unwrap_or("");
    s.replace("%2B", "+").replace("%2b", "+").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(raw: &str) -> CallerId {
        CallerId::read(Some(raw), "91")
    }

    #[test]
    fn any_characters_are_read_without_a_panic() {
        for raw in ["abcdé", "é", "日本語の番号", "sip:日本@x", "<tél:1>", "ab\u{301}cd"] {
            let _ = read(raw);
        }
    }

    #[test]
    fn withheld_callers_in_every_spelling_are_withheld() {
        for raw in
            ["", "  ", "anonymous", "Anonymous", "RESTRICTED", "Private", "unknown", "sip:anonymous@anonymous.invalid"]
        {
            assert_eq!(read(raw), CallerId::Withheld, "{raw:?}");
        }
        assert_eq!(CallerId::read(None, "91"), CallerId::Withheld);
        assert_eq!(read("\"Anonymous\" <sip:anonymous@anonymous.invalid>;tag=1"), CallerId::Withheld);
    }

    #[test]
    fn extensions_are_kept_as_written() {
        for raw in ["1002", "201", "cc800", "*97"] {
            assert_eq!(read(raw), CallerId::Extension(raw.to_string()), "{raw:?}");
        }
        assert_eq!(read("sip:1002@pbx.local"), CallerId::Extension("1002".into()));
    }

    #[test]
    fn sip_and_tel_uris_give_their_number() {
        for raw in [
            "sip:+919876543210@trunk.example.net",
            "tel:+91-98765-43210",
            "sip:09876543210@10.0.0.5;user=phone",
            "<sip:%2B919876543210@trunk.example.net>",
            "\"Asha\" <sips:9876543210@carrier.example;transport=tls>",
            "+91 98765 43210",
        ] {
            assert_eq!(read(raw), CallerId::Number("919876543210".into()), "{raw:?}");
        }
    }

    #[test]
    fn what_cannot_be_read_is_withheld_not_refused() {
        for raw in ["not a number at all", "123456789012345678901", "12345678901234", "sip:@host"] {
            let read = read(raw);
            assert!(matches!(read, CallerId::Withheld | CallerId::Number(_)), "{raw:?}: {read:?}");
        }
        assert_eq!(read("hello world"), CallerId::Withheld);
        assert_eq!(read("987654321x"), CallerId::Withheld, "too long for an extension");
    }
}
