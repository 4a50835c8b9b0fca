//! An agent session never hands out, or acts on, more privilege than its
//! own role holds: through roles (`Role/add`, `Role/update`, its own role
//! included) and through every `Agent` write (`updateAgentGroupMapping`,
//! `setCad`, `unsetCad` beside `create`, `update`, `delete` and
//! `changeStatus`, tested in `tests/agents.rs`). Every refusal is 1015 and
//! changes nothing.

mod common;

use common::{Account, TestApp};
use serde_json::Value;

const ROLE_ADD: &str = "/api/v2/Role/add";
const ROLE_UPDATE: &str = "/api/v2/Role/update";
const ROLE_LIST: &str = "/api/v2/Role/list";
const ALL: [&str; 7] = [
    "VIEW_AGENTS",
    "EDIT_AGENTS",
    "MANAGE_GROUPS",
    "MANAGE_ROLES",
    "AGENT_TO_AGENT_CALL",
    "SUPERVISE_AGENTS",
    "LIST_CALL_LOG",
];

fn quoted(permissions: &[&str]) -> String {
    permissions.iter().map(|p| format!(r#""{p}""#)).collect::<Vec<_>>().join(",")
}

/// Adds a role as the account's owner; its id.
async fn owner_role(app: &TestApp, account: &Account, name: &str, permissions: &[&str]) -> String {
    let body = format!(r#"{{{},"name":"{name}","permissions":[{}]}}"#, account.creds(), quoted(permissions));
    let reply = app.post(ROLE_ADD, &body).await.json();
    reply["roleId"].as_str().unwrap_or_else(|| panic!("{reply}")).to_string()
}

/// An agent in `role`, logged in: `(agent id, "ssid":"…")`.
async fn agent_in(app: &TestApp, account: &Account, email: &str, role: &str) -> (i64, String) {
    let fields = format!(r#""name":"Agent {email}","email":"{email}","password":"pass-word-1","role":"{role}""#);
    let id = app.agent(account, &fields).await;
    (id, format!(r#""ssid":"{}""#, app.login(email, "pass-word-1").await))
}

fn role_reply(id: &str, name: &str, permissions: &[&str]) -> String {
    let mut sorted = permissions.to_vec();
    sorted.sort_unstable();
    format!(r#"{{"roleId":"{id}","name":"{name}","permissions":[{}],"status":"success","code":200}}"#, quoted(&sorted))
}

async fn roles(app: &TestApp, account: &Account) -> Value {
    app.post(ROLE_LIST, &format!("{{{}}}", account.creds())).await.json()
}

backend_test!(a_role_manager_grants_only_permissions_it_holds_in_every_combination, |app| {
    let account = app.account().await;
    let others: Vec<&str> = ALL.iter().copied().filter(|p| *p != "MANAGE_ROLES").collect();
    for subset in 0..(1u32 << others.len()) {
        let mut held: Vec<&str> = vec!["MANAGE_ROLES"];
        held.extend(others.iter().enumerate().filter(|(i, _)| subset & (1 << i) != 0).map(|(_, p)| *p));
        let own = owner_role(&app, &account, &format!("Held {subset}"), &held).await;
        let scratch = owner_role(&app, &account, &format!("Scratch {subset}"), &[]).await;
        let (_, s) = agent_in(&app, &account, &format!("m{subset}@x.com"), &own).await;
        for permission in ALL {
            let allowed = held.contains(&permission);
            let add = format!(r#"{{{s},"name":"Try","permissions":["{permission}"]}}"#);
            let update = format!(r#"{{{s},"roleId":"{scratch}","permissions":["{permission}"]}}"#);
            let (added, updated) = (app.post(ROLE_ADD, &add).await.json(), app.post(ROLE_UPDATE, &update).await.json());
            let status = |reply: &Value| (reply["status"].as_str().unwrap().to_string(), reply["code"].as_i64());
            let expected = if allowed { ("success".into(), Some(200)) } else { ("error".into(), Some(1015)) };
            assert_eq!(status(&added), expected, "{held:?} adds {permission}: {added}");
            assert_eq!(status(&updated), expected, "{held:?} grants {permission} to a role: {updated}");
            if allowed {
                // What it granted, it may take back.
                let reset = format!(r#"{{{s},"roleId":"{scratch}","permissions":[]}}"#);
                app.expect(ROLE_UPDATE, &reset, &role_reply(&scratch, &format!("Scratch {subset}"), &[])).await;
            }
        }
        // Its own role's permissions stay as the owner set them, even
        // re-sent unchanged; its name it may change.
        let same = format!(r#"{{{s},"roleId":"{own}","permissions":[{}]}}"#, quoted(&held));
        app.expect_error(ROLE_UPDATE, &same, 1015, "Permission denied").await;
        let renamed = format!(r#"{{{s},"roleId":"{own}","name":"Mine {subset}"}}"#);
        app.expect(ROLE_UPDATE, &renamed, &role_reply(&own, &format!("Mine {subset}"), &held)).await;
    }
});

backend_test!(a_role_manager_can_neither_raise_itself_nor_every_agent_nor_touch_a_stronger_role, |app| {
    let account = app.account().await;
    let managers = owner_role(&app, &account, "Role managers", &["MANAGE_ROLES", "VIEW_AGENTS"]).await;
    let everything = owner_role(&app, &account, "Everything", &ALL).await;
    let (boss, _) = agent_in(&app, &account, "boss@x.com", &everything).await;
    let (_, s) = agent_in(&app, &account, "rita@x.com", &managers).await;
    let before = roles(&app, &account).await;
    let all = quoted(&ALL);
    for (path, body) in [
        // The finding: its own role given every permission.
        (ROLE_UPDATE, format!(r#"{{{s},"roleId":"{managers}","permissions":[{all}]}}"#)),
        // Nor dropping one of its own (its role's rights are the owner's to set).
        (ROLE_UPDATE, format!(r#"{{{s},"roleId":"{managers}","permissions":["VIEW_AGENTS"]}}"#)),
        // Role 1, every new agent's: everything for everyone.
        (ROLE_UPDATE, format!(r#"{{{s},"roleId":"1","permissions":[{all}]}}"#)),
        (ROLE_UPDATE, format!(r#"{{{s},"roleId":"1","permissions":["EDIT_AGENTS"]}}"#)),
        // A role holding more than it: not even renamed, not even emptied.
        (ROLE_UPDATE, format!(r#"{{{s},"roleId":"{everything}","name":"Nobody"}}"#)),
        (ROLE_UPDATE, format!(r#"{{{s},"roleId":"{everything}","permissions":[]}}"#)),
        (ROLE_ADD, format!(r#"{{{s},"name":"Mine","permissions":[{all}]}}"#)),
        // And without EDIT_AGENTS it cannot take the boss over either.
        ("/api/v2/Agent/update", format!(r#"{{{s},"agentId":{boss},"password":"taken-over-1"}}"#)),
    ] {
        app.expect_error(path, &body, 1015, "Permission denied").await;
    }
    assert_eq!(roles(&app, &account).await, before, "nothing changed");
    // Within what it holds it works: role 1 may be given VIEW_AGENTS.
    let one = format!(r#"{{{s},"roleId":"1","permissions":["VIEW_AGENTS"]}}"#);
    app.expect(ROLE_UPDATE, &one, &role_reply("1", "Agent", &["VIEW_AGENTS"])).await;
    app.login("boss@x.com", "pass-word-1").await;
});

backend_test!(an_agent_editor_cannot_remap_or_flag_a_more_privileged_agent, |app| {
    let account = app.account().await;
    let c = account.creds();
    let sales = app.group(&account, "Sales").await;
    let editors = owner_role(&app, &account, "Editors", &["VIEW_AGENTS", "EDIT_AGENTS"]).await;
    let everything = owner_role(&app, &account, "Everything", &ALL).await;
    let (boss, _) = agent_in(&app, &account, "boss@x.com", &everything).await;
    let plain = app.agent(&account, r#""name":"Plain","email":"plain@x.com""#).await;
    let (_, s) = agent_in(&app, &account, "ed@x.com", &editors).await;
    let listed = || async {
        let reply = app.post("/api/v2/Agent/list", &format!("{{{c}}}")).await.json();
        reply["response"].as_array().unwrap().iter().map(|a| (a["group"].clone(), a["cad"].clone())).collect::<Vec<_>>()
    };
    let before = listed().await;
    let mapping = |agent: i64| format!(r#"{{{s},"agentId":{agent},"group":{{"{sales}":{{"receive_call":"Y"}}}}}}"#);
    for (path, body) in [
        ("/api/v2/Agent/updateAgentGroupMapping", mapping(boss)),
        ("/api/v2/Agent/setCad", format!(r#"{{{s},"agentIds":[{boss}]}}"#)),
        ("/api/v2/Agent/unsetCad", format!(r#"{{{s},"agentIds":[{boss}]}}"#)),
        // One stronger agent in the list refuses the whole list.
        ("/api/v2/Agent/setCad", format!(r#"{{{s},"agentIds":[{plain},{boss}]}}"#)),
    ] {
        app.expect_error(path, &body, 1015, "Permission denied").await;
    }
    assert_eq!(listed().await, before, "nothing changed");
    // An unknown agent is still 1509, before any privilege is weighed.
    app.expect_error("/api/v2/Agent/setCad", &format!(r#"{{{s},"agentIds":[{plain},999]}}"#), 1509, "Invalid agentId")
        .await;
    app.expect_error("/api/v2/Agent/updateAgentGroupMapping", &mapping(999), 1509, "Invalid agentId").await;
    // Agents it holds all the permissions of, it edits as before.
    let ok = |m: &str| format!(r#"{{"status":"success","code":200,"message":"{m}"}}"#);
    app.expect("/api/v2/Agent/updateAgentGroupMapping", &mapping(plain), &ok("Agent group mapping updated")).await;
    app.expect("/api/v2/Agent/setCad", &format!(r#"{{{s},"agentIds":[{plain},{plain}]}}"#), &ok("CAD set")).await;
    app.expect("/api/v2/Agent/unsetCad", &format!(r#"{{{s},"agentIds":[{plain}]}}"#), &ok("CAD unset")).await;
});
