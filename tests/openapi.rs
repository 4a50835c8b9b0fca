//! The OpenAPI document is valid and tells the truth: it passes the OpenAPI
//! 3.1 schema, every schema in it is a JSON Schema, every example it gives
//! works when sent with real credentials, and the real replies — successes
//! and error envelopes — validate against what it documents.

mod common;

use std::collections::BTreeSet;

use common::{Account, TestApp};
use serde_json::{Value, json};

/// The OpenAPI Initiative's schema of OpenAPI 3.1 documents
/// (`https://spec.openapis.org/oas/3.1/schema/2022-10-07`, Apache-2.0).
const OPENAPI_3_1_SCHEMA: &str = include_str!("openapi/oas-3.1-schema.json");

/// Every endpoint, in an order in which its documented example succeeds
/// on a fresh account: what an example names is made by an earlier one.
const STORY: &[&str] = &[
    "/api/v2/Account/settings",
    "/api/v2/Account/setPassword",
    "/api/v2/Role/list",
    "/api/v2/Role/add",
    "/api/v2/Role/update",
    "/api/v2/Group/add",
    "/api/v2/Group/update",
    "/api/v2/Group/list",
    "/api/v2/Agent/create",
    "/api/v2/Agent/list",
    "/api/v2/Employee/list",
    "/api/v2/Employee/profile",
    "/api/v2/Employee/create",
    "/api/v2/Employee/update",
    "/api/v2/Agent/update",
    "/api/v2/Agent/changeStatus",
    "/api/v2/Agent/updateAgentGroupMapping",
    "/api/v2/Agent/setCad",
    "/api/v2/Agent/unsetCad",
    "/api/v2/Break/list",
    "/api/v2/Break/add",
    "/api/v2/Break/update",
    "/api/v2/auth/login",
    "/api/v2/agentProfile/setWebPingTime",
    "/api/v2/Directory/setFields",
    "/api/v2/Directory/create",
    "/api/v2/Directory/update",
    "/api/v2/Directory/getInfo",
    "/api/v2/Directory/getFields",
    "/api/v2/Directory/setSticky",
    "/api/v2/Directory/getSticky",
    "/api/v2/Directory/removeSticky",
    "/api/v2/Directory/search",
    "/api/v2/getFields",
    "/api/v2/Directory/setAM",
    "/api/v2/Directory/unsetAm",
    "/api/v2/Directory/setDnc",
    "/api/v2/setDnc",
    "/api/v2/Directory/getDnc",
    "/api/v2/getDnc",
    "/api/v2/Directory/Blacklist",
    "/api/v2/callEvent",
    "/api/v2/callRoute",
    "/api/v2/Group/queue",
    "/api/v2/callreport/list",
    "/api/v2/callreport/reportCount",
    "/api/v2/callreport/detail",
    "/api/v2/agentProfile/checkAgentInWrapUp",
    "/api/v2/agentProfile/wrapUpEnd",
    "/api/v2/agentProfile/breakStart",
    "/api/v2/agentProfile/agentOnBreak",
    "/api/v2/agentProfile/breakEnd",
    "/api/v2/Supervisor/breakStart",
    "/api/v2/Supervisor/breakEnd",
    "/api/v2/Supervisor/wrapUpEnd",
    "/api/v2/agentProfile/tags",
    "/api/v2/Agent/live",
    "/api/v2/Agent/timeLine",
    "/api/v2/agentDashboard/contactInfo",
    "/api/v2/agentDashboard/recentCalls",
    "/api/v2/agentDashboard/counters",
    "/api/v2/agentDashboard/notesAdd",
    "/api/v2/agentDashboard/notesList",
    "/api/v2/auth/logout",
    "/api/v2/Supervisor/logout",
    "/api/v2/Break/delete",
    "/api/v2/Agent/delete",
    "/api/v2/Group/delete",
    "/api/v2/Webhook/add",
    "/api/v2/Webhook/list",
    "/api/v2/Webhook/update",
    "/api/v2/Webhook/test",
    "/api/v2/Webhook/rotateSecret",
    "/api/v2/Webhook/deliveries",
    "/api/v2/Webhook/redeliver",
    "/api/v2/Webhook/delete",
];

async fn document(app: &TestApp) -> Value {
    app.client.get(format!("{}/openapi.json", app.base)).send().await.unwrap().json().await.unwrap()
}

/// The JSON pointer of `path`'s POST operation (`/` in a key is `~1`).
fn operation(path: &str) -> String {
    format!("/paths/{}/post", path.replace('~', "~0").replace('/', "~1"))
}

fn api_paths(doc: &Value) -> BTreeSet<String> {
    doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, item)| item.get("post").is_some())
        .map(|(p, _)| p.clone())
        .collect()
}

/// A validator for the schema at `pointer` of `doc`, its `$ref`s resolved
/// within the document (the document itself is the root schema).
fn validator_at(doc: &Value, pointer: &str) -> jsonschema::Validator {
    let mut root = doc.clone();
    root["$ref"] = json!(format!("#{pointer}"));
    jsonschema::draft202012::options().build(&root).unwrap_or_else(|e| panic!("{pointer} does not compile: {e}"))
}

fn assert_valid(validator: &jsonschema::Validator, instance: &Value, what: &str) {
    let errors: Vec<String> =
        validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    if !errors.is_empty() {
        let shown: String = instance.to_string().chars().take(2000).collect();
        panic!("{what}: {shown}\n{}", errors.join("\n"));
    }
}

/// The document with every object schema closed (no property it does not
/// name), so a reply field the document misses fails validation. The parts
/// of an `allOf` (and the choices of a part that is a `oneOf`) stay open and
/// their whole is closed instead: it sees what the part that matched named.
fn closed(doc: &Value) -> Value {
    fn parts_of_all_of(value: &Value, names: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for part in map.get("allOf").and_then(Value::as_array).into_iter().flatten() {
                    // A part, or a choice of parts (`oneOf`: a reply of two shapes).
                    let choices = part.get("oneOf").and_then(Value::as_array).into_iter().flatten();
                    for named in std::iter::once(part).chain(choices) {
                        if let Some(name) = named.get("$ref").and_then(Value::as_str) {
                            names.insert(name.trim_start_matches("#/components/schemas/").to_string());
                        }
                    }
                }
                map.values().for_each(|v| parts_of_all_of(v, names));
            }
            Value::Array(items) => items.iter().for_each(|v| parts_of_all_of(v, names)),
            _ => {}
        }
    }
    fn close(value: &mut Value, open: bool) {
        match value {
            Value::Object(map) => {
                if !open && (map.contains_key("properties") || map.contains_key("allOf")) {
                    map.insert("unevaluatedProperties".into(), json!(false));
                }
                for (key, child) in map.iter_mut() {
                    if key == "allOf" {
                        child.as_array_mut().unwrap().iter_mut().for_each(|part| close(part, true));
                    } else {
                        close(child, false);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| close(v, false)),
            _ => {}
        }
    }
    let mut parts = BTreeSet::new();
    parts_of_all_of(doc, &mut parts);
    let mut doc = doc.clone();
    for (name, schema) in doc["components"]["schemas"].as_object_mut().unwrap() {
        close(schema, parts.contains(name));
    }
    for (_, item) in doc["paths"].as_object_mut().unwrap() {
        close(item, false);
    }
    doc
}

/// Every schema of the document: the components, and those of request and reply bodies.
fn schemas(doc: &Value) -> Vec<(String, &Value)> {
    let mut found: Vec<(String, &Value)> =
        doc["components"]["schemas"].as_object().unwrap().iter().map(|(n, s)| (format!("component {n}"), s)).collect();
    for path in api_paths(doc) {
        let op = doc.pointer(&operation(&path)).unwrap();
        for (media, content) in op["requestBody"]["content"].as_object().unwrap() {
            found.push((format!("{path} request {media}"), &content["schema"]));
        }
        found.push((format!("{path} reply"), &op["responses"]["200"]["content"]["application/json"]["schema"]));
    }
    found
}

backend_test!(the_document_passes_the_openapi_3_1_schema_and_every_schema_in_it_is_a_json_schema, |app| {
    let doc = document(&app).await;
    let oas: Value = serde_json::from_str(OPENAPI_3_1_SCHEMA).unwrap();
    let validator = jsonschema::draft202012::new(&oas).expect("the OpenAPI 3.1 schema compiles");
    assert_valid(&validator, &doc, "the document against the OpenAPI 3.1 schema");
    let found = schemas(&doc);
    assert!(found.len() > 100, "{}", found.len());
    for (what, schema) in found {
        if let Err(e) = jsonschema::draft202012::meta::validate(schema) {
            panic!("{what} is not a JSON Schema 2020-12: {e}\n{schema}");
        }
    }
    let ids: BTreeSet<&str> =
        api_paths(&doc).iter().map(|p| doc.pointer(&operation(p)).unwrap()["operationId"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), api_paths(&doc).len(), "operation ids are unique");
});

backend_test!(every_operation_has_an_example_its_schema_accepts_and_shows_its_credentials, |app| {
    let doc = document(&app).await;
    for path in api_paths(&doc) {
        let pointer = operation(&path);
        let op = doc.pointer(&pointer).unwrap();
        for media in ["application/json", "text/plain"] {
            let example = &op["requestBody"]["content"][media]["example"];
            let schema = format!("{pointer}/requestBody/content/{}/schema", media.replace('/', "~1"));
            assert_valid(&validator_at(&doc, &schema), example, &format!("{path} example"));
            let keys: Vec<&str> = example.as_object().unwrap().keys().map(String::as_str).collect();
            let credentials = if path == "/api/v2/auth/login" {
                keys.contains(&"email") && keys.contains(&"password")
            } else {
                keys.contains(&"ssid") || keys.contains(&"userId") && keys.contains(&"token")
            };
            assert!(credentials, "{path}: the example carries no credentials: {example}");
        }
        // An authenticated operation names its credentials in the schema (Swagger UI shows them).
        let request = op["requestBody"]["content"]["application/json"]["schema"].to_string();
        if path != "/api/v2/auth/login" {
            let names_them = request.contains("#/components/schemas/Credentials") || request.contains(r#""ssid""#);
            assert!(names_them, "{path}: {request}");
        }
    }
});

/// The documented example of `path` with this account's credentials and
/// the agent's session in place of the placeholders.
fn example(doc: &Value, path: &str, account: &Account, agent_ssid: &str) -> Value {
    let mut body =
        doc.pointer(&operation(path)).unwrap()["requestBody"]["content"]["application/json"]["example"].clone();
    let fields = body.as_object_mut().unwrap();
    for (key, real) in [("userId", &account.user_id), ("token", &account.token), ("ssid", &agent_ssid.to_string())] {
        if let Some(value) = fields.get_mut(key) {
            *value = json!(real);
        }
    }
    body
}

backend_test!(every_documented_example_succeeds_and_every_reply_validates_against_the_document, |app| {
    let doc = document(&app).await;
    assert_eq!(
        STORY.iter().map(|p| p.to_string()).collect::<BTreeSet<_>>(),
        api_paths(&doc),
        "the story covers every endpoint"
    );
    let strict = closed(&doc);
    let account = app.account().await;
    let mut agent_ssid = String::new();
    for path in STORY {
        let reply_schema = format!("{}/responses/200/content/application~1json/schema", operation(path));
        let documented = validator_at(&doc, &reply_schema);
        let success = validator_at(&strict, &format!("{reply_schema}/oneOf/0"));

        let mut body = example(&doc, path, &account, &agent_ssid);
        match *path {
            // Agent/create's example (the same schema) made its agent: another email.
            "/api/v2/Employee/create" => body["email"] = json!("employee@example.com"),
            // A second call, so there is a wrap-up to end.
            "/api/v2/Supervisor/wrapUpEnd" => {
                let call = |event: &str| {
                    format!(
                        r#"{{{},"callId":"story-2","agentId":1,"event":"{event}","callerNumber":"9876543210"}}"#,
                        account.creds()
                    )
                };
                for event in ["offered", "answered", "ended"] {
                    assert_eq!(app.post("/api/v2/callEvent", &call(event)).await.json()["status"], "success");
                }
            }
            // The agent logged out of the story's session: log it in again.
            "/api/v2/Supervisor/logout" => {
                let login = example(&doc, "/api/v2/auth/login", &account, "");
                assert_eq!(app.post("/api/v2/auth/login", &login.to_string()).await.json()["status"], "success");
            }
            _ => {}
        }
        let reply = app.post(path, &body.to_string()).await;
        assert_eq!(reply.status, reqwest::StatusCode::OK, "{path}");
        let json = reply.json();
        assert_eq!(json["status"], "success", "{path} {body}: {json}");
        assert_valid(&success, &json, &format!("{path}: the success against its documented success schema"));
        assert_valid(&documented, &json, &format!("{path}: the success against the documented reply"));
        if *path == "/api/v2/auth/login" {
            agent_ssid = json["ssid"].as_str().unwrap().to_string();
        }

        // Without credentials (or an email): an error envelope of this endpoint.
        let error = app.post(path, "{}").await.json();
        assert_eq!(error["status"], "error", "{path}: {error}");
        assert_valid(&documented, &error, &format!("{path}: an error envelope against the documented reply"));
        assert!(!success.is_valid(&error), "{path}: the success schema must not take an error: {error}");
    }
    // Transport outcomes carry the envelope their shared response documents.
    let envelope = validator_at(&doc, "/components/responses/Transport/content/application~1json/schema");
    let not_found = app.post("/api/v2/Agent/nothing", "{}").await;
    assert_eq!(not_found.status, reqwest::StatusCode::NOT_FOUND);
    assert_valid(&envelope, &not_found.json(), "404");
});
