//! The real server on 127.0.0.1:0: login, the live state over the WebSocket, logout, and
//! resuming a stream after a reconnect.

use crate::common;

use app::{
    api::ApiError,
    domain::{
        protocol::{AgentEvent, CommandError, ServerMessage},
        state::{AgentState, StateError},
    },
};
use common::{next_message, send_json, silent_for, TestServer};
use serde_json::json;
use std::time::{Duration, Instant};

fn state_of(message: &ServerMessage) -> AgentState {
    match message {
        ServerMessage::Event(env) => {
            let AgentEvent::StateChanged { status, .. } = &env.event else {
                panic!("expected a state change, got {env:?}")
            };
            status.state
        }
        ServerMessage::Snapshot { status, .. } => status.state,
        other => panic!("expected a state, got {other:?}"),
    }
}

/// SPEC S-1: a login opens an HttpOnly, SameSite=Strict session and the agent is Not Ready.
#[tokio::test]
async fn login_sets_a_strict_http_only_cookie_and_starts_not_ready() {
    let server = TestServer::start().await;
    server.create_agent("alice", "s3cret-pass").await;
    let response = server.login("alice", "s3cret-pass").await;
    assert_eq!(response.status(), 200);
    // The page's code loads the desktop itself (a new page, in the account's language).
    assert_eq!(
        response.headers()["location"],
        "/",
        "the page goes to the desktop"
    );
    assert!(
        !response.headers().contains_key("serverfnredirect"),
        "no routing inside the login page"
    );
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );

    let session = cookie.split(';').next().unwrap().to_string();
    let desktop = server.post("/api/desktop", &session).await;
    assert_eq!(desktop.status(), 200);
    let view: serde_json::Value = desktop.json().await.unwrap();
    assert_eq!(view["status"]["state"], "not_ready");
    assert_eq!(view["agent"]["username"], "alice");
}

/// Wrong credentials give one generic error, whether the user exists or not.
#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_generic_error() {
    let server = TestServer::start().await;
    server.create_agent("alice", "s3cret-pass").await;
    for (user, pass) in [("alice", "wrong"), ("mallory", "s3cret-pass")] {
        let response = server.login(user, pass).await;
        assert_eq!(response.status(), 401);
        assert!(response.headers().get("set-cookie").is_none());
        let error: ApiError = response.json().await.unwrap();
        assert_eq!(error, ApiError::WrongCredentials);
        assert_eq!(error.to_string(), "Wrong username or password.");
    }
}

/// Repeated failures make the next attempts wait: after three, an attempt within the
/// second is refused at once with 429 and Retry-After (never held open), even with the right
/// password; after the wait it is checked again.
#[tokio::test]
async fn repeated_login_failures_are_refused_for_a_while() {
    let server = TestServer::start().await;
    server.create_agent("alice", "s3cret-pass").await;
    for _ in 0..3 {
        assert_eq!(server.login("alice", "nope").await.status(), 401);
    }
    let started = Instant::now();
    let refused = server.login("alice", "s3cret-pass").await;
    assert!(started.elapsed() < Duration::from_millis(500), "not held");
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "1");
    let error: ApiError = refused.json().await.unwrap();
    assert_eq!(
        error,
        ApiError::TooManyAttempts {
            retry_after_secs: 1
        }
    );
    assert_eq!(
        error.to_string(),
        "Too many failed attempts. Try again in 1 s."
    );
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert_eq!(server.login("alice", "s3cret-pass").await.status(), 200);
}

#[tokio::test]
async fn the_desktop_needs_a_session() {
    let server = TestServer::start().await;
    let response = server.post("/api/desktop", "sb_session=forged").await;
    assert_eq!(response.status(), 401);
    let error: ApiError = response.json().await.unwrap();
    assert_eq!(error, ApiError::NotLoggedIn);
    // The WebSocket refuses an unauthenticated upgrade too.
    let request = format!("ws://{}/ws", server.addr);
    assert!(tokio_tungstenite::connect_async(request).await.is_err());
}

/// SPEC S-2 and D-4: a state change over one page's WebSocket reaches every page of the agent.
#[tokio::test]
async fn state_change_over_the_websocket_reaches_every_tab() {
    let server = TestServer::start().await;
    server.create_agent("alice", "pw-alice-1").await;
    let cookie = server.session("alice", "pw-alice-1").await;
    let mut tab1 = server.ws(&cookie).await;
    let mut tab2 = server.ws(&cookie).await;
    for tab in [&mut tab1, &mut tab2] {
        send_json(tab, json!({"type": "hello", "resume_after": null})).await;
        assert_eq!(state_of(&next_message(tab).await), AgentState::NotReady);
        assert!(matches!(
            next_message(tab).await,
            ServerMessage::Synced { .. }
        ));
    }
    send_json(&mut tab1, json!({"type": "set_state", "ready": true})).await;
    for tab in [&mut tab1, &mut tab2] {
        assert_eq!(state_of(&next_message(tab).await), AgentState::Ready);
    }
    // Stored before it was sent (SPEC S-6).
    let log = server
        .services
        .store
        .state_log(
            server
                .services
                .store
                .credentials("alice")
                .await
                .unwrap()
                .unwrap()
                .agent,
        )
        .await
        .unwrap();
    assert_eq!(log.last().unwrap().to.state, AgentState::Ready);
}

/// SPEC S-1: logout is refused while Ready, with a clear error, and works from Not Ready.
#[tokio::test]
async fn logout_refused_while_ready() {
    let server = TestServer::start().await;
    server.create_agent("alice", "pw-alice-1").await;
    let cookie = server.session("alice", "pw-alice-1").await;
    let mut ws = server.ws(&cookie).await;
    send_json(&mut ws, json!({"type": "hello", "resume_after": null})).await;
    next_message(&mut ws).await;
    next_message(&mut ws).await;
    send_json(&mut ws, json!({"type": "set_state", "ready": true})).await;
    assert_eq!(state_of(&next_message(&mut ws).await), AgentState::Ready);

    let refused = server.post("/api/logout", &cookie).await;
    assert_eq!(refused.status(), 409);
    let error: ApiError = refused.json().await.unwrap();
    assert_eq!(
        error,
        ApiError::State(StateError::LogoutNotAllowed(AgentState::Ready))
    );
    assert_eq!(
        error.to_string(),
        "You can log out only when Not Ready (you are Ready)."
    );
    assert_eq!(
        server.post("/api/desktop", &cookie).await.status(),
        200,
        "still logged in"
    );

    send_json(&mut ws, json!({"type": "set_state", "ready": false})).await;
    assert_eq!(state_of(&next_message(&mut ws).await), AgentState::NotReady);
    let ok = server.post("/api/logout", &cookie).await;
    assert_eq!(ok.status(), 200);
    assert!(ok.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    // Every page hears the logout, and the session is gone.
    assert_eq!(
        state_of(&next_message(&mut ws).await),
        AgentState::LoggedOut
    );
    assert_eq!(server.post("/api/desktop", &cookie).await.status(), 401);
}

/// A page that reconnects with its last sequence number receives exactly the missed events.
#[tokio::test]
async fn reconnect_resumes_from_the_last_sequence_number() {
    let server = TestServer::start().await;
    server.create_agent("alice", "pw-alice-1").await;
    let cookie = server.session("alice", "pw-alice-1").await;

    let mut page = server.ws(&cookie).await;
    send_json(&mut page, json!({"type": "hello", "resume_after": null})).await;
    let ServerMessage::Snapshot { seq: seen, .. } = next_message(&mut page).await else {
        panic!("snapshot first");
    };
    next_message(&mut page).await;
    drop(page); // the connection drops

    // Meanwhile another tab changes the state three times.
    let mut other = server.ws(&cookie).await;
    send_json(&mut other, json!({"type": "hello", "resume_after": null})).await;
    next_message(&mut other).await;
    next_message(&mut other).await;
    for ready in [true, false, true] {
        send_json(&mut other, json!({"type": "set_state", "ready": ready})).await;
        next_message(&mut other).await;
    }

    let mut page = server.ws(&cookie).await;
    send_json(&mut page, json!({"type": "hello", "resume_after": seen})).await;
    let mut missed = Vec::new();
    loop {
        match next_message(&mut page).await {
            ServerMessage::Event(env) => missed.push(env),
            ServerMessage::Synced { seq } => {
                assert_eq!(seq, seen + 3);
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    let seqs: Vec<_> = missed.iter().map(|e| e.seq).collect();
    assert_eq!(
        seqs,
        [seen + 1, seen + 2, seen + 3],
        "exactly the missed events, in order"
    );
    let states: Vec<_> = missed
        .iter()
        .map(|e| state_of(&ServerMessage::Event(e.clone())))
        .collect();
    assert_eq!(
        states,
        [AgentState::Ready, AgentState::NotReady, AgentState::Ready]
    );
    assert!(
        silent_for(&mut page, 300).await,
        "nothing more, no duplicates"
    );
}

#[tokio::test]
async fn a_command_before_hello_is_rejected() {
    let server = TestServer::start().await;
    server.create_agent("alice", "pw-alice-1").await;
    let cookie = server.session("alice", "pw-alice-1").await;
    let mut ws = server.ws(&cookie).await;
    send_json(&mut ws, json!({"type": "set_state", "ready": true})).await;
    assert_eq!(
        next_message(&mut ws).await,
        ServerMessage::Rejected {
            error: CommandError::HelloExpected,
            client_id: None,
        }
    );
}

/// CSRF: a write from another site's page is refused before it reaches the application.
#[tokio::test]
async fn cross_site_writes_are_refused() {
    let server = TestServer::start().await;
    server.create_agent("alice", "s3cret-pass").await;
    let response = reqwest::Client::new()
        .post(server.url("/api/login"))
        .header("origin", "http://evil.example")
        .form(&[("username", "alice"), ("password", "s3cret-pass")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let same_site = reqwest::Client::new()
        .post(server.url("/api/login"))
        .header("origin", format!("http://{}", server.addr))
        .form(&[("username", "alice"), ("password", "s3cret-pass")])
        .send()
        .await
        .unwrap();
    assert_eq!(same_site.status(), 200);
}

#[tokio::test]
async fn health_and_metrics() {
    let server = TestServer::start().await;
    let health = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    let body: serde_json::Value = health.json().await.unwrap();
    assert_eq!(body, json!({"status": "ok", "database": "sqlite"}));
    server.create_agent("alice", "s3cret-pass").await;
    server.login("alice", "bad").await;
    let metrics = reqwest::get(server.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("switchboard_logins_total{outcome=\"failure\"} 1"),
        "{metrics}"
    );
}

/// Rolling upgrades (issue 14): a page or a widget of another protocol version (loaded
/// before an upgrade, or from a node not yet upgraded) is closed with the code that makes
/// it load again, whether or not its session lives on; one of this version, or one that
/// says none (it predates versions), is served.
#[tokio::test]
async fn a_page_or_widget_of_another_version_is_told_to_load_again() {
    use app::domain::{
        protocol::{OTHER_VERSION, PROTOCOL_VERSION},
        widget::{WidgetMessage, WIDGET_PROTOCOL_VERSION},
    };
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;

    let server = TestServer::start().await;
    let alice = server.create_agent("alice", "pw-alice-1").await;
    let problem = server.queue("Support", &[alice]).await;
    let cookie = server.session("alice", "pw-alice-1").await;
    let chat = server.start_chat("Zoé", problem).await;
    let other = PROTOCOL_VERSION + 1;
    let other_widget = WIDGET_PROTOCOL_VERSION + 1;
    for (path, cookie) in [
        (format!("/ws?v={other}"), cookie.as_str()),
        ("/ws?v=0".to_string(), ""),
        ("/ws?v=abc".to_string(), ""),
        (format!("/widget/ws?v={other_widget}"), chat.as_str()),
        (format!("/widget/ws?v={other_widget}"), ""),
    ] {
        let mut ws = common::socket(&format!("ws://{}{path}", server.addr), cookie).await;
        let frame = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("an answer within 5 s");
        match frame {
            Some(Ok(Message::Close(Some(close)))) => {
                assert_eq!(u16::from(close.code), OTHER_VERSION, "{path}");
                assert!(close.reason.contains("load it again"), "{}", close.reason);
            }
            other => panic!("{path}: expected the close for another version, got {other:?}"),
        }
    }

    for path in [format!("/ws?v={PROTOCOL_VERSION}"), "/ws".to_string()] {
        let mut page = common::socket(&format!("ws://{}{path}", server.addr), &cookie).await;
        send_json(&mut page, json!({"type": "hello", "resume_after": null})).await;
        assert!(
            matches!(
                next_message(&mut page).await,
                ServerMessage::Snapshot { .. }
            ),
            "{path}: served"
        );
    }
    let url = format!("ws://{}/widget/ws?v={WIDGET_PROTOCOL_VERSION}", server.addr);
    let mut widget = common::widget_at(&url, &chat, 0).await;
    let frame = tokio::time::timeout(Duration::from_secs(5), widget.next())
        .await
        .expect("an answer within 5 s")
        .expect("open")
        .expect("frame");
    let Message::Text(text) = frame else {
        panic!("expected a message, got {frame:?}")
    };
    let message: WidgetMessage = serde_json::from_str(text.as_str()).unwrap();
    assert!(
        matches!(
            message,
            WidgetMessage::Line { .. } | WidgetMessage::Synced { .. }
        ),
        "the widget of this version is served: {message:?}"
    );
}
