//! A realistic demo account: groups, roles and twenty agents with working
//! hours, so a newcomer can try every endpoint and the pages at once. It is
//! repeatable: loading it again on the same database reuses the account
//! and prints the same credentials (fixed, well-known: a demo only).

use crate::accounts::{CreatedAccount, create_account, revoke_token};
use crate::domain::agent::{DestType, ROOT_PATH, ReceiveCall};
use crate::domain::permission::{Permission, Permissions};
use crate::domain::secret;
use crate::domain::working::WorkingTime;
use crate::store::{AccountId, ContactRow, Mapping, NewAgent, RoleId, RoutingChange, SharedStore};

const AGENTS: [(&str, &str); 20] = [
    ("Aarav Sharma", "9829012301"),
    ("Priya Verma", "9829012302"),
    ("Rohan Gupta", "9829012303"),
    ("Ananya Iyer", "9829012304"),
    ("Vikram Singh", "9829012305"),
    ("Meera Nair", "9829012306"),
    ("Kabir Mehta", "9829012307"),
    ("Isha Reddy", "9829012308"),
    ("Arjun Rao", "9829012309"),
    ("Diya Kapoor", "9829012310"),
    ("Karan Malhotra", "9829012311"),
    ("Sneha Joshi", "9829012312"),
    ("Aditya Kulkarni", "9829012313"),
    ("Pooja Bhat", "9829012314"),
    ("Rahul Desai", "9829012315"),
    ("Neha Chawla", "9829012316"),
    ("Siddharth Jain", "9829012317"),
    ("Tara Menon", "9829012318"),
    ("Manoj Rao", "9829012319"),
    ("Bhawna Saini", "9829012320"),
];
const GROUPS: [&str; 4] = ["Sales", "Support", "Billing", "Escalations"];
/// The demo's contact card: standard fields and two custom ones.
const CONTACT_FIELDS: [&str; 5] = ["Name", "Email", "City", "Company", "Plan"];
const CONTACTS: [(&str, &str, &str, &str, &str, &str); 3] = [
    ("918302390884", "Kavya Sethi", "kavya@example.in", "Pune", "Sethi Traders", "Gold"),
    ("919876500001", "Imran Qureshi", "imran@example.in", "Lucknow", "", "Silver"),
    ("919876500002", "Lakshmi Pillai", "", "Kochi", "Pillai Exports", "Gold"),
];
/// Every demo agent logs in with this password.
pub const AGENT_PASSWORD: &str = "agent-demo-1";
pub const ADMIN_PASSWORD: &str = "admin-demo-1";
/// The demo account's admin email; agents are `agent<N>@` the same domain.
pub const ADMIN_EMAIL: &str = "admin@demo.agentdesk.local";
/// The demo account's API token: fixed so every load prints the same one.
pub const DEMO_TOKEN: &str = "demo-token-0000000000000000000000000000";
/// Agents 1 and 2 supervise the floor (role "Supervisor").
pub const SUPERVISORS: usize = 2;

fn agent_email(n: usize) -> String {
    format!("agent{n}@demo.agentdesk.local")
}

pub struct Demo {
    pub account: CreatedAccount,
    pub admin_email: String,
    /// An agent whose role holds `VIEW_AGENTS` and `SUPERVISE_AGENTS`: it lands on the board.
    pub supervisor_email: String,
    /// An agent without them: it lands on the agent console.
    pub agent_email: String,
    /// Loaded by an earlier run and reused.
    pub reused: bool,
    base_url: String,
}

impl Demo {
    /// Credentials and a ready-to-paste request, on stdout.
    pub fn print(&self) {
        let Demo { account, admin_email, supervisor_email, agent_email, reused, base_url } = self;
        println!("Demo account {}.", if *reused { "reused" } else { "loaded" });
        println!("  userId: {}\n  token:  {}", account.user_id, account.token);
        println!("Open {base_url}/ and log in:");
        println!("  supervisor (the board): {supervisor_email} / {AGENT_PASSWORD}");
        println!("  agent (the console):    {agent_email} / {AGENT_PASSWORD} (agent3… to agent20… alike)");
        println!("  admin (the board):      {admin_email} / {ADMIN_PASSWORD}");
        println!(
            "Try:\n  curl -s {base_url}/api/v2/Agent/list --data-raw '{{\"userId\":\"{}\",\"token\":\"{}\",\"limit\":5}}'",
            account.user_id, account.token
        );
        println!(
            "  curl -s {base_url}/api/v2/agentDashboard/contactInfo --data-raw '{{\"userId\":\"{}\",\"token\":\"{}\",\"callerNumber\":\"8302390884\"}}'",
            account.user_id, account.token
        );
    }
}

/// Loads the demo account, or finds the one an earlier run loaded.
pub async fn load(store: &SharedStore, base_url: &str) -> anyhow::Result<Demo> {
    let existing = store.login_candidates(ADMIN_EMAIL).await?.into_iter().find(|c| c.agent_id.is_none());
    let reused = existing.is_some();
    let user_id = match existing {
        Some(found) => found.account_id.to_string(),
        None => create(store).await?,
    };
    let demo = |user_id: String| Demo {
        account: CreatedAccount { user_id, token: DEMO_TOKEN.to_string() },
        admin_email: ADMIN_EMAIL.to_string(),
        supervisor_email: agent_email(1),
        agent_email: agent_email(SUPERVISORS + 1),
        reused,
        base_url: base_url.to_string(),
    };
    Ok(demo(user_id))
}

/// A new demo account with the fixed token; its id.
async fn create(store: &SharedStore) -> anyhow::Result<String> {
    let account = create_account(store, "Demo Contact Center", ADMIN_EMAIL, Some(ADMIN_PASSWORD)).await?;
    let id = &AccountId::new(account.user_id.clone());
    store.add_token(id, &secret::token_hash(DEMO_TOKEN), crate::clock::now()).await?;
    revoke_token(store, &account.user_id, &account.token).await?;
    let now = crate::clock::now();
    let mut groups = Vec::new();
    for name in GROUPS {
        groups.push(store.add_group(id, name, 1, (None, &RoutingChange::default()), now).await?.id);
    }
    let supervisor =
        Permissions::new(vec![Permission::ViewAgents, Permission::EditAgents, Permission::SuperviseAgents]).to_stored();
    let supervisor_role = store.add_role(id, "Supervisor", &supervisor).await?.id;
    let password_hash = secret::hash_password(AGENT_PASSWORD)?;
    let weekdays = WorkingTime { days: vec!["MON", "TUE", "WED", "THU", "FRI"], from: 540, to: 1080 };
    let weekend = WorkingTime { days: vec!["SAT", "SUN"], from: 600, to: 960 };
    for (i, (name, mobile)) in AGENTS.iter().enumerate() {
        let email = agent_email(i + 1);
        // Everyone takes calls for one team; the first three teams also stand
        // by for escalations without receiving them.
        let team = groups[i % 3];
        let agent = NewAgent {
            name: name.to_string(),
            email,
            phone: format!("91{mobile}"),
            address: "Jaipur".to_string(),
            dest_type: DestType::Mobile,
            dest_value: mobile.to_string(),
            call_pass_hash: secret::hash_password(&secret::new_call_password())?,
            password_hash: password_hash.clone(),
            role_id: if i < SUPERVISORS { supervisor_role } else { RoleId(1) },
            parent_path: ROOT_PATH.to_string(),
            favorite: String::new(),
            allow_did: Vec::new(),
            status: 1,
            groups: vec![
                Mapping { group: team, receive_call: ReceiveCall::Yes },
                Mapping { group: groups[3], receive_call: ReceiveCall::No },
            ],
            working: if i % 4 == 3 { vec![weekdays.clone(), weekend.clone()] } else { vec![weekdays.clone()] },
            create_by: id.to_string(),
            create_by_type: String::new(),
            now,
        };
        store.create_agent(id, &agent).await?;
    }
    load_contacts(store, id).await?;
    Ok(account.user_id)
}

/// A few contacts, so `agentDashboard/contactInfo` and `Directory/getInfo` show something.
async fn load_contacts(store: &SharedStore, account: &AccountId) -> anyhow::Result<()> {
    store.set_contact_fields(account, &CONTACT_FIELDS.map(String::from)).await?;
    let now = crate::clock::now();
    for (number, name, email, city, company, plan) in CONTACTS {
        let values: std::collections::BTreeMap<&str, &str> =
            [("name", name), ("email", email), ("city", city), ("company", company), ("plan", plan)]
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .collect();
        let info = serde_json::to_string(&values)?;
        let row = ContactRow { number: number.to_string(), info, created_at: now, updated_at: now, version: 0 };
        store.create_contact(account, &row).await?;
    }
    Ok(())
}
