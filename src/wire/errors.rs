//! The DeepCall error-code catalogue: one declarative table per section.
//! These tables are the contract — review a change here like an API change.

use serde::Serialize;

/// One row of a section's error table: the code a client branches on and the
/// exact message the real service sends with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ErrorCode {
    pub code: u16,
    pub message: &'static str,
}

macro_rules! error_table {
    ($(#[$doc:meta])* $table:ident { $($name:ident = $code:literal, $msg:literal;)* }) => {
        $(#[$doc])*
        pub mod $table {
            use super::ErrorCode;
            $(pub const $name: ErrorCode = ErrorCode { code: $code, message: $msg };)*
            /// Every row of this table, in code order (used by the OpenAPI document).
            pub const ALL: &[ErrorCode] = &[$($name),*];
        }
    };
}

error_table! {
    /// 10xx codes mean the same thing in every section.
    global {
        INVALID_PARAMETER = 1000, "Invalid parameter";
        INVALID_DATA_TYPE = 1001, "Invalid data type";
        USER_ID_NOT_PROVIDED = 1002, "UserId not provided";
        AGENT_ID_DOES_NOT_EXIST = 1003, "AgentId does not exist";
        INVALID_CONTACT_NUMBER = 1005, "Invalid contact number";
        GROUP_ID_DOES_NOT_EXIST = 1006, "GroupId does not exist";
        NO_DATA_FOUND = 1012, "No data found";
        INVALID_TOKEN = 1014, "Invalid token";
        PERMISSION_DENIED = 1015, "Permission denied";
        TOKEN_NOT_FOUND = 1020, "Token not found";
        INVALID_DATE_FORMAT = 1028, "Invalid date format";
        INTERNAL = 1032, "Internal server error";
        ACCOUNT_SUSPENDED = 1039, "User account suspended";
        INVALID_REQUEST_DATA = 1047, "Invalid request data";
    }
}

error_table! {
    /// Section `Agent` (seed 000/002/004 error table).
    agent {
        DATA_IN_PROCESSING = 1501, "Data already in processing";
        INVALID_FILTER_VALUE = 1502, "Invalid filter value";
        INVALID_ROLE = 1503, "Invalid role id";
        INVALID_PARENT = 1504, "Invalid parent";
        INVALID_GROUP_DATA = 1505, "Invalid group data";
        PARENT_IS_SELF = 1506, "AgentId and parent could not be same";
        INVALID_AGENT_ID_1507 = 1507, "Invalid AgentID";
        INVALID_STATUS = 1508, "Invalid status value";
        INVALID_AGENT_ID = 1509, "Invalid agentId";
        INVALID_DESTINATION = 1510, "Invalid Destination";
        INVALID_WORKING_TIME = 1511, "Working time format is invalid";
        EMAIL_EXISTS = 1512, "Email already exists";
        INVALID_TYPE = 1513, "Invalid type";
        INVALID_MOBILE = 1514, "Invalid mobile Number";
        INVALID_NAME = 1515, "Invalid Name";
        INVALID_DID = 1516, "Invalid Did Number";
        NOT_SELF = 1517, "Your agentid and your loginid must be same";
        NOT_UPDATED = 1518, "Data could not be updated";
        INVALID_CALL_PASSWORD = 1519, "Call Password must be Integer and Eight digit";
        SINGLE_FIELD = 1520, "You must be single field update";
        UNKNOWN_FIELDS = 1521, "Please Provide Only Valid fields";
        NOT_INSERTED = 1522, "You could not inserted your data. Please try again";
        ALREADY_ADDED = 1523, "Your agent information is already added";
        INVALID_ACTION = 1524, "Invalid Action";
        INVALID_TARGET_AGENT = 1525, "Invalid Targetagent Id";
        INVALID_ID = 1526, "Invalid Id";
        INVALID_TYPE_1527 = 1527, "Invalid Type";
        INVALID_FAVORITE = 1528, "Invalid Favorite Data";
        INVALID_DOMAIN = 1529, "Invalid Domain";
        INVALID_TIMING = 1530, "Invalid Agent Timing";
    }
}

error_table! {
    /// Section `Group` (docs.deepcall.com Group pages).
    group {
        NAME_MISSING = 1501, "The 'Name' field was not provided";
        GROUP_ID_REQUIRED = 1502, "GroupId is required";
        GROUP_NOT_FOUND = 1503, "Group not found or not authorized";
        INVALID_STATUS = 1504, "Invalid status value";
        INVALID_WRAP_UP = 1505, "Invalid wrapUpTime";
        INVALID_STRATEGY = 1506, "Invalid strategy";
        INVALID_RING_TIMEOUT = 1507, "Invalid ringTimeout";
        INVALID_DIDS = 1508, "Invalid dids";
        DID_TAKEN = 1509, "A did in dids reaches another group";
        INVALID_SERVICE_LEVEL = 1510, "Invalid serviceLevel";
    }
}

error_table! {
    /// Section `Role` — not in the DeepCall docs; ours, shaped like `Group`'s.
    role {
        NAME_MISSING = 1501, "The 'Name' field was not provided";
        INVALID_PERMISSION = 1502, "Invalid permission";
        INVALID_ROLE = 1503, "Invalid role id";
    }
}

error_table! {
    /// Section `auth` — our login/logout extension.
    auth {
        INVALID_CREDENTIALS = 1501, "Invalid email or password";
        AMBIGUOUS_LOGIN = 1502, "Email belongs to several accounts: provide userId";
    }
}

error_table! {
    /// Section `agentProfile`: 1501–1506 from the DeepCall docs (seed 001),
    /// 1507 and up ours, for the break and wrap-up extensions.
    agent_profile {
        AGENT_MISMATCH = 1501, "Agent id not match";
        NOT_ON_BREAK = 1502, "On break is : 0";
        PING_NEEDS_AGENT_SESSION = 1503, "SSID not valid for setWebPingTime";
        NOT_IN_WRAP_UP = 1504, "Agent not in wrap time";
        MIC_PERM_MISSING = 1505, "Missing required parameters:mic_perm";
        PING_TIME_TYPE = 1506, "Cannot update [ping_time] as it is of incompatible type";
        INVALID_AGENT_ID = 1507, "Invalid agentId";
        INVALID_BREAK_REASON = 1508, "Invalid break reason";
        NOT_LOGGED_IN = 1509, "Agent is not logged in";
        ALREADY_ON_BREAK = 1510, "Agent already on break";
        INVALID_REF = 1511, "Invalid ref";
    }
}

error_table! {
    /// Section `agentDashboard`: 1501 from the DeepCall docs (seed 003's
    /// table, whose 10xx codes are the global ones), 1502 and up ours.
    agent_dashboard {
        DASHBOARD_ERROR = 1501, "Agent dashboard error";
        INVALID_CALL_ID = 1502, "Invalid callId";
        INVALID_CONTENT = 1503, "Invalid content";
    }
}

error_table! {
    /// Section `Directory`: 1501–1510 from the DeepCall docs (sticky agents,
    /// account managers, DNC, the account's numbers), 1511 and up ours.
    directory {
        STICKY_AGENT_ERROR = 1501, "Sticky agent error";
        INVALID_TYPE = 1502, "Type is not valid";
        ACCOUNT_MANAGER_ERROR = 1503, "Account manager error";
        CREATE_FAILED = 1504, "Failed to create directory";
        CLI_DOES_NOT_EXIST = 1505, "CLI does not exist";
        GROUP_ID_DOES_NOT_EXIST = 1506, "Group ID does not exist";
        AGENT_NOT_IN_GROUP = 1507, "Agent does not exist in the given group ID";
        EXPIRY_TOO_SMALL = 1508, "Expiry must be greater than or equal to -1";
        EXPIRY_NOT_INTEGER = 1509, "Expiry must be integer value";
        DNC_ERROR = 1510, "DNC error";
        CONTACT_EXISTS = 1511, "Contact already exists";
        UNKNOWN_FIELD = 1512, "Unknown contact field";
        INVALID_FIELD_VALUE = 1513, "Invalid contact field value";
        INVALID_FIELDS = 1514, "Invalid contact fields";
    }
}

error_table! {
    /// Section `Break` — ours: the account's break-reason catalogue.
    breaks {
        NAME_MISSING = 1501, "The 'Name' field was not provided";
        INVALID_MAX_DURATION = 1502, "Invalid maxDuration";
        BREAK_NOT_FOUND = 1503, "Break reason not found";
        NAME_TAKEN = 1504, "Break reason already exists";
    }
}

error_table! {
    /// Section `Supervisor` — ours: a supervisor changing another agent's
    /// presence (the board's actions); the meanings of `agentProfile`'s.
    supervisor {
        INVALID_AGENT_ID = 1501, "Invalid agentId";
        INVALID_BREAK_REASON = 1502, "Invalid break reason";
        NOT_LOGGED_IN = 1503, "Agent is not logged in";
        ALREADY_ON_BREAK = 1504, "Agent already on break";
        NOT_ON_BREAK = 1505, "Agent not on break";
        NOT_IN_WRAP_UP = 1506, "Agent not in wrap time";
    }
}

error_table! {
    /// `callEvent` — ours: telephony events in.
    call_event {
        INVALID_CALL_ID = 1501, "Invalid callId";
        INVALID_EVENT = 1502, "Invalid event";
        INVALID_AGENT_ID = 1503, "Invalid agentId";
        INVALID_CALLER_NUMBER = 1504, "Invalid callerNumber";
        INVALID_DIRECTION = 1505, "Invalid direction";
        INVALID_DID = 1506, "Invalid did";
        INVALID_TIME = 1507, "Invalid time";
        INVALID_EVENTS = 1508, "Invalid events: give 1 to 1000";
        INVALID_GROUP_ID = 1509, "Invalid groupId";
        INVALID_ATTEMPT = 1510, "Invalid attempt";
        INVALID_SENT_AT = 1511, "Invalid sentAt";
        INVALID_DEVICE = 1512, "Invalid device";
        INVALID_REASON = 1513, "Invalid reason";
        NUMBER_ON_DNC = 1514, "Number is on the DNC list";
        NUMBER_BLACKLISTED = 1515, "Number is blacklisted";
    }
}

error_table! {
    /// Section `callreport` — ours (DeepCall's Call Report pages list only
    /// the shared codes): a range of days and its filters.
    call_report {
        INVALID_RANGE = 1501, "Invalid date range";
        INVALID_AGENT_ID = 1502, "Invalid agentId";
        INVALID_GROUP_ID = 1503, "Invalid groupId";
        INVALID_DID = 1504, "Invalid did";
        INVALID_FILTER = 1505, "Invalid filter value";
        TOO_MANY_FACTS = 1506, "Too many calls in the range";
        INVALID_CALL_ID = 1507, "Invalid callId";
    }
}

error_table! {
    /// `callRoute` — ours: the telephony asks whom to offer a call to.
    call_route {
        INVALID_CALL_ID = 1501, "Invalid callId";
        INVALID_GROUP_ID = 1502, "Invalid groupId";
        INVALID_DID = 1503, "Invalid did";
        INVALID_CALLER_NUMBER = 1504, "Invalid callerNumber";
        GROUP_OR_DID_REQUIRED = 1505, "Give groupId or did";
        UNKNOWN_DID = 1506, "No group for this did";
        GROUP_INACTIVE = 1507, "Group is inactive";
        ALREADY_ANSWERED = 1508, "Call already answered";
        NO_AGENTS = 1509, "No agent of the group receives calls";
        QUEUE_FULL = 1510, "Too many calls waiting";
        CALLER_BLACKLISTED = 1511, "Caller is blacklisted";
    }
}

error_table! {
    /// Section `Account` — ours: the account's live-state settings and its
    /// admin password.
    account {
        INVALID_TIMEZONE = 1501, "Invalid timezone";
        INVALID_STALE_AFTER = 1502, "Invalid staleAfter";
        INVALID_OFFLINE_AFTER = 1503, "Invalid offlineAfter";
        INVALID_WRAP_UP = 1504, "Invalid wrapUpTime";
        INVALID_COUNTRY_CODE = 1505, "Invalid countryCode";
        INVALID_PASSWORD = 1506, "Invalid password: give 8 to 128 characters";
        WRONG_CURRENT_PASSWORD = 1507, "currentPassword does not match";
    }
}

error_table! {
    /// Section `Webhook` — ours: push subscriptions and their delivery log.
    webhook {
        INVALID_URL = 1501, "Invalid url";
        PRIVATE_URL = 1502, "Url names a private address";
        INVALID_EVENTS = 1503, "Invalid events";
        INVALID_FORMAT = 1504, "Invalid format";
        INVALID_ACTIVE = 1505, "Invalid active";
        WEBHOOK_NOT_FOUND = 1506, "Webhook not found";
        DELIVERY_NOT_FOUND = 1507, "Delivery not found";
        INVALID_SINCE = 1508, "Invalid since";
        TOO_MANY = 1509, "Too many webhooks";
        INVALID_PAGE = 1510, "Invalid beforeId or limit";
    }
}
