//! The account's contacts: `Directory` fields, create/update/getInfo, number
//! normalisation, call stats, tenant isolation and `agentDashboard/contactInfo` (seed 003).

mod common;

use common::{Account, Reply, TestApp};
use futures_util::future::join_all;
use serde_json::Value;

const GET_FIELDS: &str = "/api/v2/Directory/getFields";
const SET_FIELDS: &str = "/api/v2/Directory/setFields";
const CREATE: &str = "/api/v2/Directory/create";
const UPDATE: &str = "/api/v2/Directory/update";
const GET_INFO: &str = "/api/v2/Directory/getInfo";
const CONTACT_INFO: &str = "/api/v2/agentDashboard/contactInfo";
const CALL_EVENT: &str = "/api/v2/callEvent";
const SETTINGS: &str = "/api/v2/Account/settings";

/// 2026-11-23 10:00 UTC.
const T: i64 = 1_795_392_000 + 36_000;
const STANDARD: [&str; 6] = ["Name", "Email", "Address", "Company", "Designation", "DOB"];
const SEED_FIELDS: [&str; 7] = ["Name", "Address", "test", "city", "Email", "efwf", "tarun"];
const SEED_CARD: &str = r#"{"message":{"Cu":{"mobile":918302390884,"Name":"","Address":"","test":"","city":"","Email":"","efwf":"","tarun":""}},"status":"success"}"#;
const SEED_ETAG: &str = r#"W/"88-qLwe3BGz6LrXNH3FXXtRRlXawAc""#;
const NUMBER: &str = "918302390884";

fn with(account: &Account, extra: &str) -> String {
    if extra.is_empty() { format!("{{{}}}", account.creds()) } else { format!("{{{},{extra}}}", account.creds()) }
}

fn session(ssid: &str, extra: &str) -> String {
    if extra.is_empty() { format!(r#"{{"ssid":"{ssid}"}}"#) } else { format!(r#"{{"ssid":"{ssid}",{extra}}}"#) }
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// The getFields / setFields reply for `names` (standard ones by their spelling).
fn fields_reply(names: &[&str]) -> String {
    let items: Vec<String> = names
        .iter()
        .map(|n| {
            let kind = if STANDARD.contains(n) { "standard" } else { "custom" };
            format!(r#"{{"name":{},"type":"{kind}"}}"#, quote(n))
        })
        .collect();
    format!(r#"{{"fields":[{}],"status":"success","code":200}}"#, items.join(","))
}

/// `{"Field":"value",…}`: every one of `fields` in order, `""` where `values` has none.
fn card(fields: &[&str], values: &[(&str, &str)]) -> String {
    let items: Vec<String> = fields
        .iter()
        .map(|f| {
            let v = values.iter().find(|(k, _)| k == f).map_or("", |(_, v)| v);
            format!("{}:{}", quote(f), quote(v))
        })
        .collect();
    format!("{{{}}}", items.join(","))
}

/// The create / update / getInfo reply.
fn contact(number: &str, card: &str, created: i64, updated: i64, last: Option<i64>, total: i64) -> String {
    let last = last.map_or("null".to_string(), |t| t.to_string());
    format!(
        r#"{{"contact":"{number}","contactinfo":{card},"other":{{"createtime":{created},"updatetime":{updated},"lastcalltime":{last},"totalcalls":{total},"AcManId":null,"dnc":0,"blacklist":[]}},"status":"success","code":200}}"#
    )
}

/// The agentDashboard/contactInfo reply.
fn dashboard_card(mobile: &str, card: &str) -> String {
    format!(r#"{{"message":{{"Cu":{{"mobile":{mobile},{}}},"status":"success"}}"#, &card[1..])
}

async fn set_fields(app: &TestApp, account: &Account, names: &[&str]) {
    let list: Vec<String> = names.iter().map(|n| quote(n)).collect();
    app.expect(SET_FIELDS, &with(account, &format!(r#""fields":[{}]"#, list.join(","))), &fields_reply(names)).await;
}

/// Creates `number` (JSON text) with `info` (JSON object text); panics unless it succeeds.
async fn create(app: &TestApp, account: &Account, number: &str, info: &str) -> Value {
    let reply = app.post(CREATE, &with(account, &format!(r#""contact":{number},"contactinfo":{info}"#))).await.json();
    assert_eq!(reply["status"], "success", "{reply}");
    reply
}

async fn post_with(app: &TestApp, account: &Account, path: &str, extra: &str) -> Reply {
    app.post(path, &with(account, extra)).await
}

/// An agent that can log in, and its session.
async fn agent_session(app: &TestApp, account: &Account, email: &str) -> String {
    app.agent(account, &format!(r#""name":"Asha Rao","email":"{email}","password":"pass-word-1""#)).await;
    app.login(email, "pass-word-1").await
}

backend_test!(seed_003_contact_card_is_byte_exact_with_its_etag_for_every_spelling_and_principal, |app| {
    let account = app.account().await;
    set_fields(&app, &account, &SEED_FIELDS).await;
    let ssid = agent_session(&app, &account, "seed003@example.com").await;
    for number in [r#""8302390884""#, r#""+91 83023 90884""#, r#""918302390884""#, "918302390884"] {
        let extra = format!(r#""callerNumber":{number}"#);
        for body in [with(&account, &extra), session(&ssid, &extra)] {
            let reply = app.post(CONTACT_INFO, &body).await;
            assert_eq!(reply.body, SEED_CARD, "{body}");
            assert_eq!(reply.header("etag"), SEED_ETAG, "{body}");
        }
    }
});

backend_test!(a_new_account_has_the_standard_fields_and_set_fields_takes_the_standard_spelling, |app| {
    let account = app.account().await;
    app.expect(GET_FIELDS, &with(&account, ""), &fields_reply(&STANDARD)).await;
    let sent = r#""fields":["email","NAME","dob","Company","city","Lead Source","x_y-z.1"]"#;
    let names = ["Email", "Name", "DOB", "Company", "city", "Lead Source", "x_y-z.1"];
    app.expect(SET_FIELDS, &with(&account, sent), &fields_reply(&names)).await;
    app.expect(GET_FIELDS, &with(&account, ""), &fields_reply(&names)).await;
    // Any principal of the account reads them.
    let ssid = agent_session(&app, &account, "fields@example.com").await;
    app.expect(GET_FIELDS, &session(&ssid, ""), &fields_reply(&names)).await;
});

backend_test!(set_fields_refuses_every_malformed_list_and_keeps_the_old_one, |app| {
    let account = app.account().await;
    set_fields(&app, &account, &["Name", "city"]).await;
    let many: Vec<String> = (0..51).map(|i| format!(r#""f{i}""#)).collect();
    let too_many = format!(r#""fields":[{}]"#, many.join(","));
    let too_long = format!(r#""fields":["{}"]"#, "x".repeat(41));
    let bad = [
        "",
        r#""fields":"Name""#,
        r#""fields":{"Name":1}"#,
        r#""fields":5"#,
        r#""fields":[]"#,
        &too_many,
        r#""fields":["Name","name"]"#,
        r#""fields":["city","CITY"]"#,
        r#""fields":["email","Email"]"#,
        r#""fields":["a;b"]"#,
        r#""fields":["a/b"]"#,
        r#""fields":["a@b"]"#,
        r#""fields":["a,b"]"#,
        &too_long,
        r#""fields":["mobile"]"#,
        r#""fields":["Name","MOBILE"]"#,
        r#""fields":["Mobile"]"#,
        r#""fields":["Name",5]"#,
        r#""fields":["Name",null]"#,
        r#""fields":["Name",["city"]]"#,
    ];
    for extra in bad {
        app.expect_error(SET_FIELDS, &with(&account, extra), 1514, "Invalid contact fields").await;
        app.expect(GET_FIELDS, &with(&account, ""), &fields_reply(&["Name", "city"])).await;
    }
    // The limits themselves are fine: 50 names, 40 characters.
    let mut names: Vec<String> = (0..49).map(|i| format!("f{i}")).collect();
    names.push("y".repeat(40));
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    set_fields(&app, &account, &refs).await;
});

backend_test!(set_fields_needs_the_account_credentials, |app| {
    let account = app.account().await;
    let ssid = agent_session(&app, &account, "setter@example.com").await;
    app.expect_error(SET_FIELDS, &session(&ssid, r#""fields":["Name"]"#), 1015, "Permission denied").await;
    app.expect(GET_FIELDS, &with(&account, ""), &fields_reply(&STANDARD)).await;
});

backend_test!(create_replies_with_every_field_in_the_account_order_and_refuses_an_existing_number, |app| {
    app.clock.set(T);
    let account = app.account().await;
    set_fields(&app, &account, &SEED_FIELDS).await;
    let info = r#"{"city":"Pune","Name":"Asha Rao","test":42,"Email":"asha@example.com","efwf":null,"tarun":""}"#;
    let body = with(&account, &format!(r#""contact":"8302390884","contactinfo":{info}"#));
    let values = [("Name", "Asha Rao"), ("city", "Pune"), ("test", "42"), ("Email", "asha@example.com")];
    let expected = contact(NUMBER, &card(&SEED_FIELDS, &values), T, T, None, 0);
    app.expect(CREATE, &body, &expected).await;
    app.expect(GET_INFO, &with(&account, r#""cn":"8302390884""#), &expected).await;
    for number in [r#""8302390884""#, r#""+91 83023-90884""#, "918302390884"] {
        let body = with(&account, &format!(r#""contact":{number},"contactinfo":{{"Name":"Other"}}"#));
        app.expect_error(CREATE, &body, 1511, "Contact already exists").await;
    }
    app.expect(GET_INFO, &with(&account, r#""cn":"8302390884""#), &expected).await;
    // No contactinfo at all: every field empty.
    app.expect(
        CREATE,
        &with(&account, r#""contact":"9876543210""#),
        &contact("919876543210", &card(&SEED_FIELDS, &[]), T, T, None, 0),
    )
    .await;
});

backend_test!(create_refuses_unknown_fields_bad_standard_values_and_bad_contactinfo_types, |app| {
    let account = app.account().await; // the six standard fields
    let create_with = |info: String| with(&account, &format!(r#""contact":"8302390884","contactinfo":{info}"#));
    for info in [r#"{"city":"Pune"}"#, r#"{"Name":"Asha","mobile":"1"}"#, r#"{"Lead Source":"web"}"#] {
        app.expect_error(CREATE, &create_with(info.into()), 1512, "Unknown contact field").await;
    }
    let long = |n: usize| "a".repeat(n);
    let bad_values = [
        ("Name", "R2D2".to_string()),
        ("Name", "Asha 2".to_string()),
        ("Name", long(101)),
        ("Email", "not-an-email".into()),
        ("Email", "a@b".into()),
        ("Email", "a b@c.com".into()),
        ("DOB", "31-02-1990".into()),
        ("DOB", "29-02-1991".into()),
        ("DOB", "1990-02-01".into()),
        ("DOB", "1-2-1990".into()),
        ("DOB", "01/02/1990".into()),
        ("Address", long(501)),
        ("Company", long(101)),
        ("Designation", long(101)),
    ];
    for (field, value) in &bad_values {
        let info = format!("{{{}:{}}}", quote(field), quote(value));
        app.expect_error(CREATE, &create_with(info), 1513, "Invalid contact field value").await;
    }
    for info in [r#""Asha""#, "[]", "5", r#"[{"Name":"Asha"}]"#] {
        app.expect_error(CREATE, &create_with(info.into()), 1000, "Invalid parameter").await;
    }
    for value in ["true", r#"["Asha"]"#, r#"{"first":"Asha"}"#] {
        app.expect_error(CREATE, &create_with(format!(r#"{{"Name":{value}}}"#)), 1001, "Invalid data type").await;
    }
    // Nothing was created; the longest good values are taken.
    app.expect_error(GET_INFO, &with(&account, r#""cn":"8302390884""#), 1012, "No data found").await;
    let info = format!(r#"{{"Name":"{}","Address":"{}","DOB":"29-02-1992"}}"#, long(100), long(500));
    create(&app, &account, r#""8302390884""#, &info).await;
});

backend_test!(every_spelling_of_a_number_finds_the_same_contact_and_bad_numbers_are_refused, |app| {
    app.clock.set(T);
    let account = app.account().await;
    let expected = contact(NUMBER, &card(&STANDARD, &[("Name", "Asha Rao")]), T, T, None, 0);
    app.expect(CREATE, &with(&account, r#""contact":"08302390884","contactinfo":{"Name":"Asha Rao"}"#), &expected)
        .await;
    for cn in [
        r#""8302390884""#,
        r#""+91 83023 90884""#,
        r#""918302390884""#,
        "918302390884",
        r#""91-8302-390-884""#,
        r#""(91) 8302.390884""#,
        r#"" +918302390884 ""#,
    ] {
        app.expect(GET_INFO, &with(&account, &format!(r#""cn":{cn}"#)), &expected).await;
        app.expect(GET_INFO, &with(&account, &format!(r#""contact":{cn}"#)), &expected).await;
    }
    // 11 to 15 digits are already international.
    let intl = create(&app, &account, r#""+1 415 555 0123""#, "{}").await;
    assert_eq!(intl["contact"], "14155550123");
    let all = [(CREATE, "contact"), (UPDATE, "contact"), (GET_INFO, "cn"), (CONTACT_INFO, "callerNumber")];
    for (path, key) in all {
        let info = if path == UPDATE { r#","contactinfo":{"Name":"X"}"# } else { "" };
        let missing = with(&account, info.trim_start_matches(','));
        app.expect_error(path, &missing, 1000, "Invalid parameter").await;
        for bad in ["true", r#"["8302390884"]"#, r#"{"n":"8302390884"}"#] {
            let body = with(&account, &format!(r#""{key}":{bad}{info}"#));
            app.expect_error(path, &body, 1001, "Invalid data type").await;
        }
        for bad in [r#""12345""#, r#""83023x0884""#, r#""1234567890123456""#, r#""0123456789""#, r#""""#, "123"] {
            let body = with(&account, &format!(r#""{key}":{bad}{info}"#));
            app.expect_error(path, &body, 1005, "Invalid contact number").await;
        }
    }
});

backend_test!(the_account_country_code_completes_ten_digit_numbers, |app| {
    let account = app.account().await;
    create(&app, &account, r#""8302390884""#, r#"{"Name":"Asha"}"#).await;
    let reply = post_with(&app, &account, SETTINGS, r#""countryCode":"44""#).await.json();
    assert_eq!(reply["settings"]["countryCode"], "44", "{reply}");
    let uk = create(&app, &account, r#""7911123456""#, r#"{"Name":"Ben"}"#).await;
    assert_eq!(uk["contact"], "447911123456");
    for cn in ["07911123456", "+44 7911 123456", "447911123456"] {
        let reply = post_with(&app, &account, GET_INFO, &format!(r#""cn":"{cn}""#)).await.json();
        assert_eq!(reply["contactinfo"]["Name"], "Ben", "{cn}: {reply}");
    }
    // Ten digits now mean +44; the Indian contact is still there under its full number.
    app.expect_error(GET_INFO, &with(&account, r#""cn":"8302390884""#), 1012, "No data found").await;
    let reply = post_with(&app, &account, GET_INFO, r#""cn":"918302390884""#).await.json();
    assert_eq!(reply["contactinfo"]["Name"], "Asha", "{reply}");
    let expected = dashboard_card("447911123456", &card(&STANDARD, &[("Name", "Ben")]));
    app.expect(CONTACT_INFO, &with(&account, r#""callerNumber":"7911123456""#), &expected).await;
});

backend_test!(get_info_shows_one_field_named_in_any_case_or_all_of_them, |app| {
    app.clock.set(T);
    let account = app.account().await;
    set_fields(&app, &account, &SEED_FIELDS).await;
    create(&app, &account, r#""8302390884""#, r#"{"Name":"Asha Rao","city":"Pune"}"#).await;
    let get = |extra: &str| with(&account, &format!(r#""cn":"8302390884"{extra}"#));
    let one = |f: &str, v: &str| contact(NUMBER, &card(&[f], &[(f, v)]), T, T, None, 0);
    for name in ["city", "CITY", "City", " city "] {
        app.expect(GET_INFO, &get(&format!(r#","field":"{name}""#)), &one("city", "Pune")).await;
    }
    app.expect(GET_INFO, &get(r#","field":"name""#), &one("Name", "Asha Rao")).await;
    app.expect(GET_INFO, &get(r#","field":"tarun""#), &one("tarun", "")).await;
    let all = contact(NUMBER, &card(&SEED_FIELDS, &[("Name", "Asha Rao"), ("city", "Pune")]), T, T, None, 0);
    for extra in ["", r#","field":"all""#, r#","field":"All""#] {
        app.expect(GET_INFO, &get(extra), &all).await;
    }
    for name in ["Company", "mobile", "cityx"] {
        app.expect_error(GET_INFO, &get(&format!(r#","field":"{name}""#)), 1512, "Unknown contact field").await;
    }
    for extra in ["", r#","field":"city""#] {
        let body = with(&account, &format!(r#""cn":"9876543210"{extra}"#));
        app.expect_error(GET_INFO, &body, 1012, "No data found").await;
    }
});

backend_test!(update_changes_only_the_named_fields_and_empty_or_null_clears_one, |app| {
    app.clock.set(T);
    let account = app.account().await;
    set_fields(&app, &account, &SEED_FIELDS).await;
    let info = r#"{"Name":"Asha Rao","city":"Pune","test":"t","Email":"asha@example.com","tarun":"x"}"#;
    create(&app, &account, r#""8302390884""#, info).await;
    app.clock.set(T + 60);
    let change = r#""contact":"+91 83023 90884","contactinfo":{"city":"Mumbai","test":"","Email":null,"efwf":7}"#;
    let values = [("Name", "Asha Rao"), ("city", "Mumbai"), ("efwf", "7"), ("tarun", "x")];
    let expected = contact(NUMBER, &card(&SEED_FIELDS, &values), T, T + 60, None, 0);
    app.expect(UPDATE, &with(&account, change), &expected).await;
    app.expect(GET_INFO, &with(&account, r#""cn":"8302390884""#), &expected).await;
    // A refused update changes nothing.
    let bad = r#""contact":"8302390884","contactinfo":{"city":"Delhi","Name":"R2D2"}"#;
    app.expect_error(UPDATE, &with(&account, bad), 1513, "Invalid contact field value").await;
    let bad = r#""contact":"8302390884","contactinfo":{"city":"Delhi","Company":"Acme"}"#;
    app.expect_error(UPDATE, &with(&account, bad), 1512, "Unknown contact field").await;
    app.expect(GET_INFO, &with(&account, r#""cn":"8302390884""#), &expected).await;
    let unknown = r#""contact":"9876543210","contactinfo":{"city":"Delhi"}"#;
    app.expect_error(UPDATE, &with(&account, unknown), 1012, "No data found").await;
});

backend_test!(a_field_dropped_from_the_list_hides_its_value_until_it_comes_back, |app| {
    app.clock.set(T);
    let account = app.account().await;
    set_fields(&app, &account, &SEED_FIELDS).await;
    create(&app, &account, r#""8302390884""#, r#"{"Name":"Asha Rao","city":"Pune","tarun":"t1"}"#).await;
    let fewer = ["Name", "Address", "test", "Email", "efwf"];
    set_fields(&app, &account, &fewer).await;
    let hidden = card(&fewer, &[("Name", "Asha Rao")]);
    app.expect(GET_INFO, &with(&account, r#""cn":"8302390884""#), &contact(NUMBER, &hidden, T, T, None, 0)).await;
    app.expect(CONTACT_INFO, &with(&account, r#""callerNumber":"8302390884""#), &dashboard_card(NUMBER, &hidden)).await;
    let body = with(&account, r#""contact":"8302390884","contactinfo":{"tarun":"t2"}"#);
    app.expect_error(UPDATE, &body, 1512, "Unknown contact field").await;
    let back = ["tarun", "Name", "city"];
    set_fields(&app, &account, &back).await;
    let shown = card(&back, &[("tarun", "t1"), ("Name", "Asha Rao"), ("city", "Pune")]);
    app.expect(GET_INFO, &with(&account, r#""cn":"8302390884""#), &contact(NUMBER, &shown, T, T, None, 0)).await;
});

backend_test!(contact_info_shows_the_stored_values_in_the_account_order_and_one_named_field, |app| {
    let account = app.account().await;
    set_fields(&app, &account, &SEED_FIELDS).await;
    create(&app, &account, r#""8302390884""#, r#"{"tarun":"T","Name":"Asha Rao","city":"Pune","Email":"a@b.co"}"#)
        .await;
    let ask = |extra: &str| with(&account, &format!(r#""callerNumber":"8302390884"{extra}"#));
    let values = [("Name", "Asha Rao"), ("city", "Pune"), ("Email", "a@b.co"), ("tarun", "T")];
    let full = dashboard_card(NUMBER, &card(&SEED_FIELDS, &values));
    for extra in ["", r#","field":"all""#, r#","field":"All""#] {
        app.expect(CONTACT_INFO, &ask(extra), &full).await;
    }
    for name in ["city", "CITY"] {
        let expected = dashboard_card(NUMBER, &card(&["city"], &[("city", "Pune")]));
        app.expect(CONTACT_INFO, &ask(&format!(r#","field":"{name}""#)), &expected).await;
    }
    for name in ["Company", "mobile", "nope"] {
        app.expect_error(CONTACT_INFO, &ask(&format!(r#","field":"{name}""#)), 1000, "Invalid parameter").await;
    }
});

backend_test!(totalcalls_and_lastcalltime_count_the_distinct_calls_of_that_number, |app| {
    app.clock.set(T);
    let account = app.account().await;
    let asha = app.agent(&account, r#""name":"Asha Rao","email":"calls-a@example.com""#).await;
    let ben = app.agent(&account, r#""name":"Ben Okafor","email":"calls-b@example.com""#).await;
    let empty = card(&STANDARD, &[]);
    app.expect(CREATE, &with(&account, r#""contact":"8302390884""#), &contact(NUMBER, &empty, T, T, None, 0)).await;
    let ev = |call: &str, event: &str, agent: i64, number: &str, at: i64| {
        format!(
            r#"{{"callId":"{call}","event":"{event}","agentId":{agent},"callerNumber":"{number}","direction":"inbound","time":{at}}}"#
        )
    };
    let events = [
        ev("c1", "offered", asha, "8302390884", T - 600),
        ev("c1", "answered", asha, "8302390884", T - 590),
        ev("c1", "ended", asha, "8302390884", T - 500),
        ev("c2", "offered", asha, "+91 83023 90884", T - 100),
        ev("c2", "offered", ben, "918302390884", T - 100),
        ev("c2", "missed", asha, "8302390884", T - 90),
        ev("c3", "offered", ben, "9876543210", T - 50),
    ];
    let reply = post_with(&app, &account, CALL_EVENT, &format!(r#""events":[{}]"#, events.join(","))).await.json();
    assert_eq!(reply["accepted"], 7, "{reply}");
    let expected = contact(NUMBER, &empty, T, T, Some(T - 90), 2);
    app.expect(GET_INFO, &with(&account, r#""cn":"8302390884""#), &expected).await;
    // A contact created after its calls shows them at once.
    let other = contact("919876543210", &empty, T, T, Some(T - 50), 1);
    app.expect(CREATE, &with(&account, r#""contact":"9876543210""#), &other).await;
});

backend_test!(another_account_neither_sees_nor_changes_the_contacts_or_fields_of_this_one, |app| {
    app.clock.set(T);
    let a = app.account().await;
    let b = app.account().await;
    set_fields(&app, &a, &SEED_FIELDS).await;
    create(&app, &a, r#""8302390884""#, r#"{"Name":"Asha Rao","city":"Pune"}"#).await;
    let a_view = contact(NUMBER, &card(&SEED_FIELDS, &[("Name", "Asha Rao"), ("city", "Pune")]), T, T, None, 0);
    app.expect_error(GET_INFO, &with(&b, r#""cn":"8302390884""#), 1012, "No data found").await;
    let b_empty = dashboard_card(NUMBER, &card(&STANDARD, &[]));
    app.expect(CONTACT_INFO, &with(&b, r#""callerNumber":"8302390884""#), &b_empty).await;
    let change = r#""contact":"8302390884","contactinfo":{"Name":"Mallory"}"#;
    app.expect_error(UPDATE, &with(&b, change), 1012, "No data found").await;
    // B keeps a contact of its own under the same number.
    let b_view = contact(NUMBER, &card(&STANDARD, &[("Name", "Ben Okafor")]), T, T, None, 0);
    app.expect(CREATE, &with(&b, r#""contact":"8302390884","contactinfo":{"Name":"Ben Okafor"}"#), &b_view).await;
    set_fields(&app, &b, &["Name", "Secret"]).await;
    app.expect(GET_FIELDS, &with(&a, ""), &fields_reply(&SEED_FIELDS)).await;
    app.expect(GET_INFO, &with(&a, r#""cn":"8302390884""#), &a_view).await;
    let a_card = dashboard_card(NUMBER, &card(&SEED_FIELDS, &[("Name", "Asha Rao"), ("city", "Pune")]));
    app.expect(CONTACT_INFO, &with(&a, r#""callerNumber":"8302390884""#), &a_card).await;
});

backend_test!(concurrent_updates_of_different_fields_of_one_contact_are_all_kept, |app| {
    app.clock.set(T);
    let account = app.account().await;
    let names: Vec<String> = (0..10).map(|i| format!("f{i}")).collect();
    let fields: Vec<&str> = names.iter().map(String::as_str).collect();
    set_fields(&app, &account, &fields).await;
    create(&app, &account, r#""8302390884""#, "{}").await;
    for round in 0..3 {
        let bodies: Vec<String> = (0..10)
            .map(|i| with(&account, &format!(r#""contact":"8302390884","contactinfo":{{"f{i}":"r{round}v{i}"}}"#)))
            .collect();
        let replies = join_all(bodies.iter().map(|b| app.post(UPDATE, b))).await;
        for reply in &replies {
            assert_eq!(reply.json()["status"], "success", "{}", reply.body);
        }
        let values: Vec<(String, String)> = (0..10).map(|i| (format!("f{i}"), format!("r{round}v{i}"))).collect();
        let refs: Vec<(&str, &str)> = values.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let expected = contact(NUMBER, &card(&fields, &refs), T, T, None, 0);
        app.expect(GET_INFO, &with(&account, r#""cn":"8302390884""#), &expected).await;
    }
});

backend_test!(an_update_without_contactinfo_is_an_invalid_parameter_and_changes_nothing, |app| {
    let account = app.account().await;
    app.clock.set(T);
    let created =
        app.post(CREATE, &with(&account, &format!(r#""contact":"{NUMBER}","contactinfo":{{"Name":"Asha"}}"#))).await;
    for extra in [format!(r#""contact":"{NUMBER}""#), format!(r#""contact":"{NUMBER}","contactinfo":null"#)] {
        app.expect_error(UPDATE, &with(&account, &extra), 1000, "Invalid parameter").await;
    }
    app.expect(GET_INFO, &with(&account, &format!(r#""cn":"{NUMBER}""#)), &created.body).await;
});
