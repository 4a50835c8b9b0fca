//! The processes under test: the release agentdesk server on a fresh
//! database, and the baseline — a bare axum server answering a fixed 60-byte
//! JSON body — each in a process of its own, as a client would meet them.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;

/// The baseline's whole answer: 60 bytes of JSON.
pub const BASELINE_BODY: &str = r#"{"status":"success","agent":"A-0001","state":"available","n":4}"#;

/// Serves the baseline on `port` until killed (the `baseline` subcommand).
pub async fn serve_baseline(port: u16) -> anyhow::Result<()> {
    use axum::http::header;
    let app = axum::Router::new().fallback(|| async { ([(header::CONTENT_TYPE, "application/json")], BASELINE_BODY) });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    axum::serve(listener, app).await?;
    Ok(())
}

/// A free loopback port (bound and released).
pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("bench lives in the workspace").to_path_buf()
}

/// Builds the release server and returns its path.
pub fn build_server() -> anyhow::Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let root = workspace_root();
    // Built together with the bench, so both resolve the same features and
    // each `cargo run -p agentdesk-bench` does not rebuild the server's crates.
    let status = Command::new(cargo)
        .args(["build", "--release", "-p", "agentdesk-bench", "-p", "agentdesk", "--bins"])
        .current_dir(&root)
        .status()
        .context("running cargo build")?;
    anyhow::ensure!(status.success(), "building the release server failed");
    Ok(root.join("target/release/agentdesk"))
}

/// A child process serving HTTP on `addr`; killed when dropped.
pub struct Running {
    pub addr: SocketAddr,
    child: Child,
}

impl Running {
    pub fn start(mut command: Command, port: u16) -> anyhow::Result<Running> {
        let child = command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().context("starting a server")?;
        let running = Running { addr: SocketAddr::from(([127, 0, 0, 1], port)), child };
        running.wait_ready()?;
        Ok(running)
    }

    fn wait_ready(&self) -> anyhow::Result<()> {
        let until = Instant::now() + Duration::from_secs(60);
        while Instant::now() < until {
            if std::net::TcpStream::connect(self.addr).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        anyhow::bail!("server on {} did not start within 60 s", self.addr)
    }

    /// Forgets the peak resident set so the next reading covers what follows.
    pub fn reset_peak_rss(&self) {
        let _ = std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5");
    }

    /// Peak resident set (VmHWM) in MiB since the last reset.
    pub fn peak_rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map(|kib| kib / 1024.0)
            .unwrap_or(0.0)
    }

    /// SIGTERM (graceful: the server flushes), then wait.
    pub fn stop(mut self) {
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
