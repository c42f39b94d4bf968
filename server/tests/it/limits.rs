//! Every input bounded (issue 11): each limit at its boundary against the real server (the
//! limit passes, one more is refused with a message naming it), and nothing accepted before
//! is lost.

use crate::common;

use server::config::Config;

/// Demo data has users with a published password: the server refuses to expose them on an
/// address other than loopback, and says why and how to force it.
#[tokio::test]
async fn demo_data_is_not_served_beyond_loopback_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("demo.db").display());
    let mut config = Config::for_tests(url, dir.path().to_path_buf());
    config.demo = true;
    config.addr = "0.0.0.0:0".parse().unwrap();
    let refused = match server::build(&config).await {
        Err(e) => e.to_string(),
        Ok(_) => panic!("demo data served on 0.0.0.0"),
    };
    assert!(refused.contains("0.0.0.0:0"), "{refused}");
    assert!(
        refused.contains("SWITCHBOARD_DEMO_EXPOSED=true"),
        "{refused}"
    );
    config.demo_exposed = true;
    assert!(server::build(&config).await.is_ok(), "forced on purpose");
    config.demo_exposed = false;
    config.addr = "127.0.0.1:0".parse().unwrap();
    assert!(server::build(&config).await.is_ok(), "loopback is fine");
}

use app::domain::{
    chat::{Author, LineBody, SystemNote},
    protocol::ServerMessage,
    widget::{WidgetError, WidgetMessage},
};
use common::{next_offer, next_widget, send_json, silent_for, wait_for, TestServer, Ws};
use serde_json::json;
use std::time::Duration;

/// A chat from the widget, accepted by Alice; its widget synced.
async fn accepted_chat(server: &TestServer) -> (Ws, Ws, app::domain::ids::ContactId, String) {
    let alice = server.create_agent("alice", "agent-pass-1").await;
    let problem = server.queue("Support", &[alice]).await;
    let mut desk = server.desktop_ready("alice").await;
    let cookie = server.start_chat("Zoé", problem).await;
    let offer = next_offer(&mut desk).await;
    send_json(
        &mut desk,
        json!({"type": "accept", "contact": offer.contact}),
    )
    .await;
    // The desktop has the chat open (its catch-up ends with the joined line) before the
    // test goes on: nothing of the accept is still on its way to either side.
    wait_for(&mut desk, |m| {
        matches!(m, ServerMessage::ChatLine { line, .. }
            if matches!(&line.body, LineBody::System { note: SystemNote::Joined { .. } }))
    })
    .await;
    let mut widget = server.widget(&cookie, 0).await;
    loop {
        if let WidgetMessage::Line { text, .. } = next_widget(&mut widget).await {
            if text.ends_with("has joined the chat.") {
                break;
            }
        }
    }
    (desk, widget, offer.contact, cookie)
}

async fn say(widget: &mut Ws, id: &str) {
    send_json(
        widget,
        json!({"type": "send", "client_id": id, "text": format!("message {id}")}),
    )
    .await;
}

/// The next widget message that is a stored line or a refusal.
async fn outcome(widget: &mut Ws) -> WidgetMessage {
    loop {
        match next_widget(widget).await {
            m @ (WidgetMessage::Line { .. } | WidgetMessage::Rejected { .. }) => return m,
            _ => continue,
        }
    }
}

async fn customer_messages(server: &TestServer, contact: app::domain::ids::ContactId) -> usize {
    server
        .services
        .store
        .customer_line_count(contact)
        .await
        .unwrap() as usize
}

/// A customer may send 20 messages at once and 5 a second after that: of 40 sent at once,
/// the first 20 pass whole, the rest beyond the rate are refused with a message saying so
/// (each refusal naming its message, none of them stored, nothing before lost), and a
/// moment later the customer may send again.
#[tokio::test]
async fn a_customer_sends_at_most_five_a_second_with_a_burst_of_twenty() {
    let server = TestServer::start().await;
    let (_desk, mut widget, contact, _) = accepted_chat(&server).await;
    for i in 0..40 {
        say(&mut widget, &format!("b{i}")).await;
    }
    // Lines come through the chat's room, refusals straight back: in any order.
    let (mut stored, mut refused) = (Vec::new(), Vec::new());
    while stored.len() + refused.len() < 40 {
        match outcome(&mut widget).await {
            WidgetMessage::Line { line, .. } => match line.body {
                LineBody::Message { client_id, .. } => stored.push(client_id),
                LineBody::System { .. } => {}
            },
            WidgetMessage::Rejected {
                error,
                message,
                client_id,
            } => {
                assert!(
                    matches!(error, WidgetError::TooFast { per_sec: 5, wait_ms } if wait_ms <= 200),
                    "{error:?}"
                );
                assert_eq!(
                    message,
                    "You are sending messages faster than 5 a second; wait a moment and send again."
                );
                refused.push(client_id.expect("the refused message is named"));
            }
            _ => unreachable!(),
        }
    }
    for i in 0..20 {
        assert!(
            stored.contains(&format!("b{i}")),
            "the burst passes whole: b{i}"
        );
    }
    assert!(refused.len() >= 10, "beyond the rate: {refused:?}");
    assert!(refused.iter().all(|id| !stored.contains(id)));
    assert_eq!(customer_messages(&server, contact).await, stored.len());
    tokio::time::sleep(Duration::from_millis(250)).await;
    say(&mut widget, "again").await;
    assert!(matches!(
        outcome(&mut widget).await,
        WidgetMessage::Line { .. }
    ));
    assert_eq!(customer_messages(&server, contact).await, stored.len() + 1);
}

/// A chat holds at most 1,000 messages of its customer: the 1,000th passes, the next is
/// refused with the limit named, and the chat goes on for the agent.
#[tokio::test]
async fn a_chat_takes_at_most_a_thousand_customer_messages() {
    let server = TestServer::start().await;
    let (mut desk, mut widget, contact, _) = accepted_chat(&server).await;
    let store = &server.services.store;
    for i in 0..999 {
        let body = LineBody::Message {
            author: Author::Customer {
                name: "Zoé".into()
            },
            text: format!("earlier {i}"),
            client_id: format!("e{i}"),
            files: Vec::new(),
            sent_at_ms: None,
            template: None,
        };
        store
            .append_line(
                contact,
                &server::store::Sender::Customer,
                Some(&format!("e{i}")),
                &body,
                1,
            )
            .await
            .unwrap();
    }
    say(&mut widget, "last").await;
    say(&mut widget, "over").await;
    // The widget catches up with the lines stored behind its back, then gets the 1000th;
    // the 1001st is refused (the refusal may come first: it does not wait for the room).
    let (mut seqs, mut refusal) = (Vec::new(), None);
    while seqs.last() != Some(&1002) || refusal.is_none() {
        match outcome(&mut widget).await {
            WidgetMessage::Line { line, .. } => seqs.push(line.seq),
            WidgetMessage::Rejected { error, message, .. } => refusal = Some((error, message)),
            _ => unreachable!(),
        }
    }
    assert_eq!(
        seqs,
        (3..=1002).collect::<Vec<_>>(),
        "every line once, in order"
    );
    let (error, message) = refusal.unwrap();
    assert_eq!(error, WidgetError::TooManyMessages { max: 1000 });
    assert_eq!(
        message,
        "This chat has reached its limit of 1000 messages; start a new chat to go on."
    );
    assert_eq!(customer_messages(&server, contact).await, 1000);
    send_json(
        &mut desk,
        json!({"type": "send", "contact": contact, "client_id": "a1", "text": "Still here"}),
    )
    .await;
    wait_for(&mut desk, |m| {
        matches!(m, ServerMessage::ChatLine { line, .. }
            if matches!(&line.body, LineBody::Message { text, .. } if text == "Still here"))
    })
    .await;
}

/// SPEC P-2: typing notices reach the other side at most once a second; stopping passes
/// at once.
#[tokio::test]
async fn typing_notices_are_coalesced_to_one_a_second() {
    let server = TestServer::start().await;
    let (mut desk, mut widget, _, _) = accepted_chat(&server).await;
    for _ in 0..10 {
        send_json(&mut widget, json!({"type": "typing", "active": true})).await;
    }
    let typing = |m: &ServerMessage| matches!(m, ServerMessage::Typing { active: true, .. });
    wait_for(&mut desk, typing).await;
    assert!(silent_for(&mut desk, 300).await, "nine repeats dropped");
    send_json(&mut widget, json!({"type": "typing", "active": false})).await;
    wait_for(&mut desk, |m| {
        matches!(m, ServerMessage::Typing { active: false, .. })
    })
    .await;
}

/// The close frame the server ends a connection with, if any.
async fn closed_with(ws: &mut Ws) -> Option<(u16, String)> {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => {
                return frame.map(|f| (u16::from(f.code), f.reason.to_string()))
            }
            Ok(Some(Ok(_))) => continue,
            other => panic!("no close frame: {other:?}"),
        }
    }
}

/// `{"type":"typing","active":true}` padded with JSON whitespace to `len` bytes.
fn typing_of_size(len: usize) -> String {
    let core = r#"{"type":"typing","active":true"#;
    format!("{core}{}}}", " ".repeat(len - core.len() - 1))
}

/// A widget may send messages of 16 KB; one byte more closes its connection with code 1009
/// and a reason naming the limit, as does a message far over it; the chat is unharmed.
#[tokio::test]
async fn widget_messages_over_sixteen_kilobytes_close_with_a_reason() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let server = TestServer::start().await;
    let (mut desk, mut widget, _, cookie) = accepted_chat(&server).await;
    let at_limit = typing_of_size(16 * 1024);
    assert_eq!(at_limit.len(), 16_384);
    widget.send(Message::Text(at_limit.into())).await.unwrap();
    wait_for(&mut desk, |m| {
        matches!(m, ServerMessage::Typing { active: true, .. })
    })
    .await;
    widget
        .send(Message::Text(typing_of_size(16 * 1024 + 1).into()))
        .await
        .unwrap();
    let reason = Some((1009, "A message may hold at most 16 KB.".to_string()));
    assert_eq!(closed_with(&mut widget).await, reason);
    // Far over (half a megabyte): the same clear reason.
    let mut again = server.widget(&cookie, 0).await;
    again
        .send(Message::Text(typing_of_size(512 * 1024).into()))
        .await
        .unwrap();
    assert_eq!(closed_with(&mut again).await, reason);
    // The chat goes on: a new connection of the customer is served.
    let mut back = server.widget(&cookie, 0).await;
    assert!(matches!(
        next_widget(&mut back).await,
        WidgetMessage::Line { .. }
    ));
}

/// The desktop's socket has the same 16 KB limit and reason.
#[tokio::test]
async fn desktop_messages_over_sixteen_kilobytes_close_with_a_reason() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let server = TestServer::start().await;
    server.create_agent("alice", "agent-pass-1").await;
    let mut desk = server.desktop_ready("alice").await;
    let ready = r#"{"type":"set_state","ready":false"#;
    let at_limit = format!("{ready}{}}}", " ".repeat(16 * 1024 - ready.len() - 1));
    desk.send(Message::Text(at_limit.into())).await.unwrap();
    wait_for(&mut desk, |m| matches!(m, ServerMessage::Event(_))).await;
    let over = format!("{ready}{}}}", " ".repeat(16 * 1024 - ready.len()));
    desk.send(Message::Text(over.into())).await.unwrap();
    assert_eq!(
        closed_with(&mut desk).await,
        Some((1009, "A message may hold at most 16 KB.".to_string()))
    );
}

/// Starts a chat from the widget's form, with headers as a browser behind a proxy sends.
async fn try_start(
    server: &TestServer,
    problem: i64,
    forwarded_for: Option<&str>,
) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(server.url("/widget/api/start"))
        .json(&json!({"name": "Zoé", "email": "zoe@example.com", "phone": "", "problem": problem}));
    if let Some(address) = forwarded_for {
        request = request.header("x-forwarded-for", address);
    }
    request.send().await.unwrap()
}

/// The seconds a refusal's `Retry-After` says to wait.
fn retry_after(refused: &reqwest::Response) -> u64 {
    refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// One address may start 5 chats a minute: the 6th is refused with 429, Retry-After and a
/// message naming the limit; the chats started before are all there.
#[tokio::test]
async fn five_chat_starts_a_minute_per_address() {
    let server = TestServer::start().await;
    let problem = server.queue("Support", &[]).await;
    for _ in 0..5 {
        assert_eq!(try_start(&server, problem, None).await.status(), 200);
    }
    // A client cannot pick its address: the header counts only from a trusted proxy.
    let refused = try_start(&server, problem, Some("203.0.113.7")).await;
    assert_eq!(refused.status(), 429);
    let retry = retry_after(&refused);
    assert!((1..=12).contains(&retry), "{retry}");
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "too_many_requests");
    assert_eq!(
        body["message"],
        "Too many chats started from your address: at most 5 a minute. Please wait a minute and try again."
    );
    assert_eq!(
        server.services.store.open_contacts().await.unwrap().len(),
        5
    );
}

/// Behind a proxy the operator trusts, each forwarded address has its own allowance.
#[tokio::test]
async fn a_trusted_proxy_forwards_the_client_address() {
    let server =
        TestServer::start_with(|c| c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    let problem = server.queue("Support", &[]).await;
    for _ in 0..5 {
        let r = try_start(&server, problem, Some("203.0.113.7")).await;
        assert_eq!(r.status(), 200);
    }
    assert_eq!(
        try_start(&server, problem, Some("203.0.113.7"))
            .await
            .status(),
        429
    );
    assert_eq!(
        try_start(&server, problem, Some("203.0.113.8"))
            .await
            .status(),
        200,
        "another customer behind the same proxy"
    );
}

/// Issue 17: what the widget reads is bounded per address too, at 300 requests a minute
/// (a page view makes four): past it (the allowance coming back five a second) each read is
/// refused with 429, Retry-After, the limit in the customer's language, and a header any
/// site may read; starting a chat keeps its own allowance.
#[tokio::test]
async fn widget_reads_are_bounded_per_address() {
    let server = TestServer::start().await;
    let problem = server.queue("Support", &[]).await;
    let client = reqwest::Client::new();
    let reads = [
        "/widget/api/session",
        "/widget/api/config",
        "/widget/api/availability",
        "/widget/i18n/en.json",
    ];
    let started = std::time::Instant::now();
    let mut passed = 0;
    let refused = loop {
        let path = reads[passed % reads.len()];
        let response = client
            .get(server.url(path))
            .header("accept-language", "fr")
            .send()
            .await
            .unwrap();
        if response.status() != 200 {
            break response;
        }
        passed += 1;
        assert!(passed <= 400, "no limit after {passed} reads");
    };
    let came_back = (started.elapsed().as_millis() / 200) as usize + 1;
    assert!(
        (300..=300 + came_back).contains(&passed),
        "{passed} reads passed in {:?}",
        started.elapsed()
    );
    assert_eq!(refused.status(), 429);
    let retry = retry_after(&refused);
    assert!((1..=2).contains(&retry), "{retry}");
    assert_eq!(refused.headers()["access-control-allow-origin"], "*");
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "too_many_requests");
    assert_eq!(
        body["message"],
        "Trop de demandes depuis votre adresse : 300 par minute au maximum. Veuillez patienter un instant et réessayer."
    );
    // The socket's opening counts among the reads.
    let upgrade = client
        .get(server.url("/widget/ws"))
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await
        .unwrap();
    assert_eq!(upgrade.status(), 429);
    assert_eq!(try_start(&server, problem, None).await.status(), 200);
}

/// A queue holds at most the administrator's number of waiting chats: one more is refused
/// with 503 and a message saying the queue is full; those waiting keep their place.
#[tokio::test]
async fn a_full_queue_refuses_new_chats() {
    let server = TestServer::start_with(|c| c.chat_starts_per_minute = 100).await;
    let settings = app::domain::settings::ChatSettings {
        queue_limit: 2,
        ..Default::default()
    };
    server.set_chat_settings(settings).await;
    let problem = server.queue("Support", &[]).await;
    for _ in 0..2 {
        assert_eq!(try_start(&server, problem, None).await.status(), 200);
    }
    let full = try_start(&server, problem, None).await;
    assert_eq!(full.status(), 503);
    let body: serde_json::Value = full.json().await.unwrap();
    assert_eq!(body["error"], "queue_full");
    assert_eq!(
        body["message"],
        "All our agents are busy and the queue is full right now. Please try again in a few minutes."
    );
    assert_eq!(
        server.services.store.open_contacts().await.unwrap().len(),
        2
    );
}

/// A chat nobody takes within the queue timeout leaves the queue: the customer reads the
/// administrator's message and the end; no agent is offered it afterwards.
#[tokio::test]
async fn a_chat_nobody_takes_leaves_the_queue_at_the_queue_timeout() {
    let server = TestServer::start().await;
    let settings = app::domain::settings::ChatSettings {
        queue_timeout_secs: 1,
        queue_timeout_message: "Nobody could take your chat; please try again.".into(),
        ..Default::default()
    };
    server.set_chat_settings(settings).await;
    let alice = server.create_agent("alice", "agent-pass-1").await;
    let problem = server.queue("Support", &[alice]).await;
    let cookie = server.start_chat("Zoé", problem).await;
    let mut widget = server.widget(&cookie, 0).await;
    let mut texts = Vec::new();
    loop {
        match next_widget(&mut widget).await {
            WidgetMessage::Line { text, .. } => texts.push(text),
            WidgetMessage::Ended => break,
            _ => {}
        }
    }
    assert_eq!(
        texts[texts.len() - 2..],
        [
            "Nobody could take your chat; please try again.".to_string(),
            "This chat has ended.".to_string()
        ]
    );
    let mut desk = server.desktop_ready("alice").await;
    assert!(silent_for(&mut desk, 500).await, "nothing offered");
}

/// Login failures count per client address too: one address guessing many usernames is
/// refused with 429 after ten failures, whichever username it tries next.
#[tokio::test]
async fn logins_from_one_address_guessing_many_usernames_are_refused() {
    let server = TestServer::start().await;
    server.create_agent("alice", "s3cret-pass").await;
    for i in 0..10 {
        assert_eq!(
            server.login(&format!("guess{i}"), "nope").await.status(),
            401
        );
    }
    let refused = server.login("alice", "s3cret-pass").await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
}

/// The real application served within `bounds` (short ones, to see each bound act).
async fn bounded(bounds: server::serve::Bounds) -> (std::net::SocketAddr, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bounded.db").display());
    let config = Config::for_tests(url, dir.path().to_path_buf());
    let (router, _) = server::build(&config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(server::serve::serve_with(
        listener,
        router,
        std::future::pending(),
        bounds,
    ));
    (addr, dir)
}

/// Reads until the server closes the connection; what it said meanwhile.
async fn until_closed(stream: &mut tokio::net::TcpStream, within: Duration) -> String {
    use tokio::io::AsyncReadExt;
    let mut said = Vec::new();
    let mut buf = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return String::from_utf8_lossy(&said).into_owned(),
            Ok(Ok(n)) => said.extend_from_slice(&buf[..n]),
            Err(_) => panic!("still open after {within:?}"),
        }
    }
}

/// A client that sends a request's headers too slowly, or stalls in its body, loses the
/// connection; one that is quick is served on the same server meanwhile.
#[tokio::test]
async fn slow_clients_cannot_hold_a_connection() {
    use tokio::io::AsyncWriteExt;
    let bounds = server::serve::Bounds {
        header_read_timeout: Duration::from_millis(500),
        body_read_timeout: Duration::from_millis(500),
        ..Default::default()
    };
    let (addr, _dir) = bounded(bounds).await;
    let started = std::time::Instant::now();
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let healthy = reqwest::get(format!("http://{addr}/healthz"))
        .await
        .unwrap();
    assert_eq!(healthy.status(), 200, "others are served meanwhile");
    until_closed(&mut slow, Duration::from_secs(3)).await;
    assert!(started.elapsed() >= Duration::from_millis(450));

    let mut stalled = tokio::net::TcpStream::connect(addr).await.unwrap();
    stalled
        .write_all(
            b"POST /widget/api/start HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"name\":",
        )
        .await
        .unwrap();
    let answer = until_closed(&mut stalled, Duration::from_secs(3)).await;
    assert!(!answer.contains(" 200 "), "{answer}");
}

/// At most `max_connections` connections are served at once: one more waits for a place,
/// and is served as soon as one closes.
#[tokio::test]
async fn connections_beyond_the_cap_wait_for_a_place() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let bounds = server::serve::Bounds {
        max_connections: 2,
        header_read_timeout: Duration::from_secs(30),
        ..Default::default()
    };
    let (addr, _dir) = bounded(bounds).await;
    let first = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _second = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut third = tokio::net::TcpStream::connect(addr).await.unwrap();
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 256];
    assert!(
        tokio::time::timeout(Duration::from_millis(500), third.read(&mut buf))
            .await
            .is_err(),
        "no place yet"
    );
    drop(first);
    let answer = until_closed(&mut third, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// A desktop page lasts no longer than its login session: when the session's time is up
/// the socket closes with code 4401 and the reason, and the page goes to log in.
#[tokio::test]
async fn a_desktop_socket_ends_with_its_login_session() {
    let server = TestServer::start().await;
    let alice = server.create_agent("alice", "agent-pass-1").await;
    let token = server::auth::new_token();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    server
        .services
        .store
        .create_session(&server::auth::token_hash(&token), alice, now, now + 1_500)
        .await
        .unwrap();
    let mut desk = server.ws(&format!("sb_session={token}")).await;
    send_json(&mut desk, json!({"type": "hello", "resume_after": null})).await;
    wait_for(&mut desk, |m| matches!(m, ServerMessage::Synced { .. })).await;
    let started = std::time::Instant::now();
    assert_eq!(
        closed_with(&mut desk).await,
        Some((
            4401,
            "Your session has ended. Please log in again.".to_string()
        ))
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

/// Guesses sent all at once do not pass the failure count together: each is counted while
/// it is checked, so of six at once for one username, the ones past the third are refused.
#[tokio::test]
async fn parallel_login_guesses_are_counted_while_checked() {
    let server = TestServer::start().await;
    server.create_agent("alice", "s3cret-pass").await;
    let guesses = (0..6).map(|_| server.login("alice", "nope"));
    let statuses: Vec<u16> = futures_util::future::join_all(guesses)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert!(refused >= 2, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 6 - refused);
}

/// Tries the widget's WebSocket with a chat cookie: the refusal's status and JSON, if any.
async fn widget_refusal(server: &TestServer, cookie: &str) -> Option<(u16, serde_json::Value)> {
    use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Error};
    let mut request = format!("ws://{}/widget/ws", server.addr)
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("cookie", cookie.parse().unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Ok(_) => None,
        Err(Error::Http(response)) => {
            let status = response.status().as_u16();
            let body = response.into_body().unwrap_or_default();
            Some((status, serde_json::from_slice(&body).unwrap_or_default()))
        }
        Err(e) => panic!("{e}"),
    }
}

/// Every input bounded: one chat's cookie opens at most 5 widget sockets at once; the
/// sixth is refused with 429 and a message naming the limit, the five keep working, and a
/// closed one gives its place back.
#[tokio::test]
async fn a_chat_opens_at_most_five_widget_sockets() {
    let server = TestServer::start().await;
    let problem = server.queue("Support", &[]).await;
    let cookie = server.start_chat("Zoé", problem).await;
    let mut open = Vec::new();
    for _ in 0..5 {
        open.push(server.widget(&cookie, 0).await);
    }
    let (status, body) = widget_refusal(&server, &cookie)
        .await
        .expect("the sixth is refused");
    assert_eq!(status, 429);
    assert_eq!(body["error"], "too_many_requests");
    assert!(
        body["message"].as_str().unwrap().contains("5 windows"),
        "{body}"
    );
    // Another chat is not affected.
    let other = server.start_chat("Ann", problem).await;
    assert!(widget_refusal(&server, &other).await.is_none());
    // The five still work: a message from the last one is stored.
    send_json(
        open.last_mut().unwrap(),
        serde_json::json!({"type": "send", "client_id": "c1", "text": "still here"}),
    )
    .await;
    wait_for_widget_line(open.last_mut().unwrap(), "still here").await;
    drop(open.pop());
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while widget_refusal(&server, &cookie).await.is_some() {
        assert!(tokio::time::Instant::now() < deadline, "a place came back");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn wait_for_widget_line(ws: &mut Ws, text: &str) {
    loop {
        if let app::domain::widget::WidgetMessage::Line { text: t, .. } = next_widget(ws).await {
            if t == text {
                return;
            }
        }
    }
}

/// Every input bounded: WebSockets have their own cap (upgraded connections leave the HTTP
/// connection count): past it a desktop or a widget socket is refused with 503, and a
/// closed one gives its place back.
#[tokio::test]
async fn websockets_are_capped_together() {
    let server = TestServer::start_with(|c| c.max_websockets = 2).await;
    let alice = server.create_agent("alice", "agent-pass-1").await;
    let problem = server.queue("Support", &[alice]).await;
    let cookie = server.start_chat("Zoé", problem).await;
    let desk = server.desktop_ready("alice").await;
    let widget = server.widget(&cookie, 0).await;
    let (status, body) = widget_refusal(&server, &cookie)
        .await
        .expect("a third socket is refused");
    assert_eq!(status, 503);
    assert_eq!(body["error"], "unavailable", "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("limit of 2 open connections"),
        "{body}"
    );
    drop(widget);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while widget_refusal(&server, &cookie).await.is_some() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the place came back"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    drop(desk);
}
