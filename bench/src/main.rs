//! `agentdesk-bench`: builds and starts the release server on a fresh
//! database, loads a contact center into it, drives each hot path with a
//! closed-loop HTTP load and compares it with a bare server measured the
//! same way in the same run. Prints a Markdown table and writes JSON.

mod board;
mod dataset;
mod load;
mod mixed;
mod nodes;
mod report;
mod routing;
mod server;

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use clap::{Parser, Subcommand};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use serde_json::{Value, json};

use dataset::{Loaded, Size};
use load::{Plan, contains, success};
use report::Row;
use server::Running;

#[derive(Parser)]
#[command(about = "Load benchmark of agentdesk's hot paths against a bare-server baseline")]
struct Cli {
    /// Database for the server under test: a fresh SQLite file by default;
    /// `postgres://USER@HOST/DB` creates (and drops) a fresh database on that server.
    #[arg(long)]
    database: Option<String>,
    /// Seconds each scenario is measured (after a fifth of that to warm up).
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Connections of the throughput scenarios (and of the baseline).
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// A seconds-long run on a small dataset, to check the bench still works.
    #[arg(long)]
    smoke: bool,
    /// Agent counts of the growth curve (`live`, `list`, `timeLine` latency
    /// at each size; the smoke uses 100,200,400; `--only` can leave it out).
    #[arg(long, value_delimiter = ',', default_value = "1000,10000,100000")]
    growth: Vec<usize>,
    /// Run only the scenarios whose name contains one of these words (case
    /// ignored), e.g. `--only ping,onBreak` or `--only mixed,growth`; all by default.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Also run the throughput scenarios on this many `--cluster` nodes
    /// sharing the database, each count in turn (`--nodes 1,3`), with the
    /// cross-node lag; PostgreSQL only.
    #[arg(long, value_delimiter = ',')]
    nodes: Vec<usize>,
    /// Where the JSON figures go.
    #[arg(long, default_value = "bench-results.json")]
    out: String,
    #[command(subcommand)]
    command: Option<Sub>,
}

#[derive(Subcommand)]
enum Sub {
    /// Serve the baseline (used by the bench itself).
    #[command(hide = true)]
    Baseline {
        #[arg(long)]
        port: u16,
    },
    /// Load the dataset into DATABASE and print how to address it (for profiling).
    #[command(hide = true)]
    Load {
        #[arg(long)]
        database: String,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(Sub::Baseline { port }) = cli.command {
        // The baseline gets the server's shape: a multi-threaded runtime.
        return tokio::runtime::Runtime::new()?.block_on(server::serve_baseline(port));
    }
    if let Some(Sub::Load { database }) = &cli.command {
        let size = size(cli.smoke);
        return tokio::runtime::Runtime::new()?.block_on(async {
            let store = agentdesk::store::open(database).await?;
            let data = dataset::load(&store, size).await?;
            store.close(agentdesk::clock::now()).await;
            println!(
                "{}",
                json!({"userId": data.user_id, "token": data.token, "busyDate": data.busy_date, "ssid1": data.ssids[0]})
            );
            Ok(())
        });
    }
    // The generator is one thread's work, as wrk or oha would be with one thread
    // per core left to the server.
    tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(bench(cli))
}

impl Cli {
    /// Whether `--only` lets the scenario named `name` run.
    fn runs(&self, name: &str) -> bool {
        let name = name.to_lowercase();
        self.only.is_empty() || self.only.iter().any(|word| name.contains(&word.to_lowercase()))
    }
}

fn size(smoke: bool) -> Size {
    if smoke {
        Size { agents: 200, groups: 5, history_agents: 10, history_days: 3, calls_per_day: 16, busy_day_calls: 100 }
    } else {
        Size {
            agents: 10_000,
            groups: 50,
            history_agents: 500,
            history_days: 30,
            calls_per_day: 16,
            busy_day_calls: 500,
        }
    }
}

/// A point of the growth curve: `agents` in teams of 200, a week of history
/// for one in twenty, and the same busy agent-day as the main dataset.
fn growth_size(agents: usize, smoke: bool) -> Size {
    Size {
        agents,
        groups: (agents / 200).max(1),
        history_agents: (agents / 20).max(1),
        history_days: if smoke { 2 } else { 7 },
        calls_per_day: 16,
        busy_day_calls: if smoke { 100 } else { 500 },
    }
}

/// A fresh database: a file in `dir`, or a new database on the named PostgreSQL server.
async fn fresh_database(given: Option<&str>, dir: &std::path::Path, label: &str) -> anyhow::Result<String> {
    match given {
        None => Ok(format!("sqlite://{}", dir.join(format!("{label}.db")).display())),
        Some(url) if url.starts_with("postgres") => {
            use sqlx::Connection;
            let name = format!("agentdesk_bench_{label}_{}", &agentdesk::domain::secret::new_token()[..10]);
            let mut admin = sqlx::PgConnection::connect(url).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await?;
            let (server, _) = url.rsplit_once('/').ok_or_else(|| anyhow::anyhow!("postgres URL needs a database"))?;
            Ok(format!("{server}/{name}"))
        }
        Some(other) => anyhow::bail!("--database must be postgres://…; SQLite is the default ({other:?})"),
    }
}

/// Gives PostgreSQL's planner the statistics its autovacuum would have
/// gathered within a minute of such a load in production; without them it
/// guesses one row per table and picks nested scans (a team board took 0.3 s
/// instead of 6 ms). SQLite is measured as it runs: without statistics.
async fn analyze(url: &str) -> anyhow::Result<()> {
    use sqlx::Connection;
    if url.starts_with("postgres") {
        let mut db = sqlx::PgConnection::connect(url).await?;
        sqlx::query("ANALYZE").execute(&mut db).await?;
    }
    Ok(())
}

/// Drops the PostgreSQL databases the run created (SQLite files go with the
/// temporary directory).
async fn drop_databases(given: Option<&str>, created: &[String]) -> anyhow::Result<()> {
    use sqlx::Connection;
    let Some(admin_url) = given.filter(|u| u.starts_with("postgres")) else { return Ok(()) };
    let mut admin = sqlx::PgConnection::connect(admin_url).await?;
    for url in created {
        if let Some((_, name)) = url.rsplit_once('/') {
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                .execute(&mut admin)
                .await?;
        }
    }
    Ok(())
}

fn bodies(items: impl IntoIterator<Item = serde_json::Value>) -> Arc<Vec<Bytes>> {
    Arc::new(items.into_iter().map(|v| Bytes::from(v.to_string())).collect())
}

struct Scenario {
    name: &'static str,
    path: &'static str,
    connections: usize,
    bodies: Arc<Vec<Bytes>>,
    good: fn(&[u8]) -> bool,
    /// Events per request, for ingestion.
    events_per_request: Option<u64>,
}

fn on_break_answer(body: &[u8]) -> bool {
    success(body) || contains(body, br#""code":1502"#)
}

fn all_accepted(body: &[u8]) -> bool {
    contains(body, br#""accepted":100,"#)
}

fn credentials(data: &Loaded, extra: serde_json::Value) -> serde_json::Value {
    let mut body = json!({"userId": data.user_id, "token": data.token});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    body
}

/// A ping from every agent's session, in agent order.
fn ping_bodies(data: &Loaded) -> Arc<Vec<Bytes>> {
    bodies(data.ssids.iter().map(|s| json!({"ssid": s, "mic_perm": 1})))
}

/// Agents free to take calls: the dataset puts every tenth on a break.
fn available_agents(agents: usize) -> Vec<usize> {
    (1..=agents).filter(|a| a % 10 != 0).collect()
}

/// Request bodies a scenario cycles through.
type Bodies = Arc<Vec<Bytes>>;

/// The supervisor reads: list pages with a name filter, the whole account's
/// live board, the busy agent-day's timeline.
fn reads(data: &Loaded) -> (Bodies, Bodies, Bodies) {
    let creds = |extra| credentials(data, extra);
    let lists = bodies((1..=20).map(|page| creds(json!({"name": "agent 0", "limit": 50, "page": page}))));
    let live = bodies([creds(json!({}))]);
    let timeline = bodies([creds(
        json!({"filter": [{"key": "agentId", "value": "1"}, {"key": "date", "value": data.busy_date}]}),
    )]);
    (lists, live, timeline)
}

/// The throughput scenarios; `run` names this run's calls apart from
/// another's on the same database (each call may be recorded once).
fn scenarios(data: &Loaded, cli: &Cli, size: Size, run: &str) -> Vec<Scenario> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let creds = |extra| credentials(data, extra);
    let pings = ping_bodies(data);
    let mut shuffled = data.ssids.clone();
    shuffled.shuffle(&mut rng);
    let on_break = bodies(shuffled.iter().map(|s| json!({"ssid": s})));
    let (lists, live, timeline) = reads(data);
    // Unique calls (idempotency would count repeats as duplicates): each
    // batch offers 50 calls to available agents and reports them missed.
    let batches = (cli.duration as usize * 3000).min(30_000) / if cli.smoke { 10 } else { 1 };
    let available = available_agents(size.agents);
    let ingest = bodies((0..batches).map(|b| {
        let events: Vec<serde_json::Value> = (0..50)
            .flat_map(|i| {
                let agent = available[(b * 50 + i) % available.len()];
                let call = format!("{run}b{b}-{i}");
                let number = format!("9197{:08}", b * 50 + i);
                [
                    json!({"callId": call, "event": "offered", "agentId": agent, "callerNumber": number}),
                    json!({"callId": call, "event": "missed", "agentId": agent, "callerNumber": number}),
                ]
            })
            .collect();
        creds(json!({"events": events}))
    }));
    let c = cli.connections;
    vec![
        Scenario {
            name: "setWebPingTime (distinct sessions)",
            path: "/api/v2/agentProfile/setWebPingTime",
            connections: c,
            bodies: pings,
            good: success,
            events_per_request: None,
        },
        Scenario {
            name: "agentOnBreak (random agents)",
            path: "/api/v2/agentProfile/agentOnBreak",
            connections: c,
            bodies: on_break,
            good: on_break_answer,
            events_per_request: None,
        },
        Scenario {
            name: "Agent/list (50, name filter)",
            path: "/api/v2/Agent/list",
            connections: c,
            bodies: lists,
            good: success,
            events_per_request: None,
        },
        Scenario {
            name: "Agent/live (whole account)",
            path: "/api/v2/Agent/live",
            connections: 4,
            bodies: live,
            good: success,
            events_per_request: None,
        },
        Scenario {
            name: "Agent/timeLine (busy agent-day)",
            path: "/api/v2/Agent/timeLine",
            connections: 4,
            bodies: timeline,
            good: success,
            events_per_request: None,
        },
        Scenario {
            name: "callEvent (batches of 100)",
            path: "/api/v2/callEvent",
            connections: 8,
            bodies: ingest,
            good: all_accepted,
            events_per_request: Some(100),
        },
    ]
}

/// Callers asking `callRoute` at once.
const ROUTE_CALLERS: usize = 8;
const ROUTE_ALONE: &str = "callRoute (longest idle; + its missed report)";
const ROUTE_BESIDE: &str = "mixed day: callRoute beside it";

/// How often an agent's page pings in the mixed day (the smoke's day is shorter).
fn ping_every(cli: &Cli) -> f64 {
    if cli.smoke { 3.0 } else { 15.0 }
}

/// The mixed day's length.
fn day_seconds(cli: &Cli) -> f64 {
    if cli.smoke { 3.0 } else { (cli.duration as f64 * 3.0).max(30.0) }
}

/// The mixed day's traffic: every agent pinging every 15 s, 100 supervisors
/// each polling their team's live board every 2 s (two per team), and
/// telephony posting 200 call events a second, one event per request as a
/// per-event webhook sends them.
fn mixed_streams(data: &Loaded, agents: usize, cli: &Cli) -> Vec<mixed::Stream> {
    let pings = ping_bodies(data);
    let boards = bodies((0..100).map(|i| credentials(data, json!({"groupid": data.groups[i % data.groups.len()]}))));
    let available = available_agents(agents);
    let calls = (day_seconds(cli) * 100.0) as usize + 100;
    let calls = bodies((0..calls).flat_map(|c| {
        let agent = available[c % available.len()];
        let call = format!("day-{c}");
        let number = format!("9196{c:08}");
        ["offered", "missed"].map(|event| {
            credentials(
                data,
                json!({"events": [{"callId": call, "event": event, "agentId": agent, "callerNumber": number}]}),
            )
        })
    }));
    vec![
        mixed::Stream {
            name: "mixed day: setWebPingTime",
            path: "/api/v2/agentProfile/setWebPingTime",
            bodies: pings,
            good: success,
            rate: agents as f64 / ping_every(cli),
            connections: 16,
        },
        mixed::Stream {
            name: "mixed day: Agent/live (team)",
            path: "/api/v2/Agent/live",
            bodies: boards,
            good: success,
            rate: 50.0,
            connections: 8,
        },
        mixed::Stream {
            name: "mixed day: callEvent (1 event)",
            path: "/api/v2/callEvent",
            bodies: calls,
            good: success,
            rate: 200.0,
            connections: 16,
        },
    ]
}

/// The mixed day on a running server: one ping round under the widened
/// heartbeat rules, so every agent has pinged, then the account's default
/// rules (stale after 30 s, offline after 90 s) and the measured day.
async fn mixed_day(
    target: &Running,
    data: &Loaded,
    agents: usize,
    cli: &Cli,
) -> anyhow::Result<Vec<(&'static str, usize, load::Outcome)>> {
    let streams = mixed_streams(data, agents, cli);
    eprintln!("mixed day: a ping round to start from…");
    mixed::run(target.addr, &streams[..1], Duration::from_secs_f64(ping_every(cli))).await?;
    load::post(
        target.addr,
        "/api/v2/Account/settings",
        credentials(data, json!({"staleAfter": 30, "offlineAfter": 90})),
    )
    .await?;
    let seconds = day_seconds(cli);
    eprintln!("mixed day: {seconds:.0} s…");
    target.reset_peak_rss();
    let outcomes = mixed::run(target.addr, &streams, Duration::from_secs_f64(seconds)).await?;
    Ok(streams.iter().zip(outcomes).map(|(s, o)| (s.name, s.connections, o)).collect())
}

/// The growth curve: a fresh database and server per size, each read
/// measured alone on one connection.
async fn growth(
    cli: &Cli,
    binary: &std::path::Path,
    dir: &std::path::Path,
    base_rps: f64,
    created: &mut Vec<String>,
) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    let sizes = if cli.smoke { vec![100, 200, 400] } else { cli.growth.clone() };
    for agents in sizes {
        let size = growth_size(agents, cli.smoke);
        let url = fresh_database(cli.database.as_deref(), dir, &format!("growth{agents}")).await?;
        created.push(url.clone());
        eprintln!("growth curve, {agents} agents: loading…");
        let store = agentdesk::store::open(&url).await?;
        let data = dataset::load(&store, size).await?;
        store.close(agentdesk::clock::now()).await;
        analyze(&url).await?;
        let target = start_agentdesk(binary, &url)?;
        let (lists, live, timeline) = reads(&data);
        for (name, path, bodies) in [
            ("Agent/live (whole account)", "/api/v2/Agent/live", live),
            ("Agent/list (50, name filter)", "/api/v2/Agent/list", lists),
            ("Agent/timeLine (busy agent-day)", "/api/v2/Agent/timeLine", timeline),
        ] {
            let outcome = measure(&target, path, bodies, success, 1, true, cli).await?;
            let row =
                Row::new(&format!("growth {agents} agents: {name}"), 1, &outcome, base_rps, target.peak_rss_mib());
            eprintln!("  {name}: p50 {:.2} ms, p99 {:.2} ms", row.p50_ms, row.p99_ms);
            rows.push(row);
        }
        target.stop();
    }
    Ok(rows)
}

/// The server with request budgets off: the bench drives one credential far
/// past what a client would (the flood scenario starts one with them on).
fn start_agentdesk(binary: &std::path::Path, url: &str) -> anyhow::Result<Running> {
    start_agentdesk_with(binary, url, &["--rate-limit", "0"])
}

fn start_agentdesk_with(binary: &std::path::Path, url: &str, flags: &[&str]) -> anyhow::Result<Running> {
    let port = server::free_port()?;
    let mut command = Command::new(binary);
    command.args(["serve", "--database", url, "--bind", &format!("127.0.0.1:{port}")]).args(flags);
    Running::start(command, port)
}

/// A refusal by a request budget, or a success.
fn answered_or_refused(body: &[u8]) -> bool {
    success(body) || contains(body, br#""code":429"#)
}

/// A login refused: wrong credentials, or a budget or bound said "later".
fn login_refused(body: &[u8]) -> bool {
    [&br#""code":1501"#[..], br#""code":429"#, br#""code":503"#].iter().any(|code| contains(body, code))
}

/// One abusive credential beside normal traffic, on a server with its
/// default budgets: agents' `agentOnBreak` at 200/s on their own sessions,
/// first alone, then while the account's token floods `Agent/list` at
/// 5,000/s. The two p99s of the normal traffic, side by side, say whether
/// the flood raised anyone else's latency.
async fn flood(
    binary: &std::path::Path,
    url: &str,
    data: &Loaded,
    cli: &Cli,
    base_rps: f64,
) -> anyhow::Result<Vec<Row>> {
    let target = start_agentdesk_with(binary, url, &[])?;
    let seconds = Duration::from_secs(if cli.smoke { 2 } else { cli.duration });
    let normal = mixed::Stream {
        name: "flood: agentOnBreak (200/s, agents' sessions)",
        path: "/api/v2/agentProfile/agentOnBreak",
        bodies: bodies(data.ssids.iter().map(|s| json!({"ssid": s}))),
        good: on_break_answer,
        rate: 200.0,
        connections: 8,
    };
    let flooding = mixed::Stream {
        name: "flood: the flooding token (Agent/list, 5000/s; 429 counts as answered)",
        path: "/api/v2/Agent/list",
        bodies: reads(data).0,
        good: answered_or_refused,
        rate: 5000.0,
        connections: 16,
    };
    // Unauthenticated password guesses with new emails from one address:
    // each would cost an argon2 check (issue 24); the source's login budget
    // and the bound on checks at once keep the rest of the server answering.
    let logins = mixed::Stream {
        name: "flood: password guesses (auth/login, 2000/s, one address; refusals count as answered)",
        path: "/api/v2/auth/login",
        bodies: bodies((0..10_000).map(|n| json!({"email": format!("guess{n}@flood.example"), "password": "guess"}))),
        good: login_refused,
        rate: 2000.0,
        connections: 64,
    };
    eprintln!("flood: normal traffic alone…");
    let alone = mixed::run(target.addr, std::slice::from_ref(&normal), seconds).await?;
    eprintln!("flood: normal traffic beside one flooding credential…");
    let beside = mixed::run(target.addr, &[normal.clone(), flooding], seconds).await?;
    eprintln!("flood: normal traffic beside a login flood…");
    let guessed = mixed::run(target.addr, &[normal, logins], seconds).await?;
    let mut rows = vec![Row::new("flood: agentOnBreak alone (200/s)", 8, &alone[0], base_rps, target.peak_rss_mib())];
    rows.push(Row::new("flood: agentOnBreak beside the flood", 8, &beside[0], base_rps, target.peak_rss_mib()));
    rows.push(Row::new(
        "flood: the flooding token (Agent/list, 5000/s)",
        16,
        &beside[1],
        base_rps,
        target.peak_rss_mib(),
    ));
    let rss = target.peak_rss_mib();
    rows.push(Row::new("flood: agentOnBreak beside a login flood", 8, &guessed[0], base_rps, rss));
    rows.push(Row::new("flood: password guesses (auth/login, 2000/s, one address)", 64, &guessed[1], base_rps, rss));
    for row in &rows {
        eprintln!("  {}: p99 {:.2} ms, {} errors", row.scenario, row.p99_ms, row.errors);
    }
    target.stop();
    Ok(rows)
}

/// Warms up (unless every body may be sent only once), then measures.
async fn measure(
    target: &Running,
    path: &str,
    scenario_bodies: Arc<Vec<Bytes>>,
    good: fn(&[u8]) -> bool,
    connections: usize,
    warm_up: bool,
    cli: &Cli,
) -> anyhow::Result<load::Outcome> {
    let plan = Plan { addrs: vec![target.addr], path: path.to_string(), bodies: scenario_bodies, good };
    let seconds = if cli.smoke { 1 } else { cli.duration };
    if warm_up {
        load::run(&plan, connections, Duration::from_millis(seconds * 200)).await?;
    }
    target.reset_peak_rss();
    load::run(&plan, connections, Duration::from_secs(seconds)).await
}

async fn bench(cli: Cli) -> anyhow::Result<()> {
    let size = size(cli.smoke);
    let dir = tempfile::tempdir()?;
    // The baseline runs from a copy of this binary: building the server
    // below may rebuild the bench too (features unified with the server's),
    // replacing the file this process was started from.
    let bench_copy = dir.path().join("agentdesk-bench");
    std::fs::copy(std::env::current_exe()?, &bench_copy)?;
    eprintln!("building the release server…");
    let binary = server::build_server()?;

    eprintln!("baseline: a bare axum server with a fixed 60-byte JSON body");
    let port = server::free_port()?;
    let mut command = Command::new(&bench_copy);
    command.args(["baseline", "--port", &port.to_string()]);
    let baseline = Running::start(command, port)?;
    let body = bodies([json!({"ssid": "0123456789abcdef"})]);
    let outcome = measure(&baseline, "/", body, |_| true, cli.connections, true, &cli).await?;
    let base_rps = outcome.per_second();
    let mut rows = vec![Row::new(
        "baseline (bare axum, 60-byte JSON)",
        cli.connections,
        &outcome,
        base_rps,
        baseline.peak_rss_mib(),
    )];
    baseline.stop();
    eprintln!("  {base_rps:.0} req/s");

    let mut created = Vec::new();
    let url = fresh_database(cli.database.as_deref(), dir.path(), "main").await?;
    created.push(url.clone());
    eprintln!("loading the dataset into {}…", url.split('@').next_back().unwrap_or(&url));
    let store = agentdesk::store::open(&url).await?;
    let data = dataset::load(&store, size).await?;
    store.close(agentdesk::clock::now()).await;
    analyze(&url).await?;
    eprintln!("  {} agents logged in, {} history events", size.agents, data.events);

    let agentdesk = start_agentdesk(&binary, &url)?;
    for s in scenarios(&data, &cli, size, "").into_iter().filter(|s| cli.runs(s.name)) {
        eprintln!("{}…", s.name);
        let warm_up = s.events_per_request.is_none();
        let outcome = measure(&agentdesk, s.path, s.bodies, s.good, s.connections, warm_up, &cli).await?;
        let mut row = Row::new(s.name, s.connections, &outcome, base_rps, agentdesk.peak_rss_mib());
        row.events_per_second = s.events_per_request.map(|n| n as f64 * outcome.per_second());
        eprintln!("  {:.0} req/s, p99 {:.2} ms, {} errors", row.requests_per_second, row.p99_ms, row.errors);
        rows.push(row);
    }
    let route_for = Duration::from_secs(if cli.smoke { 1 } else { cli.duration });
    if cli.runs("callRoute") {
        eprintln!("callRoute (longest idle, {} groups)…", data.groups.len());
        routing::prepare(agentdesk.addr, &data).await?;
        let outcome = routing::measure(agentdesk.addr, &data, ROUTE_CALLERS, route_for, "alone").await?;
        let row = Row::new(ROUTE_ALONE, ROUTE_CALLERS, &outcome, base_rps, agentdesk.peak_rss_mib());
        eprintln!(
            "  {:.0} decisions/s, p50 {:.2} ms, p99 {:.2} ms, {} errors",
            row.requests_per_second, row.p50_ms, row.p99_ms, row.errors
        );
        rows.push(row);
    }
    if cli.runs("mixed day") {
        // The routing decision beside the day, when both run.
        let beside = cli.runs("callRoute").then(|| {
            let (addr, data) = (agentdesk.addr, data.clone());
            tokio::spawn(async move {
                // After the day's first ping round.
                tokio::time::sleep(route_for).await;
                routing::measure(addr, &data, ROUTE_CALLERS, route_for, "mixed").await
            })
        });
        for (name, connections, outcome) in mixed_day(&agentdesk, &data, size.agents, &cli).await? {
            let row = Row::new(name, connections, &outcome, base_rps, agentdesk.peak_rss_mib());
            eprintln!(
                "  {name}: {:.0} req/s, p99 {:.2} ms, {} errors",
                row.requests_per_second, row.p99_ms, row.errors
            );
            rows.push(row);
        }
        if let Some(beside) = beside {
            let outcome = beside.await??;
            let row = Row::new(ROUTE_BESIDE, ROUTE_CALLERS, &outcome, base_rps, agentdesk.peak_rss_mib());
            eprintln!("  {ROUTE_BESIDE}: p50 {:.2} ms, p99 {:.2} ms, {} errors", row.p50_ms, row.p99_ms, row.errors);
            rows.push(row);
        }
    }
    let mut board_figures = Value::Null;
    if cli.runs("board (Chromium)") {
        eprintln!("board (Chromium), {} state changes per second…", board::RATE);
        let seconds = if cli.smoke { 3 } else { cli.duration };
        // Figures only: a browser that does not run here costs the row, not the run.
        match board::measure(agentdesk.addr, &data, seconds) {
            Ok(Some(figures)) => {
                eprintln!("  {figures}");
                board_figures = figures;
            }
            Ok(None) => eprintln!("  skipped: no Chromium, or no `npm ci` in tests/browser"),
            Err(e) => eprintln!("  failed: {e:#}"),
        }
    }
    agentdesk.stop();
    if !cli.nodes.is_empty() {
        anyhow::ensure!(
            cli.database.is_some(),
            "--nodes needs --database postgres://…: SQLite is served by one process"
        );
        rows.extend(nodes::measure(&cli, &binary, &url, &data, size, base_rps).await?);
    }
    if cli.runs("flood") {
        rows.extend(flood(&binary, &url, &data, &cli, base_rps).await?);
    }
    if cli.runs("growth curve") {
        rows.extend(growth(&cli, &binary, dir.path(), base_rps, &mut created).await?);
    }
    drop_databases(cli.database.as_deref(), &created).await?;

    println!("{}", report::markdown(&rows));
    let figures = json!({"database": if cli.database.is_some() { "postgres" } else { "sqlite" },
        "agents": size.agents, "history_events": data.events, "results": rows, "board": board_figures});
    std::fs::write(&cli.out, serde_json::to_string_pretty(&figures)?)?;
    eprintln!("figures written to {}", cli.out);
    Ok(())
}
