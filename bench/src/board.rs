//! The board benchmark: the supervisor's board (`web/board.js`) in real
//! Chromium on the bench's account, driven by `tests/browser/board-bench.mjs`
//! (Playwright, `npm ci` there first): time to the first full render, and
//! the lag of a row while state changes arrive at `RATE` per second.
//! Figures, not a pass/fail; skipped when Chromium or the script's
//! packages are missing.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;
use serde_json::Value;

use crate::dataset::Loaded;

/// State changes per second while the lag is measured.
pub const RATE: u32 = 100;

/// The browser: `AGENTDESK_TEST_CHROMIUM`, else where Debian installs it.
fn chromium() -> Option<PathBuf> {
    if let Some(named) = std::env::var_os("AGENTDESK_TEST_CHROMIUM").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(named));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"].into_iter().map(PathBuf::from).find(|p| p.exists())
}

/// Runs the board scenario for `seconds` against the server at `addr`;
/// `Ok(None)` when it cannot run here (no Chromium, no packages).
pub fn measure(addr: SocketAddr, data: &Loaded, seconds: u64) -> anyhow::Result<Option<Value>> {
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/browser");
    let Some(browser) = chromium() else { return Ok(None) };
    if !scripts.join("node_modules/playwright-core").exists() {
        return Ok(None);
    }
    let output = Command::new("node")
        .arg("board-bench.mjs")
        .current_dir(&scripts)
        .env("AGENTDESK_BASE", format!("http://{addr}"))
        .env("AGENTDESK_USER_ID", &data.user_id)
        .env("AGENTDESK_TOKEN", &data.token)
        .env("AGENTDESK_SSID", &data.ssids[0])
        .env("AGENTDESK_BENCH_SECONDS", seconds.to_string())
        .env("AGENTDESK_BENCH_RATE", RATE.to_string())
        .env("AGENTDESK_TEST_CHROMIUM", &browser)
        .output()
        .context("running node")?;
    anyhow::ensure!(output.status.success(), "board-bench.mjs failed: {}", String::from_utf8_lossy(&output.stderr));
    let figures = serde_json::from_slice(&output.stdout).context("board-bench.mjs printed no JSON")?;
    Ok(Some(figures))
}
