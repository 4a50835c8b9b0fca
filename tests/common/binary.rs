//! The real `agentdesk serve` binary on port 0, for tests that kill it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// `agentdesk serve` on port 0 without request budgets (a load test is
/// what they exist to refuse); killed when dropped.
pub struct Server {
    child: Child,
    pub address: String,
}

impl Server {
    /// Starts it on `database` with `extra` flags and waits until it listens.
    pub fn start(database: &str, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_agentdesk"))
            .args(["serve", "--bind", "127.0.0.1:0", "--rate-limit", "0", "--database", database])
            .args(extra)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        loop {
            let Some(line) = lines.next() else {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the server exited before listening");
            };
            if let Some((_, rest)) = line.unwrap().split_once("listening on http://") {
                let address = rest.split_whitespace().next().unwrap().to_string();
                // Keep draining the log so the server never blocks writing it.
                std::thread::spawn(move || lines.for_each(drop));
                return Server { child, address };
            }
        }
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
