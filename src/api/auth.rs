//! Who is calling: `ssid` or `userId` + `token` from the body, resolved to a
//! principal of exactly one account. Also our `auth/login` and `auth/logout`.

use std::net::IpAddr;

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::error::{ApiError, ApiResult, Refuse};
use crate::AppState;
use crate::domain::agent::valid_email;
use crate::domain::ids::{AccountId, AgentId, RoleId};
use crate::domain::permission::{Permission, Permissions};
use crate::domain::presence::Actor as EventActor;
use crate::domain::secret;
use crate::limits::login_guard::{SLOW_DOWN, Verdict};
use crate::limits::rates::Spender;
use crate::store::{AuthRecord, NewSession};
use crate::wire::errors::{auth as auth_errors, global};
use crate::wire::{Body, reply};

/// Who sent a request, as far as rights go (not the event log's `Actor`,
/// which also names the system and the telephony).
#[derive(Debug, Clone)]
pub enum Caller {
    /// An account token or an admin session: every right on the account.
    Owner,
    /// An agent session: its own profile, more only through its role
    /// (`role`: `None` only for a row gone since; it then holds nothing).
    Agent { id: AgentId, role: Option<RoleId>, permissions: Permissions },
}

#[derive(Debug, Clone)]
pub struct Principal {
    pub account: AccountId,
    /// Completes phone numbers typed without a country code.
    pub country_code: String,
    pub caller: Caller,
}

impl Principal {
    /// Whose request budgets a request spends (`limits::rates`).
    pub fn spender(&self) -> Spender {
        let agent = match &self.caller {
            Caller::Owner => None,
            Caller::Agent { id, .. } => Some(id.get()),
        };
        (self.account.to_string(), agent)
    }

    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        match &self.caller {
            Caller::Owner => Ok(()),
            Caller::Agent { permissions, .. } if permissions.allows(permission) => Ok(()),
            Caller::Agent { .. } => Err(global::PERMISSION_DENIED
                .because(format!("the agent's role lacks the {} permission", permission.name()))),
        }
    }

    /// An agent session acts only on agents, and hands out only roles, that
    /// have no permission it lacks itself: a supervisor cannot raise itself
    /// or take over a more privileged agent by resetting its password.
    pub fn may_grant(&self, role_permissions: &Permissions) -> Result<(), ApiError> {
        match &self.caller {
            Caller::Owner => Ok(()),
            Caller::Agent { permissions, .. } if permissions.covers(role_permissions) => Ok(()),
            Caller::Agent { .. } => Err(global::PERMISSION_DENIED
                .because("the role or agent acted on has a permission the caller's own role lacks")),
        }
    }

    /// `create_by` / `create_by_type` of a record this principal creates.
    pub fn creator(&self) -> (String, String) {
        match &self.caller {
            Caller::Owner => (self.account.to_string(), String::new()),
            Caller::Agent { id, .. } => (id.to_string(), "agent".to_string()),
        }
    }
}

/// Credentials of a request, checked for shape before any lookup.
enum Credentials<'a> {
    /// A session, and the account it must belong to when the client also
    /// named one (`userId`).
    Session(&'a str, Option<String>),
    Token {
        user_id: String,
        token: &'a str,
    },
}

fn credentials(body: &Body) -> Result<Credentials<'_>, ApiError> {
    let ssid = body.get("ssid");
    let user_id = body.get("userId");
    let token = body.get("token");
    match (ssid, user_id, token) {
        (Some(_), _, Some(_)) => {
            Err(global::INVALID_PARAMETER.at(&["ssid"], "send either ssid or userId and token, not both"))
        }
        // A CRM in production sends its session with the account's id on
        // every request (issue 27): the session decides, and must belong
        // to that account.
        (Some(Value::String(ssid)), Some(user_id), None) => {
            let user_id = account_id(user_id)
                .ok_or_else(|| global::INVALID_TOKEN.at(&["userId"], "userId must be a string or a number"))?;
            Ok(Credentials::Session(ssid, Some(user_id)))
        }
        (Some(Value::String(ssid)), None, None) => Ok(Credentials::Session(ssid, None)),
        (Some(_), _, None) => Err(global::INVALID_TOKEN.at(&["ssid"], "ssid must be a string")),
        (None, None, None) => Err(global::TOKEN_NOT_FOUND.because("no credentials: send ssid, or userId and token")),
        (None, Some(_), None) => Err(global::TOKEN_NOT_FOUND.at(&["token"], "userId was sent without its token")),
        (None, None, Some(_)) => Err(global::USER_ID_NOT_PROVIDED.at(&["userId"], "token was sent without userId")),
        (None, Some(user_id), Some(token)) => {
            let user_id = account_id(user_id)
                .ok_or_else(|| global::INVALID_TOKEN.at(&["userId"], "userId must be a string or a number"))?;
            let token = token.as_str().ok_or_else(|| global::INVALID_TOKEN.at(&["token"], "token must be a string"))?;
            Ok(Credentials::Token { user_id, token })
        }
    }
}

/// `userId` as a string or a number (`"29791451"` or `29791451`).
fn account_id(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn principal(record: AuthRecord) -> Result<Principal, ApiError> {
    if record.suspended {
        return Err(global::ACCOUNT_SUSPENDED.because("the account is suspended"));
    }
    let caller = match record.agent {
        None => Caller::Owner,
        // An agent switched off or deleted since it logged in loses its session.
        Some(agent) if !agent.active => {
            return Err(global::INVALID_TOKEN.at(&["ssid"], "the session's agent was switched off or deleted"));
        }
        Some(agent) => Caller::Agent {
            id: agent.agent_id,
            role: agent.role_id,
            permissions: Permissions::from_stored(&agent.permissions),
        },
    };
    Ok(Principal { account: record.account_id, country_code: record.country_code, caller })
}

/// The principal behind the body's credentials, as this node knows it.
async fn resolve(state: &AppState, body: &Body) -> Result<Principal, ApiError> {
    let record = match credentials(body)? {
        Credentials::Session(ssid, user_id) => {
            let (now, ttl) = (state.clock.now(), state.settings.session_ttl_secs);
            let record = state.store.authenticate_session(&secret::token_hash(ssid), now, ttl).await?;
            if let (Some(record), Some(user_id)) = (&record, user_id)
                && record.account_id.as_str() != user_id
            {
                return Err(global::INVALID_TOKEN.at(&["userId"], "the session belongs to another account"));
            }
            record
        }
        Credentials::Token { user_id, token } => {
            state.store.authenticate_token(&user_id, &secret::token_hash(token)).await?
        }
    };
    let unknown = || {
        let (field, what) = if body.get("ssid").is_some() { ("ssid", "session") } else { ("token", "token") };
        global::INVALID_TOKEN.at(&[field], format!("no live {what} matches: it is unknown, expired or revoked"))
    };
    principal(record.ok_or_else(unknown)?)
}

/// Resolves the body's credentials: 1020, 1002, 1000, 1014 or 1039 when it can't.
/// A node of several first brings the account up to the database
/// (`Live::refresh`) and resolves again when credentials were forgotten
/// since it resolved them.
pub async fn authenticate(state: &AppState, body: &Body) -> Result<Principal, ApiError> {
    let mark = state.live.credentials_mark();
    let mut who = resolve(state, body).await?;
    if state.live.clustered() && state.live.refresh(&who.account, mark).await? {
        who = resolve(state, body).await?;
    }
    let span = tracing::Span::current();
    span.record("account", who.account.as_str());
    if let Caller::Agent { id, .. } = who.caller {
        span.record("agent", id.get());
    }
    Ok(who)
}

/// A new session.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(in crate::api) struct LoginReply {
    /// Shown once; send it as `ssid`.
    ssid: String,
    /// Unix seconds when the session expires if it is not used again: every
    /// request with the `ssid` (pings included) moves it to that second plus
    /// the session lifetime (`--session-ttl`), up to `--session-max` after login.
    expires_at: i64,
    user_id: String,
    /// The agent this session acts as; `null` for an admin session.
    agent_id: Option<i64>,
}

/// `auth/login` `{email, password[, userId]}` → a session id, shown once.
/// Failures count per source address and email (`LoginGuard`); every
/// outcome is a security event in the log (`security` target), never with
/// the password.
pub async fn login(state: AppState, source: Option<IpAddr>, body: Body) -> ApiResult {
    let email = body.text("email").ok().flatten().and_then(valid_email).ok_or(global::INVALID_PARAMETER)?;
    let password = body.text("password").ok().flatten().ok_or(global::INVALID_PARAMETER)?.to_string();
    let only_account = match body.get("userId") {
        None => None,
        Some(v) => Some(account_id(v).ok_or(global::INVALID_PARAMETER)?),
    };

    let now = state.clock.now();
    let from = source.map_or_else(|| "-".to_string(), |s| s.to_string());
    if let Err(spent) = state.rates.spend_login(source) {
        crate::api::metrics::limit_hit("rate", spent.scope.as_str(), "login");
        tracing::warn!(target: "security", event = "login_refused", reason = "source_budget", %email, source = %from);
        return Ok(crate::wire::http::too_many_requests(spent.retry_after_secs));
    }
    match state.login_guard.check(source, &email, now).await? {
        Verdict::Proceed => {}
        Verdict::SlowDown => {
            tracing::warn!(target: "security", event = "login_slowed", %email, source = %from, "many failed logins for this email");
            tokio::time::sleep(SLOW_DOWN).await;
        }
        Verdict::LockedOut(retry_after) => {
            tracing::warn!(target: "security", event = "login_refused", reason = "locked_out", %email, source = %from, retry_after);
            return Ok(crate::wire::http::too_many_requests(retry_after));
        }
    }
    let mut candidates = state.store.login_candidates(&email).await?;
    // Emails are unique per account only: anyone who may create an agent can
    // give it another tenant's admin or agent email. Which of several
    // accounts' passwords match must then never show (it was an oracle for
    // another tenant's password, beyond every lockout), so an email of
    // several accounts is told to name one before any password is checked.
    let shared = candidates.len() > 1;
    let ambiguous = shared && only_account.is_none();
    candidates.retain(|c| !ambiguous && only_account.as_ref().is_none_or(|a| *a == c.account_id.as_str()));
    // argon2 is deliberately slow: off the async workers, a few at once.
    let matches = state
        .password_checks
        .run(move || {
            if candidates.is_empty() {
                // As slow as a real check, so timing does not tell which emails exist.
                secret::verify_password(&password, secret::decoy_hash());
            }
            candidates.into_iter().filter(|c| secret::verify_password(&password, &c.password_hash)).collect::<Vec<_>>()
        })
        .await
        .map_err(|busy| {
            tracing::warn!(target: "security", event = "login_refused", reason = "password_checks_busy", %email, source = %from);
            ApiError::from(busy)
        })?;
    if ambiguous {
        tracing::warn!(target: "security", event = "login_refused", reason = "ambiguous_email", %email, source = %from);
        return Err(auth_errors::AMBIGUOUS_LOGIN.into());
    }
    let who = match matches.as_slice() {
        [] => {
            tracing::warn!(target: "security", event = "login_failed", %email, source = %from);
            if let Some(seconds) = state.login_guard.failed(source, &email, now).await? {
                tracing::warn!(target: "security", event = "login_locked_out", %email, source = %from, seconds);
            }
            return Err(auth_errors::INVALID_CREDENTIALS.into());
        }
        [one] => one.clone(),
        _ => return Err(auth_errors::AMBIGUOUS_LOGIN.into()),
    };
    if who.suspended || !who.active {
        let reason = if who.suspended { "account_suspended" } else { "agent_switched_off" };
        tracing::warn!(target: "security", event = "login_refused", reason, %email, source = %from, account = %who.account_id);
        return Err(if who.suspended { global::ACCOUNT_SUSPENDED } else { global::PERMISSION_DENIED }.into());
    }
    // A right password clears this address's failures for the email only
    // when one account has it: else another tenant's agent with the same
    // email could reset the lockout on guesses at this one.
    if !shared {
        state.login_guard.succeeded(source, &email).await?;
    }
    let ssid = secret::new_token();
    let ends_at = now + state.settings.session_max_secs;
    let expires_at = (now + state.settings.session_ttl_secs).min(ends_at);
    let session = NewSession {
        ssid_hash: secret::token_hash(&ssid),
        account_id: who.account_id.clone(),
        agent_id: who.agent_id,
        now,
        expires_at,
        ends_at,
    };
    state.store.create_session(&session).await?;
    if let Some(agent) = who.agent_id {
        state.live.login(&who.account_id, agent).await?;
    }
    let agent = who.agent_id.map_or_else(|| "admin".to_string(), |a| a.to_string());
    tracing::info!(target: "security", event = "login", %email, source = %from, account = %who.account_id, %agent);
    Ok(reply::listing(LoginReply {
        ssid,
        expires_at,
        user_id: who.account_id.to_string(),
        agent_id: who.agent_id.map(AgentId::get),
    }))
}

/// `auth/logout` `{ssid}`: the session ends at once, and with the agent's
/// last live session its presence (another tab keeps the agent online).
pub async fn logout(state: AppState, _source: Option<IpAddr>, body: Body) -> ApiResult {
    let ssid = match body.get("ssid") {
        Some(Value::String(ssid)) => ssid,
        Some(_) => return Err(global::INVALID_TOKEN.into()),
        None => return Err(global::TOKEN_NOT_FOUND.into()),
    };
    let Some(ended) = state.store.end_session(&secret::token_hash(ssid), state.clock.now()).await? else {
        return Err(global::INVALID_TOKEN.into());
    };
    if let Some(agent) = ended.agent_id.filter(|_| ended.last_of_agent) {
        state.live.leave(&ended.account_id, agent, EventActor::Agent, "agent").await?;
    }
    let agent = ended.agent_id.map_or_else(|| "admin".to_string(), |a| a.to_string());
    tracing::info!(target: "security", event = "logout", account = %ended.account_id, %agent);
    Ok(reply::done("Logged out"))
}
