//! The `agentdesk` command: parse the command line, pick the store, call the library.

#![forbid(unsafe_code)]

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

use agentdesk::settings::{DatabaseSettings, FileSettings, ServeSettings};
use agentdesk::{AppState, ServerConfig, accounts, demo, store};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "agentdesk", version, about = "Call-center agent management speaking the DeepCall API v2")]
struct Cli {
    /// A TOML file with any of the settings below, named as the flags with `_` for `-` (README, "Configuration"); the environment and flags override it.
    #[arg(long, global = true, env = "AGENTDESK_CONFIG")]
    config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

impl Cli {
    /// Parses the command line, then fills what it left at clap's defaults
    /// from the config file.
    fn load() -> anyhow::Result<Self> {
        let matches = Self::command().get_matches();
        let mut cli = Self::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        let file = FileSettings::load(cli.config.as_deref())?;
        let Some((_, sub)) = matches.subcommand() else { return Ok(cli) };
        // `account <verb>` keeps its settings one level further down.
        let leaf: &ArgMatches = sub.subcommand().map(|(_, m)| m).unwrap_or(sub);
        match &mut cli.command {
            Command::Serve(settings) => settings.layer(sub, &file)?,
            Command::Migrate(db) | Command::Demo(db) | Command::Backup { db, .. } => db.layer(sub, &file),
            Command::Account { command } => command.database().layer(leaf, &file),
        }
        Ok(cli)
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server.
    Serve(ServeSettings),
    /// Apply database migrations and exit.
    Migrate(DatabaseSettings),
    /// Manage accounts (tenants).
    Account {
        #[command(subcommand)]
        command: AccountCommand,
    },
    /// Load a demo account and print its credentials.
    Demo(DatabaseSettings),
    /// Copy a SQLite database to a new file while servers keep running on it.
    Backup {
        /// The copy to write; it must not exist yet.
        #[arg(long)]
        to: std::path::PathBuf,
        #[command(flatten)]
        db: DatabaseSettings,
    },
}

#[derive(Subcommand)]
enum AccountCommand {
    /// List every account, one JSON line each: userId, name, email, suspended, agents, createdAt.
    List {
        #[command(flatten)]
        db: DatabaseSettings,
    },
    /// Create an account; prints {"userId":"…","token":"…"} on stdout.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        /// Admin password for `auth/login` (optional).
        #[arg(long, env = "AGENTDESK_ACCOUNT_PASSWORD")]
        password: Option<String>,
        #[command(flatten)]
        db: DatabaseSettings,
    },
    /// Add an API token; prints {"userId":"…","token":"…"} on stdout.
    TokenAdd {
        #[arg(long)]
        user_id: String,
        #[command(flatten)]
        db: DatabaseSettings,
    },
    /// Revoke an API token: it answers 1014 from then on.
    TokenRevoke {
        #[arg(long)]
        user_id: String,
        #[arg(long, env = "AGENTDESK_TOKEN")]
        token: String,
        #[command(flatten)]
        db: DatabaseSettings,
    },
    /// Set or reset the account's admin password (`auth/login` with its
    /// email); without `--password` a new one is made and printed as
    /// {"userId":"…","password":"…"}. Every admin session of the account ends.
    SetPassword {
        #[arg(long)]
        user_id: String,
        #[arg(long, env = "AGENTDESK_ACCOUNT_PASSWORD")]
        password: Option<String>,
        #[command(flatten)]
        db: DatabaseSettings,
    },
    /// Suspend an account: its tokens and sessions answer 1039 until reinstated.
    Suspend {
        #[arg(long)]
        user_id: String,
        #[command(flatten)]
        db: DatabaseSettings,
    },
    /// Lift a suspension.
    Reinstate {
        #[arg(long)]
        user_id: String,
        #[command(flatten)]
        db: DatabaseSettings,
    },
}

impl AccountCommand {
    fn database(&mut self) -> &mut DatabaseSettings {
        match self {
            AccountCommand::List { db }
            | AccountCommand::Create { db, .. }
            | AccountCommand::TokenAdd { db, .. }
            | AccountCommand::TokenRevoke { db, .. }
            | AccountCommand::SetPassword { db, .. }
            | AccountCommand::Suspend { db, .. }
            | AccountCommand::Reinstate { db, .. } => db,
        }
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Logs go to stderr so that stdout carries only what commands print for scripts.
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    // A refusal is one line an operator can act on (`{:#}`: the cause
    // chain on that line), never a backtrace.
    let done = match Cli::load() {
        Ok(cli) => run(cli.command).await,
        Err(error) => Err(error),
    };
    match done {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    let (db, action) = match command {
        Command::Serve(settings) => return serve(settings).await,
        Command::Migrate(db) => (db, OneShot::Migrate),
        Command::Demo(db) => (db, OneShot::Demo),
        Command::Backup { to, db } => {
            store::backup(&db.database, &to).await?;
            tracing::info!(database = %db.redacted(), to = %to.display(), "backup written");
            return Ok(());
        }
        Command::Account { command } => account_action(command),
    };
    // One-shot commands close the store before they end, so SQLite folds
    // its WAL back into the file and leaves no -wal/-shm behind.
    let store = store::open(&db.database).await?;
    let done = one_shot(&store, &db, action).await;
    store.close(agentdesk::clock::now()).await;
    done
}

/// What a one-shot command does once its store is open.
enum OneShot {
    Migrate,
    Demo,
    List,
    Create { name: String, email: String, password: Option<String> },
    TokenAdd { user_id: String },
    TokenRevoke { user_id: String, token: String },
    SetPassword { user_id: String, password: Option<String> },
    Suspend { user_id: String, suspended: bool },
}

fn account_action(command: AccountCommand) -> (DatabaseSettings, OneShot) {
    match command {
        AccountCommand::List { db } => (db, OneShot::List),
        AccountCommand::Create { name, email, password, db } => (db, OneShot::Create { name, email, password }),
        AccountCommand::TokenAdd { user_id, db } => (db, OneShot::TokenAdd { user_id }),
        AccountCommand::TokenRevoke { user_id, token, db } => (db, OneShot::TokenRevoke { user_id, token }),
        AccountCommand::SetPassword { user_id, password, db } => (db, OneShot::SetPassword { user_id, password }),
        AccountCommand::Suspend { user_id, db } => (db, OneShot::Suspend { user_id, suspended: true }),
        AccountCommand::Reinstate { user_id, db } => (db, OneShot::Suspend { user_id, suspended: false }),
    }
}

async fn one_shot(store: &store::SharedStore, db: &DatabaseSettings, action: OneShot) -> anyhow::Result<()> {
    match action {
        OneShot::Migrate => tracing::info!(database = %db.redacted(), "migrations applied"),
        OneShot::Demo => demo::load(store, "http://127.0.0.1:8080").await?.print(),
        OneShot::List => {
            for account in store.list_accounts().await? {
                println!("{}", serde_json::to_string(&account)?);
            }
        }
        OneShot::Create { name, email, password } => {
            let created = accounts::create_account(store, &name, &email, password.as_deref()).await?;
            println!("{}", serde_json::to_string(&created)?);
            tracing::info!(target: "security", event = "account_created", account = %created.user_id, %email);
        }
        // Security events name the account, never the token.
        OneShot::TokenAdd { user_id } => {
            println!("{}", serde_json::to_string(&accounts::add_token(store, &user_id).await?)?);
            tracing::info!(target: "security", event = "token_added", account = %user_id);
        }
        OneShot::TokenRevoke { user_id, token } => {
            accounts::revoke_token(store, &user_id, &token).await?;
            tracing::info!(target: "security", event = "token_revoked", account = %user_id);
        }
        OneShot::SetPassword { user_id, password } => {
            let generated = password.is_none();
            let set = accounts::set_admin_password(store, &user_id, password.as_deref()).await?;
            // Printed only when made here: a given password is not echoed.
            let printed = if generated {
                serde_json::json!({"userId": user_id, "password": set})
            } else {
                serde_json::json!({"userId": user_id})
            };
            println!("{printed}");
            tracing::info!(target: "security", event = "admin_password_set", account = %user_id);
        }
        OneShot::Suspend { user_id, suspended } => {
            store.set_suspended(&store::AccountId::new(user_id.clone()), suspended).await?;
            let event = if suspended { "account_suspended" } else { "account_reinstated" };
            tracing::info!(target: "security", event, account = %user_id);
        }
    }
    Ok(())
}

async fn serve(settings: ServeSettings) -> anyhow::Result<()> {
    // Before opening: a second server on one SQLite file must not even migrate it.
    let claim = store::serving::claim(&settings.db.database, settings.cluster).await?;
    // The claim is kept by its own task until the store has closed; if
    // another server took the database while it had lapsed, this one stops.
    let (claim_lost, lost) = tokio::sync::watch::channel(false);
    let claim = {
        let (url, clustered) = (settings.db.database.clone(), settings.cluster);
        tokio::spawn(async move {
            let why = claim.keep(&url, clustered).await;
            tracing::error!(error = %why, "this server lost its claim on the database; stopping");
            let _ = claim_lost.send(true);
            std::future::pending::<()>().await
        })
    };
    let store = store::open_as(&settings.db.database, settings.cluster).await?;
    tracing::info!(database = %settings.db.redacted(), "store ready");
    let listener = match TcpListener::bind(settings.bind.as_str()).await {
        Ok(listener) => listener,
        Err(e) => {
            store.close(agentdesk::clock::now()).await;
            anyhow::bail!("cannot listen on {}: {e}", settings.bind);
        }
    };
    let address = listener.local_addr()?;
    if settings.demo {
        demo::load(&store, &format!("http://{address}")).await?.print();
    }
    tracing::info!(%address, "agentdesk listening on http://{address}");
    let config = ServerConfig {
        session_ttl_secs: settings.session_ttl,
        session_max_secs: settings.session_max,
        rate_limit: settings.rate_limit,
        max_in_flight: settings.max_in_flight,
        password_checks: settings.password_checks,
        trusted_proxies: agentdesk::limits::TrustedProxies::new(settings.trusted_proxies.clone()),
        cluster: settings.cluster,
        webhook_allow_private: settings.webhook_allow_private,
        webhook_retry_scale: settings.webhook_retry_scale,
        ..ServerConfig::default()
    };
    let state = AppState::new(store.clone(), config);
    let clock = state.clock.clone();
    state.live.start().await?;
    let (stop_live, live_stopped) = tokio::sync::oneshot::channel::<()>();
    let background = tokio::spawn(agentdesk::live::run(state.live.clone(), async {
        let _ = live_stopped.await;
    }));
    let (stop_following, following_stopped) = tokio::sync::watch::channel(false);
    let follower = match state.live.node() {
        Some(node) => {
            let wakeups = store::cluster::LogWakeups::connect(&settings.db.database).await?;
            let mut stopped = following_stopped.clone();
            let follow = agentdesk::live::follow(state.live.clone(), wakeups, async move {
                let _ = stopped.wait_for(|s| *s).await;
            });
            let mut stopped = following_stopped.clone();
            let share = agentdesk::limits::share::keep_share(
                store.clone(),
                state.rates.clone(),
                node.to_string(),
                async move {
                    let _ = stopped.wait_for(|s| *s).await;
                },
            );
            Some((tokio::spawn(follow), tokio::spawn(share)))
        }
        None => None,
    };
    let (stop_push, push_stopped) = tokio::sync::oneshot::channel::<()>();
    let pusher = tokio::spawn(agentdesk::push::run(state.push.clone(), async {
        let _ = push_stopped.await;
    }));
    let mut lapsed = lost.clone();
    let stop = async move {
        tokio::select! {
            () = shutdown_signal() => {},
            Ok(_) = lapsed.wait_for(|lost| *lost) => {},
        }
    };
    agentdesk::launch(state, listener, stop).await?;
    // Requests are drained; then the background work stops (flushing the
    // latest pings; webhook attempts in flight finish), and the store closes last.
    let _ = stop_live.send(());
    let _ = stop_following.send(true);
    let _ = stop_push.send(());
    let _ = background.await;
    let _ = pusher.await;
    if let Some((follower, share)) = follower {
        let _ = follower.await;
        let _ = share.await;
    }
    store.close(clock.now()).await;
    // Released last: no other server starts before this one has closed.
    claim.abort();
    if *lost.borrow() {
        anyhow::bail!("stopped: another agentdesk server took the database while this one's claim had lapsed");
    }
    tracing::info!("stopped");
    Ok(())
}

/// SIGINT or SIGTERM: stop accepting, let requests in flight finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: draining requests in flight");
}
