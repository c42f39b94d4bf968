//! Shared test helpers: stores on both backends, and the real server on 127.0.0.1:0.
#![allow(dead_code)]

pub mod api;
pub mod desk;
pub mod graph;
pub mod imap;
pub mod left;
pub mod meta;
pub mod nodes;
pub mod process;
pub mod s3;
pub mod smtp;

use app::domain::{agent::Role, ids::AgentId, protocol::ServerMessage};
use futures_util::{SinkExt, StreamExt};
use server::{
    auth::hash_password,
    config::Config,
    services::Services,
    store::{postgres::PgStore, NewAgent, Store},
};
use sqlx::postgres::PgConnectOptions;
use std::{
    net::SocketAddr,
    str::FromStr,
    sync::{atomic::AtomicU32, atomic::Ordering, Arc},
    time::Duration,
};
use tempfile::TempDir;
use tokio_tungstenite::{
    tungstenite::{client::IntoClientRequest, Message},
    MaybeTlsStream, WebSocketStream,
};

/// The PostgreSQL database the contract tests also run against, when set (the README's
/// test command sets it).
pub const POSTGRES_URL_VAR: &str = "SWITCHBOARD_TEST_POSTGRES_URL";

/// A store and what keeps it alive (the SQLite file's directory).
pub struct TestStore {
    pub name: &'static str,
    pub store: Arc<dyn Store>,
    _dir: Option<TempDir>,
}

pub async fn sqlite_store() -> TestStore {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let store = server::store::connect(&url).await.expect("sqlite store");
    TestStore {
        name: "sqlite",
        store,
        _dir: Some(dir),
    }
}

/// Whether PostgreSQL must be tested: on CI (`CI` set, as CI services do) or when
/// `SWITCHBOARD_TEST_REQUIRE_POSTGRES` is set (the README's test command sets it), so the
/// store contract never passes on SQLite alone by mistake.
fn postgres_required() -> bool {
    ["CI", "SWITCHBOARD_TEST_REQUIRE_POSTGRES"]
        .iter()
        .any(|var| std::env::var(var).is_ok_and(|v| !v.is_empty() && v != "0" && v != "false"))
}

/// The test PostgreSQL's URL and a fresh schema in it, so tests running in parallel do not
/// meet; none when no test PostgreSQL is configured (and none is required).
pub async fn postgres_schema() -> Option<(String, String)> {
    let url = std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|u| !u.is_empty());
    let Some(url) = url else {
        assert!(
            !postgres_required(),
            "PostgreSQL is required here (CI or SWITCHBOARD_TEST_REQUIRE_POSTGRES is set) but \
             {POSTGRES_URL_VAR} is not: the store contract would pass on SQLite alone"
        );
        return None;
    };
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let schema = format!(
        "t{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    let admin = sqlx::PgPool::connect(&url)
        .await
        .expect("connect to the test PostgreSQL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .expect("create schema");
    admin.close().await;
    Some((url, schema))
}

/// A PostgreSQL store in a schema of its own.
pub async fn postgres_store() -> Option<TestStore> {
    let (url, schema) = postgres_schema().await?;
    let options = PgConnectOptions::from_str(&url).expect("postgres URL");
    let store = PgStore::connect_with(options.options([("search_path", schema.as_str())]))
        .await
        .expect("postgres store");
    Some(TestStore {
        name: "postgres",
        store: Arc::new(store),
        _dir: None,
    })
}

/// SQLite always; PostgreSQL too when the test database is configured.
pub async fn all_stores() -> Vec<TestStore> {
    let mut stores = vec![sqlite_store().await];
    stores.extend(postgres_store().await);
    stores
}

pub fn new_agent(username: &str, password_hash: &str) -> NewAgent {
    NewAgent {
        username: username.into(),
        display_name: format!("{username} Example"),
        alias: username.into(),
        role: Role::Agent,
        password_hash: password_hash.into(),
        max_chats: 3,
        max_emails: 3,
        must_change_password: false,
    }
}

/// The real server, with its SQLite database in a temporary directory.
pub struct TestServer {
    pub addr: SocketAddr,
    pub services: Arc<Services>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: TempDir,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.services.email.stop();
        self.services.webhooks.stop();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

impl TestServer {
    pub async fn start() -> Self {
        Self::start_in(tempfile::tempdir().expect("temp dir")).await
    }

    /// Stops this server and starts a new one on the same database and data directory.
    pub async fn restart(mut self) -> Self {
        self.services.webhooks.stop();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let dir = std::mem::replace(&mut self._dir, tempfile::tempdir().expect("temp dir"));
        Self::start_in(dir).await
    }

    /// Stops this server and starts a new one on the same database and data directory,
    /// configured again.
    pub async fn restart_with(mut self, configure: impl FnOnce(&mut Config)) -> Self {
        self.services.email.stop();
        self.services.webhooks.stop();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let dir = std::mem::replace(&mut self._dir, tempfile::tempdir().expect("temp dir"));
        Self::start_configured(dir, configure).await
    }

    /// The server with a change to its configuration (a mailbox to read, say).
    pub async fn start_with(configure: impl FnOnce(&mut Config)) -> Self {
        Self::start_configured(tempfile::tempdir().expect("temp dir"), configure).await
    }

    async fn start_in(dir: TempDir) -> Self {
        Self::start_configured(dir, |_| {}).await
    }

    async fn start_configured(dir: TempDir, configure: impl FnOnce(&mut Config)) -> Self {
        let url = format!("sqlite://{}", dir.path().join("server.db").display());
        let mut config = Config::for_tests(url, dir.path().to_path_buf());
        configure(&mut config);
        let (router, services) = server::build(&config).await.expect("server builds");
        let listener = tokio::net::TcpListener::bind(config.addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(server::serve(listener, router, async {
            let _ = rx.await;
        }));
        TestServer {
            addr,
            services,
            shutdown: Some(tx),
            _dir: dir,
        }
    }

    /// The data directory, whose `server.db` is this server's SQLite database (for the
    /// server binary's commands to work on).
    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn create_agent(&self, username: &str, password: &str) -> AgentId {
        let hash = hash_password(password);
        self.services
            .store
            .create_agent(&new_agent(username, &hash))
            .await
            .expect("agent created")
    }

    /// A user with this role (the other helpers make plain agents).
    pub async fn create_user(&self, username: &str, password: &str, role: Role) -> AgentId {
        let hash = hash_password(password);
        self.services
            .store
            .create_agent(&NewAgent {
                role,
                ..new_agent(username, &hash)
            })
            .await
            .expect("user created")
    }

    /// Posts the login form as the page's server function call does.
    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        reqwest::Client::new()
            .post(self.url("/api/login"))
            .form(&[("username", username), ("password", password)])
            .send()
            .await
            .expect("login request")
    }

    /// Logs in and returns the `Cookie` header value for the session.
    /// An administrator, "root", logged in: their session cookie.
    pub async fn admin_session(&self) -> String {
        self.create_user("root", "admin-pass-1", Role::Admin).await;
        self.session("root", "admin-pass-1").await
    }

    pub async fn session(&self, username: &str, password: &str) -> String {
        let response = self.login(username, password).await;
        assert!(response.status().is_success(), "login of {username} failed");
        let set_cookie = response
            .headers()
            .get("set-cookie")
            .expect("a session cookie")
            .to_str()
            .unwrap()
            .to_string();
        set_cookie.split(';').next().unwrap().to_string()
    }

    /// What the administration page loads, as the administrator with this session.
    pub async fn admin_view(&self, cookie: &str) -> app::api::AdminView {
        let response = self.post("/api/admin", cookie).await;
        assert_eq!(response.status(), 200, "the administration loads");
        response.json().await.unwrap()
    }

    pub async fn post(&self, path: &str, cookie: &str) -> reqwest::Response {
        reqwest::Client::new()
            .post(self.url(path))
            .header("cookie", cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .send()
            .await
            .expect("request")
    }

    /// POSTs `body` as JSON with the session cookie (an administrative or desktop call).
    pub async fn post_json(
        &self,
        path: &str,
        cookie: &str,
        body: &impl serde::Serialize,
    ) -> reqwest::Response {
        reqwest::Client::new()
            .post(self.url(path))
            .header("cookie", cookie)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// POSTs `form` URL-encoded with the session cookie, as a server function call does.
    pub async fn post_form(
        &self,
        path: &str,
        cookie: &str,
        form: &impl serde::Serialize,
    ) -> reqwest::Response {
        reqwest::Client::new()
            .post(self.url(path))
            .header("cookie", cookie)
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// Opens the desktop WebSocket with the session cookie.
    pub async fn ws(&self, cookie: &str) -> Ws {
        socket(&format!("ws://{}/ws", self.addr), cookie).await
    }
}

impl TestServer {
    /// A CSQ with these members and one problem statement routed to it; returns the
    /// problem statement's id for the pre-chat form. The CSQ is made unless it exists (a
    /// mailbox imported at start makes the one it names).
    pub async fn queue(&self, name: &str, members: &[AgentId]) -> i64 {
        let store = &self.services.store;
        let existing = store.csqs().await.unwrap();
        let csq = match existing.iter().find(|c| c.name == name) {
            Some(c) => c.id,
            None => store.create_csq(name).await.unwrap(),
        };
        for m in members {
            store.add_csq_member(csq, *m).await.unwrap();
        }
        store
            .create_problem_statement(&format!("{name} question"), csq)
            .await
            .unwrap()
    }

    /// Starts a chat as the widget's pre-chat form does; returns the chat cookie.
    pub async fn start_chat(&self, name: &str, problem: i64) -> String {
        start_chat_at(&self.url("/widget/api/start"), name, problem).await
    }

    /// Opens the widget's WebSocket with the chat cookie and says hello.
    pub async fn widget(&self, cookie: &str, resume_after: u64) -> Ws {
        widget_at(
            &format!("ws://{}/widget/ws", self.addr),
            cookie,
            resume_after,
        )
        .await
    }

    /// Logs in an agent (password "agent-pass-1") with the desktop socket open, synced,
    /// and Ready.
    pub async fn desktop_ready(&self, username: &str) -> Ws {
        let cookie = self.session(username, "agent-pass-1").await;
        self.desktop_ready_as(&cookie).await
    }

    /// [`Self::desktop_ready`] with a session already opened (its `Cookie` value).
    pub async fn desktop_ready_as(&self, cookie: &str) -> Ws {
        let mut ws = self.ws(cookie).await;
        send_json(
            &mut ws,
            serde_json::json!({"type": "hello", "resume_after": null}),
        )
        .await;
        wait_for(&mut ws, |m| matches!(m, ServerMessage::Synced { .. })).await;
        send_json(
            &mut ws,
            serde_json::json!({"type": "set_state", "ready": true}),
        )
        .await;
        wait_for(&mut ws, |m| {
            matches!(m, ServerMessage::Event(e) if matches!(&e.event,
                app::domain::protocol::AgentEvent::StateChanged { status, .. }
                    if status.state == app::domain::state::AgentState::Ready))
        })
        .await;
        ws
    }
}

/// Starts a chat at `url` as the widget's pre-chat form does; returns the chat cookie.
pub async fn start_chat_at(url: &str, name: &str, problem: i64) -> String {
    let response = reqwest::Client::new()
        .post(url)
        .json(&serde_json::json!({
            "name": name, "email": "customer@example.com", "phone": "", "problem": problem
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "chat starts");
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

/// A WebSocket opened with a cookie.
pub async fn socket(url: &str, cookie: &str) -> Ws {
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("cookie", cookie.parse().unwrap());
    let (ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("websocket connects");
    ws
}

/// The widget's socket at `url` with the chat cookie, after its hello.
pub async fn widget_at(url: &str, cookie: &str, resume_after: u64) -> Ws {
    let mut ws = socket(url, cookie).await;
    send_json(
        &mut ws,
        serde_json::json!({"type": "hello", "resume_after": resume_after}),
    )
    .await;
    ws
}

/// A port free on loopback now (for a server a test starts itself).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The next chat offer on a desktop.
pub async fn next_offer(ws: &mut Ws) -> app::domain::protocol::OfferView {
    use app::domain::protocol::{AgentEvent, Envelope};
    let offered = |m: &ServerMessage| matches!(m, ServerMessage::Event(e) if matches!(e.event, AgentEvent::Offered { .. }));
    match wait_for(ws, offered).await {
        ServerMessage::Event(Envelope {
            event: AgentEvent::Offered { offer },
            ..
        }) => offer,
        _ => unreachable!(),
    }
}

impl TestServer {
    /// Stores chat settings directly (tests use values the administration page refuses,
    /// such as one-second timers).
    pub async fn set_chat_settings(&self, settings: app::domain::settings::ChatSettings) {
        self.services
            .store
            .save_chat_settings(&settings, None)
            .await
            .expect("settings saved");
    }
}

/// The next desktop message that matches, skipping others, failing after 5 s.
pub async fn wait_for(ws: &mut Ws, wanted: impl Fn(&ServerMessage) -> bool) -> ServerMessage {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let message = tokio::time::timeout_at(deadline, next_message(ws))
            .await
            .expect("the expected message within 5 s");
        if wanted(&message) {
            return message;
        }
    }
}

/// The next widget message, failing after 5 s of silence.
pub async fn next_widget(ws: &mut Ws) -> app::domain::widget::WidgetMessage {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a widget message within 5 s")
            .expect("socket open")
            .expect("frame");
        if let Message::Text(text) = frame {
            return serde_json::from_str(text.as_str()).expect("a widget message");
        }
    }
}

pub async fn send_json(ws: &mut Ws, value: serde_json::Value) {
    ws.send(Message::Text(value.to_string().into()))
        .await
        .unwrap();
}

/// The next protocol message, failing the test after 5 s of silence.
pub async fn next_message(ws: &mut Ws) -> ServerMessage {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a message within 5 s")
            .expect("socket open")
            .expect("frame");
        if let Message::Text(text) = frame {
            return serde_json::from_str(text.as_str()).expect("a protocol message");
        }
    }
}

/// True if nothing arrives within the given time.
pub async fn silent_for(ws: &mut Ws, ms: u64) -> bool {
    loop {
        match tokio::time::timeout(Duration::from_millis(ms), ws.next()).await {
            Err(_) => return true,
            Ok(Some(Ok(Message::Text(_)))) => return false,
            Ok(Some(Ok(_))) => continue,
            Ok(_) => return true,
        }
    }
}

/// The refusal of a save: 422 with its field errors, as (field, problem).
pub async fn refused(
    response: reqwest::Response,
) -> Vec<(app::domain::validate::Field, app::domain::validate::Problem)> {
    assert_eq!(response.status(), 422);
    match response.json::<app::api::ApiError>().await.unwrap() {
        app::api::ApiError::Invalid(errors) => {
            errors.into_iter().map(|e| (e.field, e.problem)).collect()
        }
        other => panic!("expected field errors, got {other:?}"),
    }
}

/// The body of a response that must have succeeded (the failure shows the server's words).
pub async fn ok<T: serde::de::DeserializeOwned>(response: reqwest::Response) -> T {
    let status = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).expect("the expected JSON")
}
