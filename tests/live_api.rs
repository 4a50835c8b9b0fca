//! The live-state API around the agent's day: the break catalogue, the
//! account's settings, `Agent/live` and the validation and scope of
//! `Agent/timeLine` — exact bodies wherever they are deterministic.

mod common;

use common::{Account, TestApp};
use serde_json::{Value, json};

const BREAK_LIST: &str = "/api/v2/Break/list";
const BREAK_ADD: &str = "/api/v2/Break/add";
const BREAK_UPDATE: &str = "/api/v2/Break/update";
const BREAK_DELETE: &str = "/api/v2/Break/delete";
const SETTINGS: &str = "/api/v2/Account/settings";
const LIVE: &str = "/api/v2/Agent/live";
const TIMELINE: &str = "/api/v2/Agent/timeLine";
const MAPPING: &str = "/api/v2/Agent/updateAgentGroupMapping";
const BREAK_START: &str = "/api/v2/agentProfile/breakStart";

/// 2026-11-23 00:00 UTC.
const DAY: i64 = 1_795_392_000;
/// 10:00 that day.
const T: i64 = DAY + 10 * 3600;

const CATALOGUE: &str = r#"{"response":[{"breakId":1,"name":"Lunch","maxDuration":1800},{"breakId":2,"name":"Tea","maxDuration":900},{"breakId":3,"name":"Training","maxDuration":null}],"status":"success","code":200}"#;
const DEFAULT_SETTINGS: &str = r#"{"settings":{"timezone":"UTC","staleAfter":30,"offlineAfter":90,"wrapUpTime":30,"countryCode":"91"},"status":"success","code":200}"#;
const EMPTY_TIMELINE: &str =
    r#"{"agEvent":[],"event":[],"data":{},"lineChart":{},"window":300,"status":"success","code":200,"lstSync":0}"#;

/// A body with the account's credentials and `extra` fields.
fn with(account: &Account, extra: &str) -> String {
    if extra.is_empty() { format!("{{{}}}", account.creds()) } else { format!("{{{},{extra}}}", account.creds()) }
}

/// A body with an agent session and `extra` fields.
fn session(ssid: &str, extra: &str) -> String {
    if extra.is_empty() { format!(r#"{{"ssid":"{ssid}"}}"#) } else { format!(r#"{{"ssid":"{ssid}",{extra}}}"#) }
}

/// A catalogue reply (`Break/list`) of these `(id, name, max)` rows.
fn catalogue(rows: &[(i64, &str, Option<i64>)]) -> String {
    let items: Vec<Value> = rows.iter().map(|(id, n, m)| json!({"breakId":id,"name":n,"maxDuration":m})).collect();
    format!(r#"{{"response":{},"status":"success","code":200}}"#, serde_json::to_string(&items).unwrap())
}

fn break_reply(id: i64, name: &str, max: Option<i64>) -> String {
    let max = max.map_or("null".to_string(), |m| m.to_string());
    format!(r#"{{"breakId":{id},"name":"{name}","maxDuration":{max},"status":"success","code":200}}"#)
}

fn settings_reply(tz: &str, stale: i64, offline: i64, wrap: i64) -> String {
    settings_reply_cc(tz, stale, offline, wrap, "91")
}

fn settings_reply_cc(tz: &str, stale: i64, offline: i64, wrap: i64, cc: &str) -> String {
    format!(
        r#"{{"settings":{{"timezone":"{tz}","staleAfter":{stale},"offlineAfter":{offline},"wrapUpTime":{wrap},"countryCode":"{cc}"}},"status":"success","code":200}}"#
    )
}

/// Creates an agent that can log in; returns its id.
async fn agent(app: &TestApp, account: &Account, name: &str, email: &str) -> i64 {
    app.agent(account, &format!(r#""name":"{name}","email":"{email}","password":"pass-word-1""#)).await
}

async fn live(app: &TestApp, body: &str) -> Value {
    app.post(LIVE, body).await.json()
}

fn ids(reply: &Value) -> Vec<i64> {
    reply["response"]
        .as_array()
        .unwrap_or_else(|| panic!("{reply}"))
        .iter()
        .map(|i| i["agentId"].as_i64().unwrap())
        .collect()
}

// ---- Break ----

backend_test!(a_new_account_has_the_seeded_break_catalogue, |app| {
    let account = app.account().await;
    app.expect(BREAK_LIST, &with(&account, ""), CATALOGUE).await;
});

backend_test!(a_break_reason_is_added_with_the_next_id_and_zero_or_null_means_no_limit, |app| {
    let account = app.account().await;
    app.expect(BREAK_ADD, &with(&account, r#""name":"Smoke","maxDuration":300"#), &break_reply(4, "Smoke", Some(300)))
        .await;
    app.expect(BREAK_ADD, &with(&account, r#""name":"Prayer","maxDuration":0"#), &break_reply(5, "Prayer", None)).await;
    app.expect(BREAK_ADD, &with(&account, r#""name":"Meeting","maxDuration":null"#), &break_reply(6, "Meeting", None))
        .await;
    app.expect(BREAK_ADD, &with(&account, r#""name":"Walk""#), &break_reply(7, "Walk", None)).await;
    app.expect(
        BREAK_ADD,
        &with(&account, r#""name":"Day","maxDuration":"86400""#),
        &break_reply(8, "Day", Some(86_400)),
    )
    .await;
    let expected = catalogue(&[
        (1, "Lunch", Some(1800)),
        (2, "Tea", Some(900)),
        (3, "Training", None),
        (4, "Smoke", Some(300)),
        (5, "Prayer", None),
        (6, "Meeting", None),
        (7, "Walk", None),
        (8, "Day", Some(86_400)),
    ]);
    app.expect(BREAK_LIST, &with(&account, ""), &expected).await;
});

backend_test!(break_add_refuses_a_taken_name_a_missing_name_and_a_bad_max_duration, |app| {
    let account = app.account().await;
    for name in ["LUNCH", "tea", " Training "] {
        let body = with(&account, &format!(r#""name":"{name}""#));
        app.expect_error(BREAK_ADD, &body, 1504, "Break reason already exists").await;
    }
    for fields in [r#""maxDuration":60"#, r#""name":"""#, r#""name":"   ""#, r#""name":5"#, r#""name":null"#] {
        app.expect_error(BREAK_ADD, &with(&account, fields), 1501, "The 'Name' field was not provided").await;
    }
    for max in ["-1", "86401", r#""abc""#, "1.5", "true", "[60]"] {
        let body = with(&account, &format!(r#""name":"Nap","maxDuration":{max}"#));
        app.expect_error(BREAK_ADD, &body, 1502, "Invalid maxDuration").await;
    }
    // Nothing was added, and no id was used up.
    app.expect(BREAK_LIST, &with(&account, ""), CATALOGUE).await;
    app.expect(BREAK_ADD, &with(&account, r#""name":"Nap","maxDuration":1"#), &break_reply(4, "Nap", Some(1))).await;
});

backend_test!(a_break_reason_is_renamed_and_its_limit_changed_or_removed, |app| {
    let account = app.account().await;
    let update = |fields: &str| with(&account, fields);
    app.expect(BREAK_UPDATE, &update(r#""breakId":2,"name":"Coffee""#), &break_reply(2, "Coffee", Some(900))).await;
    app.expect(BREAK_UPDATE, &update(r#""breakId":"2","maxDuration":600"#), &break_reply(2, "Coffee", Some(600))).await;
    app.expect(BREAK_UPDATE, &update(r#""breakId":2,"maxDuration":0"#), &break_reply(2, "Coffee", None)).await;
    app.expect(BREAK_UPDATE, &update(r#""breakId":3,"maxDuration":7200"#), &break_reply(3, "Training", Some(7200)))
        .await;
    // Its own name in another case is no conflict.
    app.expect(BREAK_UPDATE, &update(r#""breakId":2,"name":"COFFEE""#), &break_reply(2, "COFFEE", None)).await;
    app.expect_error(BREAK_UPDATE, &update(r#""breakId":2,"name":"lunch""#), 1504, "Break reason already exists").await;
    for fields in [r#""breakId":99,"name":"X""#, r#""name":"X""#, r#""breakId":"abc","name":"X""#, r#""breakId":0"#] {
        app.expect_error(BREAK_UPDATE, &update(fields), 1503, "Break reason not found").await;
    }
    app.expect_error(BREAK_UPDATE, &update(r#""breakId":1,"name":"""#), 1501, "The 'Name' field was not provided")
        .await;
    for max in ["-5", "86401", r#""soon""#] {
        let body = update(&format!(r#""breakId":1,"maxDuration":{max}"#));
        app.expect_error(BREAK_UPDATE, &body, 1502, "Invalid maxDuration").await;
    }
    let expected = catalogue(&[(1, "Lunch", Some(1800)), (2, "COFFEE", None), (3, "Training", Some(7200))]);
    app.expect(BREAK_LIST, &with(&account, ""), &expected).await;
});

// `null` is a value here ("no limit"), unlike elsewhere where it means "absent".
backend_test!(break_update_with_a_null_max_duration_removes_the_limit, |app| {
    let account = app.account().await;
    let body = with(&account, r#""breakId":1,"maxDuration":null"#);
    app.expect(BREAK_UPDATE, &body, &break_reply(1, "Lunch", None)).await;
    app.expect(
        BREAK_LIST,
        &with(&account, ""),
        &catalogue(&[(1, "Lunch", None), (2, "Tea", Some(900)), (3, "Training", None)]),
    )
    .await;
});

backend_test!(a_deleted_break_reason_can_no_longer_be_taken, |app| {
    let account = app.account().await;
    agent(&app, &account, "Asha Rao", "asha@example.com").await;
    let ssid = app.login("asha@example.com", "pass-word-1").await;
    let ok = r#"{"status":"success","code":200,"message":"Break reason deleted"}"#;
    app.expect(BREAK_DELETE, &with(&account, r#""breakId":"2""#), ok).await;
    app.expect_error(BREAK_DELETE, &with(&account, r#""breakId":2"#), 1503, "Break reason not found").await;
    app.expect_error(BREAK_DELETE, &with(&account, ""), 1503, "Break reason not found").await;
    app.expect(BREAK_LIST, &with(&account, ""), &catalogue(&[(1, "Lunch", Some(1800)), (3, "Training", None)])).await;
    app.expect_error(BREAK_START, &session(&ssid, r#""reason":"Tea""#), 1508, "Invalid break reason").await;
    // Ids are not reused.
    app.expect(BREAK_ADD, &with(&account, r#""name":"Tea""#), &break_reply(4, "Tea", None)).await;
});

backend_test!(an_agent_session_may_list_breaks_but_not_change_them, |app| {
    let account = app.account().await;
    agent(&app, &account, "Asha Rao", "asha@example.com").await;
    let ssid = app.login("asha@example.com", "pass-word-1").await;
    app.expect(BREAK_LIST, &session(&ssid, ""), CATALOGUE).await;
    app.expect_error(BREAK_ADD, &session(&ssid, r#""name":"Nap""#), 1015, "Permission denied").await;
    app.expect_error(BREAK_UPDATE, &session(&ssid, r#""breakId":1,"name":"Nap""#), 1015, "Permission denied").await;
    app.expect_error(BREAK_DELETE, &session(&ssid, r#""breakId":1"#), 1015, "Permission denied").await;
    app.expect(BREAK_LIST, &with(&account, ""), CATALOGUE).await;
});

backend_test!(another_accounts_break_catalogue_is_its_own, |app| {
    let ours = app.account().await;
    let theirs = app.account().await;
    app.expect(BREAK_ADD, &with(&ours, r#""name":"Smoke""#), &break_reply(4, "Smoke", None)).await;
    app.post(BREAK_DELETE, &with(&ours, r#""breakId":1"#)).await;
    app.expect(BREAK_LIST, &with(&theirs, ""), CATALOGUE).await;
    app.expect_error(BREAK_UPDATE, &with(&theirs, r#""breakId":4,"name":"X""#), 1503, "Break reason not found").await;
    app.expect_error(BREAK_DELETE, &with(&theirs, r#""breakId":4"#), 1503, "Break reason not found").await;
    app.expect(BREAK_ADD, &with(&theirs, r#""name":"Smoke","maxDuration":60"#), &break_reply(4, "Smoke", Some(60)))
        .await;
    let ours_now = catalogue(&[(2, "Tea", Some(900)), (3, "Training", None), (4, "Smoke", None)]);
    app.expect(BREAK_LIST, &with(&ours, ""), &ours_now).await;
});

// ---- Account/settings ----

backend_test!(account_settings_start_with_the_defaults, |app| {
    let account = app.account().await;
    app.expect(SETTINGS, &with(&account, ""), DEFAULT_SETTINGS).await;
});

backend_test!(each_account_setting_can_be_changed_on_its_own, |app| {
    let account = app.account().await;
    let set = |fields: &str| with(&account, fields);
    app.expect(SETTINGS, &set(r#""timezone":"Asia/Kolkata""#), &settings_reply("Asia/Kolkata", 30, 90, 30)).await;
    app.expect(SETTINGS, &set(r#""staleAfter":45"#), &settings_reply("Asia/Kolkata", 45, 90, 30)).await;
    app.expect(SETTINGS, &set(r#""offlineAfter":"600""#), &settings_reply("Asia/Kolkata", 45, 600, 30)).await;
    app.expect(SETTINGS, &set(r#""wrapUpTime":0"#), &settings_reply("Asia/Kolkata", 45, 600, 0)).await;
    app.expect(
        SETTINGS,
        &set(r#""wrapUpTime":3600,"staleAfter":3600,"offlineAfter":86400"#),
        &settings_reply("Asia/Kolkata", 3600, 86_400, 3600),
    )
    .await;
    app.expect(SETTINGS, &set(r#""staleAfter":5,"offlineAfter":10"#), &settings_reply("Asia/Kolkata", 5, 10, 3600))
        .await;
    app.expect(SETTINGS, &set(""), &settings_reply("Asia/Kolkata", 5, 10, 3600)).await;
    app.expect(SETTINGS, &set(r#""countryCode":"44""#), &settings_reply_cc("Asia/Kolkata", 5, 10, 3600, "44")).await;
    app.expect(SETTINGS, &set(r#""countryCode":1"#), &settings_reply_cc("Asia/Kolkata", 5, 10, 3600, "1")).await;
});

backend_test!(bad_account_settings_are_refused_and_change_nothing, |app| {
    let account = app.account().await;
    let set = |fields: &str| with(&account, fields);
    for tz in [r#""Mars/Olympus""#, r#""""#, "5", "true"] {
        app.expect_error(SETTINGS, &set(&format!(r#""timezone":{tz}"#)), 1501, "Invalid timezone").await;
    }
    for stale in ["4", "3601", "0", r#""x""#, "-30"] {
        app.expect_error(SETTINGS, &set(&format!(r#""staleAfter":{stale}"#)), 1502, "Invalid staleAfter").await;
    }
    for fields in [
        r#""offlineAfter":30"#,
        r#""offlineAfter":20"#,
        r#""staleAfter":90"#,
        r#""staleAfter":100"#,
        r#""staleAfter":60,"offlineAfter":60"#,
        r#""offlineAfter":9"#,
        r#""offlineAfter":86401"#,
        r#""offlineAfter":"x""#,
    ] {
        app.expect_error(SETTINGS, &set(fields), 1503, "Invalid offlineAfter").await;
    }
    for wrap in ["3601", "-1", r#""long""#] {
        app.expect_error(SETTINGS, &set(&format!(r#""wrapUpTime":{wrap}"#)), 1504, "Invalid wrapUpTime").await;
    }
    for code in [r#""+91""#, r#""0""#, "0", "1234", r#""9a""#, r#""""#, "true", "-1"] {
        app.expect_error(SETTINGS, &set(&format!(r#""countryCode":{code}"#)), 1505, "Invalid countryCode").await;
    }
    // All or nothing: a valid time zone with a bad limit changes neither.
    app.expect_error(SETTINGS, &set(r#""timezone":"Asia/Kolkata","offlineAfter":20"#), 1503, "Invalid offlineAfter")
        .await;
    app.expect(SETTINGS, &set(""), DEFAULT_SETTINGS).await;
});

backend_test!(an_agent_session_reads_the_settings_but_cannot_change_them, |app| {
    let account = app.account().await;
    app.post(SETTINGS, &with(&account, r#""wrapUpTime":45"#)).await;
    agent(&app, &account, "Asha Rao", "asha@example.com").await;
    let ssid = app.login("asha@example.com", "pass-word-1").await;
    let current = settings_reply("UTC", 30, 90, 45);
    app.expect(SETTINGS, &session(&ssid, ""), &current).await;
    for fields in [
        r#""timezone":"Asia/Kolkata""#,
        r#""staleAfter":60,"offlineAfter":120"#,
        r#""wrapUpTime":0"#,
        r#""countryCode":"44""#,
    ] {
        app.expect_error(SETTINGS, &session(&ssid, fields), 1015, "Permission denied").await;
    }
    app.expect(SETTINGS, &with(&account, ""), &current).await;
});

backend_test!(a_changed_stale_after_takes_effect_for_a_logged_in_agent, |app| {
    let account = app.account().await;
    app.expect(SETTINGS, &with(&account, r#""staleAfter":10"#), &settings_reply("UTC", 10, 90, 30)).await;
    agent(&app, &account, "Asha Rao", "asha@example.com").await;
    app.clock.set(T);
    app.login("asha@example.com", "pass-word-1").await;
    app.clock.set(T + 9);
    app.step().await;
    assert_eq!(live(&app, &with(&account, "")).await["response"][0]["state"], "available");
    app.clock.set(T + 10);
    app.step().await;
    let item = live(&app, &with(&account, "")).await["response"][0].clone();
    assert_eq!((item["state"].clone(), item["since"].clone()), (json!("stale"), json!(T + 10)), "{item}");

    // And a longer limit, set while the agent is back, is honoured too.
    let ssid = app.login("asha@example.com", "pass-word-1").await;
    assert_eq!(live(&app, &with(&account, "")).await["response"][0]["state"], "available");
    app.post(SETTINGS, &with(&account, r#""staleAfter":60,"offlineAfter":120"#)).await;
    app.clock.set(T + 69);
    app.step().await;
    assert_eq!(live(&app, &session(&ssid, "")).await["response"][0]["state"], "available");
    app.clock.set(T + 70);
    app.step().await;
    assert_eq!(live(&app, &session(&ssid, "")).await["response"][0]["state"], "stale");
});

// ---- Agent/live ----

backend_test!(agent_live_shows_every_key_of_a_logged_in_and_a_never_seen_agent, |app| {
    let account = app.account().await;
    app.clock.set(T);
    agent(&app, &account, "Asha Rao", "asha@example.com").await;
    app.agent(&account, r#""name":"Ben Okafor","email":"ben@example.com""#).await;
    app.login("asha@example.com", "pass-word-1").await;
    app.clock.set(T + 12);
    let expected = format!(
        r#"{{"response":[{{"agentId":1,"name":"Asha Rao","status":1,"cad":0,"state":"available","since":{T},"duration":12,"loginAt":{T},"lastPing":null,"micPerm":null,"breakDetail":null,"queuedBreak":null,"wrapETime":null,"call":null,"groups":{{}}}},{{"agentId":2,"name":"Ben Okafor","status":1,"cad":0,"state":"offline","since":0,"duration":0,"loginAt":null,"lastPing":null,"micPerm":null,"breakDetail":null,"queuedBreak":null,"wrapETime":null,"call":null,"groups":{{}}}}],"counts":{{"offline":1,"available":1,"ringing":0,"on_call":0,"wrap_up":0,"break":0,"stale":0}},"serverTime":{},"status":"success","code":200}}"#,
        T + 12
    );
    app.expect(LIVE, &with(&account, ""), &expected).await;
});

backend_test!(agent_live_filters_by_agent_and_group_and_shows_the_group_mappings, |app| {
    let account = app.account().await;
    let asha = agent(&app, &account, "Asha Rao", "asha@example.com").await;
    let ben = agent(&app, &account, "Ben Okafor", "ben@example.com").await;
    let sales = app.group(&account, "Sales").await;
    let support = app.group(&account, "Support").await;
    let ok = r#"{"status":"success","code":200,"message":"Agent group mapping updated"}"#;
    let map = |agent: i64, group: String| with(&account, &format!(r#""agentId":"{agent}","group":{{{group}}}"#));
    app.expect(MAPPING, &map(asha, format!(r#""{sales}":{{"receive_call":"Y"}}"#)), ok).await;
    let ben_groups = format!(r#""{sales}":{{"receive_call":"N"}},"{support}":{{"receive_call":"Y"}}"#);
    app.expect(MAPPING, &map(ben, ben_groups), ok).await;

    let all = live(&app, &with(&account, "")).await;
    assert_eq!(all["response"][0]["groups"], json!({ sales.to_string(): "Y" }));
    assert_eq!(all["response"][1]["groups"], json!({ sales.to_string(): "N", support.to_string(): "Y" }));

    let only_ben = live(&app, &with(&account, &format!(r#""agentId":"{ben}""#))).await;
    assert_eq!(ids(&only_ben), vec![ben]);
    assert_eq!(
        only_ben["counts"],
        json!({"offline":1,"available":0,"ringing":0,"on_call":0,"wrap_up":0,"break":0,"stale":0})
    );
    assert_eq!(ids(&live(&app, &with(&account, &format!(r#""groupid":{support}"#))).await), vec![ben]);
    assert_eq!(ids(&live(&app, &with(&account, &format!(r#""groupId":"{sales}""#))).await), vec![asha, ben]);
    assert_eq!(
        ids(&live(&app, &with(&account, &format!(r#""groupid":{support},"agentId":{asha}"#))).await),
        Vec::<i64>::new()
    );

    for group in ["999", r#""abc""#, "0"] {
        let body = with(&account, &format!(r#""groupid":{group}"#));
        app.expect_error(LIVE, &body, 1006, "GroupId does not exist").await;
    }
    for id in ["99", r#""x""#] {
        app.expect_error(LIVE, &with(&account, &format!(r#""agentId":{id}"#)), 1509, "Invalid agentId").await;
    }
});

backend_test!(an_agent_without_view_agents_sees_only_itself_in_agent_live, |app| {
    let account = app.account().await;
    let asha = agent(&app, &account, "Asha Rao", "asha@example.com").await;
    let ben = agent(&app, &account, "Ben Okafor", "ben@example.com").await;
    let ssid = app.login("asha@example.com", "pass-word-1").await;
    let mine = live(&app, &session(&ssid, "")).await;
    assert_eq!(ids(&mine), vec![asha]);
    assert_eq!(
        mine["counts"],
        json!({"offline":0,"available":1,"ringing":0,"on_call":0,"wrap_up":0,"break":0,"stale":0})
    );
    assert_eq!(ids(&live(&app, &session(&ssid, &format!(r#""agentId":{asha}"#))).await), vec![asha]);
    for other in [ben, 99] {
        app.expect_error(LIVE, &session(&ssid, &format!(r#""agentId":"{other}""#)), 1015, "Permission denied").await;
    }
});

backend_test!(an_agent_whose_role_has_view_agents_sees_every_agent, |app| {
    let account = app.account().await;
    let role = app
        .post("/api/v2/Role/add", &with(&account, r#""name":"Supervisor","permissions":["VIEW_AGENTS"]"#))
        .await
        .json();
    let role_id = role["roleId"].as_str().unwrap_or_else(|| panic!("{role}")).to_string();
    let asha = agent(&app, &account, "Asha Rao", "asha@example.com").await;
    let sup = app
        .agent(
            &account,
            &format!(r#""name":"Sam Sup","email":"sup@example.com","password":"pass-word-1","role":"{role_id}""#),
        )
        .await;
    let ssid = app.login("sup@example.com", "pass-word-1").await;
    let all = live(&app, &session(&ssid, "")).await;
    assert_eq!(ids(&all), vec![asha, sup]);
    assert_eq!(all["counts"]["available"], 1);
    assert_eq!(all["counts"]["offline"], 1);
    assert_eq!(ids(&live(&app, &session(&ssid, &format!(r#""agentId":{asha}"#))).await), vec![asha]);
    app.expect_error(LIVE, &session(&ssid, r#""agentId":99"#), 1509, "Invalid agentId").await;
});

// ---- Agent/timeLine ----

backend_test!(timeline_refuses_a_bad_filter_window_lst_sync_or_all, |app| {
    let account = app.account().await;
    let t = |fields: &str| with(&account, fields);
    for filter in [
        r#"{"key":"date","value":"2026-11-23"}"#,
        r#""2026-11-23""#,
        "5",
        r#"["date"]"#,
        r#"[{"key":"status","value":"1"}]"#,
        r#"[{"status":"1"}]"#,
        r#"[{"key":"date"}]"#,
        r#"[{"key":"date","value":"2026-11-23","extra":1}]"#,
    ] {
        app.expect_error(TIMELINE, &t(&format!(r#""filter":{filter}"#)), 1502, "Invalid filter value").await;
    }
    for date in [r#""23-11-2026""#, r#""2026-13-01""#, r#""2026-11-31""#, r#""2026-1-23""#, "20261123", r#""""#] {
        let body = t(&format!(r#""filter":[{{"key":"date","value":{date}}}]"#));
        app.expect_error(TIMELINE, &body, 1028, "Invalid date format").await;
    }
    for fields in [
        r#""window":59"#,
        r#""window":86401"#,
        r#""window":"abc""#,
        r#""lstSync":-1"#,
        r#""lstSync":"x""#,
        r#""all":2"#,
        r#""all":-1"#,
    ] {
        app.expect_error(TIMELINE, &t(fields), 1502, "Invalid filter value").await;
    }
});

backend_test!(timeline_accepts_the_short_filter_item_form_and_honours_the_window, |app| {
    let account = app.account().await;
    agent(&app, &account, "Asha Rao", "asha@example.com").await;
    app.clock.set(T);
    app.login("asha@example.com", "pass-word-1").await;
    app.clock.set(T + 600);
    let short = app.post(TIMELINE, &with(&account, r#""filter":[{"date":"2026-11-23"}],"window":600"#)).await;
    let long =
        app.post(TIMELINE, &with(&account, r#""filter":[{"key":"date","value":"2026-11-23"}],"window":"600""#)).await;
    assert_eq!(short.body, long.body);
    let reply = short.json();
    assert_eq!(reply["window"], 600);
    assert_eq!(
        reply["data"],
        json!({"1":[{"state":"offline","start":DAY,"end":T,"duration":T - DAY},
                    {"state":"available","start":T,"end":T + 600,"duration":600}]})
    );
    let chart = reply["lineChart"].as_object().unwrap();
    assert_eq!(chart.keys().collect::<Vec<_>>(), vec!["available"]);
    let mut expected = vec![0i64; 144];
    expected[60] = 600;
    assert_eq!(chart["available"], json!(expected));

    for (window, buckets) in [(60, 1440), (86_400, 1), (7000, 13)] {
        let body = with(&account, &format!(r#""filter":[{{"date":"2026-11-23"}}],"window":{window}"#));
        let reply = app.post(TIMELINE, &body).await.json();
        let series = reply["lineChart"]["available"].as_array().unwrap();
        assert_eq!((reply["window"].as_i64(), series.len()), (Some(window), buckets));
        assert_eq!(series.iter().map(|v| v.as_i64().unwrap()).sum::<i64>(), 600);
    }
});

backend_test!(timeline_all_1_returns_every_event_whatever_the_lst_sync, |app| {
    let account = app.account().await;
    agent(&app, &account, "Asha Rao", "asha@example.com").await;
    agent(&app, &account, "Ben Okafor", "ben@example.com").await;
    app.clock.set(T);
    let asha = app.login("asha@example.com", "pass-word-1").await;
    app.clock.set(T + 5);
    app.login("ben@example.com", "pass-word-1").await;
    app.clock.set(T + 10);
    app.post(BREAK_START, &session(&asha, r#""reason":"Tea""#)).await;
    let seqs = |reply: &Value| -> Vec<i64> {
        reply["agEvent"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect()
    };
    let ask = |fields: &str| {
        let body = with(&account, fields);
        let app = &app;
        async move { app.post(TIMELINE, &body).await }
    };
    let everything = ask("").await.json();
    assert_eq!((seqs(&everything), everything["lstSync"].clone()), (vec![1, 2, 3], json!(3)));
    let newer = ask(r#""lstSync":2"#).await.json();
    assert_eq!((seqs(&newer), newer["lstSync"].clone()), (vec![3], json!(3)));
    for fields in [r#""lstSync":3"#, r#""lstSync":3,"all":0"#, r#""lstSync":"7""#] {
        let none = ask(fields).await.json();
        assert_eq!(seqs(&none), Vec::<i64>::new(), "{fields}");
    }
    let all = ask(r#""lstSync":3,"all":1"#).await.json();
    assert_eq!((seqs(&all), all["lstSync"].clone()), (vec![1, 2, 3], json!(3)));
    assert_eq!(all["data"], everything["data"]);
});

backend_test!(an_agent_without_view_agents_gets_only_its_own_timeline, |app| {
    let account = app.account().await;
    let asha = agent(&app, &account, "Asha Rao", "asha@example.com").await;
    let ben = agent(&app, &account, "Ben Okafor", "ben@example.com").await;
    app.clock.set(T);
    let ssid = app.login("asha@example.com", "pass-word-1").await;
    app.clock.set(T + 5);
    app.login("ben@example.com", "pass-word-1").await;
    app.clock.set(T + 60);
    let keys = |reply: &Value| -> Vec<String> { reply["data"].as_object().unwrap().keys().cloned().collect() };
    let agents = |reply: &Value| -> Vec<i64> {
        reply["agEvent"].as_array().unwrap().iter().map(|e| e["agentId"].as_i64().unwrap()).collect()
    };
    let owner = app.post(TIMELINE, &with(&account, "")).await.json();
    assert_eq!((keys(&owner), agents(&owner)), (vec!["1".to_string(), "2".to_string()], vec![asha, ben]));
    let mine = app.post(TIMELINE, &session(&ssid, "")).await.json();
    assert_eq!((keys(&mine), agents(&mine)), (vec!["1".to_string()], vec![asha]));
    let named = app.post(TIMELINE, &session(&ssid, &format!(r#""filter":[{{"agentId":"{asha}"}}]"#))).await;
    assert_eq!(named.body, app.post(TIMELINE, &session(&ssid, "")).await.body);
    for other in [ben, 99] {
        let body = session(&ssid, &format!(r#""filter":[{{"key":"agentId","value":{other}}}]"#));
        app.expect_error(TIMELINE, &body, 1015, "Permission denied").await;
    }
});

backend_test!(a_day_without_activity_has_an_empty_timeline, |app| {
    let account = app.account().await;
    agent(&app, &account, "Asha Rao", "asha@example.com").await;
    app.clock.set(T);
    app.login("asha@example.com", "pass-word-1").await;
    app.clock.set(T + 60);
    // The day before, and the day after (not begun yet, though she is logged in).
    for date in ["2026-11-22", "2026-11-24"] {
        let body = with(&account, &format!(r#""filter":[{{"key":"date","value":"{date}"}}]"#));
        app.expect(TIMELINE, &body, EMPTY_TIMELINE).await;
    }
    let reply = app.post(TIMELINE, &with(&account, r#""filter":[{"date":"2026-11-23"}]"#)).await.json();
    assert_eq!(reply["data"]["1"][1], json!({"state":"available","start":T,"end":T + 60,"duration":60}));
});
