//! The pages in real Chromium, driven by Playwright (`tests/browser/`:
//! `playwright-core` pointed at the installed browser) against the real
//! binary started with `serve --demo`: the supervisor sees the demo agents
//! and their counts, a break started through the API shows on the agent's
//! row with its reason within a second, ending it from the board makes
//! `Agent/live` say `available` with the supervisor as the event's actor,
//! the drawer draws the agent's day; the agent console pings and takes and
//! ends a break. Screenshots are written to a temporary directory.
//! Skipped when no Chromium is installed; when `AGENTDESK_TEST_CHROMIUM`
//! names one (CI does), it must run, and so must node with `npm ci` done.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const CHROMIUM_ENV: &str = "AGENTDESK_TEST_CHROMIUM";

fn chromium() -> Option<PathBuf> {
    if let Some(named) = std::env::var_os(CHROMIUM_ENV).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(named));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"].into_iter().map(PathBuf::from).find(|p| p.exists())
}

/// The server, stopped when the test ends however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What `serve --demo` printed: the base URL and each `key: value` line.
struct Demo {
    base: String,
    lines: Vec<String>,
}

impl Demo {
    fn value(&self, key: &str) -> String {
        let line = self.lines.iter().find(|l| l.trim_start().starts_with(key)).unwrap_or_else(|| panic!("{key}"));
        line.split_once(':').unwrap().1.split_whitespace().next().unwrap().to_string()
    }
}

fn serve_demo(database: &str) -> (Server, Demo) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_agentdesk"))
        .args(["serve", "--demo", "--bind", "127.0.0.1:0", "--database", database])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    let server = Server(child);
    let mut lines = Vec::new();
    let mut base = None;
    loop {
        let line = out.next().expect("the server printed its demo credentials").unwrap();
        if let Some(rest) = line.strip_prefix("Open http://") {
            base = Some(format!("http://{}", rest.split('/').next().unwrap()));
        }
        let last = line.trim_start().starts_with("admin (the board)");
        lines.push(line);
        if last {
            // Keep draining stdout so the server never blocks writing it.
            std::thread::spawn(move || out.for_each(drop));
            return (server, Demo { base: base.expect("an Open line"), lines });
        }
    }
}

#[tokio::test]
async fn the_board_and_the_console_work_in_chromium_on_demo_data() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: no Chromium installed and {CHROMIUM_ENV} is not set");
        return;
    };
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        scripts.join("node_modules/playwright-core").exists(),
        "run `npm ci` in {} (.ci/run does) to drive Chromium",
        scripts.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("demo.db").display());
    let (_server, demo) = serve_demo(&database);
    let shots = dir.path().join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let run = tokio::process::Command::new("node")
        .arg("scenario.mjs")
        .current_dir(&scripts)
        .env("AGENTDESK_BASE", &demo.base)
        .env("AGENTDESK_USER_ID", demo.value("userId"))
        .env("AGENTDESK_TOKEN", demo.value("token"))
        .env("AGENTDESK_SUPERVISOR_EMAIL", demo.value("supervisor"))
        .env("AGENTDESK_AGENT_EMAIL", demo.value("agent"))
        .env("AGENTDESK_AGENT_PASSWORD", agentdesk::demo::AGENT_PASSWORD)
        .env("AGENTDESK_SHOTS", &shots)
        .env(CHROMIUM_ENV, &browser)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(std::time::Duration::from_secs(120), run)
        .await
        .expect("the scenario finished within 120 s")
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    eprintln!("figures: {stdout}");
    for shot in [
        "board.png",
        "board-break.png",
        "drawer.png",
        "console-call.png",
        "console-break.png",
        "console.png",
        "console-logged-out.png",
        "board-polling.png",
    ] {
        let size = std::fs::metadata(shots.join(shot)).map(|m| m.len()).unwrap_or(0);
        assert!(size > 1000, "{shot}: {size} bytes");
    }
    if let Some(keep) = std::env::var_os("AGENTDESK_KEEP_SCREENSHOTS") {
        for entry in std::fs::read_dir(&shots).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), Path::new(&keep).join(entry.file_name())).unwrap();
        }
    }
}
