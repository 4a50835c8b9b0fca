//! Section `Agent`: the agent directory (list, create, update, delete,
//! status, group mappings, CAD flags).

mod fields;
mod listing;
mod live;
mod reach;
mod timeline;

use listing::AgentItem;

pub(in crate::api) use listing::AgentListItem;
pub(in crate::api) use live::LivePayload;
pub use live::live;
pub(in crate::api) use timeline::TimelineReply;
pub use timeline::timeline;

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::auth::{Caller, Principal};
use super::error::{ApiError, ApiResult, OrRefuse, OrRequire, Refuse, StoreOutcome};
use crate::AppState;
use crate::domain::agent::{DestType, EMAIL_RULE, NAME_RULE, ROOT_PATH, child_path, path_contains};
use crate::domain::ids::{AgentId, GroupId, RoleId};
use crate::domain::name::nfc;
use crate::domain::permission::Permission;
use crate::domain::presence::Actor as EventActor;
use crate::domain::secret;
use crate::store::{AgentChanges, AgentFilter, NewAgent, Page};
use crate::wire::body::{A_FLAG, A_STRING, AN_ID, id_value};
use crate::wire::errors::{agent as codes, global};
use crate::wire::{Body, ErrorCode, reply};
use fields::{AgentInput, ParentRef, STATUSES, destination, kept_destination};
use reach::{grantable_role, manageable_agent, manageable_agent_id, manageable_agents};

pub const DEFAULT_PAGE_SIZE: i64 = 50;
pub const MAX_PAGE_SIZE: i64 = 500;
/// Far beyond any real directory, and small enough that the offset cannot overflow.
pub const MAX_PAGE_NUMBER: i64 = 1_000_000;
/// Most agents one `setCad`/`unsetCad` may name.
pub const MAX_AGENT_IDS: usize = 1000;
/// The role an agent gets when `create` names none (made with the account).
const DEFAULT_ROLE: RoleId = RoleId(1);

/// A page of agents (seed 002).
#[allow(non_snake_case)]
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct ListPayload<T: Serialize> {
    /// Ordered by `unique_id`.
    #[schema(inline)]
    response: Vec<T>,
    /// The page size.
    agtLimit: i64,
    currentPage: i64,
    totalPages: i64,
    totalRecords: i64,
}

impl<T: Serialize> ListPayload<T> {
    fn new(response: Vec<T>, page: Page, total: i64) -> Self {
        Self {
            response,
            agtLimit: page.size,
            currentPage: page.number,
            totalPages: (total + page.size - 1) / page.size,
            totalRecords: total,
        }
    }
}

fn page_of(body: &Body) -> Result<Page, ErrorCode> {
    let bad = |_| codes::INVALID_FILTER_VALUE;
    let number = body.int_in("page", 1..=MAX_PAGE_NUMBER).map_err(bad)?.unwrap_or(1);
    let size = body.int_in("limit", 1..=MAX_PAGE_SIZE).map_err(bad)?.unwrap_or(DEFAULT_PAGE_SIZE);
    Ok(Page { number, size })
}

async fn list_filter(state: &AppState, who: &Principal, body: &Body) -> Result<AgentFilter, ApiError> {
    let group_id = body.id_any(&["groupid", "groupId"]).or_refuse(global::GROUP_ID_DOES_NOT_EXIST, "groupid", AN_ID)?;
    if let Some(group) = group_id
        && !state.store.missing_groups(&who.account, &[group]).await?.is_empty()
    {
        return Err(global::GROUP_ID_DOES_NOT_EXIST.into());
    }
    let name = body.text("name").or_refuse(codes::INVALID_FILTER_VALUE, "name", A_STRING)?;
    Ok(AgentFilter {
        agent_id: body.id("agentId").or_refuse(codes::INVALID_AGENT_ID, "agentId", AN_ID)?,
        // Names are stored composed; a decomposed filter must find them too.
        name: name.map(str::trim).filter(|n| !n.is_empty()).map(nfc),
        group_id,
        status: fields::parse_status(body)?,
    })
}

/// `Agent/list`: seed 002's shape, paged, ordered by `unique_id`.
pub async fn list(state: AppState, who: Principal, body: Body) -> ApiResult {
    who.require(Permission::ViewAgents)?;
    let filter = list_filter(&state, &who, &body).await?;
    let page = page_of(&body)?;
    let quick = body.flag("quick").or_refuse(codes::INVALID_FILTER_VALUE, "quick", A_FLAG)?.unwrap_or(false);
    let found = state.store.list_agents(&who.account, &filter, page).await?;
    if filter.agent_id.is_some() && found.total == 0 {
        return Err(codes::INVALID_AGENT_ID.into());
    }
    Ok(if quick {
        reply::listing(ListPayload::new(found.agents.iter().map(listing::quick_item).collect(), page, found.total))
    } else {
        let items = found.agents.iter().map(|a| listing::item(a, &who.account)).collect();
        reply::listing(ListPayload::new(items, page, found.total))
    })
}

/// One agent as `Employee/profile` shows it.
#[derive(Serialize, ToSchema)]
pub(in crate::api) struct ProfilePayload<'a> {
    /// The agent in `Agent/list`'s shape (seed 002's keys).
    response: AgentItem<'a>,
}

/// `Employee/profile` `{empId}` (DeepCall's Employee section, the successor
/// of `Agent`, which Sarv's own hub calls): one live agent in
/// `Agent/list`'s shape. An agent session reads its own profile, anyone
/// else's with `VIEW_AGENTS`; 1509 when there is no such live agent.
pub async fn profile(state: AppState, who: Principal, body: Body) -> ApiResult {
    let id = body
        .id_any(&["empId", "agentId"])
        .or_refuse(codes::INVALID_AGENT_ID, "empId", AN_ID)?
        .ok_or(codes::INVALID_AGENT_ID)?;
    if !matches!(&who.caller, Caller::Agent { id: me, .. } if *me == id) {
        who.require(Permission::ViewAgents)?;
    }
    let row = state.store.agent(&who.account, id).await?.ok_or(codes::INVALID_AGENT_ID)?;
    Ok(reply::listing(ProfilePayload { response: listing::item(&row, &who.account) }))
}

/// Checks what only the store knows: the role, parent and groups exist.
/// Returns the parent path to store, if the input names a parent.
async fn check_references(
    state: &AppState,
    who: &Principal,
    input: &AgentInput,
    agent_id: Option<AgentId>,
) -> Result<Option<String>, ApiError> {
    if let Some(role) = input.role {
        grantable_role(state, who, role).await?;
    }
    let parent_path = match input.parent {
        None => None,
        Some(ParentRef::Root) => Some(ROOT_PATH.to_string()),
        Some(ParentRef::Agent(parent)) if Some(parent) == agent_id => {
            return Err(codes::PARENT_IS_SELF.at(&["parent"], "parent is the agent itself"));
        }
        Some(ParentRef::Agent(parent)) => {
            let path =
                state.store.agent_path(&who.account, parent).await?.ok_or_else(|| {
                    codes::INVALID_PARENT.at(&["parent"], format!("the account has no agent {parent}"))
                })?;
            // An agent cannot be placed under one of its own descendants.
            if agent_id.is_some_and(|me| path_contains(&path, me)) {
                return Err(codes::INVALID_PARENT.at(
                    &["parent"],
                    format!("agent {parent} is below this agent: an agent cannot be placed under its own descendant"),
                ));
            }
            Some(child_path(&path, parent))
        }
    };
    if let Some(groups) = &input.groups {
        let ids: Vec<GroupId> = groups.iter().map(|m| m.group).collect();
        known_groups(state, who, &ids).await?;
    }
    Ok(parent_path)
}

/// 1505 when the account has no group of some of `ids`, naming them.
async fn known_groups(state: &AppState, who: &Principal, ids: &[GroupId]) -> Result<(), ApiError> {
    let missing = state.store.missing_groups(&who.account, ids).await?;
    if missing.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = missing.iter().map(|g| g.get().to_string()).collect();
    Err(codes::INVALID_GROUP_DATA.at(&["group"], format!("the account has no group {}", names.join(", "))))
}

/// An agent's email is not its account's admin email (1512, as a taken
/// one): an agent with `EDIT_AGENTS` could otherwise give a shadow agent the
/// admin's email and learn, from which login succeeds, whether a guess is
/// the admin's password — beyond every lockout.
async fn not_the_admins(state: &AppState, who: &Principal, email: &str) -> Result<(), ApiError> {
    let admin = state.store.admin_email(&who.account).await.or_codes(None, None)?;
    if admin.eq_ignore_ascii_case(email) {
        return Err(codes::EMAIL_EXISTS.at(&["email"], "the account's admin logs in with this email"));
    }
    Ok(())
}

/// Hashes with argon2 off the async workers, through the server's bound
/// on password work (waiting its turn: the request is authenticated).
async fn hash(state: &AppState, secret_text: String) -> Result<String, ApiError> {
    state.password_checks.run_queued(move || secret::hash_password(&secret_text)).await?.map_err(ApiError::Internal)
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(in crate::api) struct Created {
    agent_id: i64,
    /// Shown once, and only when we generated it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    password: Option<String>,
    /// Shown once, and only when we generated it.
    #[serde(skip_serializing_if = "Option::is_none", rename = "call_pass")]
    #[schema(nullable = false)]
    call_pass: Option<String>,
}

/// `Agent/create`: `name` and `email` are required; a missing password or
/// call password is generated and returned once.
pub async fn create(state: AppState, who: Principal, body: Body) -> ApiResult {
    who.require(Permission::EditAgents)?;
    let mut input = fields::parse(&body, &who.country_code)?;
    let name = input.name.take().ok_or_else(|| codes::INVALID_NAME.required("name", NAME_RULE))?;
    let email = input.email.take().ok_or_else(|| global::INVALID_PARAMETER.required("email", EMAIL_RULE))?;
    let dest_type = input.dest_type.unwrap_or(DestType::Mobile);
    let dest_value = match input.dest_value.take() {
        Some(raw) => destination(dest_type, &raw)?,
        None => String::new(),
    };
    not_the_admins(&state, &who, &email).await?;
    let parent_path = check_references(&state, &who, &input, None).await?;
    if input.role.is_none() {
        grantable_role(&state, &who, DEFAULT_ROLE).await?;
    }
    let generated_password = input.password.is_none().then(secret::new_password);
    let generated_call_pass = input.call_pass.is_none().then(secret::new_call_password);
    let password = input.password.take().or_else(|| generated_password.clone()).unwrap_or_default();
    let call_pass = input.call_pass.take().or_else(|| generated_call_pass.clone()).unwrap_or_default();
    let (create_by, create_by_type) = who.creator();
    let new = NewAgent {
        name,
        email,
        phone: input.phone.unwrap_or_default(),
        address: input.address.unwrap_or_default(),
        dest_type,
        dest_value,
        call_pass_hash: hash(&state, call_pass).await?,
        password_hash: hash(&state, password).await?,
        role_id: input.role.unwrap_or(DEFAULT_ROLE),
        parent_path: parent_path.unwrap_or_else(|| ROOT_PATH.to_string()),
        favorite: input.favorite.unwrap_or_default(),
        allow_did: input.allow_did.unwrap_or_default(),
        status: input.status.unwrap_or(1),
        groups: input.groups.unwrap_or_default(),
        working: input.working.unwrap_or_default(),
        create_by,
        create_by_type,
        now: state.clock.now(),
    };
    let agent_id =
        state.store.create_agent(&who.account, &new).await.or_codes(None, codes::EMAIL_EXISTS).map_err(taken)?;
    tracing::info!(%agent_id, "agent created");
    Ok(reply::listing(Created {
        agent_id: agent_id.get(),
        password: generated_password,
        call_pass: generated_call_pass,
    }))
}

/// `Agent/update`: changes the fields it names, leaves the others.
pub async fn update(state: AppState, who: Principal, body: Body) -> ApiResult {
    who.require(Permission::EditAgents)?;
    let current = manageable_agent(&state, &who, &body).await?;
    let mut input = fields::parse(&body, &who.country_code)?;
    if input.is_empty() {
        return Err(codes::NOT_UPDATED.because("nothing to change: the body names no agent field besides agentId"));
    }
    let parent_path = check_references(&state, &who, &input, Some(current.id)).await?;
    // A new destination is checked against the type it will have.
    let dest_type = input.dest_type.or_else(|| DestType::parse(&current.dest_type)).unwrap_or(DestType::Mobile);
    let dest_value = match input.dest_value.take() {
        Some(raw) => Some(destination(dest_type, &raw)?),
        None if input.dest_type.is_some() => Some(kept_destination(dest_type, &current.dest_value)?),
        None => None,
    };
    if let Some(email) = &input.email {
        not_the_admins(&state, &who, email).await?;
    }
    let changes = AgentChanges {
        name: input.name,
        email: input.email,
        phone: input.phone,
        address: input.address,
        dest_type: input.dest_type,
        dest_value,
        call_pass_hash: match input.call_pass.take() {
            Some(pass) => Some(hash(&state, pass).await?),
            None => None,
        },
        password_hash: match input.password.take() {
            Some(password) => Some(hash(&state, password).await?),
            None => None,
        },
        role_id: input.role,
        parent_path,
        favorite: input.favorite,
        allow_did: input.allow_did,
        status: input.status,
        groups: input.groups,
        working: input.working,
        keep_session: own_session(&who, current.id, &body),
    };
    let switched_off = changes.status == Some(0);
    let new_password = changes.password_hash.is_some();
    let keeps_a_session = changes.keep_session.is_some();
    state
        .store
        .update_agent(&who.account, current.id, &changes)
        .await
        .or_codes(codes::INVALID_AGENT_ID, codes::EMAIL_EXISTS)
        .map_err(taken)?;
    if switched_off {
        // Its sessions ended, and so does its presence.
        state.live.logout(&who.account, current.id, EventActor::Admin, "switched_off").await?;
        tracing::info!(target: "security", event = "agent_switched_off", account = %who.account, agent = %current.id);
    } else if new_password {
        // Its other sessions ended; its presence too unless it made the change itself.
        if !keeps_a_session {
            state.live.logout(&who.account, current.id, EventActor::Admin, "password_changed").await?;
        }
        tracing::info!(target: "security", event = "password_changed", account = %who.account, agent = %current.id,
            "the agent's other sessions ended");
    }
    Ok(reply::done("Agent updated"))
}

/// A store's "email taken" names the field.
fn taken(error: ApiError) -> ApiError {
    match error {
        ApiError::Code(code, None) if code == codes::EMAIL_EXISTS => {
            code.at(&["email"], "another agent of the account has this email")
        }
        other => other,
    }
}

/// The ssid hash of the request's session when it is `agent`'s own: a
/// password it changes itself leaves it logged in there.
fn own_session(who: &Principal, agent: AgentId, body: &Body) -> Option<String> {
    match (&who.caller, body.text("ssid")) {
        (Caller::Agent { id, .. }, Ok(Some(ssid))) if *id == agent => Some(crate::domain::secret::token_hash(ssid)),
        _ => None,
    }
}

/// `Agent/delete`: soft (history kept). The agent's sessions end with it
/// and its presence ends like a logout (reason `deleted`), at once: a
/// deleted agent keeps no access, and a console that pings cannot hold the
/// deletion off (it could while a logged-in agent was only marked
/// `preDeleted`). Late call events about it are still recorded.
pub async fn delete(state: AppState, who: Principal, body: Body) -> ApiResult {
    who.require(Permission::EditAgents)?;
    let agent_id = manageable_agent_id(&state, &who, &body).await?;
    let was_logged_in = state
        .store
        .delete_agent(&who.account, agent_id, state.clock.now())
        .await
        .or_codes(codes::INVALID_AGENT_ID, None)?;
    // Also when no session was live: the background step may not yet have
    // ended the presence of the one that just expired.
    state.live.logout(&who.account, agent_id, EventActor::Admin, "deleted").await?;
    if was_logged_in {
        tracing::info!(target: "security", event = "agent_deleted", account = %who.account, agent = %agent_id,
            "the agent's sessions ended");
    }
    Ok(reply::done("Agent deleted"))
}

/// `Agent/changeStatus` `{agentId, status: 0|1}`.
pub async fn change_status(state: AppState, who: Principal, body: Body) -> ApiResult {
    who.require(Permission::EditAgents)?;
    let agent_id = manageable_agent_id(&state, &who, &body).await?;
    let status = fields::parse_status(&body)?.ok_or_else(|| codes::INVALID_STATUS.required("status", STATUSES))?;
    state.store.set_agent_status(&who.account, agent_id, status).await.or_codes(codes::INVALID_AGENT_ID, None)?;
    if status == 0 {
        // Switched off: its sessions end, and so does its presence.
        state.live.logout(&who.account, agent_id, EventActor::Admin, "switched_off").await?;
    }
    Ok(reply::done("Agent status updated"))
}

/// `Agent/updateAgentGroupMapping`: listed groups upserted, `null` removes,
/// the rest untouched; any bad part and nothing changes. An agent session
/// changes only agents that hold nothing it lacks (1015).
pub async fn update_group_mapping(state: AppState, who: Principal, body: Body) -> ApiResult {
    who.require(Permission::EditAgents)?;
    let agent_id = body.id("agentId").or_require(codes::INVALID_AGENT_ID, "agentId", AN_ID)?;
    let group = body.get("group").ok_or_else(|| {
        codes::INVALID_GROUP_DATA.required("group", "an object of group id to {receive_call: Y or N} or null")
    })?;
    let changes = fields::parse_group_mapping(group)?;
    let ids: Vec<GroupId> = changes.iter().map(|c| c.group).collect();
    // Existence of the agent is told first: 1509 wins over 1505; then
    // whether an agent session may act on it (1015).
    if state.store.agent_path(&who.account, agent_id).await?.is_none() {
        return Err(codes::INVALID_AGENT_ID.into());
    }
    manageable_agents(&state, &who, &[agent_id]).await?;
    known_groups(&state, &who, &ids).await?;
    state.store.update_group_mapping(&who.account, agent_id, &changes).await.or_codes(codes::INVALID_AGENT_ID, None)?;
    Ok(reply::done("Agent group mapping updated"))
}

fn agent_ids(body: &Body) -> Result<Vec<AgentId>, ApiError> {
    const IDS: &str = "a list of 1 to 1000 agent ids";
    let list = match body.get("agentIds") {
        None => return Err(codes::INVALID_AGENT_ID.required("agentIds", IDS)),
        Some(Value::Array(list)) if (1..=MAX_AGENT_IDS).contains(&list.len()) => list,
        Some(_) => return Err(codes::INVALID_AGENT_ID.at(&["agentIds"], format!("agentIds must be {IDS}"))),
    };
    list.iter()
        .enumerate()
        .map(|(i, v)| {
            id_value(v).map(AgentId).map_err(|_| {
                codes::INVALID_AGENT_ID.at(&["agentIds", &i.to_string()], format!("an agent id must be {AN_ID}"))
            })
        })
        .collect()
}

async fn set_cad_flag(state: AppState, who: Principal, body: Body, on: bool) -> ApiResult {
    who.require(Permission::EditAgents)?;
    let ids = agent_ids(&body)?;
    manageable_agents(&state, &who, &ids).await?;
    state.store.set_cad(&who.account, &ids, on).await.or_codes(codes::INVALID_AGENT_ID, None)?;
    Ok(reply::done(if on { "CAD set" } else { "CAD unset" }))
}

/// `Agent/setCad` `{agentIds: [...]}`; an agent session names only agents
/// that hold nothing it lacks (1015, and nothing changes).
pub async fn set_cad(state: AppState, who: Principal, body: Body) -> ApiResult {
    set_cad_flag(state, who, body, true).await
}

/// `Agent/unsetCad` `{agentIds: [...]}`; as `setCad` for agent sessions.
pub async fn unset_cad(state: AppState, who: Principal, body: Body) -> ApiResult {
    set_cad_flag(state, who, body, false).await
}
