//! Sections `Group` and `Role`: the account's own vocabulary for organising
//! agents, what an agent session may do through its role, and tenancy.

mod common;

use common::{Account, TestApp};

const GROUP_ADD: &str = "/api/v2/Group/add";
const GROUP_UPDATE: &str = "/api/v2/Group/update";
const GROUP_DELETE: &str = "/api/v2/Group/delete";
const GROUP_LIST: &str = "/api/v2/Group/list";
const ROLE_LIST: &str = "/api/v2/Role/list";
const ROLE_ADD: &str = "/api/v2/Role/add";
const ROLE_UPDATE: &str = "/api/v2/Role/update";

const FRESH_ROLES: &str =
    r#"{"response":[{"roleId":"1","name":"Agent","permissions":[]}],"status":"success","code":200}"#;
const NO_GROUPS: &str = r#"{"response":{},"status":"success","code":200}"#;
const GROUP_UPDATED: &str = r#"{"status":"success","code":200,"message":"Group updated"}"#;
const GROUP_DELETED: &str = r#"{"status":"success","code":200,"message":"Group deleted"}"#;

/// `{<creds>,<fields>}` — a request body for `account`.
fn body(account: &Account, fields: &str) -> String {
    if fields.is_empty() { format!("{{{}}}", account.creds()) } else { format!("{{{},{fields}}}", account.creds()) }
}

/// `{"ssid":…,<fields>}` — a request body for a session.
fn session_body(ssid: &str, fields: &str) -> String {
    if fields.is_empty() { format!(r#"{{"ssid":"{ssid}"}}"#) } else { format!(r#"{{"ssid":"{ssid}",{fields}}}"#) }
}

/// The body `Group/add` answers for a stored group.
fn added(id: i64, name: &str) -> String {
    format!(r#"{{"groupId":{id},"name":"{name}","status":"success","code":200}}"#)
}

async fn add_group(app: &TestApp, account: &Account, name: &str, expected_id: i64, expected_name: &str) {
    app.expect(GROUP_ADD, &body(account, &format!(r#""name":"{name}""#)), &added(expected_id, expected_name)).await;
}

/// An agent of `account` with a known login, in `role`; returns its id.
async fn agent_with_login(app: &TestApp, account: &Account, email: &str, role: &str) -> i64 {
    let fields = format!(r#""name":"Asha Rao","email":"{email}","password":"agent-pass-1","role":"{role}""#);
    app.agent(account, &fields).await
}

backend_test!(adding_a_group_answers_its_id_and_stored_name, |app| {
    let account = app.account().await;
    add_group(&app, &account, "Sales", 1, "Sales").await;
    // Ids are sequential per account; the name is trimmed; status 0 is allowed.
    app.expect(GROUP_ADD, &body(&account, r#""name":"  Support  ","status":0"#), &added(2, "Support")).await;
    app.expect(GROUP_ADD, &body(&account, r#""name":"Billing","status":"1""#), &added(3, "Billing")).await;
    app.expect(
        GROUP_LIST,
        &body(&account, ""),
        r#"{"response":{"1":{"name":"Sales","status":1,"agents":0},"2":{"name":"Support","status":0,"agents":0},"3":{"name":"Billing","status":1,"agents":0}},"status":"success","code":200}"#,
    )
    .await;
});

backend_test!(a_taken_group_name_gets_the_first_free_numeric_suffix_ignoring_case, |app| {
    let account = app.account().await;
    // A longer name that merely starts with "Sales" does not take "Sales".
    add_group(&app, &account, "Sales Team", 1, "Sales Team").await;
    add_group(&app, &account, "Sales", 2, "Sales").await;
    add_group(&app, &account, "Sales", 3, "Sales 2").await;
    add_group(&app, &account, "SALES", 4, "SALES 3").await;
    add_group(&app, &account, "sales 2", 5, "sales 2 2").await;
    // A freed name is free again: the suffix is the first unused one.
    app.expect(GROUP_DELETE, &body(&account, r#""groupId":3"#), GROUP_DELETED).await;
    add_group(&app, &account, "Sales", 6, "Sales 2").await;
    // Case is folded beyond ASCII too.
    add_group(&app, &account, "Überweisung", 7, "Überweisung").await;
    add_group(&app, &account, "ÜBERWEISUNG", 8, "ÜBERWEISUNG 2").await;
    app.expect(
        GROUP_LIST,
        &body(&account, r#""quick":true"#),
        concat!(
            r#"{"response":{"1":"Sales Team","2":"Sales","4":"SALES 3","5":"sales 2 2","6":"Sales 2","#,
            r#""7":"Überweisung","8":"ÜBERWEISUNG 2"},"status":"success","code":200}"#
        ),
    )
    .await;
});

backend_test!(group_add_without_a_usable_name_or_with_a_bad_status_is_refused, |app| {
    let account = app.account().await;
    for fields in [r#""status":1"#, r#""name":"""#, r#""name":"   ""#, r#""name":null"#, r#""name":42"#] {
        app.expect_error(GROUP_ADD, &body(&account, fields), 1501, "The 'Name' field was not provided").await;
    }
    for status in ["2", "-1", r#""active""#, "true", "1.5"] {
        let fields = format!(r#""name":"Sales","status":{status}"#);
        app.expect_error(GROUP_ADD, &body(&account, &fields), 1504, "Invalid status value").await;
    }
    // Nothing was stored by the refused requests.
    app.expect(GROUP_LIST, &body(&account, ""), NO_GROUPS).await;
});

backend_test!(group_update_needs_an_existing_group_id, |app| {
    let account = app.account().await;
    add_group(&app, &account, "Sales", 1, "Sales").await;
    for fields in [r#""name":"Renamed""#, r#""groupId":"abc","name":"Renamed""#, r#""groupId":0,"name":"Renamed""#] {
        app.expect_error(GROUP_UPDATE, &body(&account, fields), 1502, "GroupId is required").await;
    }
    for id in ["2", r#""99""#] {
        let fields = format!(r#""groupId":{id},"name":"Renamed""#);
        app.expect_error(GROUP_UPDATE, &body(&account, &fields), 1503, "Group not found or not authorized").await;
    }
    app.expect_error(GROUP_UPDATE, &body(&account, r#""groupId":1"#), 1501, "The 'Name' field was not provided").await;
    app.expect_error(
        GROUP_UPDATE,
        &body(&account, r#""groupId":1,"name":"Renamed","status":3"#),
        1504,
        "Invalid status value",
    )
    .await;
    app.expect(
        GROUP_LIST,
        &body(&account, ""),
        r#"{"response":{"1":{"name":"Sales","status":1,"agents":0}},"status":"success","code":200}"#,
    )
    .await;
});

backend_test!(group_update_renames_and_sets_the_status, |app| {
    let account = app.account().await;
    add_group(&app, &account, "Sales", 1, "Sales").await;
    add_group(&app, &account, "Support", 2, "Support").await;
    app.expect(GROUP_UPDATE, &body(&account, r#""groupId":"1","name":"Inbound Sales","status":0"#), GROUP_UPDATED)
        .await;
    // `groupid` is the other documented spelling; a group keeps its own name
    // in another case without a suffix.
    app.expect(GROUP_UPDATE, &body(&account, r#""groupid":2,"name":"SUPPORT""#), GROUP_UPDATED).await;
    app.expect(
        GROUP_LIST,
        &body(&account, ""),
        r#"{"response":{"1":{"name":"Inbound Sales","status":0,"agents":0},"2":{"name":"SUPPORT","status":1,"agents":0}},"status":"success","code":200}"#,
    )
    .await;
    // The old name is free again; renaming onto a taken name suffixes it as add does.
    add_group(&app, &account, "Sales", 3, "Sales").await;
    app.expect(GROUP_UPDATE, &body(&account, r#""groupId":2,"name":"sales""#), GROUP_UPDATED).await;
    app.expect(
        GROUP_LIST,
        &body(&account, r#""quick":true"#),
        r#"{"response":{"1":"Inbound Sales","2":"sales 2","3":"Sales"},"status":"success","code":200}"#,
    )
    .await;
});

backend_test!(deleting_a_group_removes_it_and_every_agent_mapping_to_it, |app| {
    let account = app.account().await;
    add_group(&app, &account, "Sales", 1, "Sales").await;
    add_group(&app, &account, "Support", 2, "Support").await;
    let agent = app
        .agent(&account, r#""name":"Asha Rao","email":"asha@example.com","group":{"1":{"receive_call":"Y"},"2":{"receive_call":"N"}}"#)
        .await;
    assert_eq!(agent, 1);
    app.expect(
        GROUP_LIST,
        &body(&account, ""),
        r#"{"response":{"1":{"name":"Sales","status":1,"agents":1},"2":{"name":"Support","status":1,"agents":1}},"status":"success","code":200}"#,
    )
    .await;

    app.expect(GROUP_DELETE, &body(&account, r#""groupId":"1""#), GROUP_DELETED).await;
    app.expect(
        GROUP_LIST,
        &body(&account, ""),
        r#"{"response":{"2":{"name":"Support","status":1,"agents":1}},"status":"success","code":200}"#,
    )
    .await;
    let list = app.post("/api/v2/Agent/list", &body(&account, "")).await.json();
    let item = &list["response"][0];
    assert_eq!(item["unique_id"], 1);
    assert_eq!(item["group"].to_string(), "[2]");
    assert_eq!(item["groupNames"].to_string(), r#"[{"2":"Support"}]"#);

    app.expect(GROUP_DELETE, &body(&account, r#""groupid":2"#), GROUP_DELETED).await;
    let list = app.post("/api/v2/Agent/list", &body(&account, "")).await;
    let create_date = list.json()["response"][0]["create_date"].as_i64().unwrap();
    let expected = format!(
        concat!(
            r#"{{"response":[{{"name":"Asha Rao","favorite":"","email":"asha@example.com","phone":"","address":"","#,
            r#""dest_type":"MOBILE","dest_value":"","call_pass":"********","role":"1","parent":",START,","#,
            r#""create_date":{date},"create_by":"{user}","create_by_type":"","user_id":"{user}","unique_id":1,"#,
            r#""allowDid":"","status":1,"isDeleted":0,"preDeleted":0,"group":[],"working":[],"groupNames":[],"#,
            r#""roleName":"Agent","cad":0}}],"agtLimit":50,"currentPage":1,"totalPages":1,"totalRecords":1,"#,
            r#""status":"success","code":200}}"#
        ),
        date = create_date,
        user = account.user_id,
    );
    assert_eq!(list.body, expected);
    app.expect(GROUP_LIST, &body(&account, ""), NO_GROUPS).await;

    // Deleting again: the group is gone.
    app.expect_error(GROUP_DELETE, &body(&account, r#""groupId":1"#), 1503, "Group not found or not authorized").await;
    app.expect_error(GROUP_DELETE, &body(&account, ""), 1502, "GroupId is required").await;
});

backend_test!(a_group_created_again_after_deletion_has_no_members, |app| {
    let account = app.account().await;
    add_group(&app, &account, "Sales", 1, "Sales").await;
    app.agent(&account, r#""name":"Asha Rao","email":"asha@example.com","group":{"1":{"receive_call":"Y"}}"#).await;
    app.expect(GROUP_DELETE, &body(&account, r#""groupId":1"#), GROUP_DELETED).await;
    // Ids are not reused, and the new group starts empty.
    add_group(&app, &account, "Sales", 2, "Sales").await;
    app.expect(
        GROUP_LIST,
        &body(&account, ""),
        r#"{"response":{"2":{"name":"Sales","status":1,"agents":0}},"status":"success","code":200}"#,
    )
    .await;
});

backend_test!(group_list_is_keyed_by_id_and_filters_by_id_and_name, |app| {
    let account = app.account().await;
    app.expect(GROUP_LIST, &body(&account, ""), NO_GROUPS).await;
    add_group(&app, &account, "Sales", 1, "Sales").await;
    app.expect(
        GROUP_LIST,
        &body(&account, ""),
        r#"{"response":{"1":{"name":"Sales","status":1,"agents":0}},"status":"success","code":200}"#,
    )
    .await;
    app.expect(
        GROUP_LIST,
        &body(&account, r#""quick":true"#),
        r#"{"response":{"1":"Sales"},"status":"success","code":200}"#,
    )
    .await;
    add_group(&app, &account, "Support", 2, "Support").await;
    add_group(&app, &account, "Wholesale", 3, "Wholesale").await;

    let only_two = r#"{"response":{"2":{"name":"Support","status":1,"agents":0}},"status":"success","code":200}"#;
    app.expect(GROUP_LIST, &body(&account, r#""groupid":"2""#), only_two).await;
    app.expect(GROUP_LIST, &body(&account, r#""groupId":2"#), only_two).await;
    app.expect(GROUP_LIST, &body(&account, r#""groupId":9"#), NO_GROUPS).await;
    app.expect_error(GROUP_LIST, &body(&account, r#""groupId":"two""#), 1502, "GroupId is required").await;

    // `name` is a case-insensitive substring; LIKE wildcards are literal.
    let sale = r#"{"response":{"1":"Sales","3":"Wholesale"},"status":"success","code":200}"#;
    app.expect(GROUP_LIST, &body(&account, r#""quick":1,"name":"SALE""#), sale).await;
    app.expect(GROUP_LIST, &body(&account, r#""quick":"true","name":"sale""#), sale).await;
    app.expect(GROUP_LIST, &body(&account, r#""quick":true,"name":"s%t""#), NO_GROUPS).await;
    app.expect(GROUP_LIST, &body(&account, r#""quick":true,"name":"_ales""#), NO_GROUPS).await;
    app.expect(
        GROUP_LIST,
        &body(&account, r#""quick":true,"name":"sale","groupid":3"#),
        r#"{"response":{"3":"Wholesale"},"status":"success","code":200}"#,
    )
    .await;
    app.expect_error(GROUP_LIST, &body(&account, r#""quick":"yes""#), 1000, "Invalid parameter").await;
});

backend_test!(a_fresh_account_has_only_the_plain_agent_role, |app| {
    let account = app.account().await;
    app.expect(ROLE_LIST, &body(&account, ""), FRESH_ROLES).await;
});

backend_test!(roles_are_added_with_their_permissions_sorted_by_name, |app| {
    let account = app.account().await;
    app.expect(
        ROLE_ADD,
        &body(&account, r#""name":"Supervisor","permissions":["VIEW_AGENTS","EDIT_AGENTS","VIEW_AGENTS"]"#),
        r#"{"roleId":"2","name":"Supervisor","permissions":["EDIT_AGENTS","VIEW_AGENTS"],"status":"success","code":200}"#,
    )
    .await;
    app.expect(
        ROLE_ADD,
        &body(&account, r#""name":" Trainee ""#),
        r#"{"roleId":"3","name":"Trainee","permissions":[],"status":"success","code":200}"#,
    )
    .await;
    app.expect(
        ROLE_LIST,
        &body(&account, ""),
        concat!(
            r#"{"response":[{"roleId":"1","name":"Agent","permissions":[]},"#,
            r#"{"roleId":"2","name":"Supervisor","permissions":["EDIT_AGENTS","VIEW_AGENTS"]},"#,
            r#"{"roleId":"3","name":"Trainee","permissions":[]}],"status":"success","code":200}"#
        ),
    )
    .await;
});

backend_test!(role_update_replaces_only_what_it_names, |app| {
    let account = app.account().await;
    app.expect(
        ROLE_ADD,
        &body(&account, r#""name":"Supervisor","permissions":["VIEW_AGENTS"]"#),
        r#"{"roleId":"2","name":"Supervisor","permissions":["VIEW_AGENTS"],"status":"success","code":200}"#,
    )
    .await;
    app.expect(
        ROLE_UPDATE,
        &body(&account, r#""roleId":"2","name":"Floor lead""#),
        r#"{"roleId":"2","name":"Floor lead","permissions":["VIEW_AGENTS"],"status":"success","code":200}"#,
    )
    .await;
    app.expect(
        ROLE_UPDATE,
        &body(&account, r#""roleId":2,"permissions":["MANAGE_ROLES","AGENT_TO_AGENT_CALL","MANAGE_GROUPS"]"#),
        r#"{"roleId":"2","name":"Floor lead","permissions":["AGENT_TO_AGENT_CALL","MANAGE_GROUPS","MANAGE_ROLES"],"status":"success","code":200}"#,
    )
    .await;
    // `role` is the other spelling; an empty list takes every permission away.
    app.expect(
        ROLE_UPDATE,
        &body(&account, r#""role":"2","name":"Lead","permissions":[]"#),
        r#"{"roleId":"2","name":"Lead","permissions":[],"status":"success","code":200}"#,
    )
    .await;
    app.expect(
        ROLE_LIST,
        &body(&account, ""),
        r#"{"response":[{"roleId":"1","name":"Agent","permissions":[]},{"roleId":"2","name":"Lead","permissions":[]}],"status":"success","code":200}"#,
    )
    .await;
});

backend_test!(role_requests_with_a_missing_name_a_bad_permission_or_an_unknown_id_are_refused, |app| {
    let account = app.account().await;
    for fields in [r#""permissions":["VIEW_AGENTS"]"#, r#""name":"  ""#, r#""name":7"#] {
        app.expect_error(ROLE_ADD, &body(&account, fields), 1501, "The 'Name' field was not provided").await;
    }
    for permissions in [r#"["FLY"]"#, r#"["view_agents"]"#, r#"["VIEW_AGENTS",3]"#, r#""VIEW_AGENTS""#] {
        let fields = format!(r#""name":"Supervisor","permissions":{permissions}"#);
        app.expect_error(ROLE_ADD, &body(&account, &fields), 1502, "Invalid permission").await;
    }
    app.expect(ROLE_LIST, &body(&account, ""), FRESH_ROLES).await;

    for fields in [r#""roleId":2,"name":"Ghost""#, r#""roleId":"abc","name":"Ghost""#, r#""name":"Ghost""#] {
        app.expect_error(ROLE_UPDATE, &body(&account, fields), 1503, "Invalid role id").await;
    }
    app.expect_error(
        ROLE_UPDATE,
        &body(&account, r#""roleId":1,"name":"""#),
        1501,
        "The 'Name' field was not provided",
    )
    .await;
    app.expect_error(ROLE_UPDATE, &body(&account, r#""roleId":1,"permissions":["NOPE"]"#), 1502, "Invalid permission")
        .await;
    // A refused update changes nothing.
    app.expect(ROLE_LIST, &body(&account, ""), FRESH_ROLES).await;
});

backend_test!(an_agent_may_manage_groups_only_once_its_role_allows_it, |app| {
    let account = app.account().await;
    app.expect(
        ROLE_ADD,
        &body(&account, r#""name":"Floor lead","permissions":["VIEW_AGENTS"]"#),
        r#"{"roleId":"2","name":"Floor lead","permissions":["VIEW_AGENTS"],"status":"success","code":200}"#,
    )
    .await;
    agent_with_login(&app, &account, "lead@example.com", "2").await;
    let ssid = app.login("lead@example.com", "agent-pass-1").await;

    let add = session_body(&ssid, r#""name":"Sales""#);
    app.expect_error(GROUP_ADD, &add, 1015, "Permission denied").await;
    app.expect_error(GROUP_UPDATE, &session_body(&ssid, r#""groupId":1,"name":"X""#), 1015, "Permission denied").await;
    app.expect_error(GROUP_DELETE, &session_body(&ssid, r#""groupId":1"#), 1015, "Permission denied").await;
    app.expect(GROUP_LIST, &session_body(&ssid, ""), NO_GROUPS).await;

    app.expect(
        ROLE_UPDATE,
        &body(&account, r#""roleId":2,"permissions":["VIEW_AGENTS","MANAGE_GROUPS"]"#),
        r#"{"roleId":"2","name":"Floor lead","permissions":["MANAGE_GROUPS","VIEW_AGENTS"],"status":"success","code":200}"#,
    )
    .await;
    // The same session, no new login: the role is read on every request.
    app.expect(GROUP_ADD, &add, &added(1, "Sales")).await;
    app.expect(GROUP_UPDATE, &session_body(&ssid, r#""groupId":1,"name":"Inbound""#), GROUP_UPDATED).await;
    app.expect(
        GROUP_LIST,
        &session_body(&ssid, r#""quick":true"#),
        r#"{"response":{"1":"Inbound"},"status":"success","code":200}"#,
    )
    .await;
    app.expect(GROUP_DELETE, &session_body(&ssid, r#""groupId":1"#), GROUP_DELETED).await;
    // Managing groups is not managing roles.
    app.expect_error(ROLE_ADD, &session_body(&ssid, r#""name":"Boss""#), 1015, "Permission denied").await;
    app.expect_error(ROLE_UPDATE, &session_body(&ssid, r#""roleId":2,"name":"Boss""#), 1015, "Permission denied").await;

    // Taking the permission away takes effect at once too.
    app.expect(
        ROLE_UPDATE,
        &body(&account, r#""roleId":2,"permissions":["VIEW_AGENTS"]"#),
        r#"{"roleId":"2","name":"Floor lead","permissions":["VIEW_AGENTS"],"status":"success","code":200}"#,
    )
    .await;
    app.expect_error(GROUP_ADD, &add, 1015, "Permission denied").await;
});

backend_test!(a_plain_agent_can_neither_see_nor_change_groups_and_roles, |app| {
    let account = app.account().await;
    add_group(&app, &account, "Sales", 1, "Sales").await;
    agent_with_login(&app, &account, "plain@example.com", "1").await;
    let ssid = app.login("plain@example.com", "agent-pass-1").await;
    for (path, fields) in [
        (GROUP_LIST, ""),
        (GROUP_ADD, r#""name":"Support""#),
        (ROLE_LIST, ""),
        (ROLE_ADD, r#""name":"Boss""#),
        (ROLE_UPDATE, r#""roleId":1,"permissions":["MANAGE_ROLES"]"#),
    ] {
        app.expect_error(path, &session_body(&ssid, fields), 1015, "Permission denied").await;
    }
    // An agent that forwards calls may list the groups, and nothing more.
    app.expect(
        ROLE_UPDATE,
        &body(&account, r#""roleId":1,"permissions":["AGENT_TO_AGENT_CALL"]"#),
        r#"{"roleId":"1","name":"Agent","permissions":["AGENT_TO_AGENT_CALL"],"status":"success","code":200}"#,
    )
    .await;
    app.expect(
        GROUP_LIST,
        &session_body(&ssid, r#""quick":true"#),
        r#"{"response":{"1":"Sales"},"status":"success","code":200}"#,
    )
    .await;
    app.expect_error(ROLE_LIST, &session_body(&ssid, ""), 1015, "Permission denied").await;
});

backend_test!(an_admin_session_manages_groups_and_roles_like_the_account_token, |app| {
    let created = agentdesk::accounts::create_account(&app.store, "Center", "owner@example.com", Some("pw-123456"))
        .await
        .unwrap();
    let ssid = app.login("owner@example.com", "pw-123456").await;
    app.expect(GROUP_ADD, &session_body(&ssid, r#""name":"Sales""#), &added(1, "Sales")).await;
    app.expect(
        ROLE_ADD,
        &session_body(&ssid, r#""name":"Supervisor","permissions":["MANAGE_GROUPS"]"#),
        r#"{"roleId":"2","name":"Supervisor","permissions":["MANAGE_GROUPS"],"status":"success","code":200}"#,
    )
    .await;
    let token = Account { user_id: created.user_id, token: created.token };
    app.expect(
        GROUP_LIST,
        &body(&token, r#""quick":true"#),
        r#"{"response":{"1":"Sales"},"status":"success","code":200}"#,
    )
    .await;
});

backend_test!(one_account_cannot_see_or_change_another_accounts_groups, |app| {
    let a = app.account().await;
    let b = app.account().await;
    add_group(&app, &a, "Sales", 1, "Sales").await;
    let a_groups = r#"{"response":{"1":{"name":"Sales","status":1,"agents":0}},"status":"success","code":200}"#;

    let not_found = "Group not found or not authorized";
    app.expect_error(GROUP_UPDATE, &body(&b, r#""groupId":1,"name":"Hijacked","status":0"#), 1503, not_found).await;
    app.expect_error(GROUP_DELETE, &body(&b, r#""groupId":1"#), 1503, not_found).await;
    app.expect(GROUP_LIST, &body(&b, ""), NO_GROUPS).await;
    app.expect(GROUP_LIST, &body(&b, r#""groupId":1"#), NO_GROUPS).await;
    app.expect(GROUP_LIST, &body(&b, r#""name":"sales""#), NO_GROUPS).await;
    // B cannot map its agents to A's group either.
    let reply =
        app.post("/api/v2/Agent/create", &body(&b, r#""name":"Bo","email":"bo@example.com","group":["1"]"#)).await;
    assert_eq!(reply.body, common::error_body(1505, "Invalid group data"));
    app.expect(GROUP_LIST, &body(&a, ""), a_groups).await;

    // Names and ids are per account: B's first group is its own "Sales", id 1.
    add_group(&app, &b, "Sales", 1, "Sales").await;
    app.expect(GROUP_UPDATE, &body(&b, r#""groupId":1,"name":"B Sales""#), GROUP_UPDATED).await;
    app.expect(GROUP_DELETE, &body(&b, r#""groupId":1"#), GROUP_DELETED).await;
    app.expect(GROUP_LIST, &body(&a, ""), a_groups).await;
    app.expect(GROUP_LIST, &body(&b, ""), NO_GROUPS).await;
});

backend_test!(one_account_cannot_see_or_change_another_accounts_roles, |app| {
    let a = app.account().await;
    let b = app.account().await;
    let a_role = r#"{"roleId":"2","name":"Supervisor","permissions":["VIEW_AGENTS"],"status":"success","code":200}"#;
    app.expect(ROLE_ADD, &body(&a, r#""name":"Supervisor","permissions":["VIEW_AGENTS"]"#), a_role).await;

    app.expect_error(
        ROLE_UPDATE,
        &body(&b, r#""roleId":2,"name":"Hijacked","permissions":[]"#),
        1503,
        "Invalid role id",
    )
    .await;
    app.expect(ROLE_LIST, &body(&b, ""), FRESH_ROLES).await;
    // Nor give its agents A's role.
    app.expect_error(
        "/api/v2/Agent/create",
        &body(&b, r#""name":"Bo","email":"bo@example.com","role":"2""#),
        1503,
        "Invalid role id",
    )
    .await;
    // B changing its own role 1 leaves A's role 1 alone.
    app.expect(
        ROLE_UPDATE,
        &body(&b, r#""roleId":1,"permissions":["MANAGE_GROUPS"]"#),
        r#"{"roleId":"1","name":"Agent","permissions":["MANAGE_GROUPS"],"status":"success","code":200}"#,
    )
    .await;
    app.expect(
        ROLE_LIST,
        &body(&a, ""),
        r#"{"response":[{"roleId":"1","name":"Agent","permissions":[]},{"roleId":"2","name":"Supervisor","permissions":["VIEW_AGENTS"]}],"status":"success","code":200}"#,
    )
    .await;
});

backend_test!(concurrent_adds_of_one_name_all_succeed_with_distinct_suffixes, |app| {
    const CLIENTS: usize = 16;
    let account = app.account().await;
    let request = body(&account, r#""name":"Sales""#);
    let url = format!("{}{GROUP_ADD}", app.base);
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (client, url, request) = (app.client.clone(), url.clone(), request.clone());
            tokio::spawn(async move { client.post(url).body(request).send().await.unwrap().text().await.unwrap() })
        })
        .collect();
    let mut names = Vec::new();
    for task in tasks {
        let reply = task.await.unwrap();
        let json: serde_json::Value = serde_json::from_str(&reply).unwrap();
        let name = json["name"].as_str().unwrap_or_else(|| panic!("Group/add failed under concurrency: {reply}"));
        names.push(name.to_string());
    }
    names.sort();
    let mut expected: Vec<String> =
        (1..=CLIENTS).map(|n| if n == 1 { "Sales".to_string() } else { format!("Sales {n}") }).collect();
    expected.sort();
    assert_eq!(names, expected);
});
