//! Section `Agent`: the directory, its validations, mappings, CAD flags,
//! permissions and tenant isolation — exact bodies, as a client sees them.

mod common;

use common::{Account, TestApp, error_body};
use serde_json::{Value, json};

const LIST: &str = "/api/v2/Agent/list";
const CREATE: &str = "/api/v2/Agent/create";
const UPDATE: &str = "/api/v2/Agent/update";
const MAPPING: &str = "/api/v2/Agent/updateAgentGroupMapping";

async fn list(app: &TestApp, account: &Account, extra: &str) -> Value {
    let sep = if extra.is_empty() { "" } else { "," };
    app.post(LIST, &format!("{{{}{sep}{extra}}}", account.creds())).await.json()
}

async fn groups_of(app: &TestApp, account: &Account, agent: i64) -> Value {
    let listed = list(app, account, &format!(r#""agentId":{agent}"#)).await;
    serde_json::json!([listed["response"][0]["group"], listed["response"][0]["groupNames"]])
}

backend_test!(agent_list_has_the_seed_shape_without_secrets, |app| {
    let account = app.account().await;
    let perm = app.group(&account, "Perm").await;
    let mahipal = app.group(&account, "Mahipal singh").await;
    let create = format!(
        r#"{{{},"name":"bhawesh","email":"bbx12345@gmail.com","phone":"918442021533","address":"jaipur",
            "dest_type":"MOBILE","dest_value":"8442021533","call_pass":"52597981","password":"37p9PlzD4kUUeHsq",
            "group":{{"{perm}":{{"receive_call":"Y"}},"{mahipal}":{{"receive_call":"N"}}}},
            "working":[{{"wDays":["TUE","WED"],"from":60,"to":360}}]}}"#,
        account.creds()
    );
    // Nothing was generated, so nothing secret comes back.
    app.expect(CREATE, &create, r#"{"agentId":1,"status":"success","code":200}"#).await;

    let reply = app.post(LIST, &format!("{{{}}}", account.creds())).await;
    let created = reply.json()["response"][0]["create_date"].as_i64().unwrap();
    let uid = &account.user_id;
    let expected = format!(
        r#"{{"response":[{{"name":"bhawesh","favorite":"","email":"bbx12345@gmail.com","phone":"918442021533","address":"jaipur","dest_type":"MOBILE","dest_value":"8442021533","call_pass":"********","role":"1","parent":",START,","create_date":{created},"create_by":"{uid}","create_by_type":"","user_id":"{uid}","unique_id":1,"allowDid":"","status":1,"isDeleted":0,"preDeleted":0,"group":[{perm},{mahipal}],"working":[{{"wDays":["TUE","WED"],"from":60,"to":360,"agentId":1}}],"groupNames":[{{"{perm}":"Perm"}},{{"{mahipal}":"Mahipal singh"}}],"roleName":"Agent","cad":0}}],"agtLimit":50,"currentPage":1,"totalPages":1,"totalRecords":1,"status":"success","code":200}}"#
    );
    assert_eq!(reply.body, expected);
    assert!(!reply.body.contains("password") && !reply.body.contains("37p9PlzD4kUUeHsq"));
    assert!(!reply.body.contains("52597981"));
    assert!((created - agentdesk::clock::now()).abs() < 60);
});

backend_test!(agent_list_filters_and_pages, |app| {
    let account = app.account().await;
    let sales = app.group(&account, "Sales").await;
    for (i, name) in ["Alpha One", "Beta Two", "alpha three", "Gamma", "ALPHA four", "Ānanya Ārya"].iter().enumerate()
    {
        let group = if i % 2 == 0 { format!(r#","group":[{sales}]"#) } else { String::new() };
        app.agent(&account, &format!(r#""name":"{name}","email":"a{i}@x.com"{group}"#)).await;
    }
    let ids = |v: &Value| -> Vec<i64> {
        v["response"].as_array().unwrap().iter().map(|a| a["unique_id"].as_i64().unwrap()).collect()
    };
    let alpha = list(&app, &account, r#""name":"alpha""#).await;
    assert_eq!((ids(&alpha), alpha["totalRecords"].as_i64()), (vec![1, 3, 5], Some(3)));
    let page2 = list(&app, &account, r#""name":"ALPHA","page":2,"limit":2"#).await;
    assert_eq!(ids(&page2), vec![5]);
    assert_eq!(
        (page2["agtLimit"].as_i64(), page2["currentPage"].as_i64(), page2["totalPages"].as_i64()),
        (Some(2), Some(2), Some(2))
    );
    // Past the last page: no items, but the totals still tell the truth.
    let beyond = list(&app, &account, r#""name":"alpha","page":5,"limit":2"#).await;
    assert_eq!(
        (ids(&beyond).len(), beyond["totalRecords"].as_i64(), beyond["totalPages"].as_i64()),
        (0, Some(3), Some(2))
    );
    assert_eq!(ids(&list(&app, &account, &format!(r#""groupid":"{sales}""#)).await), vec![1, 3, 5]);
    assert_eq!(ids(&list(&app, &account, r#""agentId":"4""#).await), vec![4]);
    // Case folds beyond ASCII, the same on both backends.
    assert_eq!(ids(&list(&app, &account, r#""name":"āNANYA""#).await), vec![6]);
    assert_eq!(ids(&list(&app, &account, r#""name":"%""#).await), Vec::<i64>::new());

    let status = format!(r#"{{{},"agentId":2,"status":0}}"#, account.creds());
    app.expect(
        "/api/v2/Agent/changeStatus",
        &status,
        r#"{"status":"success","code":200,"message":"Agent status updated"}"#,
    )
    .await;
    assert_eq!(ids(&list(&app, &account, r#""status":0"#).await), vec![2]);
    assert_eq!(ids(&list(&app, &account, r#""status":"1""#).await), vec![1, 3, 4, 5, 6]);

    let quick = app.post(LIST, &format!(r#"{{{},"quick":true,"agentId":4}}"#, account.creds())).await;
    assert_eq!(
        quick.body,
        r#"{"response":[{"name":"Gamma","email":"a3@x.com","unique_id":4,"status":1,"group":[]}],"agtLimit":50,"currentPage":1,"totalPages":1,"totalRecords":1,"status":"success","code":200}"#
    );

    let c = account.creds();
    app.expect_error(LIST, &format!(r#"{{{c},"agentId":99}}"#), 1509, "Invalid agentId").await;
    app.expect_error(LIST, &format!(r#"{{{c},"agentId":"x"}}"#), 1509, "Invalid agentId").await;
    app.expect_error(LIST, &format!(r#"{{{c},"groupid":999}}"#), 1006, "GroupId does not exist").await;
    app.expect_error(LIST, &format!(r#"{{{c},"limit":0}}"#), 1502, "Invalid filter value").await;
    app.expect_error(LIST, &format!(r#"{{{c},"limit":501}}"#), 1502, "Invalid filter value").await;
    app.expect_error(LIST, &format!(r#"{{{c},"page":0}}"#), 1502, "Invalid filter value").await;
    app.expect_error(LIST, &format!(r#"{{{c},"page":9223372036854775807}}"#), 1502, "Invalid filter value").await;
    app.expect_error(LIST, &format!(r#"{{{c},"page":1.5}}"#), 1502, "Invalid filter value").await;
    app.expect_error(LIST, &format!(r#"{{{c},"name":5}}"#), 1502, "Invalid filter value").await;
    app.expect_error(LIST, &format!(r#"{{{c},"status":3}}"#), 1508, "Invalid status value").await;
});

backend_test!(create_rejects_each_bad_field_with_its_code, |app| {
    let account = app.account().await;
    let group = app.group(&account, "Sales").await;
    let c = account.creds();
    let cases: &[(&str, u16, &str)] = &[
        (r#""name":"A","email":"a@x.com","colour":"red""#, 1521, "Please Provide Only Valid fields"),
        (r#""email":"a@x.com""#, 1515, "Invalid Name"),
        (r#""name":"   ","email":"a@x.com""#, 1515, "Invalid Name"),
        (r#""name":"A""#, 1000, "Invalid parameter"),
        (r#""name":"A","email":"not-an-email""#, 1000, "Invalid parameter"),
        (r#""name":"A","email":"a@x.com","password":"short""#, 1000, "Invalid parameter"),
        (r#""name":"A","email":"a@x.com","phone":"12345""#, 1514, "Invalid mobile Number"),
        (r#""name":"A","email":"a@x.com","dest_type":"FAX""#, 1513, "Invalid type"),
        (r#""name":"A","email":"a@x.com","dest_value":"sip:1001""#, 1510, "Invalid Destination"),
        (
            r#""name":"A","email":"a@x.com","call_pass":"7672883""#,
            1519,
            "Call Password must be Integer and Eight digit",
        ),
        (
            r#""name":"A","email":"a@x.com","call_pass":"1234567a""#,
            1519,
            "Call Password must be Integer and Eight digit",
        ),
        (r#""name":"A","email":"a@x.com","role":"9""#, 1503, "Invalid role id"),
        (r#""name":"A","email":"a@x.com","role":"x""#, 1503, "Invalid role id"),
        (r#""name":"A","email":"a@x.com","parent":"77""#, 1504, "Invalid parent"),
        (r#""name":"A","email":"a@x.com","group":{"999":{"receive_call":"Y"}}"#, 1505, "Invalid group data"),
        (r#""name":"A","email":"a@x.com","group":"Sales""#, 1505, "Invalid group data"),
        (r#""name":"A","email":"a@x.com","working":{"wDays":["MON"]}"#, 1511, "Working time format is invalid"),
        (
            r#""name":"A","email":"a@x.com","working":[{"wDays":["MON"],"from":600,"to":1500}]"#,
            1530,
            "Invalid Agent Timing",
        ),
        (r#""name":"A","email":"a@x.com","allowDid":["12ab"]"#, 1516, "Invalid Did Number"),
        (r#""name":"A","email":"a@x.com","favorite":{"x":1}"#, 1528, "Invalid Favorite Data"),
        (r#""name":"A","email":"a@x.com","status":2"#, 1508, "Invalid status value"),
    ];
    for (fields, code, message) in cases {
        app.expect_error(CREATE, &format!("{{{c},{fields}}}"), *code, message).await;
    }
    // A valid group with a bad flag is still bad group data.
    let bad_flag = format!(r#"{{{c},"name":"A","email":"a@x.com","group":{{"{group}":{{"receive_call":"yes"}}}}}}"#);
    app.expect_error(CREATE, &bad_flag, 1505, "Invalid group data").await;
    // Nothing above created anything.
    assert_eq!(list(&app, &account, "").await["totalRecords"], 0);

    app.agent(&account, r#""name":"A","email":"Taken@X.com""#).await;
    app.expect_error(CREATE, &format!(r#"{{{c},"name":"B","email":"taken@x.com"}}"#), 1512, "Email already exists")
        .await;
});

backend_test!(generated_secrets_are_shown_once_and_work, |app| {
    let account = app.account().await;
    let reply = app
        .post(CREATE, &format!(r#"{{{},"name":"Gen","email":"gen@x.com","phone":"9829012345"}}"#, account.creds()))
        .await;
    let created = reply.json();
    let keys: Vec<&str> = created.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["agentId", "password", "call_pass", "status", "code"]);
    let password = created["password"].as_str().unwrap();
    let call_pass = created["call_pass"].as_str().unwrap();
    assert_eq!(password.len(), 16);
    assert!(call_pass.len() == 8 && call_pass.bytes().all(|b| b.is_ascii_digit()));
    // The ten-digit phone was completed with the account's country code.
    assert_eq!(list(&app, &account, "").await["response"][0]["phone"], "919829012345");
    let ssid = app.login("gen@x.com", password).await;
    assert_eq!(ssid.len(), 40);
});

backend_test!(update_changes_only_the_named_fields, |app| {
    let account = app.account().await;
    let c = account.creds();
    let boss = app.agent(&account, r#""name":"Boss","email":"boss@x.com""#).await;
    let worker = app
        .agent(&account, &format!(r#""name":"Worker","email":"w@x.com","parent":"{boss}","address":"Jaipur""#))
        .await;
    let under_worker = app.agent(&account, &format!(r#""name":"Trainee","email":"t@x.com","parent":{worker}"#)).await;

    let body = format!(
        r#"{{{c},"agentId":"{worker}","name":"Worker Bee","dest_type":"SIP","dest_value":"w1001@pbx.local","allowDid":["918645313598"]}}"#
    );
    app.expect(UPDATE, &body, r#"{"status":"success","code":200,"message":"Agent updated"}"#).await;
    let w = &list(&app, &account, &format!(r#""agentId":{worker}"#)).await["response"][0];
    assert_eq!(
        (w["name"].as_str(), w["address"].as_str(), w["dest_type"].as_str()),
        (Some("Worker Bee"), Some("Jaipur"), Some("SIP"))
    );
    assert_eq!(w["allowDid"], serde_json::json!(["918645313598"]));
    assert_eq!(w["parent"], format!(",START,{boss},"));

    // Moving the worker to the top moves its trainee with it.
    app.expect(
        UPDATE,
        &format!(r#"{{{c},"agentId":{worker},"parent":"root"}}"#),
        r#"{"status":"success","code":200,"message":"Agent updated"}"#,
    )
    .await;
    let t = &list(&app, &account, &format!(r#""agentId":{under_worker}"#)).await["response"][0];
    assert_eq!(t["parent"], format!(",START,{worker},"));

    app.expect_error(UPDATE, &format!(r#"{{{c},"agentId":99,"name":"X"}}"#), 1509, "Invalid agentId").await;
    app.expect_error(UPDATE, &format!(r#"{{{c},"name":"X"}}"#), 1509, "Invalid agentId").await;
    app.expect_error(UPDATE, &format!(r#"{{{c},"agentId":{worker}}}"#), 1518, "Data could not be updated").await;
    app.expect_error(
        UPDATE,
        &format!(r#"{{{c},"agentId":{worker},"parent":{worker}}}"#),
        1506,
        "AgentId and parent could not be same",
    )
    .await;
    app.expect_error(UPDATE, &format!(r#"{{{c},"agentId":{worker},"parent":{under_worker}}}"#), 1504, "Invalid parent")
        .await;
    app.expect_error(
        UPDATE,
        &format!(r#"{{{c},"agentId":{worker},"email":"BOSS@x.com"}}"#),
        1512,
        "Email already exists",
    )
    .await;
    app.expect_error(
        UPDATE,
        &format!(r#"{{{c},"agentId":{worker},"dest_value":"not valid"}}"#),
        1510,
        "Invalid Destination",
    )
    .await;
    app.expect_error(
        UPDATE,
        &format!(r#"{{{c},"agentId":{worker},"nickname":"W"}}"#),
        1521,
        "Please Provide Only Valid fields",
    )
    .await;
});

backend_test!(delete_is_soft_and_waits_for_a_logged_in_agent, |app| {
    let account = app.account().await;
    let c = account.creds();
    let idle = app.agent(&account, r#""name":"Idle","email":"idle@x.com""#).await;
    let busy = app.agent(&account, r#""name":"Busy","email":"busy@x.com","password":"busy-pass-1""#).await;
    let delete = "/api/v2/Agent/delete";
    app.expect(
        delete,
        &format!(r#"{{{c},"agentId":{idle}}}"#),
        r#"{"status":"success","code":200,"message":"Agent deleted"}"#,
    )
    .await;
    app.expect_error(delete, &format!(r#"{{{c},"agentId":{idle}}}"#), 1509, "Invalid agentId").await;
    app.expect_error(UPDATE, &format!(r#"{{{c},"agentId":{idle},"name":"Back"}}"#), 1509, "Invalid agentId").await;
    // Its email is free again.
    app.agent(&account, r#""name":"New Idle","email":"idle@x.com""#).await;

    // Logged in: deleted at once all the same, its session with it.
    let ssid = app.login("busy@x.com", "busy-pass-1").await;
    app.expect(
        delete,
        &format!(r#"{{{c},"agentId":{busy}}}"#),
        r#"{"status":"success","code":200,"message":"Agent deleted"}"#,
    )
    .await;
    app.expect_error(LIST, &format!(r#"{{{c},"agentId":{busy}}}"#), 1509, "Invalid agentId").await;
    app.expect_error("/api/v2/auth/logout", &format!(r#"{{"ssid":"{ssid}"}}"#), 1014, "Invalid token").await;
    app.expect_error(
        "/api/v2/auth/login",
        r#"{"email":"busy@x.com","password":"busy-pass-1"}"#,
        1501,
        "Invalid email or password",
    )
    .await;
});

backend_test!(group_mapping_upserts_listed_groups_and_removes_nulls, |app| {
    let account = app.account().await;
    let c = account.creds();
    let (g1, g2, g3) =
        (app.group(&account, "One").await, app.group(&account, "Two").await, app.group(&account, "Three").await);
    let agent = app.agent(&account, &format!(r#""name":"M","email":"m@x.com","group":[{g1},{g2}]"#)).await;
    let ok = r#"{"status":"success","code":200,"message":"Agent group mapping updated"}"#;

    app.expect(
        MAPPING,
        &format!(
            r#"{{{c},"agentId":"{agent}","group":{{"{g3}":{{"receive_call":"N"}},"{g1}":{{"receive_call":"N"}}}}}}"#
        ),
        ok,
    )
    .await;
    assert_eq!(
        groups_of(&app, &account, agent).await,
        serde_json::json!([[g1, g2, g3], [{g1.to_string(): "One"}, {g2.to_string(): "Two"}, {g3.to_string(): "Three"}]])
    );

    app.expect(MAPPING, &format!(r#"{{{c},"agentId":{agent},"group":{{"{g2}":null}}}}"#), ok).await;
    assert_eq!(groups_of(&app, &account, agent).await[0], serde_json::json!([g1, g3]));

    // Any bad part and nothing changes.
    let before = groups_of(&app, &account, agent).await;
    let bad = [
        format!(r#"{{{c},"agentId":{agent},"group":{{"{g2}":{{"receive_call":"Y"}},"999":{{"receive_call":"Y"}}}}}}"#),
        format!(
            r#"{{{c},"agentId":{agent},"group":{{"{g2}":{{"receive_call":"Y"}},"{g1}":{{"receive_call":"maybe"}}}}}}"#
        ),
        format!(r#"{{{c},"agentId":{agent},"group":{{"{g2}":{{"receive_call":"Y"}},"{g1}":"Y"}}}}"#),
        format!(r#"{{{c},"agentId":{agent},"group":{{"abc":{{"receive_call":"Y"}}}}}}"#),
        format!(r#"{{{c},"agentId":{agent},"group":[{g2}]}}"#),
        format!(r#"{{{c},"agentId":{agent}}}"#),
    ];
    for body in &bad {
        app.expect_error(MAPPING, body, 1505, "Invalid group data").await;
    }
    app.expect_error(
        MAPPING,
        &format!(r#"{{{c},"agentId":"77","group":{{"{g2}":{{"receive_call":"Y"}}}}}}"#),
        1509,
        "Invalid agentId",
    )
    .await;
    app.expect_error(
        MAPPING,
        &format!(r#"{{{c},"group":{{"{g2}":{{"receive_call":"Y"}}}}}}"#),
        1509,
        "Invalid agentId",
    )
    .await;
    assert_eq!(groups_of(&app, &account, agent).await, before);
});

backend_test!(cad_flags_are_set_and_cleared_all_or_nothing, |app| {
    let account = app.account().await;
    let c = account.creds();
    let a = app.agent(&account, r#""name":"A","email":"a@x.com""#).await;
    let b = app.agent(&account, r#""name":"B","email":"b@x.com""#).await;
    let cads = |v: Value| -> Vec<i64> {
        v["response"].as_array().unwrap().iter().map(|x| x["cad"].as_i64().unwrap()).collect()
    };
    app.expect(
        "/api/v2/Agent/setCad",
        &format!(r#"{{{c},"agentIds":["{a}",{b}]}}"#),
        r#"{"status":"success","code":200,"message":"CAD set"}"#,
    )
    .await;
    assert_eq!(cads(list(&app, &account, "").await), vec![1, 1]);
    app.expect_error(
        "/api/v2/Agent/unsetCad",
        &format!(r#"{{{c},"agentIds":["{a}","404"]}}"#),
        1509,
        "Invalid agentId",
    )
    .await;
    assert_eq!(cads(list(&app, &account, "").await), vec![1, 1]);
    app.expect(
        "/api/v2/Agent/unsetCad",
        &format!(r#"{{{c},"agentIds":["{a}"]}}"#),
        r#"{"status":"success","code":200,"message":"CAD unset"}"#,
    )
    .await;
    assert_eq!(cads(list(&app, &account, "").await), vec![0, 1]);
    for bad in [r#""agentIds":[]"#, r#""agentIds":"1""#, r#""agentIds":["x"]"#, r#""agentId":1"#] {
        app.expect_error("/api/v2/Agent/setCad", &format!("{{{c},{bad}}}"), 1509, "Invalid agentId").await;
    }
});

backend_test!(an_agent_session_without_the_permission_gets_the_captured_1015, |app| {
    let account = app.account().await;
    let group = app.group(&account, "Perm").await;
    let agent = app.agent(&account, r#""name":"Plain","email":"plain@x.com","password":"plain-pass-1""#).await;
    let ssid = app.login("plain@x.com", "plain-pass-1").await;
    let body = format!(r#"{{"ssid":"{ssid}","agentId":"{agent}","group":{{"{group}":{{"receive_call":"Y"}}}}}}"#);
    let reply = app.post(MAPPING, &body).await;
    assert_eq!(reply.status, reqwest::StatusCode::OK);
    assert_eq!(reply.body, r#"{"status":"error","message":"Permission denied","code":1015}"#);
    assert_eq!(reply.header("etag"), r#"W/"3c-pSrtaoek7bATDVxUhKpKMDE6hUw""#);
    assert_eq!(reply.header("content-length"), "60");
    app.expect_error(LIST, &format!(r#"{{"ssid":"{ssid}"}}"#), 1015, "Permission denied").await;

    // A supervisor role grants it.
    let role = app
        .post(
            "/api/v2/Role/add",
            &format!(r#"{{{},"name":"Supervisor","permissions":["VIEW_AGENTS","EDIT_AGENTS"]}}"#, account.creds()),
        )
        .await
        .json();
    let role_id = role["roleId"].as_str().unwrap().to_string();
    app.agent(&account, &format!(r#""name":"Sup","email":"sup@x.com","password":"sup-pass-1","role":"{role_id}""#))
        .await;
    let sup = app.login("sup@x.com", "sup-pass-1").await;
    let body = format!(r#"{{"ssid":"{sup}","agentId":"{agent}","group":{{"{group}":{{"receive_call":"Y"}}}}}}"#);
    app.expect(MAPPING, &body, r#"{"status":"success","code":200,"message":"Agent group mapping updated"}"#).await;
});

backend_test!(another_account_can_neither_see_nor_change_anything, |app| {
    let a = app.account().await;
    let b = app.account().await;
    // A's ids are beyond anything B has, so B naming them can only reach A's rows.
    app.group(&a, "First").await;
    app.group(&a, "Second").await;
    let group = app.group(&a, "Private").await;
    app.agent(&a, r#""name":"One","email":"one@x.com""#).await;
    app.agent(&a, r#""name":"Two","email":"two@x.com""#).await;
    let agent = app.agent(&a, &format!(r#""name":"Secret","email":"s@x.com","group":[{group}]"#)).await;
    let before = app.post(LIST, &format!("{{{}}}", a.creds())).await.body;

    // B's own sessions behave the same as its token.
    app.agent(&b, r#""name":"B Admin","email":"s@x.com","password":"b-pass-123""#).await;
    let role = app
        .post(
            "/api/v2/Role/add",
            &format!(
                r#"{{{},"name":"All","permissions":["VIEW_AGENTS","EDIT_AGENTS","MANAGE_GROUPS","MANAGE_ROLES"]}}"#,
                b.creds()
            ),
        )
        .await
        .json();
    app.post(UPDATE, &format!(r#"{{{},"agentId":1,"role":"{}"}}"#, b.creds(), role["roleId"].as_str().unwrap())).await;
    // The email is A's too: B's agent names its account to log in.
    let login = format!(r#"{{"email":"s@x.com","password":"b-pass-123","userId":"{}"}}"#, b.user_id);
    let b_session = format!(r#""ssid":{}"#, app.post("/api/v2/auth/login", &login).await.json()["ssid"]);

    for creds in [b.creds(), b_session] {
        let list_b = app.post(LIST, &format!(r#"{{{creds},"agentId":{agent}}}"#)).await.body;
        assert!(list_b == error_body(1509, "Invalid agentId") || !list_b.contains("Secret"), "{list_b}");
        app.expect_error(LIST, &format!(r#"{{{creds},"groupid":{group}}}"#), 1006, "GroupId does not exist").await;
        app.expect_error(UPDATE, &format!(r#"{{{creds},"agentId":{agent},"name":"Pwned"}}"#), 1509, "Invalid agentId")
            .await;
        app.expect_error(MAPPING, &format!(r#"{{{creds},"agentId":{agent},"group":{{}}}}"#), 1509, "Invalid agentId")
            .await;
        app.expect_error("/api/v2/Agent/delete", &format!(r#"{{{creds},"agentId":{agent}}}"#), 1509, "Invalid agentId")
            .await;
        app.expect_error(
            "/api/v2/Agent/changeStatus",
            &format!(r#"{{{creds},"agentId":{agent},"status":0}}"#),
            1509,
            "Invalid agentId",
        )
        .await;
        app.expect_error(
            "/api/v2/Agent/setCad",
            &format!(r#"{{{creds},"agentIds":[{agent}]}}"#),
            1509,
            "Invalid agentId",
        )
        .await;
        app.expect_error(
            "/api/v2/Group/update",
            &format!(r#"{{{creds},"groupId":{group},"name":"Mine"}}"#),
            1503,
            "Group not found or not authorized",
        )
        .await;
        app.expect_error(
            "/api/v2/Group/delete",
            &format!(r#"{{{creds},"groupId":{group}}}"#),
            1503,
            "Group not found or not authorized",
        )
        .await;
    }
    // A's id with B's token is just a wrong token.
    app.expect_error(LIST, &format!(r#"{{"userId":"{}","token":"{}"}}"#, a.user_id, b.token), 1014, "Invalid token")
        .await;
    assert_eq!(app.post(LIST, &format!("{{{}}}", a.creds())).await.body, before);
});

backend_test!(concurrent_writes_are_all_acknowledged_and_kept, |app| {
    let account = app.account().await;
    let group = app.group(&account, "Busy").await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..24 {
        let (client, base, creds) = (app.client.clone(), app.base.clone(), account.creds());
        tasks.spawn(async move {
            let create = format!(r#"{{{creds},"name":"Agent {i}","email":"c{i}@x.com","password":"pass-word-{i}","call_pass":"1234567{}"}}"#, i % 10);
            let reply: Value = client.post(format!("{base}{CREATE}")).body(create).send().await.unwrap().json().await.unwrap();
            let id = reply["agentId"].as_i64().unwrap_or_else(|| panic!("{reply}"));
            let map = format!(r#"{{{creds},"agentId":{id},"group":{{"{group}":{{"receive_call":"Y"}}}}}}"#);
            let mapped: Value = client.post(format!("{base}{MAPPING}")).body(map).send().await.unwrap().json().await.unwrap();
            assert_eq!(mapped["status"], "success", "{mapped}");
            id
        });
    }
    let mut ids: Vec<i64> = tasks.join_all().await;
    ids.sort_unstable();
    assert_eq!(ids, (1..=24).collect::<Vec<i64>>());
    let listed = list(&app, &account, &format!(r#""groupid":{group},"limit":100"#)).await;
    assert_eq!(listed["totalRecords"], 24);
});

backend_test!(a_supervisor_cannot_hand_out_or_take_over_more_privilege_than_it_has, |app| {
    let account = app.account().await;
    let c = account.creds();
    let role = |name: &str, perms: &str| format!(r#"{{{c},"name":"{name}","permissions":[{perms}]}}"#);
    let sup_role =
        app.post("/api/v2/Role/add", &role("Supervisor", r#""VIEW_AGENTS","EDIT_AGENTS""#)).await.json()["roleId"]
            .as_str()
            .unwrap()
            .to_string();
    let admin_role = app
        .post("/api/v2/Role/add", &role("Admin", r#""VIEW_AGENTS","EDIT_AGENTS","MANAGE_ROLES""#))
        .await
        .json()["roleId"]
        .as_str()
        .unwrap()
        .to_string();
    let sup = app
        .agent(&account, &format!(r#""name":"Sup","email":"sup@x.com","password":"sup-pass-1","role":"{sup_role}""#))
        .await;
    let boss = app
        .agent(
            &account,
            &format!(r#""name":"Boss","email":"boss@x.com","password":"boss-pass-1","role":"{admin_role}""#),
        )
        .await;
    let plain = app.agent(&account, r#""name":"Plain","email":"plain@x.com""#).await;
    let s = format!(r#""ssid":"{}""#, app.login("sup@x.com", "sup-pass-1").await);
    for (path, body) in [
        (CREATE, format!(r#"{{{s},"name":"Mole","email":"mole@x.com","role":"{admin_role}"}}"#)),
        (UPDATE, format!(r#"{{{s},"agentId":{sup},"role":"{admin_role}"}}"#)),
        (UPDATE, format!(r#"{{{s},"agentId":{boss},"password":"taken-over-1"}}"#)),
        ("/api/v2/Agent/changeStatus", format!(r#"{{{s},"agentId":{boss},"status":0}}"#)),
        ("/api/v2/Agent/delete", format!(r#"{{{s},"agentId":{boss}}}"#)),
    ] {
        app.expect_error(path, &body, 1015, "Permission denied").await;
    }
    // The boss still logs in with its own password.
    app.login("boss@x.com", "boss-pass-1").await;
    // Within its own privilege the supervisor works as usual.
    let ok = r#"{"status":"success","code":200,"message":"Agent updated"}"#;
    app.expect(UPDATE, &format!(r#"{{{s},"agentId":{plain},"name":"Plain Jane"}}"#), ok).await;
    app.expect(UPDATE, &format!(r#"{{{s},"agentId":{plain},"role":"{sup_role}"}}"#), ok).await;
    let created = app.post(CREATE, &format!(r#"{{{s},"name":"Newbie","email":"new@x.com"}}"#)).await.json();
    assert_eq!(created["status"], "success", "{created}");
});

/// What the list and the live board show of each agent, compactly — list:
/// `id name status roleName cad preDeleted groupNames`; live: `id name
/// status cad groups`.
async fn seen(app: &TestApp, account: &Account) -> Vec<(String, String)> {
    let listed = list(app, account, "").await;
    let live = app.post("/api/v2/Agent/live", &format!("{{{}}}", account.creds())).await.json();
    let items = |v: &Value| v["response"].as_array().unwrap_or_else(|| panic!("{v}")).clone();
    let (listed, live) = (items(&listed), items(&live));
    assert_eq!(listed.len(), live.len(), "{listed:?} {live:?}");
    listed
        .iter()
        .zip(&live)
        .map(|(l, v)| {
            (
                format!(
                    "{} {} {} {} {} {} {}",
                    l["unique_id"], l["name"], l["status"], l["roleName"], l["cad"], l["preDeleted"], l["groupNames"]
                ),
                format!("{} {} {} {} {}", v["agentId"], v["name"], v["status"], v["cad"], v["groups"]),
            )
        })
        .collect()
}

fn both(list: String, live: String) -> (String, String) {
    (list, live)
}

// Both reads are answered from the directory held in memory: every kind of
// directory write must show on the very next read, never a request later.
backend_test!(list_and_live_board_follow_every_directory_change_at_once, |app| {
    let account = app.account().await;
    let c = account.creds();
    let ok = |message: &str| format!(r#"{{"status":"success","code":200,"message":"{message}"}}"#);
    let done = |reply: common::Reply| assert_eq!(reply.json()["code"], 200, "{}", reply.body);
    let sales = app.group(&account, "Sales").await;
    let a = app
        .agent(&account, &format!(r#""name":"Asha","email":"asha@x.com","group":{{"{sales}":{{"receive_call":"Y"}}}}"#))
        .await;
    let asha = |status: u8, groups_list: &str, groups_live: &str| {
        both(
            format!(r#"{a} "Asha" {status} "Agent" 0 0 {groups_list}"#),
            format!(r#"{a} "Asha" {status} 0 {groups_live}"#),
        )
    };
    let in_sales = (format!(r#"[{{"{sales}":"Sales"}}]"#), format!(r#"{{"{sales}":"Y"}}"#));
    assert_eq!(seen(&app, &account).await, [asha(1, &in_sales.0, &in_sales.1)]);

    let b = app.agent(&account, r#""name":"Bela","email":"bela@x.com","password":"bela-pass-1""#).await;
    let bela = |name: &str, role: &str, cad: u8, pre: u8, groups_list: &str, groups_live: &str| {
        both(
            format!(r#"{b} "{name}" 1 "{role}" {cad} {pre} {groups_list}"#),
            format!(r#"{b} "{name}" 1 {cad} {groups_live}"#),
        )
    };
    assert_eq!(seen(&app, &account).await[1], bela("Bela", "Agent", 0, 0, "[]", "{}"), "created");

    app.expect("/api/v2/Agent/update", &format!(r#"{{{c},"agentId":{b},"name":"Bela R"}}"#), &ok("Agent updated"))
        .await;
    assert_eq!(seen(&app, &account).await[1], bela("Bela R", "Agent", 0, 0, "[]", "{}"), "renamed");

    app.expect(
        "/api/v2/Agent/changeStatus",
        &format!(r#"{{{c},"agentId":{a},"status":0}}"#),
        &ok("Agent status updated"),
    )
    .await;
    assert_eq!(seen(&app, &account).await[0], asha(0, &in_sales.0, &in_sales.1), "switched off");

    app.expect(
        MAPPING,
        &format!(r#"{{{c},"agentId":{b},"group":{{"{sales}":{{"receive_call":"N"}}}}}}"#),
        &ok("Agent group mapping updated"),
    )
    .await;
    let mapped = (in_sales.0.clone(), format!(r#"{{"{sales}":"N"}}"#));
    assert_eq!(seen(&app, &account).await[1], bela("Bela R", "Agent", 0, 0, &mapped.0, &mapped.1), "mapped");

    app.expect("/api/v2/Agent/setCad", &format!(r#"{{{c},"agentIds":[{b}]}}"#), &ok("CAD set")).await;
    assert_eq!(seen(&app, &account).await[1], bela("Bela R", "Agent", 1, 0, &mapped.0, &mapped.1), "CAD");

    app.expect("/api/v2/Group/update", &format!(r#"{{{c},"groupId":{sales},"name":"Support"}}"#), &ok("Group updated"))
        .await;
    let renamed = format!(r#"[{{"{sales}":"Support"}}]"#);
    assert_eq!(seen(&app, &account).await[1], bela("Bela R", "Agent", 1, 0, &renamed, &mapped.1), "group renamed");

    done(app.post("/api/v2/Role/update", &format!(r#"{{{c},"roleId":"1","name":"Caller"}}"#)).await);
    assert_eq!(seen(&app, &account).await[1], bela("Bela R", "Caller", 1, 0, &renamed, &mapped.1), "role renamed");

    app.expect("/api/v2/Group/delete", &format!(r#"{{{c},"groupId":{sales}}}"#), &ok("Group deleted")).await;
    assert_eq!(seen(&app, &account).await[1], bela("Bela R", "Caller", 1, 0, "[]", "{}"), "group deleted");

    // Deleted while logged in: gone at once, its session with it.
    let ssid = app.login("bela@x.com", "bela-pass-1").await;
    app.expect("/api/v2/Agent/delete", &format!(r#"{{{c},"agentId":{b}}}"#), &ok("Agent deleted")).await;
    assert_eq!(seen(&app, &account).await.len(), 1, "deleted at once");
    app.expect_error("/api/v2/auth/logout", &format!(r#"{{"ssid":"{ssid}"}}"#), 1014, "Invalid token").await;

    app.expect("/api/v2/Agent/delete", &format!(r#"{{{c},"agentId":{a}}}"#), &ok("Agent deleted")).await;
    assert_eq!(seen(&app, &account).await, []);
});

backend_test!(the_employee_section_is_the_same_agents_as_agent, |app| {
    let account = app.account().await;
    let asha = app.agent(&account, r#""name":"Asha","email":"asha@x.com","password":"pass-word-1""#).await;
    let bilal = app.agent(&account, r#""name":"Bilal","email":"bilal@x.com","password":"pass-word-1""#).await;
    // Sarv's hub lists employees a page at a time, spelling the path its way.
    let page = format!(r#"{{{},"page":1,"limit":1}}"#, account.creds());
    let employees = app.post("/api/v2/Employee/List", &page).await;
    assert_eq!(employees.body, app.post("/api/v2/Agent/list", &page).await.body);
    let listed = employees.json();
    assert_eq!(
        (listed["response"][0]["unique_id"].clone(), listed["response"][0]["name"].clone()),
        (json!(asha), json!("Asha"))
    );
    assert_eq!((listed["totalRecords"].clone(), listed["response"][0]["roleName"].is_string()), (json!(2), true));
    // A profile is the agent as the list shows it.
    let all = app.post("/api/v2/Agent/list", &format!("{{{}}}", account.creds())).await.json();
    let profile =
        app.post("/api/v2/Employee/profile", &format!(r#"{{{},"empId":"{bilal}"}}"#, account.creds())).await.json();
    assert_eq!(profile, json!({"response": all["response"][1], "status": "success", "code": 200}));
    app.expect_error(
        "/api/v2/Employee/profile",
        &format!(r#"{{{},"empId":999}}"#, account.creds()),
        1509,
        "Invalid agentId",
    )
    .await;
    app.expect_error("/api/v2/Employee/profile", &format!("{{{}}}", account.creds()), 1509, "Invalid agentId").await;
    // An agent reads its own profile; another's needs VIEW_AGENTS.
    let ssid = app.login("asha@x.com", "pass-word-1").await;
    let own = app.post("/api/v2/employee/profile", &format!(r#"{{"ssid":"{ssid}","empId":{asha}}}"#)).await.json();
    assert_eq!(own["response"]["email"], "asha@x.com", "{own}");
    app.expect_error(
        "/api/v2/Employee/profile",
        &format!(r#"{{"ssid":"{ssid}","empId":{bilal}}}"#),
        1015,
        "Permission denied",
    )
    .await;
    // Create and Update are Agent's, the same rules and codes; the Employee
    // docs say `parent` may be "root".
    let created = app
        .post(
            "/api/v2/Employee/Create",
            &format!(
                r#"{{{},"name":"Chen","email":"chen@x.com","password":"pass-word-1","parent":"root"}}"#,
                account.creds()
            ),
        )
        .await
        .json();
    let chen = created["agentId"].as_i64().unwrap_or_else(|| panic!("{created}"));
    app.expect(
        "/api/v2/Employee/Update",
        &format!(r#"{{{},"agentId":{chen},"name":"Chen Li"}}"#, account.creds()),
        r#"{"status":"success","code":200,"message":"Agent updated"}"#,
    )
    .await;
    let profile =
        app.post("/api/v2/Employee/profile", &format!(r#"{{{},"empId":{chen}}}"#, account.creds())).await.json();
    assert_eq!(
        (profile["response"]["name"].clone(), profile["response"]["parent"].clone()),
        (json!("Chen Li"), json!(",START,"))
    );
    app.expect_error(
        "/api/v2/Employee/create",
        &format!(r#"{{{},"name":"Dup","email":"chen@x.com","password":"pass-word-1"}}"#, account.creds()),
        1512,
        "Email already exists",
    )
    .await;
    app.expect_error(
        "/api/v2/Employee/create",
        &format!(r#"{{{},"name":"Q","email":"q@x.com","bogus":1}}"#, account.creds()),
        1521,
        "Please Provide Only Valid fields",
    )
    .await;
    let as_agent = format!(r#"{{"ssid":"{ssid}","name":"Eve","email":"eve@x.com","password":"pass-word-1"}}"#);
    app.expect_error("/api/v2/Employee/create", &as_agent, 1015, "Permission denied").await;
});
