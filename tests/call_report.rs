//! The call report (`callreport/list`, `reportCount`, `detail`; issue 29):
//! the finished calls of a range of days in the account's time zone, each
//! row the push report's fields, folded from the event log when asked.

mod common;

use common::{Account, TestApp, error_body};
use serde_json::{Value, json};

const LIST: &str = "/api/v2/callreport/list";
const COUNT: &str = "/api/v2/callreport/reportCount";
const DETAIL: &str = "/api/v2/CallReport/detail";

/// 2026-11-23 10:00 in Asia/Kolkata (04:30 UTC).
const T: i64 = 1_795_392_000 + 16_200;
const DAY: i64 = 86_400;

fn with_creds(account: &Account, mut body: Value) -> String {
    body["userId"] = json!(account.user_id);
    body["token"] = json!(account.token);
    body.to_string()
}

/// Sends one call's facts: `(call, agent, event, seconds after start, direction)`.
async fn facts(app: &TestApp, account: &Account, group: i64, start: i64, facts: &[(&str, i64, &str, i64, &str)]) {
    let events: Vec<Value> = facts
        .iter()
        .map(|(call, agent, event, after, direction)| {
            let number = if *direction == "outbound" { "9822200202" } else { "9811100101" };
            json!({"callId": call, "agentId": agent, "event": event, "time": start + after,
                   "direction": direction, "callerNumber": number, "groupId": group})
        })
        .collect();
    let reply = app.post("/api/v2/callEvent", &with_creds(account, json!({"events": events}))).await.json();
    assert_eq!(reply["accepted"], json!(facts.len()), "{reply}");
}

/// An account in Asia/Kolkata with group Sales, agents Asha and Bilal, and
/// three finished calls: c1 (ring-all, Bilal answers, 60 s) and c2 (Asha
/// misses it) on 2026-11-23, c3 (Asha dials out, 30 s) on the 24th; c4
/// still rings today.
async fn month(app: &TestApp) -> (Account, i64, i64, i64) {
    app.clock.set(T - 3600);
    let account = app.account().await;
    let tz = app.post("/api/v2/Account/settings", &with_creds(&account, json!({"timezone": "Asia/Kolkata"}))).await;
    assert_eq!(tz.json()["status"], "success");
    let group = app.group(&account, "Sales").await;
    let asha = app.agent(&account, r#""name":"Asha","email":"asha@x.com","password":"pass-word-1""#).await;
    let bilal = app.agent(&account, r#""name":"Bilal","email":"bilal@x.com","password":"pass-word-1""#).await;
    // Bilal logs in days later, and only then are the calls told (a PBX
    // catching up): their facts are logged long after they happened.
    app.clock.set(T + 3 * DAY - 20);
    app.login("bilal@x.com", "pass-word-1").await;
    let (a, b) = (asha, bilal);
    let inbound = "inbound";
    facts(
        app,
        &account,
        group,
        T,
        &[
            ("c1", a, "offered", 0, inbound),
            ("c1", b, "offered", 0, inbound),
            ("c1", b, "answered", 7, inbound),
            ("c1", a, "missed", 7, inbound),
            ("c1", b, "ended", 67, inbound),
        ],
    )
    .await;
    facts(app, &account, group, T + 3600, &[("c2", a, "offered", 0, inbound), ("c2", a, "missed", 20, inbound)]).await;
    let out = "outbound";
    facts(
        app,
        &account,
        group,
        T + DAY,
        &[("c3", a, "offered", 0, out), ("c3", a, "answered", 5, out), ("c3", a, "ended", 35, out)],
    )
    .await;
    // Bilal is logged in when c4 rings it (a ring for an offline agent is
    // over at once: missed).
    app.clock.set(T + 3 * DAY);
    facts(app, &account, group, T + 3 * DAY - 10, &[("c4", b, "offered", 0, inbound)]).await;
    (account, group, asha, bilal)
}

/// The rows as `list` shows them (no `nHDetail`).
fn rows(account: &Account, group: i64, asha: i64, bilal: i64) -> [Value; 3] {
    let user = account.user_id.clone();
    [
        json!({"callId": "c3", "userId": user, "cType": "outbound", "did": null, "cNumber": "919822200202",
               "cNumber10": "9822200202", "masterAgent": "Asha", "masterGroupId": group, "callStatus": 3,
               "firstAttended": asha.to_string(), "firstAnswerTime": "2026-11-24 10:00:05",
               "lastHangupTime": "2026-11-24 10:00:35", "lastFirstDuration": 30, "talkDuration": 30,
               "agentOnCallDuration": 30, "callOutcome": "answered", "callStartTime": "2026-11-24 10:00:00"}),
        json!({"callId": "c2", "userId": user, "cType": "inbound", "did": null, "cNumber": "919811100101",
               "cNumber10": "9811100101", "callStatus": 2, "lastHangupTime": "2026-11-23 11:00:20",
               "talkDuration": 0, "agentOnCallDuration": 0, "callOutcome": "missed",
               "callStartTime": "2026-11-23 11:00:00"}),
        json!({"callId": "c1", "userId": user, "cType": "inbound", "did": null, "cNumber": "919811100101",
               "cNumber10": "9811100101", "masterAgent": "Bilal", "masterGroupId": group, "callStatus": 3,
               "firstAttended": bilal.to_string(), "firstAnswerTime": "2026-11-23 10:00:07",
               "lastHangupTime": "2026-11-23 10:01:07", "lastFirstDuration": 60, "talkDuration": 60,
               "agentOnCallDuration": 60, "callOutcome": "answered", "callStartTime": "2026-11-23 10:00:00"}),
    ]
}

fn page(rows: &[&Value], limit: i64, current: i64, total: i64) -> String {
    json!({"response": rows, "limit": limit, "currentPage": current,
           "totalPages": (total + limit - 1) / limit, "totalRecords": total, "status": "success", "code": 200})
    .to_string()
}

backend_test!(a_range_of_days_lists_its_finished_calls_newest_first_as_push_reports, |app| {
    let (account, group, asha, bilal) = month(&app).await;
    let [c3, c2, c1] = rows(&account, group, asha, bilal);
    let list = |fields: Value| with_creds(&account, fields);
    // Both days; c4 still rings and is not in the report.
    app.expect(LIST, &list(json!({"from": "2026-11-23", "to": "2026-11-24"})), &page(&[&c3, &c2, &c1], 20, 1, 3)).await;
    // A page at a time.
    app.expect(
        LIST,
        &list(json!({"from": "2026-11-23", "to": "2026-11-30", "limit": 2, "page": 2})),
        &page(&[&c1], 2, 2, 3),
    )
    .await;
    // One day in the account's zone: the 24th holds c3 alone.
    app.expect(LIST, &list(json!({"from": "2026-11-24"})), &page(&[&c3], 20, 1, 1)).await;
    // Filters.
    let range = |mut extra: Value| {
        extra["from"] = json!("2026-11-23");
        extra["to"] = json!("2026-11-24");
        list(extra)
    };
    app.expect(LIST, &range(json!({"agentId": bilal})), &page(&[&c1], 20, 1, 1)).await;
    app.expect(LIST, &range(json!({"status": "missed"})), &page(&[&c2], 20, 1, 1)).await;
    app.expect(LIST, &range(json!({"direction": "outbound"})), &page(&[&c3], 20, 1, 1)).await;
    app.expect(LIST, &range(json!({"callerNumber": "+91 98111 00101"})), &page(&[&c2, &c1], 20, 1, 2)).await;
    app.expect(LIST, &range(json!({"groupId": group + 1})), &page(&[], 20, 1, 0)).await;
    app.expect(
        COUNT,
        &range(json!({})),
        r#"{"count":3,"answered":2,"missed":1,"abandoned":0,"status":"success","code":200}"#,
    )
    .await;
    // Detail: the whole report of one call, every leg.
    let mut full = c1.clone();
    let fields = full.as_object_mut().unwrap();
    let outcome = fields.remove("callOutcome").unwrap();
    let start = fields.remove("callStartTime").unwrap();
    fields.insert(
        "nHDetail".into(),
        json!([
            {"agentId": asha.to_string(), "status": "missed", "totalRingDuration": 7},
            {"agentId": bilal.to_string(), "status": "answered", "talkDuration": 60,
             "talkSTime": "2026-11-23 10:00:07", "talkETime": "2026-11-23 10:01:07", "totalRingDuration": 7}
        ]),
    );
    fields.insert("callOutcome".into(), outcome);
    fields.insert("callStartTime".into(), start);
    let expected = json!({"response": full, "status": "success", "code": 200}).to_string();
    app.expect(DETAIL, &list(json!({"callId": "c1"})), &expected).await;
    // Another account sees none of it.
    let stranger = app.account().await;
    let theirs = with_creds(&stranger, json!({"from": "2026-11-23", "to": "2026-11-24"}));
    app.expect(LIST, &theirs, &page(&[], 20, 1, 0)).await;
    app.expect_error(DETAIL, &with_creds(&stranger, json!({"callId": "c1"})), 1012, "No data found").await;
});

backend_test!(a_bad_range_or_filter_is_refused_with_its_field_named, |app| {
    let (account, _group, _asha, _bilal) = month(&app).await;
    let list = |fields: Value| with_creds(&account, fields);
    let cases: [(&str, Value, u16, &str, &str); 6] = [
        (
            LIST,
            json!({"from": "2026-11-24", "to": "2026-11-23"}),
            1501,
            "Invalid date range",
            r#"code=1501, field="/to", reason="to must be on or after from""#,
        ),
        (
            LIST,
            json!({"from": "2026-11-01", "to": "2026-12-02"}),
            1501,
            "Invalid date range",
            r#"code=1501, field="/to", reason="a range covers at most 31 days""#,
        ),
        (
            COUNT,
            json!({"from": "23-11-2026"}),
            1028,
            "Invalid date format",
            r#"code=1028, field="/from", reason="from must be a date, YYYY-MM-DD""#,
        ),
        (
            LIST,
            json!({"status": "busy"}),
            1505,
            "Invalid filter value",
            r#"code=1505, field="/status", reason="status must be answered or missed or abandoned""#,
        ),
        (
            LIST,
            json!({"agentId": "Asha"}),
            1502,
            "Invalid agentId",
            r#"code=1502, field="/agentId", reason="agentId must be a positive integer""#,
        ),
        (
            DETAIL,
            json!({}),
            1507,
            "Invalid callId",
            r#"code=1507, field="/callId", reason="callId is required: the call's id, 1 to 128 characters""#,
        ),
    ];
    for (path, fields, code, message, detail) in cases {
        let reply = app.post(path, &list(fields.clone())).await;
        assert_eq!(reply.body, error_body(code, message), "{path} {fields}");
        assert_eq!(reply.header("agentdesk-error-detail"), detail, "{path} {fields}");
    }
    app.expect_error(DETAIL, &list(json!({"callId": "c4"})), 1012, "No data found").await;
    // An agent reads the call report only with LIST_CALL_LOG.
    let ssid = app.login("asha@x.com", "pass-word-1").await;
    app.expect_error(LIST, &json!({"ssid": ssid}).to_string(), 1015, "Permission denied").await;
    let role = app
        .post("/api/v2/Role/add", &with_creds(&account, json!({"name": "Reports", "permissions": ["LIST_CALL_LOG"]})))
        .await
        .json();
    let role_id = role["roleId"].as_str().unwrap_or_else(|| panic!("{role}")).to_string();
    let update = json!({"agentId": _asha, "role": role_id});
    assert_eq!(app.post("/api/v2/Agent/update", &with_creds(&account, update)).await.json()["status"], "success");
    let ssid = app.login("asha@x.com", "pass-word-1").await;
    let counted = app.post(COUNT, &json!({"ssid": ssid, "from": "2026-11-23", "to": "2026-11-24"}).to_string()).await;
    assert_eq!(counted.body, r#"{"count":3,"answered":2,"missed":1,"abandoned":0,"status":"success","code":200}"#);
});
