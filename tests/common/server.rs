//! The real `agentdesk serve` binary as a child process on port 0, for
//! tests that need a process: killed with SIGKILL, restarted, several of
//! them on one database.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running `agentdesk serve`; killed when dropped.
pub struct Server {
    child: Child,
    /// `host:port` it listens on.
    pub address: String,
}

impl Server {
    /// `serve --bind 127.0.0.1:0 --database DATABASE` plus `extra`, once it
    /// says where it listens. Panics with its log when it exits first.
    pub fn start(database: &str, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_agentdesk"))
            .args(["serve", "--bind", "127.0.0.1:0", "--database", database])
            .args(extra)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut said = Vec::new();
        loop {
            let Some(line) = lines.next() else {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the server exited before listening:\n{}", said.join("\n"));
            };
            let line = line.unwrap();
            if let Some((_, rest)) = line.split_once("listening on http://") {
                let address = rest.split_whitespace().next().unwrap().to_string();
                // Keep draining the log so the server never blocks writing it.
                std::thread::spawn(move || lines.for_each(drop));
                return Server { child, address };
            }
            said.push(line);
        }
    }

    /// The process id (a cluster node's name carries it).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `http://host:port`.
    pub fn base(&self) -> String {
        format!("http://{}", self.address)
    }

    /// SIGKILL: no shutdown step runs, nothing buffered is flushed.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `agentdesk account create` on `database`: the new account's `userId`
/// and `token`.
pub fn create_account(database: &str, name: &str, email: &str) -> (String, String) {
    let created = Command::new(env!("CARGO_BIN_EXE_agentdesk"))
        .args(["account", "create", "--name", name, "--email", email, "--database", database])
        .output()
        .unwrap();
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let account: serde_json::Value = serde_json::from_slice(&created.stdout).unwrap();
    (account["userId"].as_str().unwrap().to_string(), account["token"].as_str().unwrap().to_string())
}

/// Waits until the server at `base` answers `/readyz` with 200 (a node of
/// several is ready once it has caught up); panics after 15 s.
pub async fn wait_ready(base: &str) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    while !reqwest::get(format!("{base}/readyz")).await.is_ok_and(|r| r.status() == 200) {
        assert!(tokio::time::Instant::now() < deadline, "{base} never became ready");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
