//! The endpoint table: every DeepCall path we answer, its handler, and what
//! the OpenAPI document says about it. Routing and docs both read this table,
//! so an endpoint cannot exist without being documented.

use std::future::Future;
use std::pin::Pin;

use utoipa::openapi::{RefOr, schema::Schema};
use utoipa::{PartialSchema, ToSchema};

use super::auth::Principal;
use super::contact_schemas as cs;
use super::error::ApiResult;
use super::live_schemas as ls;
use super::webhook_schemas as ws;
use super::{
    account, agent, agent_dashboard, agent_profile, auth, breaks, call_event, call_report, call_route, caller_marks,
    directory, group, group_queue, role, schemas, sticky, supervisor, webhook,
};
use crate::AppState;
use crate::domain::calls::CallSummary;
use crate::wire::errors::{
    account as ac, agent as a, agent_dashboard as ad, agent_profile as ap, auth as au, breaks as br, call_event as ce,
    call_report as cp, call_route as cr, directory as d, global as g, group as gr, role as r, supervisor as sv,
    webhook as wh,
};
use crate::wire::reply::{Dashboard, Done, Listing, Profile};
use crate::wire::{Body, ErrorCode};

type Reply = Pin<Box<dyn Future<Output = ApiResult> + Send>>;

/// How dispatch calls an endpoint. An endpoint marked authenticated gets
/// the principal its credentials resolve to, found by dispatch before the
/// handler runs: a handler that needs one cannot be written without it.
#[derive(Clone, Copy)]
pub enum Handler {
    /// Gets the address the request came from (its connection's peer), if known.
    Open(fn(AppState, Option<std::net::IpAddr>, Body) -> Reply),
    Authenticated(fn(AppState, Principal, Body) -> Reply),
}

pub struct Endpoint {
    /// The documented casing (`Agent`, `agentProfile`); matched case-insensitively.
    /// Empty for a path right under `/api/v2/` (`callEvent`).
    pub section: &'static str,
    /// Matched exactly.
    pub name: &'static str,
    pub summary: &'static str,
    /// Needs `ssid` or `userId` + `token` (the same as `handler` being
    /// `Handler::Authenticated`: the table's macro sets both).
    pub authenticated: bool,
    /// The codes this endpoint answers besides the credential and transport ones.
    pub errors: &'static [ErrorCode],
    pub request: fn() -> RefOr<Schema>,
    /// The success reply.
    pub reply: fn() -> RefOr<Schema>,
    /// Adds the named schemas the request and reply refer to (`$ref`), by name.
    pub components: fn(&mut Vec<(String, RefOr<Schema>)>),
    pub handler: Handler,
}

impl Endpoint {
    pub fn path(&self) -> String {
        if self.section.is_empty() {
            format!("/api/v2/{}", self.name)
        } else {
            format!("/api/v2/{}/{}", self.section, self.name)
        }
    }

    /// The OpenAPI tag and metrics label.
    pub fn tag(&self) -> &'static str {
        if self.section.is_empty() { "telephony" } else { self.section }
    }

    /// Every code this endpoint may answer, in code order: the body and
    /// credential ones that apply, then its own list.
    pub fn codes(&self) -> Vec<ErrorCode> {
        let credential = if self.authenticated { CREDENTIAL_ERRORS } else { &[] };
        let mut codes: Vec<ErrorCode> = Vec::new();
        for code in BODY_ERRORS.iter().chain(credential).chain(self.errors) {
            if !codes.contains(code) {
                codes.push(*code);
            }
        }
        codes.sort_by_key(|c| c.code);
        codes
    }

    /// The code for a key the request schema does not name (`accepted`):
    /// the one the endpoint already answers for a wrong field — Agent's
    /// `create`/`update` 1521 `Please Provide Only Valid fields` (seed 000),
    /// its filtered reads 1502 `Invalid filter value`, `setCad`/`unsetCad`
    /// 1509 (their answer to any body without a good `agentIds` list);
    /// every other endpoint, whose table has no such code, 1000 `Invalid parameter`.
    pub fn unknown_key_code(&self) -> ErrorCode {
        match (self.section, self.name) {
            // Employee is Agent under DeepCall's newer name: the same codes.
            ("Agent" | "Employee", "create" | "update") => a::UNKNOWN_FIELDS,
            ("Agent" | "Employee", "list") | ("Agent", "live" | "timeLine") => a::INVALID_FILTER_VALUE,
            ("Agent", "setCad" | "unsetCad") => a::INVALID_AGENT_ID,
            _ => g::INVALID_PARAMETER,
        }
    }

    /// Whether `code` is one this endpoint declares (the document lists it).
    pub fn declares(&self, code: ErrorCode) -> bool {
        BODY_ERRORS.contains(&code)
            || (self.authenticated && CREDENTIAL_ERRORS.contains(&code))
            || self.errors.contains(&code)
    }
}

macro_rules! endpoint {
    ($section:literal / $name:literal, $handler:path, $request:ty => $reply:ty, auth: true, $summary:literal,
     [$($err:expr),* $(,)?]) => {
        endpoint!(@ $section / $name, $request => $reply, true, $summary, [$($err),*],
            Handler::Authenticated(|state, who, body| Box::pin($handler(state, who, body))))
    };
    ($section:literal / $name:literal, $handler:path, $request:ty => $reply:ty, auth: false, $summary:literal,
     [$($err:expr),* $(,)?]) => {
        endpoint!(@ $section / $name, $request => $reply, false, $summary, [$($err),*],
            Handler::Open(|state, source, body| Box::pin($handler(state, source, body))))
    };
    (@ $section:literal / $name:literal, $request:ty => $reply:ty, $auth:literal, $summary:literal,
     [$($err:expr),*], $handler:expr) => {
        Endpoint {
            section: $section,
            name: $name,
            summary: $summary,
            authenticated: $auth,
            errors: &[$($err),*],
            request: <$request as PartialSchema>::schema,
            reply: <$reply as PartialSchema>::schema,
            components: |schemas| {
                <$request as ToSchema>::schemas(schemas);
                <$reply as ToSchema>::schemas(schemas);
            },
            handler: $handler,
        }
    };
}

pub static ENDPOINTS: &[Endpoint] = &[
    endpoint!("auth" / "login", auth::login, schemas::LoginRequest => Listing<auth::LoginReply>, auth: false,
        "Log in with email and password; returns an ssid (admin or agent session) that lives while it is used",
        [g::INVALID_PARAMETER, au::INVALID_CREDENTIALS, au::AMBIGUOUS_LOGIN, g::ACCOUNT_SUSPENDED, g::PERMISSION_DENIED]),
    endpoint!("auth" / "logout", auth::logout, schemas::LogoutRequest => Done, auth: false,
        "End a session; the agent goes offline when it was its last (another tab keeps it online)",
        [g::INVALID_PARAMETER, g::TOKEN_NOT_FOUND, g::INVALID_TOKEN]),
    endpoint!("Agent" / "list", agent::list, schemas::AgentListRequest => Listing<agent::ListPayload<agent::AgentListItem>>, auth: true,
        "List agents (seed 002 shape), filtered and paged",
        [a::INVALID_AGENT_ID, g::GROUP_ID_DOES_NOT_EXIST, a::INVALID_FILTER_VALUE, a::INVALID_STATUS]),
    endpoint!("Agent" / "create", agent::create, schemas::AgentCreateRequest => Listing<agent::Created>, auth: true,
        "Create an agent; generated secrets are returned once",
        [a::UNKNOWN_FIELDS, a::INVALID_NAME, g::INVALID_PARAMETER, a::INVALID_MOBILE, a::INVALID_TYPE,
         a::INVALID_DESTINATION, a::INVALID_CALL_PASSWORD, a::INVALID_ROLE, a::INVALID_PARENT,
         a::INVALID_GROUP_DATA, a::INVALID_WORKING_TIME, a::INVALID_TIMING, a::INVALID_DID, a::INVALID_FAVORITE,
         a::INVALID_STATUS, a::EMAIL_EXISTS]),
    endpoint!("Agent" / "update", agent::update, schemas::AgentUpdateRequest => Done, auth: true,
        "Change the named fields of an agent",
        [a::INVALID_AGENT_ID, a::UNKNOWN_FIELDS, a::NOT_UPDATED, a::INVALID_NAME, g::INVALID_PARAMETER,
         a::INVALID_MOBILE, a::INVALID_TYPE, a::INVALID_DESTINATION, a::INVALID_CALL_PASSWORD, a::INVALID_ROLE,
         a::INVALID_PARENT, a::PARENT_IS_SELF, a::INVALID_GROUP_DATA, a::INVALID_WORKING_TIME, a::INVALID_TIMING,
         a::INVALID_DID, a::INVALID_FAVORITE, a::INVALID_STATUS, a::EMAIL_EXISTS]),
    endpoint!("Agent" / "delete", agent::delete, schemas::AgentIdRequest => Done, auth: true,
        "Soft-delete an agent: its sessions and presence end at once; its history stays readable", [a::INVALID_AGENT_ID]),
    endpoint!("Agent" / "changeStatus", agent::change_status, schemas::AgentStatusRequest => Done, auth: true,
        "Activate (1) or deactivate (0) an agent", [a::INVALID_AGENT_ID, a::INVALID_STATUS]),
    endpoint!("Agent" / "updateAgentGroupMapping", agent::update_group_mapping, schemas::GroupMappingRequest => Done,
        auth: true, "Upsert or remove (null) an agent's group mappings; all or nothing",
        [a::INVALID_AGENT_ID, a::INVALID_GROUP_DATA]),
    endpoint!("Agent" / "setCad", agent::set_cad, schemas::AgentIdsRequest => Done, auth: true,
        "Set the CAD flag of agents; all or nothing", [a::INVALID_AGENT_ID]),
    endpoint!("Agent" / "unsetCad", agent::unset_cad, schemas::AgentIdsRequest => Done, auth: true,
        "Clear the CAD flag of agents; all or nothing", [a::INVALID_AGENT_ID]),
    // DeepCall's Employee section, the successor of Agent (Sarv's own hub
    // calls Employee/List): the same agents, rules and codes.
    endpoint!("Employee" / "list", agent::list, schemas::AgentListRequest => Listing<agent::ListPayload<agent::AgentListItem>>, auth: true,
        "List agents as Agent/list does (DeepCall's Employee section)",
        [a::INVALID_AGENT_ID, g::GROUP_ID_DOES_NOT_EXIST, a::INVALID_FILTER_VALUE, a::INVALID_STATUS]),
    endpoint!("Employee" / "create", agent::create, schemas::AgentCreateRequest => Listing<agent::Created>, auth: true,
        "Create an agent as Agent/create does (DeepCall's Employee section; `parent` may be \"root\")",
        [a::UNKNOWN_FIELDS, a::INVALID_NAME, g::INVALID_PARAMETER, a::INVALID_MOBILE, a::INVALID_TYPE,
         a::INVALID_DESTINATION, a::INVALID_CALL_PASSWORD, a::INVALID_ROLE, a::INVALID_PARENT,
         a::INVALID_GROUP_DATA, a::INVALID_WORKING_TIME, a::INVALID_TIMING, a::INVALID_DID, a::INVALID_FAVORITE,
         a::INVALID_STATUS, a::EMAIL_EXISTS]),
    endpoint!("Employee" / "update", agent::update, schemas::AgentUpdateRequest => Done, auth: true,
        "Change the named fields of an agent as Agent/update does (DeepCall's Employee section)",
        [a::INVALID_AGENT_ID, a::UNKNOWN_FIELDS, a::NOT_UPDATED, a::INVALID_NAME, g::INVALID_PARAMETER,
         a::INVALID_MOBILE, a::INVALID_TYPE, a::INVALID_DESTINATION, a::INVALID_CALL_PASSWORD, a::INVALID_ROLE,
         a::INVALID_PARENT, a::PARENT_IS_SELF, a::INVALID_GROUP_DATA, a::INVALID_WORKING_TIME, a::INVALID_TIMING,
         a::INVALID_DID, a::INVALID_FAVORITE, a::INVALID_STATUS, a::EMAIL_EXISTS]),
    endpoint!("Employee" / "profile", agent::profile, schemas::EmployeeProfileRequest => Listing<agent::ProfilePayload>, auth: true,
        "One agent by empId, in Agent/list's shape (its own, or anyone's with VIEW_AGENTS)",
        [a::INVALID_AGENT_ID, g::PERMISSION_DENIED]),
    endpoint!("Agent" / "live", agent::live, ls::AgentLiveRequest => Listing<agent::LivePayload>, auth: true,
        "Every agent's presence now (state, since, break, wrap-up, call, last ping), with counts per state",
        [a::INVALID_AGENT_ID, g::GROUP_ID_DOES_NOT_EXIST, a::INVALID_FILTER_VALUE]),
    endpoint!("Agent" / "timeLine", agent::timeline, ls::TimelineRequest => agent::TimelineReply, auth: true,
        "A day of agent and call events, each agent's state intervals and the per-window line chart",
        [g::INVALID_DATE_FORMAT, a::INVALID_AGENT_ID, a::INVALID_FILTER_VALUE]),
    endpoint!("agentProfile" / "setWebPingTime", agent_profile::set_web_ping_time, ls::PingRequest => Profile<agent_profile::Ping>,
        auth: true, "Heartbeat of the agent's page (agent session only)",
        [ap::AGENT_MISMATCH, ap::PING_NEEDS_AGENT_SESSION, ap::MIC_PERM_MISSING, g::INVALID_DATA_TYPE,
         ap::PING_TIME_TYPE, ap::INVALID_AGENT_ID]),
    endpoint!("agentProfile" / "agentOnBreak", agent_profile::agent_on_break, ls::ProfileRequest => Profile<agent_profile::OnBreak>,
        auth: true, "The agent's current break, or 1502 when not on break",
        [ap::AGENT_MISMATCH, ap::NOT_ON_BREAK, ap::INVALID_AGENT_ID]),
    endpoint!("agentProfile" / "checkAgentInWrapUp", agent_profile::check_agent_in_wrap_up,
        ls::ProfileRequest => Profile<agent_profile::WrapUp>, auth: true, "The agent's wrap-up, or 1504 when not in wrap-up",
        [ap::AGENT_MISMATCH, ap::NOT_IN_WRAP_UP, ap::INVALID_AGENT_ID]),
    endpoint!("agentProfile" / "breakStart", agent_profile::break_start, ls::BreakStartRequest => Profile<agent_profile::Changed>,
        auth: true, "Start a break, or switch to another reason at once (during a call it starts at hang-up)",
        [ap::AGENT_MISMATCH, ap::INVALID_AGENT_ID, ap::INVALID_BREAK_REASON, ap::NOT_LOGGED_IN, ap::ALREADY_ON_BREAK]),
    endpoint!("agentProfile" / "breakEnd", agent_profile::break_end, ls::ProfileRequest => Profile<agent_profile::Changed>,
        auth: true, "End the break, or cancel one waiting for hang-up",
        [ap::AGENT_MISMATCH, ap::INVALID_AGENT_ID, ap::NOT_ON_BREAK]),
    endpoint!("agentProfile" / "wrapUpEnd", agent_profile::wrap_up_end, ls::ProfileRequest => Profile<agent_profile::Changed>,
        auth: true, "End the wrap-up before its time",
        [ap::AGENT_MISMATCH, ap::INVALID_AGENT_ID, ap::NOT_IN_WRAP_UP]),
    endpoint!("agentProfile" / "tags", agent_profile::tags, cs::TagsRequest => Profile<agent_profile::Tags>, auth: true,
        "The agent's recent call notifications: calls it missed, and whether the caller was reached since",
        [ap::AGENT_MISMATCH, ap::INVALID_AGENT_ID, ap::INVALID_REF]),
    endpoint!("Supervisor" / "breakStart", supervisor::break_start, ls::SupervisorBreakRequest => Listing<supervisor::Acted>,
        auth: true, "Start a break for an agent (SUPERVISE_AGENTS), logged with the supervisor as actor",
        [sv::INVALID_AGENT_ID, sv::INVALID_BREAK_REASON, sv::NOT_LOGGED_IN, sv::ALREADY_ON_BREAK]),
    endpoint!("Supervisor" / "breakEnd", supervisor::break_end, ls::SupervisorRequest => Listing<supervisor::Acted>,
        auth: true, "End an agent's break, or cancel one waiting for hang-up (SUPERVISE_AGENTS)",
        [sv::INVALID_AGENT_ID, sv::NOT_ON_BREAK]),
    endpoint!("Supervisor" / "wrapUpEnd", supervisor::wrap_up_end, ls::SupervisorRequest => Listing<supervisor::Acted>,
        auth: true, "End an agent's wrap-up before its time (SUPERVISE_AGENTS)",
        [sv::INVALID_AGENT_ID, sv::NOT_IN_WRAP_UP]),
    endpoint!("Supervisor" / "logout", supervisor::logout, ls::SupervisorRequest => Listing<supervisor::Acted>,
        auth: true, "Log an agent out: its sessions end and it goes offline, reason supervisor (SUPERVISE_AGENTS)",
        [sv::INVALID_AGENT_ID, sv::NOT_LOGGED_IN]),
    endpoint!("agentDashboard" / "contactInfo", agent_dashboard::contact_info, cs::CallerRequest => Dashboard<agent_dashboard::ContactCard>,
        auth: true, "The caller's contact card (seed 003): mobile, then the account's fields in its order",
        [g::INVALID_PARAMETER, g::INVALID_DATA_TYPE, g::INVALID_CONTACT_NUMBER]),
    endpoint!("agentDashboard" / "recentCalls", agent_dashboard::recent_calls, cs::CallerRequest => Dashboard<Vec<CallSummary>>,
        auth: true, "The caller's last calls with the account: direction, status, agent, time, talk seconds",
        [g::INVALID_PARAMETER, g::INVALID_DATA_TYPE, g::INVALID_CONTACT_NUMBER]),
    endpoint!("agentDashboard" / "counters", agent_dashboard::counters, cs::CountersRequest => Dashboard<agent_dashboard::DayCounters>,
        auth: true, "The agent's totals for a day, from the same log as its timeline",
        [g::INVALID_PARAMETER, g::AGENT_ID_DOES_NOT_EXIST, g::INVALID_DATE_FORMAT]),
    endpoint!("agentDashboard" / "notesAdd", agent_dashboard::notes_add, cs::NotesAddRequest => Dashboard<agent_dashboard::NoteView>,
        auth: true, "Attach a note to a caller and one of its calls",
        [g::INVALID_PARAMETER, g::INVALID_DATA_TYPE, g::INVALID_CONTACT_NUMBER, ad::INVALID_CALL_ID, ad::INVALID_CONTENT]),
    endpoint!("agentDashboard" / "notesList", agent_dashboard::notes_list, cs::NotesListRequest => Dashboard<Vec<agent_dashboard::NoteView>>,
        auth: true, "A caller's notes, newest first",
        [g::INVALID_PARAMETER, g::INVALID_DATA_TYPE, g::INVALID_CONTACT_NUMBER, ad::INVALID_CALL_ID]),
    endpoint!("Directory" / "create", directory::create, cs::ContactRequest => Listing<directory::ContactView>, auth: true,
        "Add a contact with values for the account's fields",
        [g::INVALID_PARAMETER, g::INVALID_DATA_TYPE, g::INVALID_CONTACT_NUMBER, d::CONTACT_EXISTS, d::UNKNOWN_FIELD,
         d::INVALID_FIELD_VALUE]),
    endpoint!("Directory" / "update", directory::update, cs::ContactRequest => Listing<directory::ContactView>, auth: true,
        "Change the named fields of a contact",
        [g::INVALID_PARAMETER, g::INVALID_DATA_TYPE, g::INVALID_CONTACT_NUMBER, g::NO_DATA_FOUND, d::UNKNOWN_FIELD,
         d::INVALID_FIELD_VALUE]),
    endpoint!("Directory" / "getInfo", directory::get_info, cs::ContactInfoRequest => Listing<directory::ContactView>, auth: true,
        "A contact: its fields, and its calls from the event log",
        [g::INVALID_PARAMETER, g::INVALID_DATA_TYPE, g::INVALID_CONTACT_NUMBER, g::NO_DATA_FOUND, d::UNKNOWN_FIELD]),
    endpoint!("Directory" / "getFields", directory::get_fields, cs::GetFieldsRequest => Listing<directory::FieldsReply>, auth: true,
        "The account's contact fields in its order; with `contact`, that contact's values of the fields `project` names",
        [g::INVALID_PARAMETER, g::INVALID_DATA_TYPE, g::INVALID_CONTACT_NUMBER, g::NO_DATA_FOUND, d::UNKNOWN_FIELD]),
    // DeepCall's docs show getFields, getDnc and setDnc without the
    // `Directory/` segment: both paths answer.
    endpoint!("" / "getFields", directory::get_fields, cs::GetFieldsRequest => Listing<directory::FieldsReply>, auth: true,
        "Directory/getFields, at the path DeepCall's docs show",
        [g::INVALID_PARAMETER, g::INVALID_DATA_TYPE, g::INVALID_CONTACT_NUMBER, g::NO_DATA_FOUND, d::UNKNOWN_FIELD]),
    endpoint!("Directory" / "search", directory::search, cs::SearchRequest => Listing<directory::SearchPage>, auth: true,
        "Contacts whose number holds the digits given, by number, with the fields `project` names, a page at a time",
        [g::INVALID_PARAMETER, g::INVALID_DATA_TYPE, g::INVALID_CONTACT_NUMBER, d::UNKNOWN_FIELD]),
    endpoint!("Directory" / "setAM", caller_marks::set_account_manager, cs::SetAccountManagerRequest => Listing<caller_marks::AccountManager>, auth: true,
        "Give a number an account manager: callRoute offers its calls to that agent first when no sticky pin covers them (account credentials, EDIT_AGENTS, or an agent naming itself)",
        [g::INVALID_PARAMETER, g::INVALID_DATA_TYPE, g::INVALID_CONTACT_NUMBER, g::PERMISSION_DENIED, d::ACCOUNT_MANAGER_ERROR]),
    endpoint!("Directory" / "unsetAm", caller_marks::unset_account_manager, cs::NumberRequest => Listing<caller_marks::AccountManager>, auth: true,
        "Take a number's account manager away (1012 when it has none)",
        [g::INVALID_PARAMETER, g::INVALID_DATA_TYPE, g::INVALID_CONTACT_NUMBER, g::PERMISSION_DENIED, g::NO_DATA_FOUND]),
    endpoint!("Directory" / "getDnc", caller_marks::get_dnc, cs::NumberRequest => Listing<caller_marks::Dnc>, auth: true,
        "A number's do-not-call entry: -1 for ever, the Unix time it ends, or 0",
        [g::INVALID_PARAMETER, g::INVALID_DATA_TYPE, g::INVALID_CONTACT_NUMBER]),
    endpoint!("" / "getDnc", caller_marks::get_dnc, cs::NumberRequest => Listing<caller_marks::Dnc>, auth: true,
        "Directory/getDnc, at the path DeepCall's docs show",
        [g::INVALID_PARAMETER, g::INVALID_DATA_TYPE, g::INVALID_CONTACT_NUMBER]),
    endpoint!("Directory" / "setDnc", caller_marks::set_dnc, cs::SetDncRequest => Listing<caller_marks::Dnc>, auth: true,
        "Put a number on the do-not-call list (for ever, or until a time) or take it off: an outbound call to it is refused",
        [g::INVALID_PARAMETER, g::INVALID_DATA_TYPE, g::INVALID_CONTACT_NUMBER, d::EXPIRY_TOO_SMALL, d::EXPIRY_NOT_INTEGER,
         d::DNC_ERROR]),
    endpoint!("" / "setDnc", caller_marks::set_dnc, cs::SetDncRequest => Listing<caller_marks::Dnc>, auth: true,
        "Directory/setDnc, at the path DeepCall's docs show",
        [g::INVALID_PARAMETER, g::INVALID_DATA_TYPE, g::INVALID_CONTACT_NUMBER, d::EXPIRY_TOO_SMALL, d::EXPIRY_NOT_INTEGER,
         d::DNC_ERROR]),
    endpoint!("Directory" / "Blacklist", caller_marks::blacklist, cs::BlacklistRequest => Listing<caller_marks::Blacklist>, auth: true,
        "Bar a caller on some or every number of the account (callRoute does not offer its calls; an outbound call to it is refused), or lift it with RESET (account credentials or MANAGE_GROUPS)",
        [g::INVALID_PARAMETER, g::INVALID_DATA_TYPE, g::INVALID_CONTACT_NUMBER, g::PERMISSION_DENIED, d::CLI_DOES_NOT_EXIST]),
    endpoint!("Directory" / "setFields", directory::set_fields, cs::SetFieldsRequest => Listing<directory::FieldList>, auth: true,
        "Arrange the account's contact fields (account credentials)", [d::INVALID_FIELDS]),
    endpoint!("Directory" / "setSticky", sticky::set_sticky, cs::SetStickyRequest => Listing<sticky::StickyList>, auth: true,
        "Pin a caller to an agent: callRoute offers the caller's calls to it first when it may take them (account credentials, EDIT_AGENTS, or an agent pinning to itself)",
        [g::INVALID_PARAMETER, g::INVALID_DATA_TYPE, g::INVALID_CONTACT_NUMBER, g::PERMISSION_DENIED, d::STICKY_AGENT_ERROR,
         d::INVALID_TYPE, d::CLI_DOES_NOT_EXIST, d::GROUP_ID_DOES_NOT_EXIST, d::AGENT_NOT_IN_GROUP, d::EXPIRY_TOO_SMALL,
         d::EXPIRY_NOT_INTEGER]),
    endpoint!("Directory" / "getSticky", sticky::get_sticky, cs::GetStickyRequest => Listing<sticky::StickyList>, auth: true,
        "A caller's pins still in force, narrowest first",
        [g::INVALID_PARAMETER, g::INVALID_DATA_TYPE, g::INVALID_CONTACT_NUMBER]),
    endpoint!("Directory" / "removeSticky", sticky::remove_sticky, cs::RemoveStickyRequest => Listing<sticky::StickyRemoved>, auth: true,
        "Unpin a caller (every pin, or those of a type, number, group)",
        [g::INVALID_PARAMETER, g::INVALID_DATA_TYPE, g::INVALID_CONTACT_NUMBER, g::NO_DATA_FOUND, d::INVALID_TYPE,
         d::CLI_DOES_NOT_EXIST, d::GROUP_ID_DOES_NOT_EXIST]),
    endpoint!("" / "callEvent", call_event::call_event, ls::CallEventRequest => Listing<call_event::Accepted>, auth: true,
        "Telephony facts in, one leg per agent a call is offered to (one, or a batch of up to 1000 applied in the order they happened; a wrong fact of a batch is refused alone and named in `refused`); idempotent on callId + event per agent",
        [ce::INVALID_CALL_ID, ce::INVALID_EVENT, ce::INVALID_AGENT_ID, ce::INVALID_CALLER_NUMBER,
         ce::INVALID_DIRECTION, ce::INVALID_DID, ce::INVALID_TIME, ce::INVALID_EVENTS, ce::INVALID_GROUP_ID,
         ce::INVALID_ATTEMPT, ce::INVALID_SENT_AT, ce::INVALID_DEVICE, ce::INVALID_REASON, ce::NUMBER_ON_DNC,
         ce::NUMBER_BLACKLISTED]),
    endpoint!("" / "callRoute", call_route::call_route, ls::CallRouteRequest => Listing<call_route::Routed>, auth: true,
        "Whom to offer a call that arrived for a group (or a number reaching one): the agents to ring, in order, offered in the same decision; asked again for the same call, the agents not offered it yet; nobody free, the call waits in the group's queue (longest-waiting first) and its place is answered",
        [cr::INVALID_CALL_ID, cr::INVALID_GROUP_ID, cr::INVALID_DID, cr::INVALID_CALLER_NUMBER, cr::GROUP_OR_DID_REQUIRED,
         g::GROUP_ID_DOES_NOT_EXIST, cr::UNKNOWN_DID, cr::GROUP_INACTIVE, cr::ALREADY_ANSWERED, cr::NO_AGENTS,
         cr::QUEUE_FULL, cr::CALLER_BLACKLISTED]),
    endpoint!("callreport" / "list", call_report::list, ls::CallReportRequest => Listing<call_report::ReportPage>, auth: true,
        "The finished calls that rang in a range of days (account time zone), newest first, each the push report's fields (account credentials or LIST_CALL_LOG)",
        [g::PERMISSION_DENIED, g::INVALID_DATE_FORMAT, g::INVALID_PARAMETER, g::INVALID_DATA_TYPE, g::INVALID_CONTACT_NUMBER, cp::INVALID_RANGE,
         cp::INVALID_AGENT_ID, cp::INVALID_GROUP_ID, cp::INVALID_DID, cp::INVALID_FILTER, cp::TOO_MANY_FACTS]),
    endpoint!("callreport" / "reportCount", call_report::report_count, ls::CallReportRequest => Listing<call_report::ReportCount>, auth: true,
        "How many calls callreport/list would show for the same range and filters, answered and missed",
        [g::PERMISSION_DENIED, g::INVALID_DATE_FORMAT, g::INVALID_DATA_TYPE, g::INVALID_CONTACT_NUMBER, cp::INVALID_RANGE,
         cp::INVALID_AGENT_ID, cp::INVALID_GROUP_ID, cp::INVALID_DID, cp::INVALID_FILTER, cp::TOO_MANY_FACTS]),
    endpoint!("callreport" / "detail", call_report::detail, ls::CallReportDetailRequest => Listing<call_report::ReportDetail>, auth: true,
        "One finished call's report with every leg (nHDetail)",
        [g::PERMISSION_DENIED, g::NO_DATA_FOUND, cp::INVALID_CALL_ID]),
    endpoint!("Break" / "list", breaks::list, schemas::Credentials => Listing<breaks::BreakList>, auth: true,
        "The account's break reasons", []),
    endpoint!("Break" / "add", breaks::add, ls::BreakAddRequest => Listing<breaks::Item>, auth: true,
        "Add a break reason", [br::NAME_MISSING, br::INVALID_MAX_DURATION, br::NAME_TAKEN]),
    endpoint!("Break" / "update", breaks::update, ls::BreakUpdateRequest => Listing<breaks::Item>, auth: true,
        "Rename a break reason or change its maximum",
        [br::BREAK_NOT_FOUND, br::NAME_MISSING, br::INVALID_MAX_DURATION, br::NAME_TAKEN]),
    endpoint!("Break" / "delete", breaks::delete, ls::BreakIdRequest => Done, auth: true,
        "Delete a break reason", [br::BREAK_NOT_FOUND]),
    endpoint!("Account" / "settings", account::settings, ls::AccountSettingsRequest => Listing<account::Settings>,
        auth: true, "Read, or (account credentials) change, the time zone, heartbeat limits and wrap-up time",
        [ac::INVALID_TIMEZONE, ac::INVALID_STALE_AFTER, ac::INVALID_OFFLINE_AFTER, ac::INVALID_WRAP_UP,
         ac::INVALID_COUNTRY_CODE]),
    endpoint!("Account" / "setPassword", account::set_password, ls::AccountPasswordRequest => Done, auth: true,
        "Set the admin password (the account's token, or its admin session with currentPassword); other admin sessions end",
        [ac::INVALID_PASSWORD, ac::WRONG_CURRENT_PASSWORD]),
    endpoint!("Group" / "add", group::add, schemas::GroupAddRequest => Listing<group::Added>, auth: true,
        "Add a group (with its routing: strategy, ring timeout, the numbers that reach it)",
        [gr::NAME_MISSING, gr::INVALID_STATUS, gr::INVALID_WRAP_UP, gr::INVALID_STRATEGY, gr::INVALID_RING_TIMEOUT,
         gr::INVALID_DIDS, gr::DID_TAKEN, gr::INVALID_SERVICE_LEVEL]),
    endpoint!("Group" / "update", group::update, schemas::GroupUpdateRequest => Done, auth: true,
        "Rename a group, change its status or its routing",
        [gr::GROUP_ID_REQUIRED, gr::NAME_MISSING, gr::INVALID_STATUS, gr::GROUP_NOT_FOUND, gr::INVALID_WRAP_UP,
         gr::INVALID_STRATEGY, gr::INVALID_RING_TIMEOUT, gr::INVALID_DIDS, gr::DID_TAKEN, gr::INVALID_SERVICE_LEVEL]),
    endpoint!("Group" / "delete", group::delete, schemas::GroupIdRequest => Done, auth: true,
        "Delete a group and its agent mappings", [gr::GROUP_ID_REQUIRED, gr::GROUP_NOT_FOUND]),
    endpoint!("Group" / "queue", group_queue::queue, ls::GroupQueueRequest => Listing<group_queue::QueueList>, auth: true,
        "Each group's queue now (the calls waiting, longest first) and its day so far: calls offered, answered, abandoned, service level (account credentials or VIEW_AGENTS)",
        [g::GROUP_ID_DOES_NOT_EXIST]),
    endpoint!("Group" / "list", group::list, schemas::GroupListRequest => Listing<group::GroupList>, auth: true,
        "List groups keyed by id", [gr::GROUP_ID_REQUIRED, g::INVALID_PARAMETER]),
    endpoint!("Role" / "list", role::list, schemas::RoleListRequest => Listing<role::RoleList>, auth: true, "List roles", []),
    endpoint!("Role" / "add", role::add, schemas::RoleAddRequest => Listing<role::RoleItem>, auth: true,
        "Add a role with permissions", [r::NAME_MISSING, r::INVALID_PERMISSION]),
    endpoint!("Role" / "update", role::update, schemas::RoleUpdateRequest => Listing<role::RoleItem>, auth: true,
        "Change a role's name or permissions", [r::INVALID_ROLE, r::NAME_MISSING, r::INVALID_PERMISSION]),
    endpoint!("Webhook" / "add", webhook::add, ws::WebhookAddRequest => Listing<webhook::Added>, auth: true,
        "Subscribe a URL to call reports (DeepCall's push report) and/or agent and call events; returns the signing secret once",
        [wh::INVALID_URL, wh::PRIVATE_URL, wh::INVALID_EVENTS, wh::INVALID_FORMAT, wh::INVALID_ACTIVE, wh::TOO_MANY]),
    endpoint!("Webhook" / "list", webhook::list, schemas::Credentials => Listing<webhook::WebhookList>, auth: true,
        "The account's webhook subscriptions (never their secrets)", []),
    endpoint!("Webhook" / "update", webhook::update, ws::WebhookUpdateRequest => Listing<webhook::Updated>, auth: true,
        "Change a subscription's url, events, format or active flag",
        [wh::WEBHOOK_NOT_FOUND, wh::INVALID_URL, wh::PRIVATE_URL, wh::INVALID_EVENTS, wh::INVALID_FORMAT,
         wh::INVALID_ACTIVE]),
    endpoint!("Webhook" / "delete", webhook::delete, ws::WebhookIdRequest => Done, auth: true,
        "Delete a subscription with its deliveries and their log", [wh::WEBHOOK_NOT_FOUND]),
    endpoint!("Webhook" / "test", webhook::test, ws::WebhookIdRequest => Listing<webhook::Queued>, auth: true,
        "Send a test delivery now (one attempt; its answer shows in the delivery log)", [wh::WEBHOOK_NOT_FOUND]),
    endpoint!("Webhook" / "rotateSecret", webhook::rotate_secret, ws::WebhookRotateRequest => Listing<webhook::Rotated>,
        auth: true, "A new signing secret, shown once; the old one keeps signing for the grace period",
        [wh::WEBHOOK_NOT_FOUND, g::INVALID_PARAMETER]),
    endpoint!("Webhook" / "deliveries", webhook::deliveries, ws::WebhookDeliveriesRequest => Listing<webhook::DeliveryList>,
        auth: true, "The delivery log, newest first: each attempt's time, response code, latency and answer excerpt",
        [wh::WEBHOOK_NOT_FOUND, wh::INVALID_PAGE]),
    endpoint!("Webhook" / "redeliver", webhook::redeliver, ws::WebhookRedeliverRequest => Listing<webhook::Redelivered>,
        auth: true, "Send one delivery again, or every failed one since a time, from the start of the retry ladder",
        [wh::WEBHOOK_NOT_FOUND, wh::DELIVERY_NOT_FOUND, wh::INVALID_SINCE, g::INVALID_PARAMETER]),
];

/// The endpoint for `/api/v2/<section>/<name>`, in any case: DeepCall is an
/// Express service, whose routing ignores case, and clients rely on it
/// (Sarv's own hub calls `Employee/List`; issue 27).
pub fn find(section: &str, name: &str) -> Option<&'static Endpoint> {
    ENDPOINTS.iter().find(|e| e.name.eq_ignore_ascii_case(name) && e.section.eq_ignore_ascii_case(section))
}

/// Credential errors every authenticated endpoint can answer.
pub const CREDENTIAL_ERRORS: &[ErrorCode] = &[
    g::TOKEN_NOT_FOUND,
    g::USER_ID_NOT_PROVIDED,
    g::INVALID_PARAMETER,
    g::INVALID_TOKEN,
    g::ACCOUNT_SUSPENDED,
    g::PERMISSION_DENIED,
];

/// Errors any endpoint can answer.
pub const BODY_ERRORS: &[ErrorCode] = &[g::INVALID_REQUEST_DATA, g::INTERNAL];
