//! Every refusal names the field at fault and why in `Agentdesk-Error-Detail`
//! while its envelope stays DeepCall's; a key an endpoint's request schema
//! does not name is refused in every section, with a pointer to it.

mod common;

use common::{Account, TestApp, error_body};
use reqwest::StatusCode;

const DETAIL: &str = "agentdesk-error-detail";

/// Envelope codes and messages of the refusals below.
type Code = (u16, &'static str);
const FILTER: Code = (1502, "Invalid filter value");
const ONLY_VALID: Code = (1521, "Please Provide Only Valid fields");
const PARAMETER: Code = (1000, "Invalid parameter");

/// One refused request: path, fields besides the credentials, the
/// envelope, and exactly the detail header.
type Case<'a> = (&'a str, String, Code, &'a str);

/// POSTs each case with the account's credentials and expects HTTP 200, its
/// envelope byte for byte, and its detail header.
async fn refused(app: &TestApp, account: &Account, cases: &[Case<'_>]) {
    for (path, fields, (code, message), detail) in cases {
        let body = format!("{{{},{fields}}}", account.creds());
        let reply = app.post(path, &body).await;
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (StatusCode::OK, error_body(*code, message).as_str()),
            "{path} {body}"
        );
        assert_eq!(reply.header(DETAIL), *detail, "{path} {body}");
    }
}

backend_test!(a_misspelt_agent_live_filter_is_refused_not_ignored, |app| {
    let account = app.account().await;
    let group = app.group(&account, "Sales").await;
    let cases = [
        (
            "/api/v2/Agent/live",
            format!(r#""groupID":{group}"#),
            FILTER,
            r#"code=1502, field="/groupID", reason="unknown key; did you mean groupid?""#,
        ),
        (
            "/api/v2/Agent/live",
            r#""state":"available""#.into(),
            FILTER,
            r#"code=1502, field="/state", reason="unknown key; this takes ssid, userId, token, agentId, groupid, groupId""#,
        ),
    ];
    refused(&app, &account, &cases).await;
    // Both spellings the document names still filter.
    for key in ["groupid", "groupId"] {
        let reply = app.post("/api/v2/Agent/live", &format!(r#"{{{},"{key}":{group}}}"#, account.creds())).await;
        assert_eq!(reply.json()["status"], "success", "{key}: {}", reply.body);
        assert_eq!(reply.header(DETAIL), "", "a success has no detail");
    }
});

backend_test!(agent_sections_refuse_unknown_fields_and_filter_keys_with_their_codes, |app| {
    let account = app.account().await;
    let create = r#""name":"Asha","email":"asha@example.com","mobile":"9876543210""#;
    refused(&app, &account, &[
        ("/api/v2/Agent/list", r#""nmae":"Asha""#.into(), FILTER,
            r#"code=1502, field="/nmae", reason="unknown key; did you mean name?""#),
        ("/api/v2/Agent/create", create.into(), ONLY_VALID,
            r#"code=1521, field="/mobile", reason="unknown key; this takes ssid, userId, token, name, email, phone, address, dest_type, dest_value, call_pass, password, role, parent, group, working, allowDid, favorite, status""#),
    ]).await;
    let agent = app.agent(&account, r#""name":"Asha","email":"asha@example.com""#).await;
    refused(
        &app,
        &account,
        &[
            (
                "/api/v2/Agent/delete",
                format!(r#""agentId":{agent},"hard":1"#),
                PARAMETER,
                r#"code=1000, field="/hard", reason="unknown key; this takes ssid, userId, token, agentId""#,
            ),
            (
                "/api/v2/Agent/setCad",
                format!(r#""agentIds":[{agent}],"cad":1"#),
                (1509, "Invalid agentId"),
                r#"code=1509, field="/cad", reason="unknown key; this takes ssid, userId, token, agentIds""#,
            ),
            (
                "/api/v2/Agent/timeLine",
                r#""filter":[{"key":"day","value":"2026-01-05"}]"#.into(),
                FILTER,
                r#"code=1502, field="/filter/0/key", reason="unknown filter key; the keys are date and agentId""#,
            ),
            (
                "/api/v2/Agent/timeLine",
                r#""filter":[{"date":"2026-01-05"},{"agent":"1"}]"#.into(),
                FILTER,
                r#"code=1502, field="/filter/1/agent", reason="unknown filter key; the keys are date and agentId""#,
            ),
            (
                "/api/v2/Agent/timeLine",
                r#""filters":[]"#.into(),
                FILTER,
                r#"code=1502, field="/filters", reason="unknown key; did you mean filter?""#,
            ),
        ],
    )
    .await;
    // Nothing was created by the refused create, nothing deleted, no CAD set.
    let listed = app.post("/api/v2/Agent/list", &format!("{{{}}}", account.creds())).await.json();
    assert_eq!((&listed["totalRecords"], &listed["response"][0]["cad"]), (&1.into(), &0.into()), "{listed}");
});

backend_test!(contact_fields_at_the_top_of_directory_create_are_refused_and_nothing_is_created, |app| {
    let account = app.account().await;
    refused(
        &app,
        &account,
        &[
            (
                "/api/v2/Directory/create",
                r#""contact":"9876543210","Name":"Ravi Kumar""#.into(),
                PARAMETER,
                r#"code=1000, field="/Name", reason="unknown key; contact fields go inside contactinfo""#,
            ),
            (
                "/api/v2/Directory/getInfo",
                r#""cn":"9876543210""#.into(),
                (1012, "No data found"),
                r#"code=1012, reason="No data found""#,
            ),
            (
                "/api/v2/Directory/getInfo",
                r#""cn":"9876543210","fields":"Name""#.into(),
                PARAMETER,
                r#"code=1000, field="/fields", reason="unknown key; did you mean field?""#,
            ),
        ],
    )
    .await;
    // The documented shape, and the `cn` spelling, still create.
    let body = format!(r#"{{{},"cn":"9876543210","contactinfo":{{"Name":"Ravi Kumar"}}}}"#, account.creds());
    let created = app.post("/api/v2/Directory/create", &body).await;
    assert_eq!(created.json()["contactinfo"]["Name"], "Ravi Kumar", "{}", created.body);
});

backend_test!(profile_dashboard_and_supervisor_refuse_unknown_keys, |app| {
    let account = app.account().await;
    let agent = app.agent(&account, r#""name":"Asha","email":"asha@example.com""#).await;
    refused(&app, &account, &[
        ("/api/v2/agentProfile/agentOnBreak", format!(r#""agentId":{agent},"agent_id":{agent}"#), PARAMETER,
            r#"code=1000, field="/agent_id", reason="unknown key; did you mean agentId?""#),
        ("/api/v2/agentDashboard/recentCalls", r#""callerNumber":"9876543210","number":"1""#.into(), PARAMETER,
            r#"code=1000, field="/number", reason="unknown key; this takes ssid, userId, token, callerNumber, field, limit""#),
        ("/api/v2/agentDashboard/notesList", r#""callerNumber":"9876543210","callID":"c-1""#.into(), PARAMETER,
            r#"code=1000, field="/callID", reason="unknown key; did you mean callId?""#),
        ("/api/v2/Supervisor/breakEnd", format!(r#""agentId":{agent},"why":"late""#), PARAMETER,
            r#"code=1000, field="/why", reason="unknown key; this takes ssid, userId, token, agentId""#),
    ]).await;
});

backend_test!(an_agent_session_naming_another_agent_is_refused_before_its_keys, |app| {
    let account = app.account().await;
    let other = app.agent(&account, r#""name":"Ben","email":"ben@example.com""#).await;
    app.agent(&account, r#""name":"Asha","email":"asha@example.com","password":"asha-pass-1""#).await;
    let ssid = app.login("asha@example.com", "asha-pass-1").await;
    let reply =
        app.post("/api/v2/agentProfile/breakEnd", &format!(r#"{{"ssid":"{ssid}","agentId":{other},"x":1}}"#)).await;
    assert_eq!(reply.body, error_body(1501, "Agent id not match"));
    assert_eq!(reply.header(DETAIL), r#"code=1501, reason="Agent id not match""#);
    let reply = app.post("/api/v2/agentProfile/breakEnd", &format!(r#"{{"ssid":"{ssid}","x":1}}"#)).await;
    assert_eq!(
        reply.header(DETAIL),
        r#"code=1000, field="/x", reason="unknown key; this takes ssid, userId, token, agentId""#
    );
});

backend_test!(group_role_break_and_account_refuse_unknown_keys, |app| {
    let account = app.account().await;
    refused(&app, &account, &[
        ("/api/v2/Group/list", r#""groupName":"Sales""#.into(), PARAMETER,
            r#"code=1000, field="/groupName", reason="unknown key; this takes ssid, userId, token, groupid, groupId, name, quick, forward""#),
        ("/api/v2/Group/add", r#""name":"Sales","wrapup":30"#.into(), PARAMETER,
            r#"code=1000, field="/wrapup", reason="unknown key; this takes ssid, userId, token, name, status, wrapUpTime, strategy, ringTimeout, serviceLevel, dids""#),
        ("/api/v2/Role/add", r#""name":"Lead","permission":["VIEW_AGENTS"]"#.into(), PARAMETER,
            r#"code=1000, field="/permission", reason="unknown key; did you mean permissions?""#),
        ("/api/v2/Break/add", r#""name":"Nap","max":60"#.into(), PARAMETER,
            r#"code=1000, field="/max", reason="unknown key; this takes ssid, userId, token, name, maxDuration""#),
        ("/api/v2/Account/settings", r#""timeZone":"Asia/Kolkata""#.into(), PARAMETER,
            r#"code=1000, field="/timeZone", reason="unknown key; did you mean timezone?""#),
    ]).await;
    // None of the refused writes happened.
    let groups = app.post("/api/v2/Group/list", &format!("{{{}}}", account.creds())).await.json();
    assert_eq!(groups["response"], serde_json::json!({}), "{groups}");
});

backend_test!(call_events_point_at_the_unknown_key_of_a_batch_item, |app| {
    let account = app.account().await;
    let agent = app.agent(&account, r#""name":"Asha","email":"asha@example.com""#).await;
    let offered = format!(r#"{{"callId":"c-1","event":"offered","agentId":{agent},"callerNumber":"9876543210"}}"#);
    let wrong = format!(r#"{{"callId":"c-1","event":"answered","agentID":{agent},"callerNumber":"9876543210"}}"#);
    let single = format!(r#""callId":"c-2","evnt":"offered","agentId":{agent},"callerNumber":"9876543210""#);
    refused(
        &app,
        &account,
        &[
            (
                "/api/v2/callEvent",
                format!(r#""events":[{offered},{wrong}]"#),
                PARAMETER,
                r#"code=1000, field="/events/1/agentID", reason="unknown key; did you mean agentId?""#,
            ),
            (
                "/api/v2/callEvent",
                single,
                PARAMETER,
                r#"code=1000, field="/evnt", reason="unknown key; did you mean event?""#,
            ),
        ],
    )
    .await;
    // The batch was refused whole: the agent never rang.
    let live = app.post("/api/v2/Agent/live", &format!("{{{}}}", account.creds())).await.json();
    assert_eq!(live["counts"]["ringing"], 0, "{live}");
});

backend_test!(credentials_come_before_keys_and_are_accepted_everywhere, |app| {
    let account = app.account().await;
    // No credentials: 1020 whatever else the body holds.
    let reply = app.post("/api/v2/Agent/live", r#"{"groupID":1}"#).await;
    assert_eq!(reply.body, error_body(1020, "Token not found"));
    assert_eq!(reply.header(DETAIL), r#"code=1020, reason="no credentials: send ssid, or userId and token""#);
    let reply = app.post("/api/v2/Agent/live", &format!(r#"{{"userId":"{}","token":"nope"}}"#, account.user_id)).await;
    assert_eq!(reply.body, error_body(1014, "Invalid token"));
    assert_eq!(
        reply.header(DETAIL),
        r#"code=1014, field="/token", reason="no live token matches: it is unknown, expired or revoked""#
    );
    let reply = app.post("/api/v2/Agent/live", r#"{"token":"t"}"#).await;
    assert_eq!(reply.header(DETAIL), r#"code=1002, field="/userId", reason="token was sent without userId""#);
    // An account token on the agent heartbeat is the heartbeat's own refusal, not an unknown key.
    let ping = ("/api/v2/agentProfile/setWebPingTime", r#""mic_perm":1"#.to_string());
    let not_agent = (1503, "SSID not valid for setWebPingTime");
    refused(&app, &account, &[(ping.0, ping.1, not_agent, r#"code=1503, reason="SSID not valid for setWebPingTime""#)])
        .await;
});

backend_test!(transport_refusals_say_why_in_the_header, |app| {
    let reply = app.post("/api/v2/Agent/nope", "{}").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(
        reply.header(DETAIL),
        r#"code=404, reason="no endpoint at this path: API calls are POST /api/v2/<Section>/<endpoint> (see /openapi.json)""#
    );
    let get = app.client.get(format!("{}/api/v2/Agent/list", app.base)).send().await.unwrap();
    assert_eq!(get.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(get.headers()[DETAIL], r#"code=405, reason="an API path answers POST (and OPTIONS) only""#);
    let reply = app.post("/api/v2/Agent/list", &"x".repeat(1024 * 1024 + 1)).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.header(DETAIL), r#"code=413, reason="the body is over 1048576 bytes""#);
    for (body, why) in [
        ("", "the body is empty: send a JSON object"),
        ("[1]", r#"the body is JSON but not an object: send {\"key\": value, ...}"#),
        ("{\"a\":", "the body is not JSON: EOF while parsing a value at line 1 column 5"),
    ] {
        let reply = app.post("/api/v2/Agent/list", body).await;
        assert_eq!(reply.body, error_body(1047, "Invalid request data"), "{body}");
        assert_eq!(reply.header(DETAIL), format!(r#"code=1047, reason="{why}""#), "{body}");
    }
    // Cross-origin pages may read it.
    assert_eq!(reply.header("access-control-expose-headers"), "Agentdesk-Error-Detail, X-Request-Id");
});

backend_test!(a_value_of_the_wrong_type_names_its_field_and_what_it_must_be, |app| {
    let account = app.account().await;
    refused(&app, &account, &[
        ("/api/v2/Agent/live", r#""agentId":"seven""#.into(), (1509, "Invalid agentId"),
            r#"code=1509, field="/agentId", reason="agentId must be a positive integer (a JSON number or a string of digits)""#),
        ("/api/v2/Account/settings", r#""staleAfter":1"#.into(), (1502, "Invalid staleAfter"),
            r#"code=1502, field="/staleAfter", reason="staleAfter must be an integer from 5 to 3600""#),
        ("/api/v2/Group/list", r#""quick":"maybe""#.into(), PARAMETER,
            r#"code=1000, field="/quick", reason="quick must be true/false, 1/0, \"1\"/\"0\" or \"true\"/\"false\"""#),
        ("/api/v2/agentDashboard/notesList", r#""callerNumber":"9876543210","limit":500"#.into(), PARAMETER,
            r#"code=1000, field="/limit", reason="limit must be an integer from 1 to 100""#),
    ]).await;
});

backend_test!(refused_values_name_their_field_and_what_it_takes, |app| {
    let account = app.account().await;
    let agent = app.agent(&account, r#""name":"Asha","email":"asha@x.com""#).await;
    let cases = [
        (
            "/api/v2/callEvent",
            format!(r#""callId":"c1","agentId":{agent},"event":"hangup""#),
            (1502, "Invalid event"),
            r#"code=1502, field="/event", reason="event must be offered, answered, ended, missed or abandoned""#,
        ),
        (
            "/api/v2/callEvent",
            format!(r#""events":[{{"callId":"c1","agentId":{agent},"event":"ringing"}}]"#),
            (1502, "Invalid event"),
            r#"code=1502, field="/events/0/event", reason="event must be offered, answered, ended, missed or abandoned""#,
        ),
        (
            "/api/v2/callEvent",
            format!(r#""callId":"c1","agentId":{agent},"event":"offered","direction":"sideways""#),
            (1505, "Invalid direction"),
            r#"code=1505, field="/direction", reason="direction must be inbound or outbound""#,
        ),
        (
            "/api/v2/Agent/updateAgentGroupMapping",
            format!(r#""agentId":{agent},"group":{{"998":{{"receive_call":"Y"}},"999":null}}"#),
            (1505, "Invalid group data"),
            r#"code=1505, field="/group", reason="the account has no group 998, 999""#,
        ),
        (
            "/api/v2/Supervisor/breakStart",
            format!(r#""agentId":{agent},"reason":"Nap""#),
            (1502, "Invalid break reason"),
            r#"code=1502, field="/reason", reason="not a break reason of the account; one of Lunch, Tea, Training""#,
        ),
        (
            "/api/v2/Supervisor/breakStart",
            format!(r#""agentId":{agent}"#),
            (1502, "Invalid break reason"),
            r#"code=1502, field="/reason", reason="reason is required: one of Lunch, Tea, Training""#,
        ),
    ];
    refused(&app, &account, &cases).await;
});

/// How an agent's phone and a contact's number are read, as the refusals say it.
const PHONE_RULE: &str = "10 digits (country code 91 is added), a 0 and 10 digits, or 11 to 15 digits with the country code (+ or 00 before it); spaces, -, . and () are skipped";

backend_test!(an_agents_fields_name_themselves_and_what_they_take, |app| {
    let account = app.account().await;
    let asha = r#""name":"Asha","email":"asha@example.com""#;
    let create = |extra: &str| format!("{asha},{extra}");
    let phone = format!(r#"code=1514, field="/phone", reason="phone must be {PHONE_RULE}""#);
    let cases = [
        (
            r#""name":" ","email":"a@example.com""#.to_string(),
            (1515, "Invalid Name"),
            r#"code=1515, field="/name", reason="name must be 1 to 100 characters, no control characters""#,
        ),
        (
            r#""name":5,"email":"a@example.com""#.into(),
            (1515, "Invalid Name"),
            r#"code=1515, field="/name", reason="name must be a string""#,
        ),
        (
            r#""email":"a@example.com""#.into(),
            (1515, "Invalid Name"),
            r#"code=1515, field="/name", reason="name is required: 1 to 100 characters, no control characters""#,
        ),
        (
            r#""name":"Asha""#.into(),
            PARAMETER,
            r#"code=1000, field="/email", reason="email is required: an address like name@example.com: one @, a dotted domain, no spaces, at most 255 characters""#,
        ),
        (
            r#""name":"Asha","email":"nobody""#.into(),
            PARAMETER,
            r#"code=1000, field="/email", reason="email must be an address like name@example.com: one @, a dotted domain, no spaces, at most 255 characters""#,
        ),
        (create(r#""phone":"12345""#), (1514, "Invalid mobile Number"), phone.as_str()),
        (
            create(r#""phone":[1]"#),
            (1514, "Invalid mobile Number"),
            r#"code=1514, field="/phone", reason="phone must be a string or a JSON number""#,
        ),
        (
            create(r#""dest_type":"FAX""#),
            (1513, "Invalid type"),
            r#"code=1513, field="/dest_type", reason="dest_type must be MOBILE, LANDLINE or SIP""#,
        ),
        (
            create(r#""dest_type":"SIP","dest_value":"a b""#),
            (1510, "Invalid Destination"),
            r#"code=1510, field="/dest_value", reason="dest_value must be a SIP user or URI: 1 to 128 letters, digits and . _ @ : + - (dest_type SIP)""#,
        ),
        (
            create(r#""dest_value":"12""#),
            (1510, "Invalid Destination"),
            r#"code=1510, field="/dest_value", reason="dest_value must be 6 to 15 digits (dest_type MOBILE)""#,
        ),
        (
            create(r#""call_pass":"1234""#),
            (1519, "Call Password must be Integer and Eight digit"),
            r#"code=1519, field="/call_pass", reason="call_pass must be exactly 8 digits""#,
        ),
        (
            create(r#""password":"short""#),
            PARAMETER,
            r#"code=1000, field="/password", reason="password must be 8 to 128 characters""#,
        ),
        (
            create(r#""role":"lead""#),
            (1503, "Invalid role id"),
            r#"code=1503, field="/role", reason="role must be a role id: a positive integer""#,
        ),
        (
            create(r#""role":99"#),
            (1503, "Invalid role id"),
            r#"code=1503, field="/role", reason="the account has no role 99""#,
        ),
        (
            create(r#""parent":"boss""#),
            (1504, "Invalid parent"),
            r#"code=1504, field="/parent", reason="parent must be an agent id, or root, \",START,\" or 0 for the top level""#,
        ),
        (
            create(r#""parent":999"#),
            (1504, "Invalid parent"),
            r#"code=1504, field="/parent", reason="the account has no agent 999""#,
        ),
        (
            create(r#""group":["x"]"#),
            (1505, "Invalid group data"),
            r#"code=1505, field="/group/0", reason="a group id must be a positive integer""#,
        ),
        (
            create(r#""group":{"7":{"receive_call":"maybe"}}"#),
            (1505, "Invalid group data"),
            r#"code=1505, field="/group/7/receive_call", reason="receive_call must be Y or N""#,
        ),
        (
            create(r#""group":{"7":null}"#),
            (1505, "Invalid group data"),
            r#"code=1505, field="/group/7", reason="a mapping here must be {receive_call: Y or N}; null removes one in updateAgentGroupMapping only""#,
        ),
        (
            create(r#""group":"sales""#),
            (1505, "Invalid group data"),
            r#"code=1505, field="/group", reason="group must be an object of group id to {receive_call: Y or N} or null, or a list of group ids""#,
        ),
        (
            create(r#""working":[{"wDays":["MON"],"from":600,"to":1440}]"#),
            (1530, "Invalid Agent Timing"),
            r#"code=1530, field="/working/0/to", reason="to must be minutes after midnight, 0 to 1439""#,
        ),
        (
            create(r#""working":[{"wDays":["MON"],"from":600,"to":500}]"#),
            (1530, "Invalid Agent Timing"),
            r#"code=1530, field="/working/0/to", reason="to must not be before from (600)""#,
        ),
        (
            create(r#""working":[{"wDays":["MON"],"from":0,"to":1},{"wDays":["MON","XYZ"],"from":0,"to":1}]"#),
            (1511, "Working time format is invalid"),
            r#"code=1511, field="/working/1/wDays/1", reason="a day must be MON, TUE, WED, THU, FRI, SAT or SUN""#,
        ),
        (
            create(r#""working":[{"wDays":["MON"],"to":1}]"#),
            (1511, "Working time format is invalid"),
            r#"code=1511, field="/working/0/from", reason="from is required: minutes after midnight, 0 to 1439""#,
        ),
        (
            create(r#""working":[{"from":0,"to":1}]"#),
            (1511, "Working time format is invalid"),
            r#"code=1511, field="/working/0/wDays", reason="wDays is required: a list of MON, TUE, WED, THU, FRI, SAT, SUN""#,
        ),
        (
            create(r#""working":{"wDays":["MON"]}"#),
            (1511, "Working time format is invalid"),
            r#"code=1511, field="/working", reason="working must be a list of {wDays, from, to}""#,
        ),
        (
            create(r#""allowDid":["12"]"#),
            (1516, "Invalid Did Number"),
            r#"code=1516, field="/allowDid/0", reason="a DID must be 6 to 15 digits""#,
        ),
        (
            create(r#""allowDid":12"#),
            (1516, "Invalid Did Number"),
            r#"code=1516, field="/allowDid", reason="allowDid must be \"\" or a list of at most 100 DIDs""#,
        ),
        (
            create(&format!(r#""favorite":"{}""#, "f".repeat(256))),
            (1528, "Invalid Favorite Data"),
            r#"code=1528, field="/favorite", reason="favorite must be at most 255 characters""#,
        ),
        (
            create(r#""status":2"#),
            (1508, "Invalid status value"),
            r#"code=1508, field="/status", reason="status must be 1 (active) or 0 (inactive)""#,
        ),
    ];
    let cases: Vec<Case> =
        cases.into_iter().map(|(body, code, detail)| ("/api/v2/Agent/create", body, code, detail)).collect();
    refused(&app, &account, &cases).await;
    // None of the refused creates made an agent.
    let listed = app.post("/api/v2/Agent/list", &format!("{{{}}}", account.creds())).await.json();
    assert_eq!(listed["totalRecords"], 0, "{listed}");

    let agent = app
        .agent(&account, r#""name":"Ben","email":"ben@example.com","dest_type":"SIP","dest_value":"ben@pbx.local""#)
        .await;
    app.agent(&account, asha).await;
    let update = "/api/v2/Agent/update";
    refused(&app, &account, &[
        (update, r#""name":"Ben""#.into(), (1509, "Invalid agentId"),
            r#"code=1509, field="/agentId", reason="agentId is required: a positive integer (a JSON number or a string of digits)""#),
        (update, r#""agentId":999,"name":"Ben""#.into(), (1509, "Invalid agentId"),
            r#"code=1509, field="/agentId", reason="the account has no agent 999""#),
        (update, format!(r#""agentId":{agent}"#), (1518, "Data could not be updated"),
            r#"code=1518, reason="nothing to change: the body names no agent field besides agentId""#),
        (update, format!(r#""agentId":{agent},"dest_type":"MOBILE""#), (1510, "Invalid Destination"),
            r#"code=1510, field="/dest_type", reason="the agent's dest_value does not fit dest_type MOBILE: send a dest_value with it""#),
        (update, format!(r#""agentId":{agent},"parent":{agent}"#), (1506, "AgentId and parent could not be same"),
            r#"code=1506, field="/parent", reason="parent is the agent itself""#),
        (update, format!(r#""agentId":{agent},"email":"asha@example.com""#), (1512, "Email already exists"),
            r#"code=1512, field="/email", reason="another agent of the account has this email""#),
        ("/api/v2/Agent/changeStatus", format!(r#""agentId":{agent}"#), (1508, "Invalid status value"),
            r#"code=1508, field="/status", reason="status is required: 1 (active) or 0 (inactive)""#),
        ("/api/v2/Agent/setCad", r#""agentIds":[1,"x"]"#.into(), (1509, "Invalid agentId"),
            r#"code=1509, field="/agentIds/1", reason="an agent id must be a positive integer (a JSON number or a string of digits)""#),
        ("/api/v2/Agent/unsetCad", "\"x\":null".into(), (1509, "Invalid agentId"),
            r#"code=1509, field="/x", reason="unknown key; this takes ssid, userId, token, agentIds""#),
        ("/api/v2/Agent/updateAgentGroupMapping", format!(r#""agentId":{agent}"#), (1505, "Invalid group data"),
            r#"code=1505, field="/group", reason="group is required: an object of group id to {receive_call: Y or N} or null""#),
    ]).await;
});

backend_test!(phone_numbers_name_the_key_read_and_the_number_rule, |app| {
    let account = app.account().await;
    let rule = |code: u16, key: &str| format!(r#"code={code}, field="/{key}", reason="{key} must be {PHONE_RULE}""#);
    let (contact, cn, caller) = (rule(1005, "contact"), rule(1005, "cn"), rule(1005, "callerNumber"));
    let not_a_number = (1005, "Invalid contact number");
    refused(&app, &account, &[
        ("/api/v2/Directory/create", r#""contact":"12345""#.into(), not_a_number, contact.as_str()),
        ("/api/v2/Directory/create", r#""cn":"98765 43210 ext 2""#.into(), not_a_number, cn.as_str()),
        ("/api/v2/Directory/create", r#""contactinfo":{"Name":"Ravi"}"#.into(), PARAMETER,
            r#"code=1000, field="/contact", reason="contact (or cn) is required: a phone number""#),
        ("/api/v2/Directory/getInfo", r#""field":"Name""#.into(), PARAMETER,
            r#"code=1000, field="/cn", reason="cn (or contact) is required: a phone number""#),
        ("/api/v2/Directory/getInfo", r#""cn":true"#.into(), (1001, "Invalid data type"),
            r#"code=1001, field="/cn", reason="cn must be a phone number as a string or a JSON number""#),
        ("/api/v2/agentDashboard/contactInfo", r#""callerNumber":"0123456789""#.into(), not_a_number, caller.as_str()),
        ("/api/v2/agentDashboard/recentCalls", r#""limit":5"#.into(), PARAMETER,
            r#"code=1000, field="/callerNumber", reason="callerNumber is required: a phone number""#),
        ("/api/v2/callEvent", r#""callId":"c1","event":"offered","agentId":1,"callerNumber":{"n":1}"#.into(),
            (1504, "Invalid callerNumber"),
            r#"code=1504, field="/callerNumber", reason="callerNumber must be a string or a JSON number (a phone number, an extension, a SIP or tel URI, or anonymous)""#),
        ("/api/v2/callRoute", r#""callId":"c1","did":"8000000000","callerNumber":[1]"#.into(), (1504, "Invalid callerNumber"),
            r#"code=1504, field="/callerNumber", reason="callerNumber must be a string or a JSON number (a phone number, an extension, a SIP or tel URI, or anonymous)""#),
        ("/api/v2/callRoute", r#""callId":"c1""#.into(), (1505, "Give groupId or did"),
            r#"code=1505, field="/groupId", reason="groupId (or did) is required: a positive integer (a JSON number or a string of digits)""#),
    ]).await;
});

backend_test!(contact_field_values_name_the_field_and_its_rule, |app| {
    let account = app.account().await;
    let create = "/api/v2/Directory/create";
    let with = |info: &str| format!(r#""contact":"9876543210","contactinfo":{info}"#);
    let (unknown, invalid) = ((1512, "Unknown contact field"), (1513, "Invalid contact field value"));
    refused(&app, &account, &[
        (create, with(r#"{"City":"Pune"}"#), unknown,
            r#"code=1512, field="/contactinfo/City", reason="not a contact field of the account; one of Name, Email, Address, Company, Designation, DOB""#),
        (create, with(r#"{"Name":"R2D2"}"#), invalid,
            r#"code=1513, field="/contactinfo/Name", reason="Name must be letters of any script, spaces, . ' and -, at most 100 characters""#),
        (create, with(r#"{"email":"ravi"}"#), invalid,
            r#"code=1513, field="/contactinfo/email", reason="email must be an email address like name@example.com, at most 100 characters""#),
        (create, with(r#"{"DOB":"31-02-1990"}"#), invalid,
            r#"code=1513, field="/contactinfo/DOB", reason="DOB must be a date dd-mm-YYYY""#),
        (create, with(&format!(r#"{{"Address":"{}"}}"#, "a".repeat(501))), invalid,
            r#"code=1513, field="/contactinfo/Address", reason="Address must be text of at most 500 characters""#),
        (create, with(r#"{"Name":["Ravi"]}"#), (1001, "Invalid data type"),
            r#"code=1001, field="/contactinfo/Name", reason="a contact field's value must be text, a number or null""#),
        (create, with(r#""Ravi""#), PARAMETER,
            r#"code=1000, field="/contactinfo", reason="contactinfo must be an object of contact field name to text""#),
        ("/api/v2/Directory/update", r#""contact":"9876543210""#.into(), PARAMETER,
            r#"code=1000, field="/contactinfo", reason="contactinfo is required: an object of contact field name to text""#),
        ("/api/v2/Directory/getInfo", r#""cn":"9876543210","field":"City""#.into(), unknown,
            r#"code=1512, field="/field", reason="not a contact field of the account; one of All, Name, Email, Address, Company, Designation, DOB""#),
        ("/api/v2/Directory/setFields", r#""fields":["Name","mobile"]"#.into(), (1514, "Invalid contact fields"),
            r#"code=1514, field="/fields", reason="fields must be a list of 1 to 50 distinct names of letters, digits, spaces, _, - and ., at most 40 characters each, not mobile""#),
    ]).await;
    // A custom field's rule is its length; the account's own list is named.
    let set = format!(r#"{{{},"fields":["Name","City"]}}"#, account.creds());
    assert_eq!(app.post("/api/v2/Directory/setFields", &set).await.json()["status"], "success");
    refused(&app, &account, &[
        (create, with(&format!(r#"{{"City":"{}"}}"#, "p".repeat(1001))), invalid,
            r#"code=1513, field="/contactinfo/City", reason="City must be text of at most 1000 characters""#),
        (create, with(r#"{"Email":"ravi@example.com"}"#), unknown,
            r#"code=1512, field="/contactinfo/Email", reason="not a contact field of the account; one of Name, City""#),
    ]).await;
    // Nothing was created by the refused requests.
    let info = app.post("/api/v2/Directory/getInfo", &format!(r#"{{{},"cn":"9876543210"}}"#, account.creds())).await;
    assert_eq!(info.body, error_body(1012, "No data found"));
});

/// What an id takes, as the body's id reader says it.
const AN_ID: &str = "a positive integer (a JSON number or a string of digits)";

backend_test!(every_value_of_a_call_event_names_its_place_and_what_it_takes, |app| {
    let account = app.account().await;
    let agent = app.agent(&account, r#""name":"Asha","email":"asha@x.com""#).await;
    let event = |extra: &str| format!(r#""callId":"c1","event":"offered","agentId":{agent},{extra}"#);
    let batch = |extra: &str| format!(r#""events":[{{"callId":"c1","event":"offered","agentId":{agent},{extra}}}]"#);
    let e = "/api/v2/callEvent";
    refused(&app, &account, &[
        (e, format!(r#""event":"offered","agentId":{agent}"#), (1501, "Invalid callId"),
            r#"code=1501, field="/callId", reason="callId is required: a string of 1 to 128 characters or a number""#),
        (e, format!(r#""events":[{{"callId":"","event":"offered","agentId":{agent}}}]"#), (1501, "Invalid callId"),
            r#"code=1501, field="/events/0/callId", reason="callId must be a string of 1 to 128 characters or a number""#),
        (e, r#""callId":"c1","agentId":1"#.into(), (1502, "Invalid event"),
            r#"code=1502, field="/event", reason="event is required: offered, answered, ended, missed or abandoned""#),
        (e, r#""callId":"c1","event":"offered""#.into(), (1503, "Invalid agentId"),
            r#"code=1503, field="/agentId", reason="agentId is required: a positive integer (a JSON number or a string of digits)""#),
        (e, r#""callId":"c1","event":"offered","agentId":999"#.into(), (1503, "Invalid agentId"),
            r#"code=1503, field="/agentId", reason="the account has no agent 999""#),
        (e, format!(r#""callId":"c1","event":"abandoned","agentId":{agent}"#), (1503, "Invalid agentId"),
            r#"code=1503, field="/agentId", reason="agentId must be absent, null or 0 for abandoned: it is the queue's fact, not an agent's""#),
        (e, batch(r#""did":"12""#), (1506, "Invalid did"),
            r#"code=1506, field="/events/0/did", reason="did must be 6 to 15 digits""#),
        (e, event(r#""time":"soon""#), (1507, "Invalid time"),
            r#"code=1507, field="/time", reason="time must be Unix seconds, a positive integer at most a day ahead of our clock""#),
        (e, event(r#""groupId":"sales""#), (1509, "Invalid groupId"),
            &format!(r#"code=1509, field="/groupId", reason="groupId must be {AN_ID}""#)),
        (e, batch(r#""groupId":999"#), (1509, "Invalid groupId"),
            r#"code=1509, field="/events/0/groupId", reason="the account has no group 999""#),
        (e, event(r#""attempt":5000"#), (1510, "Invalid attempt"),
            r#"code=1510, field="/attempt", reason="attempt must be an integer from 0 to 1000""#),
        (e, event(r#""device":{}"#), (1512, "Invalid device"),
            r#"code=1512, field="/device", reason="device must be a string of 1 to 128 characters or a whole number""#),
        (e, event(r#""sentAt":"now""#), (1511, "Invalid sentAt"),
            r#"code=1511, field="/sentAt", reason="sentAt must be Unix seconds (a positive integer) when it was sent""#),
        (e, r#""events":[]"#.into(), (1508, "Invalid events: give 1 to 1000"),
            r#"code=1508, field="/events", reason="events must be a list of 1 to 1000 event objects""#),
        (e, r#""events":[1]"#.into(), (1508, "Invalid events: give 1 to 1000"),
            r#"code=1508, field="/events/0", reason="an event must be an object of its fields""#),
    ]).await;
    // A batch whose every fact is refused names the first; one fact taken
    // answers success with the others in `refused`.
    let two = format!(
        r#"{{{},"events":[{{"callId":"c1","event":"offered","agentId":{agent},"attempt":-1}},{{"callId":"c2","event":"offered","agentId":{agent}}}]}}"#,
        account.creds()
    );
    let reply = app.post(e, &two).await;
    assert_eq!(reply.json()["refused"][0]["code"], 1510, "{}", reply.body);
    assert_eq!(reply.header(DETAIL), "", "a success has no detail");
});
