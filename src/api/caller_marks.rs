//! Account managers, the do-not-call list and the blacklist, in section
//! `Directory` as DeepCall names them (`setAM`, `unsetAm`, `getDnc`,
//! `setDnc`, `Blacklist`; catalogue section 5; `domain::caller_marks`).
//! DeepCall's docs give their fields and codes (1503 account manager, 1505
//! a number of the account, 1508–1510 DNC) but no example replies: the
//! replies are ours, `{contact, …}` with the number's mark as it now is.
//!
//! Who may mark: an account manager is set by the account's credentials or
//! an agent with `EDIT_AGENTS` (an agent may make itself a caller's); the
//! blacklist, which bars the account's numbers, by the account's
//! credentials or `MANAGE_GROUPS`; the DNC list by anyone of the account
//! (an agent puts on it the caller who asks not to be called). Anyone of
//! the account reads them.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::auth::{Caller, Principal};
use super::error::{ApiError, ApiResult, Refuse};
use super::shared::card::phone_number;
use crate::AppState;
use crate::domain::agent::valid_did;
use crate::domain::caller_marks::{CallerMarks, DNC_FOREVER, EVERY_NUMBER};
use crate::domain::ids::{AccountId, AgentId};
use crate::domain::permission::Permission;
use crate::wire::body::{id_value, int_value};
use crate::wire::errors::{directory as codes, global};
use crate::wire::{Body, reply};

/// The numbers one request may name in `DID`.
const MAX_DIDS: usize = 100;

/// The number's marks (none: the default).
pub async fn marks_of(state: &AppState, account: &AccountId, contact: &str) -> Result<CallerMarks, ApiError> {
    let mut found = state.store.caller_marks(account, &[contact.to_string()]).await?;
    Ok(found.pop().map(|(_, m)| m).unwrap_or_default())
}

/// A number's account manager.
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct AccountManager {
    /// The number (digits with the country code).
    contact: String,
    /// The agent its calls are offered to first; `null`: none.
    #[serde(rename = "AcManId")]
    account_manager: Option<i64>,
}

/// `Directory/setAM` `{contact, AcManId}`: the agent (a live agent of the
/// account, else 1503) becomes the number's account manager, replacing
/// another (an agent without `EDIT_AGENTS` may name itself for a number
/// no other agent manages: 1015 otherwise). `callRoute` offers the number's calls to it first when no
/// sticky pin covers them.
pub async fn set_account_manager(state: AppState, who: Principal, body: Body) -> ApiResult {
    let contact = phone_number(&body, &["contact", "cn"], &who.country_code)?;
    let agent_id = match body.get_any(&["AcManId", "acManId"]) {
        Some(v) => AgentId(id_value(v).map_err(|_| {
            codes::ACCOUNT_MANAGER_ERROR.at(&["AcManId"], "AcManId must be an agent's id, a positive integer")
        })?),
        None => return Err(codes::ACCOUNT_MANAGER_ERROR.at(&["AcManId"], "AcManId is required: the agent's id")),
    };
    // An agent may make itself the manager of a number nobody manages (or
    // that it manages); taking another agent's caller needs EDIT_AGENTS.
    let current = marks_of(&state, &who.account, &contact).await?.account_manager;
    match &who.caller {
        Caller::Agent { id, .. } if *id == agent_id && current.is_none_or(|m| m == *id) => {}
        _ => who.require(Permission::EditAgents)?,
    }
    let agent = state.store.agent(&who.account, agent_id).await?.ok_or_else(|| {
        codes::ACCOUNT_MANAGER_ERROR.at(&["AcManId"], format!("no agent {} in this account", agent_id.get()))
    })?;
    state.store.set_account_manager(&who.account, &contact, Some(agent.id), state.clock.now()).await?;
    Ok(reply::listing(AccountManager { contact, account_manager: Some(agent.id.get()) }))
}

/// `Directory/unsetAm` `{contact}`: the number has no account manager any
/// more; 1012 when it had none.
pub async fn unset_account_manager(state: AppState, who: Principal, body: Body) -> ApiResult {
    let contact = phone_number(&body, &["contact", "cn"], &who.country_code)?;
    let current = marks_of(&state, &who.account, &contact).await?.account_manager;
    match (&who.caller, current) {
        (_, None) => return Err(global::NO_DATA_FOUND.because("the number has no account manager")),
        (Caller::Agent { id, .. }, Some(manager)) if *id == manager => {}
        _ => who.require(Permission::EditAgents)?,
    }
    if !state.store.set_account_manager(&who.account, &contact, None, state.clock.now()).await? {
        return Err(global::NO_DATA_FOUND.because("the number has no account manager"));
    }
    Ok(reply::listing(AccountManager { contact, account_manager: None }))
}

/// A number's place on the do-not-call list.
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct Dnc {
    /// The number (digits with the country code).
    contact: String,
    /// `-1`: on the list for ever; a Unix time: on it until then; `0`: not on it.
    dnc: i64,
}

/// `getDnc` (also `Directory/getDnc`) `{contact}`: the number's DNC entry
/// now (`0` when it is not on the list).
pub async fn get_dnc(state: AppState, who: Principal, body: Body) -> ApiResult {
    let contact = phone_number(&body, &["contact", "cn"], &who.country_code)?;
    let dnc = marks_of(&state, &who.account, &contact).await?.dnc_at(state.clock.now());
    Ok(reply::listing(Dnc { contact, dnc }))
}

/// `setDnc` (also `Directory/setDnc`) `{contact, dnc}`: `0` takes the
/// number off the list, `-1` puts it on for ever, a Unix time ahead of now
/// until then. Missing → 1510; not an integer → 1509; below -1 or a time
/// already past → 1508.
pub async fn set_dnc(state: AppState, who: Principal, body: Body) -> ApiResult {
    let contact = phone_number(&body, &["contact", "cn"], &who.country_code)?;
    const TAKES: &str = "dnc takes 0 (off the list), -1 (for ever) or a Unix time ahead of now";
    let value = match body.get("dnc") {
        None | Some(Value::Null) => return Err(codes::DNC_ERROR.at(&["dnc"], format!("dnc is required; {TAKES}"))),
        Some(v) => int_value(v).map_err(|_| codes::EXPIRY_NOT_INTEGER.at(&["dnc"], TAKES))?,
    };
    let now = state.clock.now();
    let dnc = match value {
        0 => None,
        DNC_FOREVER => Some(DNC_FOREVER),
        at if at > now => Some(at),
        _ => return Err(codes::EXPIRY_TOO_SMALL.at(&["dnc"], TAKES)),
    };
    state.store.set_dnc(&who.account, &contact, dnc, now).await?;
    Ok(reply::listing(Dnc { contact, dnc: dnc.unwrap_or(0) }))
}

/// A number's blacklist.
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct Blacklist {
    /// The number (digits with the country code).
    contact: String,
    /// The account's numbers it is barred on: `["all"]` (every one), some
    /// of them, or `[]`.
    blacklist: Vec<String>,
}

/// `did` as the account writes it: one of its numbers, typed as the group
/// lists it or with the country code (`+91 80…` for `80…`); with `listed`
/// (lifting a bar), also a number the caller is barred on that the account
/// no longer has. `None`: neither.
async fn account_number(
    state: &AppState,
    who: &Principal,
    did: &str,
    listed: &[String],
) -> Result<Option<String>, ApiError> {
    let national = did.strip_prefix(who.country_code.as_str()).filter(|rest| rest.len() >= 6);
    for candidate in std::iter::once(did).chain(national) {
        if listed.iter().any(|l| l == candidate) || state.store.did_group(&who.account, candidate).await?.is_some() {
            return Ok(Some(candidate.to_string()));
        }
    }
    Ok(None)
}

/// `DID`: the account's numbers named (`""` for `all`), or `None` when
/// absent or empty (every number). A number the account does not have →
/// 1505 naming it; `listed`: numbers the caller is barred on, taken even
/// when the account no longer has them (to lift the bar).
async fn numbers_of(
    state: &AppState,
    who: &Principal,
    body: &Body,
    listed: &[String],
) -> Result<Option<Vec<String>>, ApiError> {
    const TAKES: &str = "DID takes a list of the account's numbers (a group's dids) or \"all\"";
    let items = match body.get_any(&["DID", "did"]) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) if items.len() <= MAX_DIDS => items,
        Some(Value::Array(_)) => {
            return Err(codes::CLI_DOES_NOT_EXIST.at(&["DID"], format!("DID names at most {MAX_DIDS} numbers")));
        }
        // One number alone is taken as a list of it.
        Some(one @ (Value::String(_) | Value::Number(_))) => std::slice::from_ref(one),
        Some(_) => return Err(codes::CLI_DOES_NOT_EXIST.at(&["DID"], TAKES)),
    };
    if items.is_empty() {
        return Ok(None);
    }
    let mut dids = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let text = match item {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) if n.is_u64() => n.to_string(),
            _ => String::new(),
        };
        if text.eq_ignore_ascii_case(EVERY_NUMBER) {
            dids.push(String::new());
            continue;
        }
        let path = ["DID".to_string(), i.to_string()];
        let did = valid_did(&text).ok_or_else(|| codes::CLI_DOES_NOT_EXIST.at(&path, TAKES))?;
        dids.push(
            account_number(state, who, &did, listed)
                .await?
                .ok_or_else(|| codes::CLI_DOES_NOT_EXIST.at(&path, format!("{did} is not a number of the account")))?,
        );
    }
    dids.sort_unstable();
    dids.dedup();
    Ok(Some(dids))
}

/// `Directory/Blacklist` `{contact, [DID], [RESET]}`: bars the number on
/// the account's numbers `DID` names (absent, `[]` or `"all"`: every one);
/// with `RESET` true, takes it off them instead (absent: off the
/// blacklist). Barring every number replaces the listed ones; taking one
/// number off a caller barred on every number leaves it barred (the reply
/// shows the list as it now is). 1505: a number the account does not have.
pub async fn blacklist(state: AppState, who: Principal, body: Body) -> ApiResult {
    let contact = phone_number(&body, &["contact", "cn"], &who.country_code)?;
    who.require(Permission::ManageGroups)?;
    let reset = match body.get_any(&["RESET", "reset"]) {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(v) => match int_value(v) {
            Ok(0) => false,
            Ok(1) => true,
            _ => match v.as_str().map(str::trim) {
                Some(t) if t.eq_ignore_ascii_case("true") => true,
                Some(t) if t.eq_ignore_ascii_case("false") => false,
                _ => return Err(global::INVALID_PARAMETER.at(&["RESET"], "RESET must be true or false (1 or 0)")),
            },
        },
    };
    let listed = if reset { marks_of(&state, &who.account, &contact).await?.blocked } else { Vec::new() };
    let dids = numbers_of(&state, &who, &body, &listed).await?;
    if reset {
        state.store.unblock_caller(&who.account, &contact, dids.as_deref()).await?;
    } else {
        let dids = dids.unwrap_or_else(|| vec![String::new()]);
        state.store.block_caller(&who.account, &contact, &dids, state.clock.now()).await?;
    }
    let blacklist = marks_of(&state, &who.account, &contact).await?.blacklist();
    Ok(reply::listing(Blacklist { contact, blacklist }))
}

/// The marks as `getInfo` and `contactInfo` show them.
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct MarksView {
    /// The account manager's agent id; `null`: none.
    #[serde(rename = "AcManId")]
    pub account_manager: Option<i64>,
    /// As `getDnc` answers it: `-1`, a Unix time, or `0`.
    pub dnc: i64,
    /// As `Blacklist` answers it.
    pub blacklist: Vec<String>,
}

impl MarksView {
    pub fn of(marks: &CallerMarks, now: i64) -> Self {
        MarksView {
            account_manager: marks.account_manager.map(AgentId::get),
            dnc: marks.dnc_at(now),
            blacklist: marks.blacklist(),
        }
    }
}
