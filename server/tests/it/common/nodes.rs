//! Several real server processes on one PostgreSQL database (issue 14): each test gets a
//! schema of its own, each node a data directory of its own (what the nodes must share,
//! such as the key that signs customers' chat tokens, they share through the database),
//! and the test starts and kills the server binary as an operator would.

use super::*;
use serde_json::json;
use std::{
    process::{Child, Command, Stdio},
    time::Instant,
};

/// The nodes' shared database (a fresh schema).
pub struct Nodes {
    database_url: String,
}

/// One running server process.
pub struct Node {
    pub port: u16,
    child: Child,
    _dir: TempDir,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Nodes {
    /// None when no test PostgreSQL is configured (and none is required).
    pub async fn new() -> Option<Nodes> {
        let (url, schema) = postgres_schema().await?;
        let separator = if url.contains('?') { '&' } else { '?' };
        Some(Nodes {
            database_url: format!("{url}{separator}options[search_path]={schema}"),
        })
    }

    /// Starts a node with the demo data (made by the first) and waits until it answers.
    pub async fn start(&self) -> Node {
        self.start_with(&[]).await
    }

    /// The database's URL (this test's schema).
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    /// [`Nodes::start`] with more environment variables.
    pub async fn start_with(&self, env: &[(&str, &str)]) -> Node {
        self.start_on(free_port(), env).await
    }

    /// [`Nodes::start_with`] on a given port (a node started again where it was).
    pub async fn start_on(&self, port: u16, env: &[(&str, &str)]) -> Node {
        let dir = tempfile::tempdir().expect("temp dir");
        let child = Command::new(env!("CARGO_BIN_EXE_server"))
            .env("SWITCHBOARD_ADDR", format!("127.0.0.1:{port}"))
            .env("DATABASE_URL", &self.database_url)
            .env("SWITCHBOARD_DATA_DIR", dir.path())
            .env("SWITCHBOARD_DEMO", "true")
            .env("SWITCHBOARD_LOG", "warn")
            .env_remove("SWITCHBOARD_FAILPOINT")
            .envs(env.iter().copied())
            // SWITCHBOARD_TEST_NODE_LOGS=<dir>: each node's log kept there, by port.
            .stdout(match std::env::var_os("SWITCHBOARD_TEST_NODE_LOGS") {
                Some(logs) => {
                    let path = std::path::Path::new(&logs).join(format!("node-{port}.log"));
                    let file = std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(path)
                        .expect("node log");
                    Stdio::from(file)
                }
                None => Stdio::null(),
            })
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server binary starts");
        let node = Node {
            port,
            child,
            _dir: dir,
        };
        node.up().await;
        node
    }
}

impl Node {
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    async fn up(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = reqwest::get(self.url("/healthz")).await {
                if r.status().is_success() {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "the node never came up");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn health(&self) -> serde_json::Value {
        reqwest::get(self.url("/healthz"))
            .await
            .expect("health answers")
            .json()
            .await
            .expect("health is JSON")
    }

    /// Logs in (demo password) and returns the session cookie.
    pub async fn session(&self, username: &str) -> String {
        let response = reqwest::Client::new()
            .post(self.url("/api/login"))
            .form(&[("username", username), ("password", "switchboard")])
            .send()
            .await
            .expect("login request");
        assert!(response.status().is_success(), "login of {username}");
        let set_cookie = response.headers()["set-cookie"].to_str().unwrap();
        set_cookie.split(';').next().unwrap().to_string()
    }

    /// A desktop page of the session, synced.
    pub async fn desktop(&self, cookie: &str) -> Ws {
        let mut ws = socket(&format!("ws://127.0.0.1:{}/ws", self.port), cookie).await;
        send_json(&mut ws, json!({"type": "hello", "resume_after": null})).await;
        wait_for(&mut ws, |m| matches!(m, ServerMessage::Synced { .. })).await;
        ws
    }

    /// The pre-chat form's problem statement with this label (the demo's "Something is
    /// broken" goes to Support).
    pub async fn problem(&self, label: &str) -> i64 {
        let config: serde_json::Value = reqwest::get(self.url("/widget/api/config"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let problems = config["problems"].as_array().expect("problems");
        problems
            .iter()
            .find(|p| p["label"] == label)
            .unwrap_or_else(|| panic!("no problem statement {label:?}: {problems:?}"))["id"]
            .as_i64()
            .unwrap()
    }

    /// Starts a chat as the widget's form does; returns the chat cookie.
    pub async fn start_chat(&self, name: &str, problem: i64) -> String {
        start_chat_at(&self.url("/widget/api/start"), name, problem).await
    }

    /// The widget's socket with the chat cookie, after its hello.
    pub async fn widget(&self, cookie: &str, resume_after: u64) -> Ws {
        let url = format!("ws://127.0.0.1:{}/widget/ws", self.port);
        widget_at(&url, cookie, resume_after).await
    }
}
