//! The rest of DeepCall's Directory (issue 27, item 4): a number's account
//! manager (`setAM`, `unsetAm`), the do-not-call list (`setDnc`, `getDnc`,
//! also at the paths without `Directory/`), the blacklist (`Blacklist`),
//! and contacts found by their digits (`search`, `getFields` with
//! `contact` + `project`). What each mark does: the account manager is
//! offered the caller's calls first, a blacklisted caller is offered to
//! nobody, an outbound dial to a DNC or blacklisted number is refused, and
//! `contactInfo` and `getInfo` show the marks.

mod common;

use common::{Account, TestApp, error_body};
use serde_json::{Value, json};

const ROUTE: &str = "/api/v2/callRoute";
const EVENT: &str = "/api/v2/callEvent";
const SET_AM: &str = "/api/v2/Directory/setAM";
const UNSET_AM: &str = "/api/v2/Directory/unsetAm";
const SET_DNC: &str = "/api/v2/Directory/setDnc";
const GET_DNC: &str = "/api/v2/Directory/getDnc";
const BLACKLIST: &str = "/api/v2/Directory/Blacklist";
const CONTACT_INFO: &str = "/api/v2/agentDashboard/contactInfo";

/// 2026-11-23 (a Monday) 10:00 UTC.
const T: i64 = 1_795_428_000;
/// The caller of these tests, as typed and as stored.
const CALLER: &str = "+91 98111 00101";
const STORED: &str = "919811100101";

fn with_creds(account: &Account, mut body: Value) -> String {
    body["userId"] = json!(account.user_id);
    body["token"] = json!(account.token);
    body.to_string()
}

async fn post(app: &TestApp, account: &Account, path: &str, fields: Value) -> String {
    app.post(path, &with_creds(account, fields)).await.body
}

fn success(fields: Value) -> String {
    let mut body = fields;
    body["status"] = json!("success");
    body["code"] = json!(200);
    // Key order as the server writes it: the payload, then status and code.
    let mut text = serde_json::to_string(&body).unwrap();
    text = text.replace(r#","code":200,"status":"success"}"#, r#","status":"success","code":200}"#);
    text
}

/// The agent ids a decision offered.
fn offered(reply: &Value) -> Vec<i64> {
    reply["agents"]
        .as_array()
        .unwrap_or_else(|| panic!("{reply}"))
        .iter()
        .map(|a| a["agentId"].as_i64().unwrap())
        .collect()
}

/// A group "Sales" reached by 8001234567 (longest idle first) and agents
/// 1001–1003 mapped to it, logged in at `T + n`; agent 1's session.
async fn floor(app: &TestApp) -> (Account, i64, Vec<i64>, String) {
    app.clock.set(T);
    let account = app.account().await;
    let settings = json!({"staleAfter": 3600, "offlineAfter": 86400});
    assert!(post(app, &account, "/api/v2/Account/settings", settings).await.contains("success"));
    let group = app.group(&account, "Sales").await;
    let update = json!({"groupId": group, "name": "Sales", "strategy": "longest_idle", "dids": ["8001234567"]});
    assert!(post(app, &account, "/api/v2/Group/update", update).await.contains("success"));
    let mut agents = Vec::new();
    for n in 1..=3 {
        let fields = format!(
            r#""name":"Agent {n}","email":"a{n}@example.com","password":"pass-word-1","dest_type":"SIP","dest_value":"100{n}","group":{{"{group}":{{"receive_call":"Y"}}}}"#
        );
        agents.push(app.agent(&account, &fields).await);
    }
    let mut first = String::new();
    for n in 1..=3 {
        app.clock.set(T + n);
        let ssid = app.login(&format!("a{n}@example.com"), "pass-word-1").await;
        if n == 1 {
            first = ssid;
        }
    }
    app.clock.set(T + 10);
    (account, group, agents, first)
}

async fn route(app: &TestApp, account: &Account, fields: Value) -> Value {
    app.post(ROUTE, &with_creds(account, fields)).await.json()
}

backend_test!(an_account_manager_is_offered_the_callers_calls_first_unless_a_pin_covers_them, |app| {
    let (account, group, agents, agent_ssid) = floor(&app).await;
    let am = agents[2];
    assert_eq!(
        post(&app, &account, SET_AM, json!({"contact": CALLER, "AcManId": am.to_string()})).await,
        success(json!({"contact": STORED, "AcManId": am}))
    );
    // Longest idle would be agent 1: the caller's account manager rings, alone.
    let reply = route(&app, &account, json!({"callId": "c1", "did": "8001234567", "callerNumber": CALLER})).await;
    assert_eq!(offered(&reply), vec![am], "{reply}");
    // Another caller gets the group's order.
    let other = route(&app, &account, json!({"callId": "c2", "groupId": group, "callerNumber": "9822200202"})).await;
    assert_eq!(offered(&other), vec![agents[0]], "{other}");
    // A sticky pin is narrower than an account manager: it wins.
    let pin = json!({"contact": CALLER, "agentId": agents[1], "type": "all"});
    assert!(post(&app, &account, "/api/v2/Directory/setSticky", pin).await.contains("success"));
    let pinned = route(&app, &account, json!({"callId": "c3", "groupId": group, "callerNumber": CALLER})).await;
    assert_eq!(offered(&pinned), vec![agents[1]], "{pinned}");

    // contactInfo shows the manager beside seed 003's card.
    let card = post(&app, &account, CONTACT_INFO, json!({"callerNumber": CALLER})).await;
    assert_eq!(
        card,
        format!(
            r#"{{"message":{{"Cu":{{"mobile":{STORED},"Name":"","Email":"","Address":"","Company":"","Designation":"","DOB":""}},"AcManId":{am}}},"status":"success"}}"#
        )
    );
    // Refusals: an unknown or missing agent, an agent naming another one
    // without EDIT_AGENTS. An agent may make itself a caller's manager.
    app.expect_error(
        SET_AM,
        &with_creds(&account, json!({"contact": CALLER, "AcManId": 999})),
        1503,
        "Account manager error",
    )
    .await;
    app.expect_error(SET_AM, &with_creds(&account, json!({"contact": CALLER})), 1503, "Account manager error").await;
    let as_agent = |fields: Value| {
        let mut body = fields;
        body["ssid"] = json!(agent_ssid);
        body.to_string()
    };
    app.expect_error(
        SET_AM,
        &as_agent(json!({"contact": "9833300303", "AcManId": agents[1]})),
        1015,
        "Permission denied",
    )
    .await;
    // Nor may it take a caller another agent manages.
    app.expect_error(SET_AM, &as_agent(json!({"contact": CALLER, "AcManId": agents[0]})), 1015, "Permission denied")
        .await;
    assert_eq!(
        app.post(SET_AM, &as_agent(json!({"contact": "9833300303", "AcManId": agents[0]}))).await.body,
        success(json!({"contact": "919833300303", "AcManId": agents[0]}))
    );
    // Taking it away; a second time there is nothing to take.
    assert_eq!(
        post(&app, &account, UNSET_AM, json!({"contact": CALLER})).await,
        success(json!({"contact": STORED, "AcManId": null}))
    );
    app.expect_error(UNSET_AM, &with_creds(&account, json!({"contact": CALLER})), 1012, "No data found").await;
    // Deleting an agent ends its management.
    assert!(post(&app, &account, "/api/v2/Agent/delete", json!({"agentId": agents[0]})).await.contains("success"));
    app.expect_error(UNSET_AM, &with_creds(&account, json!({"contact": "9833300303"})), 1012, "No data found").await;
});

backend_test!(a_dnc_entry_holds_until_its_time_and_refuses_an_outbound_dial_not_a_call_under_way, |app| {
    let (account, _group, agents, _) = floor(&app).await;
    let dnc = |value: i64| success(json!({"contact": STORED, "dnc": value}));
    // DeepCall's docs show the paths without `Directory/`; both answer, in any case.
    assert_eq!(post(&app, &account, "/api/v2/setDnc", json!({"contact": CALLER, "dnc": -1})).await, dnc(-1));
    assert_eq!(post(&app, &account, "/api/v2/getdnc", json!({"contact": CALLER})).await, dnc(-1));
    assert_eq!(post(&app, &account, GET_DNC, json!({"cn": STORED})).await, dnc(-1));
    // The card says so.
    let card = post(&app, &account, CONTACT_INFO, json!({"callerNumber": STORED, "field": "Name"})).await;
    assert_eq!(card, format!(r#"{{"message":{{"Cu":{{"mobile":{STORED},"Name":""}},"dnc":-1}},"status":"success"}}"#));

    // An outbound dial to it is refused; alone, the request is.
    let dial = |call: &str, number: &str| json!({"callId": call, "agentId": agents[0], "event": "offered", "direction": "outbound", "callerNumber": number});
    app.expect_error(EVENT, &with_creds(&account, dial("o1", CALLER)), 1514, "Number is on the DNC list").await;
    // Its later facts need not name the number: they are refused as well
    // (the telephony placed the dial anyway), not taken as another call.
    let later = json!({"callId": "o1", "agentId": agents[0], "event": "answered"});
    app.expect_error(EVENT, &with_creds(&account, later), 1514, "Number is on the DNC list").await;
    // In a batch the fact is refused alone; the later facts of the refused
    // call are too (it has no leg), and another number's dial is taken.
    let mut answered = dial("o1", CALLER);
    answered["event"] = json!("answered");
    let ended = json!({"callId": "o4", "agentId": agents[0], "event": "ended", "time": T + 12});
    let batch = json!({"events": [dial("o1", CALLER), answered, dial("o2", "9822200202"), dial("o4", CALLER), ended]});
    let reply = app.post(EVENT, &with_creds(&account, batch)).await.json();
    assert_eq!(reply["accepted"], 1, "{reply}");
    assert_eq!(
        reply["refused"],
        json!([
            {"index": 0, "callId": "o1", "code": 1514, "message": "Number is on the DNC list"},
            {"index": 1, "callId": "o1", "code": 1514, "message": "Number is on the DNC list"},
            {"index": 3, "callId": "o4", "code": 1514, "message": "Number is on the DNC list"},
            {"index": 4, "callId": "o4", "code": 1514, "message": "Number is on the DNC list"}
        ])
    );
    // DNC is about calling out: the number may still call in.
    let inbound = json!({"callId": "i1", "agentId": agents[1], "event": "offered", "callerNumber": CALLER});
    assert_eq!(app.post(EVENT, &with_creds(&account, inbound)).await.json()["accepted"], 1);

    // Until a time: on the list until then, off it after.
    let until = T + 3600;
    assert_eq!(
        post(&app, &account, SET_DNC, json!({"contact": "9822200202", "dnc": until.to_string()})).await,
        success(json!({"contact": "919822200202", "dnc": until}))
    );
    // The dial of o2 began before: its leg goes on being told.
    let mut o2 = dial("o2", "9822200202");
    for event in ["answered", "ended"] {
        o2["event"] = json!(event);
        assert_eq!(app.post(EVENT, &with_creds(&account, o2.clone())).await.json()["accepted"], 1, "{event}");
    }
    app.clock.set(until);
    assert_eq!(
        post(&app, &account, GET_DNC, json!({"contact": "9822200202"})).await,
        success(json!({"contact": "919822200202", "dnc": 0}))
    );
    // Taken off.
    assert_eq!(post(&app, &account, SET_DNC, json!({"contact": CALLER, "dnc": 0})).await, dnc(0));
    assert_eq!(post(&app, &account, GET_DNC, json!({"contact": CALLER})).await, dnc(0));
    let reply = app.post(EVENT, &with_creds(&account, dial("o3", CALLER))).await.json();
    assert_eq!(reply["accepted"], 1, "{reply}");

    // Refusals, in DeepCall's codes.
    for (dnc, code, message) in [
        (json!(null), 1510, "DNC error"),
        (json!("soon"), 1509, "Expiry must be integer value"),
        (json!(1.5), 1509, "Expiry must be integer value"),
        (json!(-2), 1508, "Expiry must be greater than or equal to -1"),
        (json!(until - 1), 1508, "Expiry must be greater than or equal to -1"),
    ] {
        let mut body = json!({"contact": CALLER});
        if !dnc.is_null() {
            body["dnc"] = dnc;
        }
        app.expect_error(SET_DNC, &with_creds(&account, body), code, message).await;
    }
    let reply = app.post(SET_DNC, &with_creds(&account, json!({"contact": CALLER, "dnc": -2}))).await;
    assert_eq!(
        reply.header("agentdesk-error-detail"),
        r#"code=1508, field="/dnc", reason="dnc takes 0 (off the list), -1 (for ever) or a Unix time ahead of now""#
    );
    app.expect_error(GET_DNC, &with_creds(&account, json!({"contact": "12"})), 1005, "Invalid contact number").await;
});

backend_test!(a_blacklisted_caller_is_offered_to_nobody_on_the_numbers_it_is_barred_on, |app| {
    let (account, group, agents, agent_ssid) = floor(&app).await;
    let list = |numbers: Value| success(json!({"contact": STORED, "blacklist": numbers}));
    assert_eq!(
        post(&app, &account, BLACKLIST, json!({"contact": CALLER, "DID": ["800-123-4567"], "RESET": false})).await,
        list(json!(["8001234567"]))
    );
    let from_caller = |call: &str| json!({"callId": call, "did": "8001234567", "callerNumber": CALLER});
    app.expect_error(ROUTE, &with_creds(&account, from_caller("b1")), 1511, "Caller is blacklisted").await;
    // Another caller on that number, and this caller routed by group alone
    // (no number to be barred on), are offered.
    let other = route(&app, &account, json!({"callId": "b2", "did": "8001234567", "callerNumber": "9822200202"})).await;
    assert_eq!(offered(&other), vec![agents[0]], "{other}");
    let by_group = route(&app, &account, json!({"callId": "b3", "groupId": group, "callerNumber": CALLER})).await;
    assert_eq!(offered(&by_group), vec![agents[1]], "{by_group}");
    // Every number: no DID at all.
    assert_eq!(post(&app, &account, BLACKLIST, json!({"contact": CALLER})).await, list(json!(["all"])));
    app.expect_error(
        ROUTE,
        &with_creds(&account, json!({"callId": "b4", "groupId": group, "callerNumber": CALLER})),
        1511,
        "Caller is blacklisted",
    )
    .await;
    // An outbound dial to it is refused as well.
    let dial = json!({"callId": "o1", "agentId": agents[2], "event": "offered", "direction": "outbound", "callerNumber": CALLER});
    app.expect_error(EVENT, &with_creds(&account, dial), 1515, "Number is blacklisted").await;
    let card = post(&app, &account, CONTACT_INFO, json!({"callerNumber": CALLER, "field": "Name"})).await;
    assert_eq!(
        card,
        format!(r#"{{"message":{{"Cu":{{"mobile":{STORED},"Name":""}},"blacklist":["all"]}},"status":"success"}}"#)
    );
    // Lifting one number of "every number" leaves it barred everywhere;
    // RESET without numbers lifts it all.
    assert_eq!(
        post(&app, &account, BLACKLIST, json!({"contact": CALLER, "DID": ["8001234567"], "RESET": true})).await,
        list(json!(["all"]))
    );
    assert_eq!(post(&app, &account, BLACKLIST, json!({"contact": CALLER, "RESET": 1})).await, list(json!([])));
    let again = route(&app, &account, json!({"callId": "b5", "did": "8001234567", "callerNumber": CALLER})).await;
    assert_eq!(offered(&again), vec![agents[2]], "{again}");
    // Refusals: a number the account does not have (named), a bad RESET,
    // an agent without MANAGE_GROUPS.
    let reply = app
        .post(BLACKLIST, &with_creds(&account, json!({"contact": CALLER, "DID": ["8001234567", "8009999999"]})))
        .await;
    assert_eq!(reply.body, error_body(1505, "CLI does not exist"));
    assert_eq!(
        reply.header("agentdesk-error-detail"),
        r#"code=1505, field="/DID/1", reason="8009999999 is not a number of the account""#
    );
    app.expect_error(
        BLACKLIST,
        &with_creds(&account, json!({"contact": CALLER, "RESET": "maybe"})),
        1000,
        "Invalid parameter",
    )
    .await;
    let as_agent = json!({"ssid": agent_ssid, "contact": CALLER}).to_string();
    app.expect_error(BLACKLIST, &as_agent, 1015, "Permission denied").await;
    assert_eq!(post(&app, &account, BLACKLIST, json!({"contact": CALLER, "RESET": true})).await, list(json!([])));
    // The account's number written with the country code is the same number,
    // for the list and for a dial from it.
    assert_eq!(
        post(&app, &account, BLACKLIST, json!({"contact": CALLER, "DID": ["+91 80012 34567"]})).await,
        list(json!(["8001234567"]))
    );
    let dial = json!({"callId": "o2", "agentId": agents[2], "event": "offered", "direction": "outbound",
                      "callerNumber": CALLER, "did": "+918001234567"});
    app.expect_error(EVENT, &with_creds(&account, dial), 1515, "Number is blacklisted").await;
    // A number the account gave up can still be lifted from a caller's list.
    let update = json!({"groupId": group, "name": "Sales", "dids": null});
    assert!(post(&app, &account, "/api/v2/Group/update", update).await.contains("success"));
    assert_eq!(
        post(&app, &account, BLACKLIST, json!({"contact": CALLER, "DID": ["8001234567"], "RESET": true})).await,
        list(json!([]))
    );
});

backend_test!(search_finds_contacts_by_their_digits_and_get_fields_projects_one, |app| {
    app.clock.set(T);
    let account = app.account().await;
    for (number, name) in [("9811100101", "Ravi"), ("9811100202", "Asha"), ("9822200303", "Meena")] {
        let contact = json!({"contact": number, "contactinfo": {"Name": name, "Company": "Acme"}});
        assert!(post(&app, &account, "/api/v2/Directory/create", contact).await.contains("success"));
    }
    let found =
        post(&app, &account, "/api/v2/Directory/search", json!({"contact": "98111", "project": "name, Company"})).await;
    assert_eq!(
        found,
        success(json!({
            "contacts": [
                {"contact": "919811100101", "contactinfo": {"Name": "Ravi", "Company": "Acme"}},
                {"contact": "919811100202", "contactinfo": {"Name": "Asha", "Company": "Acme"}}
            ],
            "limit": 20, "currentPage": 1, "totalPages": 1, "totalRecords": 2
        }))
    );
    let second = post(
        &app,
        &account,
        "/api/v2/Directory/search",
        json!({"contact": "+91 98", "project": "Name", "limit": 2, "page": 2}),
    )
    .await;
    assert_eq!(
        second,
        success(json!({
            "contacts": [{"contact": "919822200303", "contactinfo": {"Name": "Meena"}}],
            "limit": 2, "currentPage": 2, "totalPages": 2, "totalRecords": 3
        }))
    );
    // getFields with a contact: its values of the fields asked for (also
    // at the path without `Directory/`); without one, the account's list.
    assert_eq!(
        post(&app, &account, "/api/v2/getFields", json!({"contact": "9811100202", "project": "Email,Name"})).await,
        success(json!({"contact": "919811100202", "contactinfo": {"Name": "Asha", "Email": ""}}))
    );
    let list = post(&app, &account, "/api/v2/Directory/getFields", json!({})).await;
    assert!(list.starts_with(r#"{"fields":[{"name":"Name","type":"standard"}"#), "{list}");
    // Refusals.
    let search = |fields: Value| with_creds(&account, fields);
    app.expect_error("/api/v2/Directory/search", &search(json!({"contact": "98"})), 1005, "Invalid contact number")
        .await;
    app.expect_error("/api/v2/Directory/search", &search(json!({})), 1000, "Invalid parameter").await;
    app.expect_error(
        "/api/v2/Directory/search",
        &search(json!({"contact": "981", "limit": 500})),
        1000,
        "Invalid parameter",
    )
    .await;
    let reply =
        app.post("/api/v2/Directory/search", &search(json!({"contact": "981", "project": "Name,Nickname"}))).await;
    assert_eq!(reply.body, error_body(1512, "Unknown contact field"));
    assert_eq!(
        reply.header("agentdesk-error-detail"),
        r#"code=1512, field="/project", reason="no contact field \"Nickname\"; the account has Name, Email, Address, Company, Designation, DOB""#
    );
    app.expect_error("/api/v2/getFields", &search(json!({"contact": "9899999999"})), 1012, "No data found").await;
    // Another account sees none of them.
    let stranger = app.account().await;
    assert_eq!(
        post(&app, &stranger, "/api/v2/Directory/search", json!({"contact": "98111"})).await,
        success(json!({"contacts": [], "limit": 20, "currentPage": 1, "totalPages": 0, "totalRecords": 0}))
    );
});
