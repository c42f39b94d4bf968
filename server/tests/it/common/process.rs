//! The real server binary as a child process, for the tests that kill it (SIGKILL) and start
//! it again on the same database.
//!
//! The first start listens on a port the server picks itself (`127.0.0.1:0`, read back from
//! the address it prints): a port chosen by the test and handed over later can be taken by
//! another process in between. Its log goes to a file, and a server that stops before
//! answering fails the test at once with the log's last lines, not after a minute of
//! silence.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

/// How long a start may take: migrations and the demo data of a debug build, on a busy
/// two-core machine.
const START_WITHIN: Duration = Duration::from_secs(90);

pub struct ServerProcess {
    pub child: Child,
    pub port: u16,
    log: PathBuf,
}

impl ServerProcess {
    /// Starts the demo server on the SQLite database `database` in `dir`, with the extra
    /// environment `env`, on `port` (0: one the server picks), and waits until `/healthz`
    /// answers.
    pub async fn start(dir: &Path, database: &str, env: &[(&str, &str)], port: u16) -> Self {
        let log = dir.join("server.log");
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("the log file opens");
        let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
        command
            .env("SWITCHBOARD_ADDR", format!("127.0.0.1:{port}"))
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", dir.join(database).display()),
            )
            .env("SWITCHBOARD_DATA_DIR", dir)
            .env("SWITCHBOARD_DEMO", "true")
            .env("SWITCHBOARD_LOG", "warn")
            .env_remove("SWITCHBOARD_FAILPOINT")
            .stdout(Stdio::piped())
            .stderr(log_file);
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("the server binary starts");
        let port = listening_port(&mut child, &log);
        let mut server = Self { child, port, log };
        server.healthy().await;
        server
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// SIGKILL, and the process reaped.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("the killed server is reaped");
    }

    /// The log's last lines, for a failed assertion's message.
    pub fn log_tail(&self) -> String {
        log_tail(&self.log)
    }

    async fn healthy(&mut self) {
        let deadline = Instant::now() + START_WITHIN;
        let url = format!("{}/healthz", self.base());
        loop {
            if let Ok(r) = reqwest::get(&url).await {
                if r.status().is_success() {
                    return;
                }
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "the server stopped ({status}) before it answered:\n{}",
                    self.log_tail()
                );
            }
            assert!(
                Instant::now() < deadline,
                "the server never answered /healthz:\n{}",
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The port in the address the demo server prints once it listens ("running at
/// http://127.0.0.1:PORT"); the rest of its output is read and dropped so it never blocks.
fn listening_port(child: &mut Child, log: &Path) -> u16 {
    let stdout = child.stdout.take().expect("stdout is piped");
    let (found, port) = mpsc::channel();
    std::thread::spawn(move || {
        let mut found = Some(found);
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if let Some(address) = line.split("running at http://").nth(1) {
                let port = address
                    .trim()
                    .rsplit(':')
                    .next()
                    .and_then(|p| p.parse().ok());
                if let (Some(port), Some(found)) = (port, found.take()) {
                    let _ = found.send(port);
                }
            }
        }
    });
    let deadline = Instant::now() + START_WITHIN;
    loop {
        if let Ok(port) = port.recv_timeout(Duration::from_millis(100)) {
            return port;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "the server stopped ({status}) before it listened:\n{}",
                log_tail(log)
            );
        }
        assert!(
            Instant::now() < deadline,
            "the server never listened:\n{}",
            log_tail(log)
        );
    }
}

fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}
