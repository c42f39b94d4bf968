//! SPEC K-5 timers that outlive the process: the join timeout and the customer's silence
//! are set again from the database after the server binary is killed, and a waiting chat
//! whose customer closed the widget leaves the queue after the grace period.

use crate::common;

use app::domain::{
    chat::{ChatLine, LineBody, SystemNote},
    contact::{ContactStatus, EndReason},
    ids::ContactId,
    protocol::ServerMessage,
    settings::ChatSettings,
    widget::WidgetMessage,
};
use common::{next_offer, process::ServerProcess, send_json, wait_for, TestServer, Ws};
use futures_util::StreamExt;
use serde_json::json;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};

/// The next widget line, waiting at most `within`.
async fn widget_line_within(ws: &mut Ws, within: Duration) -> ChatLine {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let frame = tokio::time::timeout_at(deadline, ws.next())
            .await
            .unwrap_or_else(|_| panic!("a widget line within {within:?}"))
            .expect("socket open")
            .expect("frame");
        if let Message::Text(text) = frame {
            if let WidgetMessage::Line { line, .. } = serde_json::from_str(text.as_str()).unwrap() {
                return line;
            }
        }
    }
}

fn is_note(line: &ChatLine, wanted: &SystemNote) -> bool {
    matches!(&line.body, LineBody::System { note } if note == wanted)
}

/// SPEC K-5: a customer who closes the widget while waiting is taken out of the queue once
/// the grace period is over (no agent is offered the chat later), and is told so on coming
/// back; a widget back within the grace period keeps its place.
#[tokio::test]
async fn a_waiting_chat_whose_widget_is_gone_leaves_the_queue() {
    let server = TestServer::start().await;
    let settings = ChatSettings {
        reconnect_grace_secs: 1,
        ..Default::default()
    };
    server.set_chat_settings(settings).await;
    let alice = server.create_agent("alice", "agent-pass-1").await;
    let problem = server.queue("Support", &[alice]).await;

    // Back within the grace period: still waiting.
    let kept = server.start_chat("Kim", problem).await;
    let widget = server.widget(&kept, 0).await;
    drop(widget);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut kept_widget = server.widget(&kept, 0).await;
    // Gone for good: out of the queue after the grace period.
    let gone = server.start_chat("Lou", problem).await;
    drop(server.widget(&gone, 0).await);
    tokio::time::sleep(Duration::from_millis(2_000)).await;

    let open: Vec<ContactId> = server
        .services
        .store
        .open_contacts()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(open.len(), 1, "only Kim's chat still waits: {open:?}");
    let mut desk = server.desktop_ready("alice").await;
    let offer = next_offer(&mut desk).await;
    assert_eq!(offer.contact, open[0], "Kim's chat is offered");
    assert!(
        common::silent_for(&mut desk, 500).await,
        "Lou's chat is not offered"
    );
    let _ = kept_widget.close(None).await;

    // Lou comes back: told why the chat ended.
    let mut back = server.widget(&gone, 0).await;
    let ended = loop {
        let line = widget_line_within(&mut back, Duration::from_secs(5)).await;
        if matches!(
            &line.body,
            LineBody::System {
                note: SystemNote::Ended { .. }
            }
        ) {
            break line;
        }
    };
    assert!(is_note(
        &ended,
        &SystemNote::Ended {
            reason: EndReason::WindowClosed
        }
    ));
}

// --- The server binary, killed with timers running ---------------------------------------

async fn socket(url: String, cookie: &str) -> Ws {
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("cookie", cookie.parse().unwrap());
    tokio_tungstenite::connect_async(request).await.unwrap().0
}

fn cookie_of(response: &reqwest::Response) -> String {
    let header = response.headers()["set-cookie"].to_str().unwrap();
    header.split(';').next().unwrap().to_string()
}

async fn start_chat(base: &str, problem: i64) -> String {
    let response = reqwest::Client::new()
        .post(format!("{base}/widget/api/start"))
        .json(&json!({"name": "Zoé", "email": "zoe@example.com", "phone": "", "problem": problem}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    cookie_of(&response)
}

async fn widget(base_ws: &str, cookie: &str, resume_after: u64) -> Ws {
    let mut ws = socket(format!("{base_ws}/widget/ws"), cookie).await;
    send_json(
        &mut ws,
        json!({"type": "hello", "resume_after": resume_after}),
    )
    .await;
    ws
}

async fn desktop(base_ws: &str, cookie: &str) -> Ws {
    let mut ws = socket(format!("{base_ws}/ws"), cookie).await;
    send_json(&mut ws, json!({"type": "hello", "resume_after": null})).await;
    wait_for(&mut ws, |m| matches!(m, ServerMessage::Synced { .. })).await;
    ws
}

/// SPEC K-5 across a crash: the server binary is killed while an active chat's silence and
/// a waiting chat's join timeout run; after the restart the waiting customer gets the
/// no-agent message at the join timeout, and the silent customer is warned and the chat
/// ends at the inactivity timeout, counted from before the crash.
#[tokio::test]
async fn timers_run_on_after_the_server_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(dir.path(), "timers.db", &[], 0).await;
    let port = server.port;
    let base = server.base();
    let base_ws = format!("ws://127.0.0.1:{port}");
    let store = server::store::connect(&format!(
        "sqlite://{}",
        dir.path().join("timers.db").display()
    ))
    .await
    .unwrap();
    let settings = ChatSettings {
        join_timeout_secs: 10,
        inactivity_timeout_secs: 30,
        reconnect_grace_secs: 10,
        ..Default::default()
    };
    store.save_chat_settings(&settings, None).await.unwrap();
    let problems = store.problem_statements().await.unwrap();
    let problem = |label: &str| problems.iter().find(|p| p.label == label).unwrap().id;

    // Dave (Support) takes a chat; its customer writes once.
    let login = reqwest::Client::new()
        .post(format!("{base}/api/login"))
        .form(&[("username", "dave"), ("password", "switchboard")])
        .send()
        .await
        .unwrap();
    let dave = cookie_of(&login);
    let mut desk = desktop(&base_ws, &dave).await;
    send_json(&mut desk, json!({"type": "set_state", "ready": true})).await;
    let active = start_chat(&base, problem("Something is broken")).await;
    let mut active_widget = widget(&base_ws, &active, 0).await;
    let offer = next_offer(&mut desk).await;
    send_json(
        &mut desk,
        json!({"type": "accept", "contact": offer.contact}),
    )
    .await;
    loop {
        let line = widget_line_within(&mut active_widget, Duration::from_secs(5)).await;
        if matches!(
            &line.body,
            LineBody::System {
                note: SystemNote::Joined { .. }
            }
        ) {
            break;
        }
    }
    send_json(
        &mut active_widget,
        json!({"type": "send", "client_id": "k1", "text": "hello?"}),
    )
    .await;
    let spoke = loop {
        let line = widget_line_within(&mut active_widget, Duration::from_secs(5)).await;
        if matches!(&line.body, LineBody::Message { .. }) {
            break line;
        }
    };
    let spoke_at = Instant::now();
    // Nobody of Billing is logged in: this chat waits.
    let waiting = start_chat(&base, problem("Billing or a refund")).await;
    let waiting_at = Instant::now();
    let waiting_widget = widget(&base_ws, &waiting, 0).await;

    tokio::time::sleep(Duration::from_secs(1)).await;
    server.kill();
    drop((desk, active_widget, waiting_widget));
    // The same port: the pages come back to the address they knew.
    let mut server = ServerProcess::start(dir.path(), "timers.db", &[], port).await;
    // The pages come back to the new process, as they would by themselves.
    let _desk = desktop(&base_ws, &dave).await;
    let mut active_widget = widget(&base_ws, &active, spoke.seq).await;
    let mut waiting_widget = widget(&base_ws, &waiting, 0).await;

    let no_agent = loop {
        let line = widget_line_within(&mut waiting_widget, Duration::from_secs(15)).await;
        if matches!(
            &line.body,
            LineBody::System {
                note: SystemNote::NoAgent { .. }
            }
        ) {
            break waiting_at.elapsed();
        }
    };
    assert!(
        (Duration::from_secs(9)..Duration::from_secs(13)).contains(&no_agent),
        "the no-agent message at the join timeout, not after {no_agent:?}"
    );

    let warning = widget_line_within(&mut active_widget, Duration::from_secs(30)).await;
    assert!(
        is_note(&warning, &SystemNote::InactivityWarning),
        "{warning:?}"
    );
    let warned = spoke_at.elapsed();
    assert!(
        (Duration::from_secs(23)..Duration::from_secs(27)).contains(&warned),
        "warned at 80% of 30 s, not after {warned:?}"
    );
    loop {
        let line = widget_line_within(&mut active_widget, Duration::from_secs(10)).await;
        if is_note(
            &line,
            &SystemNote::Ended {
                reason: EndReason::TimedOut,
            },
        ) {
            break;
        }
    }
    let ended = spoke_at.elapsed();
    assert!(
        (Duration::from_secs(29)..Duration::from_secs(33)).contains(&ended),
        "ended at 30 s of silence, not after {ended:?}"
    );
    let contact = store.contact(offer.contact).await.unwrap();
    assert_eq!(contact.status, ContactStatus::Ended(EndReason::TimedOut));
    server.kill();
}
