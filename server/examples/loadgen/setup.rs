//! The contact center under load, made as an administrator makes one: through the
//! administration's own calls (a CSQ, a problem statement, chat settings that let the run
//! go on, and the agents, who each change their temporary password and log in).

use app::{
    api::QueuesView,
    domain::{
        agent::Role,
        ids::CsqId,
        queues::{CsqEdit, ProblemStatementEdit},
        settings::ChatSettings,
        users::{UserEdit, UserSaved},
    },
};
use futures_util::{stream, StreamExt};
use reqwest::{Client, Response};
use serde_json::json;
use std::net::SocketAddr;

pub const ADMIN: &str = "loadadmin";
pub const ADMIN_PASSWORD: &str = "load admin pass 4242";
const TEMPORARY_PASSWORD: &str = "temporary load 77";
const AGENT_PASSWORD: &str = "agent load pass 99";
/// SPEC: the most chats one agent may hold (the administration's limit).
pub const CHATS_PER_AGENT: usize = *app::domain::limits::MAX_CHATS_PER_AGENT.end() as usize;

/// What the clients need: where to start chats and the agents' sessions.
pub struct Center {
    /// The administrator's session cookie.
    pub admin: String,
    pub csq: CsqId,
    pub problem: i64,
    /// Each agent's session cookie and the address it pretends to come from.
    pub agents: Vec<(String, String)>,
}

/// A made-up client address per simulated person, so per-address limits count each apart.
pub fn address(kind: u8, n: usize) -> String {
    format!("10.{kind}.{}.{}", (n / 250) % 250, n % 250 + 1)
}

pub async fn prepare(addr: SocketAddr, agents: usize) -> Center {
    let http = Client::new();
    let base = format!("http://{addr}");
    let admin = login(&http, &base, ADMIN, ADMIN_PASSWORD, &address(1, 0)).await;

    let queues: QueuesView = ok(http
        .post(format!("{base}/api/admin/csq"))
        .header("cookie", &admin)
        .json(&json!({ "edit": CsqEdit { id: None, name: "Load".into(), retired: false, members: vec![] } }))
        .send()
        .await)
    .await;
    let csq: CsqId = queues
        .csqs
        .iter()
        .find(|c| c.name == "Load")
        .expect("the CSQ made")
        .id;
    let queues: QueuesView = ok(http
        .post(format!("{base}/api/admin/problem-statement"))
        .header("cookie", &admin)
        .json(&json!({ "edit": ProblemStatementEdit { id: None, label: "Load test".into(), csq, retired: false } }))
        .send()
        .await)
    .await;
    let problem = queues.problem_statements[0].id;
    allow_long_chats(&http, &base, &admin).await;

    // Each agent costs the server three password hashes (set, changed, logged in): eight
    // at a time keeps both of the server's workers busy.
    let made: Vec<(String, String)> = stream::iter(0..agents)
        .map(|n| {
            let (http, base, admin) = (http.clone(), base.clone(), admin.clone());
            async move { agent(&http, &base, &admin, csq, n).await }
        })
        .buffered(8)
        .collect()
        .await;
    Center {
        admin,
        csq,
        problem,
        agents: made,
    }
}

/// Timers long enough for the run: no chat ends for silence or waiting while measured,
/// and the queue holds every chat of the run.
async fn allow_long_chats(http: &Client, base: &str, admin: &str) {
    let view: serde_json::Value = ok(http
        .post(format!("{base}/api/admin"))
        .header("cookie", admin)
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await)
    .await;
    let mut settings: ChatSettings =
        serde_json::from_value(view["chat_settings"].clone()).expect("chat settings");
    settings.queue_limit = *app::domain::limits::QUEUE_LIMIT.end();
    settings.inactivity_timeout_secs = *app::domain::limits::INACTIVITY_TIMEOUT_SECS.end();
    settings.join_timeout_secs = *app::domain::limits::JOIN_TIMEOUT_SECS.end();
    settings.queue_timeout_secs = *app::domain::limits::QUEUE_TIMEOUT_SECS.end();
    // A server function's arguments, URL-encoded as the page sends them.
    let form: Vec<(String, String)> = match serde_json::to_value(&settings).expect("json") {
        serde_json::Value::Object(fields) => fields
            .into_iter()
            .map(|(k, v)| {
                let value = match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                (format!("settings[{k}]"), value)
            })
            .collect(),
        _ => unreachable!("settings are an object"),
    };
    let _: ChatSettings = ok(http
        .post(format!("{base}/api/admin/chat-settings"))
        .header("cookie", admin)
        .form(&form)
        .send()
        .await)
    .await;
}

/// Agent `n`, made by the administrator, with its own password and a session.
async fn agent(http: &Client, base: &str, admin: &str, csq: CsqId, n: usize) -> (String, String) {
    let username = format!("a{n:05}");
    let edit = UserEdit {
        username: username.clone(),
        display_name: format!("Load agent {n}"),
        alias: format!("Agent {n}"),
        role: Role::Agent,
        max_chats: CHATS_PER_AGENT as u32,
        max_emails: 1,
        csqs: vec![csq],
        temporary_password: TEMPORARY_PASSWORD.into(),
        ..UserEdit::new_user()
    };
    let _: UserSaved = ok(http
        .post(format!("{base}/api/admin/user"))
        .header("cookie", admin)
        .json(&json!({ "edit": edit }))
        .send()
        .await)
    .await;
    let from = address(2, n);
    let first = login(http, base, &username, TEMPORARY_PASSWORD, &from).await;
    let _: () = ok(http
        .post(format!("{base}/api/password"))
        .header("cookie", &first)
        .header("x-forwarded-for", &from)
        .form(&[
            ("current", TEMPORARY_PASSWORD),
            ("new", AGENT_PASSWORD),
            ("confirm", AGENT_PASSWORD),
        ])
        .send()
        .await)
    .await;
    let session = login(http, base, &username, AGENT_PASSWORD, &from).await;
    (session, from)
}

/// Logs in as the login form does; returns the session cookie.
async fn login(http: &Client, base: &str, username: &str, password: &str, from: &str) -> String {
    let response = http
        .post(format!("{base}/api/login"))
        .header("x-forwarded-for", from)
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .expect("login request");
    assert!(
        response.status().is_success(),
        "login of {username}: {}",
        response.status()
    );
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .expect("cookie text");
    cookie.split(';').next().unwrap_or_default().to_string()
}

/// The body of a successful answer, or the run stops with the server's words.
pub async fn ok<T: serde::de::DeserializeOwned>(response: reqwest::Result<Response>) -> T {
    let response = response.expect("request sent");
    let status = response.status();
    let text = response.text().await.expect("answer read");
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(if text.is_empty() { "null" } else { &text })
        .unwrap_or_else(|e| panic!("answer not understood ({e}): {text}"))
}
