//! Web chat over real WebSockets against the real server: a customer's widget and an
//! agent's desktop, from the pre-chat form to the end.

use crate::common;

use app::domain::{
    chat::{Author, ChatLine, LineBody, SystemNote},
    contact::EndReason,
    protocol::{AgentEvent, CommandError, Envelope, ServerMessage},
    state::AgentState,
    widget::WidgetMessage,
};
use common::{next_widget, send_json, silent_for, wait_for, TestServer, Ws};
use serde_json::json;
use std::time::Duration;

fn text_of(line: &ChatLine) -> String {
    match &line.body {
        LineBody::Message { text, .. } => text.clone(),
        LineBody::System { note } => note.text(),
    }
}

/// Widget lines until Synced.
async fn widget_lines_until_synced(ws: &mut Ws) -> Vec<ChatLine> {
    let mut lines = Vec::new();
    loop {
        match next_widget(ws).await {
            WidgetMessage::Line { line, .. } => lines.push(line),
            WidgetMessage::Synced { .. } => return lines,
            other => panic!("unexpected {other:?}"),
        }
    }
}

async fn widget_line(ws: &mut Ws) -> ChatLine {
    loop {
        match next_widget(ws).await {
            WidgetMessage::Line { line, .. } => return line,
            // Issue 17: news of the wait come alongside the lines.
            WidgetMessage::Typing { .. }
            | WidgetMessage::Synced { .. }
            | WidgetMessage::Queue { .. } => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
}

async fn desktop_line(ws: &mut Ws) -> ChatLine {
    match wait_for(ws, |m| matches!(m, ServerMessage::ChatLine { .. })).await {
        ServerMessage::ChatLine { line, .. } => line,
        _ => unreachable!(),
    }
}

/// Alice, the one member of Support, logged in and Ready; with the Support problem
/// statement for the pre-chat form.
async fn alice_ready_in_support(server: &TestServer) -> (app::domain::ids::AgentId, i64, Ws) {
    let alice = server.create_agent("alice", "agent-pass-1").await;
    let problem = server.queue("Support", &[alice]).await;
    let desk = server.desktop_ready("alice").await;
    (alice, problem, desk)
}

/// The next offer on the desktop.
async fn next_offer(ws: &mut Ws) -> app::domain::protocol::OfferView {
    let wanted = |m: &ServerMessage| matches!(m, ServerMessage::Event(e) if matches!(e.event, AgentEvent::Offered { .. }));
    match wait_for(ws, wanted).await {
        ServerMessage::Event(Envelope {
            event: AgentEvent::Offered { offer },
            ..
        }) => offer,
        _ => unreachable!(),
    }
}

/// SPEC O-1, O-2, O-5, K-2, P-1, P-2, P-5, O-6, S-3: the whole conversation.
#[tokio::test]
async fn customer_and_agent_chat_from_form_to_end() {
    let server = TestServer::start().await;
    let (_, problem, mut desk) = alice_ready_in_support(&server).await;
    let cookie = server.start_chat("Zoé Martin", problem).await;

    // O-2: the offer shows the customer's details and its expiry.
    let offer = next_offer(&mut desk).await;
    assert_eq!(offer.customer.name, "Zoé Martin");
    assert_eq!(
        offer.customer.email.as_deref(),
        Some("customer@example.com")
    );
    assert_eq!(
        (offer.csq.as_str(), offer.problem.as_str()),
        ("Support", "Support question")
    );
    assert!(
        offer.expires_at_ms > server::clock::now_ms() + 10_000,
        "about 15 s to accept"
    );

    // O-5, S-3: accepting makes the agent Reserved and opens the contact.
    send_json(
        &mut desk,
        json!({"type": "accept", "contact": offer.contact}),
    )
    .await;
    wait_for(&mut desk, |m| {
        matches!(m, ServerMessage::Event(e) if matches!(&e.event,
        AgentEvent::StateChanged { status, .. } if status.state == AgentState::Reserved))
    })
    .await;
    wait_for(&mut desk, |m| matches!(m, ServerMessage::Event(e) if matches!(&e.event, AgentEvent::ContactAssigned { .. }))).await;
    let welcome = desktop_line(&mut desk).await;
    assert!(matches!(
        welcome.body,
        LineBody::System {
            note: SystemNote::Welcome { .. }
        }
    ));
    assert_eq!(
        text_of(&desktop_line(&mut desk).await),
        "alice has joined the chat."
    );

    // K-2: the customer sees the welcome and the join.
    let mut widget = server.widget(&cookie, 0).await;
    let seen = widget_lines_until_synced(&mut widget).await;
    assert_eq!(seen.len(), 2);
    assert_eq!(text_of(&seen[1]), "alice has joined the chat.");

    // P-2: typing both ways.
    send_json(&mut widget, json!({"type": "typing", "active": true})).await;
    assert_eq!(
        wait_for(&mut desk, |m| matches!(m, ServerMessage::Typing { .. })).await,
        ServerMessage::Typing {
            contact: offer.contact,
            active: true,
            who: None,
        }
    );
    send_json(
        &mut desk,
        json!({"type": "typing", "contact": offer.contact, "active": true}),
    )
    .await;
    assert_eq!(
        next_widget(&mut widget).await,
        WidgetMessage::Typing { active: true }
    );

    // Messages both ways, each stored and numbered.
    send_json(
        &mut widget,
        json!({"type": "send", "client_id": "k1", "text": "Bonjour, ma commande 😀"}),
    )
    .await;
    let got = desktop_line(&mut desk).await;
    assert_eq!(
        (got.seq, text_of(&got)),
        (3, "Bonjour, ma commande 😀".to_string())
    );
    assert!(
        matches!(&got.body, LineBody::Message { author: Author::Customer { name }, .. } if name == "Zoé Martin")
    );
    assert_eq!(widget_line(&mut widget).await.seq, 3);

    send_json(
        &mut desk,
        json!({"type": "send", "contact": offer.contact, "client_id": "a1", "text": "Hello Zoé!"}),
    )
    .await;
    let reply = widget_line(&mut widget).await;
    assert_eq!(text_of(&reply), "Hello Zoé!");
    assert!(
        matches!(&reply.body, LineBody::Message { author: Author::Agent { alias, .. }, .. } if alias == "alice")
    );

    // O-6: the agent ends; the customer sees the agent leave and the end; the agent is
    // Ready again (S-3) and the tab closes.
    send_json(
        &mut desk,
        json!({"type": "end_chat", "contact": offer.contact}),
    )
    .await;
    assert_eq!(
        text_of(&widget_line(&mut widget).await),
        "alice has left the chat."
    );
    assert_eq!(
        text_of(&widget_line(&mut widget).await),
        "The chat has ended."
    );
    assert_eq!(next_widget(&mut widget).await, WidgetMessage::Ended);
    wait_for(&mut desk, |m| {
        matches!(m, ServerMessage::Event(e) if matches!(&e.event,
        AgentEvent::StateChanged { status, .. } if status.state == AgentState::Ready))
    })
    .await;
    match wait_for(&mut desk, |m| matches!(m, ServerMessage::Event(e) if matches!(&e.event, AgentEvent::ContactClosed { .. }))).await {
        ServerMessage::Event(e) => assert_eq!(e.event, AgentEvent::ContactClosed { contact: offer.contact, reason: EndReason::EndedByAgent }),
        _ => unreachable!(),
    }

    // P-5: the transcript is kept with the contact, and the customer can download it.
    let lines = server
        .services
        .store
        .lines_after(offer.contact, 0, 100)
        .await
        .unwrap();
    assert_eq!(lines.len(), 6);
    let transcript = reqwest::Client::new()
        .get(server.url("/widget/api/transcript"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert!(transcript.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let text = transcript.text().await.unwrap();
    assert!(
        text.contains("Zoé Martin: Bonjour, ma commande 😀"),
        "{text}"
    );
    assert!(text.contains("alice: Hello Zoé!"));
}

/// SPEC K-3: a resend with the same client id is stored once, and a widget that lost its
/// connection receives exactly the lines it missed.
#[tokio::test]
async fn resends_are_stored_once_and_resume_gets_exactly_the_missed_lines() {
    let server = TestServer::start().await;
    let (_, problem, mut desk) = alice_ready_in_support(&server).await;
    let (cookie, contact) = accepted_chat(&server, &mut desk, problem).await;

    let mut widget = server.widget(&cookie, 0).await;
    let first = widget_lines_until_synced(&mut widget).await;
    for _ in 0..3 {
        send_json(
            &mut widget,
            json!({"type": "send", "client_id": "same-id", "text": "only once"}),
        )
        .await;
    }
    let stored = widget_line(&mut widget).await;
    assert_eq!(text_of(&stored), "only once");
    assert!(
        silent_for(&mut widget, 300).await,
        "the resends are not sent on again"
    );
    let lines = server
        .services
        .store
        .lines_after(contact, 0, 100)
        .await
        .unwrap();
    assert_eq!(
        lines.iter().filter(|l| text_of(l) == "only once").count(),
        1
    );

    // The customer's connection drops; the agent writes twice meanwhile.
    let seen = stored.seq;
    drop(widget);
    for (i, text) in ["first while away", "second while away"].iter().enumerate() {
        send_json(
            &mut desk,
            json!({"type": "send", "contact": contact, "client_id": format!("a{i}"), "text": text}),
        )
        .await;
        wait_for(
            &mut desk,
            |m| matches!(m, ServerMessage::ChatLine { line, .. } if text_of(line) == *text),
        )
        .await;
    }
    let mut widget = server.widget(&cookie, seen).await;
    let missed = widget_lines_until_synced(&mut widget).await;
    let texts: Vec<_> = missed.iter().map(text_of).collect();
    assert_eq!(texts, ["first while away", "second while away"]);
    assert_eq!(missed[0].seq, seen + 1);
    assert_eq!(first.len(), 2, "welcome and join");
}

/// SPEC P-1: the server refuses an agent message over 1500 characters with a clear error,
/// and refuses messages in a chat the agent does not hold.
#[tokio::test]
async fn the_server_enforces_the_message_limit_and_ownership() {
    let server = TestServer::start().await;
    let (_, problem, mut desk) = alice_ready_in_support(&server).await;
    server.start_chat("Zoé", problem).await;
    let contact = next_offer(&mut desk).await.contact;
    // Not accepted yet: not the agent's to write in.
    send_json(
        &mut desk,
        json!({"type": "send", "contact": contact, "client_id": "a0", "text": "hi"}),
    )
    .await;
    assert_eq!(
        wait_for(&mut desk, |m| matches!(m, ServerMessage::Rejected { .. })).await,
        ServerMessage::Rejected {
            error: CommandError::NotYours,
            client_id: Some("a0".into()),
        }
    );
    send_json(&mut desk, json!({"type": "accept", "contact": contact})).await;
    wait_for(&mut desk, |m| matches!(m, ServerMessage::Event(e) if matches!(&e.event, AgentEvent::ContactAssigned { .. }))).await;
    let long = "é".repeat(1501);
    send_json(
        &mut desk,
        json!({"type": "send", "contact": contact, "client_id": "a1", "text": long}),
    )
    .await;
    match wait_for(&mut desk, |m| matches!(m, ServerMessage::Rejected { .. })).await {
        ServerMessage::Rejected { error, client_id } => {
            assert_eq!(
                error.to_string(),
                "Message: at most 1500 characters (1501 given)"
            );
            // Named, so the page keeps the text as not sent rather than send it again.
            assert_eq!(client_id.as_deref(), Some("a1"));
        }
        _ => unreachable!(),
    }
    // A second accept of the same chat is refused: it is taken.
    send_json(&mut desk, json!({"type": "accept", "contact": contact})).await;
    assert_eq!(
        wait_for(&mut desk, |m| matches!(m, ServerMessage::Rejected { .. })).await,
        ServerMessage::Rejected {
            error: CommandError::OfferGone,
            client_id: None,
        }
    );
}

/// SPEC K-2: the pre-chat form's errors name each field.
#[tokio::test]
async fn the_pre_chat_form_reports_each_field() {
    let server = TestServer::start().await;
    let response = reqwest::Client::new()
        .post(server.url("/widget/api/start"))
        .json(&json!({"name": "", "email": "not-an-address", "phone": "", "problem": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body: serde_json::Value = response.json().await.unwrap();
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "email", "problem"]);
    assert_eq!(
        body["errors"][1]["message"],
        "Email: \"not-an-address\" is not a valid email address"
    );
    assert_eq!(body["error"], "invalid");
    // A body that is not the form gets the same shape, saying what is wrong with it.
    for (content_type, bad) in [
        ("application/json", "{\"name\": \"Zoé\""),
        ("application/json", "{\"name\": 5}"),
        ("text/plain", "name=Zoé"),
    ] {
        let response = reqwest::Client::new()
            .post(server.url("/widget/api/start"))
            .header("content-type", content_type)
            .body(bad)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        assert!([400, 415, 422].contains(&status), "{bad}: {status}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"], "malformed", "{bad}: {body}");
        assert!(!body["message"].as_str().unwrap().is_empty(), "{body}");
    }
    // Without a valid cookie, the widget socket is refused.
    let request = format!("ws://{}/widget/ws", server.addr);
    assert!(tokio_tungstenite::connect_async(request).await.is_err());
}

async fn accepted_chat(
    server: &TestServer,
    desk: &mut Ws,
    problem: i64,
) -> (String, app::domain::ids::ContactId) {
    let cookie = server.start_chat("Zoé", problem).await;
    let contact = next_offer(desk).await.contact;
    send_json(desk, json!({"type": "accept", "contact": contact})).await;
    wait_for(desk, |m| matches!(m, ServerMessage::ChatLine { line, .. } if text_of(line).ends_with("has joined the chat."))).await;
    (cookie, contact)
}

/// SPEC S-5: a desktop connection lost past the grace period ends the agent's chats (the
/// customer sees the agent leave) and leaves the agent Not Ready; a page back within the
/// grace period loses nothing.
#[tokio::test]
async fn a_lost_desktop_ends_its_chats_after_the_grace_period_only() {
    let server = TestServer::start().await;
    let settings = app::domain::settings::ChatSettings {
        reconnect_grace_secs: 1,
        ..Default::default()
    };
    server
        .services
        .store
        .save_chat_settings(&settings, None)
        .await
        .unwrap();
    let (alice, problem, mut desk) = alice_ready_in_support(&server).await;
    let (cookie, contact) = accepted_chat(&server, &mut desk, problem).await;

    // A blip: the page reconnects at once; the chat goes on.
    drop(desk);
    let session = server.session("alice", "agent-pass-1").await;
    let mut back = server.ws(&session).await;
    send_json(&mut back, json!({"type": "hello", "resume_after": null})).await;
    wait_for(&mut back, |m| matches!(m, ServerMessage::Synced { .. })).await;
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    let still = server.services.store.contact(contact).await.unwrap();
    assert_eq!(
        still.status,
        app::domain::contact::ContactStatus::Active,
        "back within the grace period"
    );

    // Gone for good: after the grace period the chat ends and the agent is Not Ready.
    let mut widget = server.widget(&cookie, 0).await;
    widget_lines_until_synced(&mut widget).await;
    drop(back);
    assert_eq!(
        text_of(&widget_line(&mut widget).await),
        "alice has left the chat."
    );
    assert_eq!(
        text_of(&widget_line(&mut widget).await),
        "The agent's desktop closed; the chat has ended."
    );
    let mut state = AgentState::Reserved;
    for _ in 0..50 {
        state = server
            .services
            .store
            .agent_status(alice)
            .await
            .unwrap()
            .0
            .state;
        if state == AgentState::NotReady {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(state, AgentState::NotReady);
    let log = server.services.store.state_log(alice).await.unwrap();
    assert_eq!(
        log.last().unwrap().reason,
        app::domain::state::StateReason::PageClosed
    );
}

/// SPEC S-5: a page that says it is closing (its beacon) ends its chats at once.
#[tokio::test]
async fn a_closing_desktop_ends_its_chats_at_once() {
    let server = TestServer::start().await;
    let alice = server.create_agent("alice", "agent-pass-1").await;
    let problem = server.queue("Support", &[alice]).await;
    let session = server.session("alice", "agent-pass-1").await;
    let mut desk = server.ws(&session).await;
    send_json(&mut desk, json!({"type": "hello", "resume_after": null})).await;
    wait_for(&mut desk, |m| matches!(m, ServerMessage::Synced { .. })).await;
    send_json(&mut desk, json!({"type": "set_state", "ready": true})).await;
    let (cookie, _) = accepted_chat(&server, &mut desk, problem).await;
    let mut widget = server.widget(&cookie, 0).await;
    widget_lines_until_synced(&mut widget).await;

    assert_eq!(server.post("/api/leave", &session).await.status(), 204);
    drop(desk);
    let started = std::time::Instant::now();
    assert_eq!(
        text_of(&widget_line(&mut widget).await),
        "alice has left the chat."
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "no grace period wait"
    );
}

/// The routing state survives a restart: a chat queued before it is offered after it.
#[tokio::test]
async fn a_queued_chat_survives_a_restart() {
    let server = TestServer::start().await;
    let alice = server.create_agent("alice", "agent-pass-1").await;
    let problem = server.queue("Support", &[alice]).await;
    server.start_chat("Zoé Before Restart", problem).await;

    let server = server.restart().await;
    let mut desk = server.desktop_ready("alice").await;
    let offer = next_offer(&mut desk).await;
    assert_eq!(offer.customer.name, "Zoé Before Restart");
    send_json(
        &mut desk,
        json!({"type": "accept", "contact": offer.contact}),
    )
    .await;
    // The transcript from before the restart comes with the chat.
    wait_for(&mut desk, |m| {
        matches!(m, ServerMessage::ChatLine { line, .. }
            if line.seq == 1 && text_of(line) == "Welcome! An agent will be with you shortly.")
    })
    .await;
}

/// SPEC K-5: with no agent joining in time, the customer gets the administrator's message
/// and the chat stays open.
#[tokio::test]
async fn join_timeout_tells_the_customer() {
    let server = TestServer::start().await;
    let settings = app::domain::settings::ChatSettings {
        join_timeout_secs: 1,
        no_agent_message: "Nobody is free; leave us a message.".into(),
        ..Default::default()
    };
    server
        .services
        .store
        .save_chat_settings(&settings, None)
        .await
        .unwrap();
    let problem = server.queue("Support", &[]).await;
    let cookie = server.start_chat("Zoé", problem).await;
    let mut widget = server.widget(&cookie, 0).await;
    let started = std::time::Instant::now();
    let mut lines = widget_lines_until_synced(&mut widget).await;
    if lines.len() < 2 {
        lines.push(widget_line(&mut widget).await);
    }
    assert_eq!(text_of(&lines[1]), "Nobody is free; leave us a message.");
    assert!(started.elapsed() < std::time::Duration::from_secs(4));
    assert!(silent_for(&mut widget, 300).await, "the chat stays open");
}

/// SPEC K-5: a customer silent for the inactivity timeout is warned, then the chat ends; the
/// agent gets the agent's time back.
#[tokio::test]
async fn a_silent_customer_is_warned_then_the_chat_ends() {
    let server = TestServer::start().await;
    let settings = app::domain::settings::ChatSettings {
        inactivity_timeout_secs: 2,
        ..Default::default()
    };
    server
        .services
        .store
        .save_chat_settings(&settings, None)
        .await
        .unwrap();
    let (_, problem, mut desk) = alice_ready_in_support(&server).await;
    let (cookie, contact) = accepted_chat(&server, &mut desk, problem).await;
    let mut widget = server.widget(&cookie, 0).await;
    widget_lines_until_synced(&mut widget).await;
    // Speaking restarts the clock.
    tokio::time::sleep(std::time::Duration::from_millis(1_000)).await;
    // Counted from the send: the server's clock starts when it stores the line, later.
    let spoke = std::time::Instant::now();
    send_json(
        &mut widget,
        json!({"type": "send", "client_id": "k1", "text": "still here"}),
    )
    .await;
    assert_eq!(text_of(&widget_line(&mut widget).await), "still here");
    let warning = widget_line(&mut widget).await;
    assert!(matches!(
        warning.body,
        LineBody::System {
            note: SystemNote::InactivityWarning
        }
    ));
    assert!(
        spoke.elapsed() >= std::time::Duration::from_millis(1_500),
        "warned after 80 % of the timeout since the last message, not {:?}",
        spoke.elapsed()
    );
    assert_eq!(
        text_of(&widget_line(&mut widget).await),
        "alice has left the chat."
    );
    assert_eq!(
        text_of(&widget_line(&mut widget).await),
        "The chat ended after a period of inactivity."
    );
    assert_eq!(next_widget(&mut widget).await, WidgetMessage::Ended);
    let ended = server.services.store.contact(contact).await.unwrap();
    assert_eq!(
        ended.status,
        app::domain::contact::ContactStatus::Ended(EndReason::TimedOut)
    );
}

/// SPEC S-5 across a restart: an agent stored as Ready whose page does not come back is
/// given nothing meanwhile, and is made Not Ready once the grace period is over.
#[tokio::test]
async fn after_a_restart_an_agent_whose_page_never_returns_goes_not_ready() {
    let server = TestServer::start().await;
    let alice = server.create_agent("alice", "agent-pass-1").await;
    let problem = server.queue("Support", &[alice]).await;
    let mut settings = server.services.store.chat_settings().await.unwrap();
    settings.reconnect_grace_secs = 5;
    server
        .services
        .store
        .save_chat_settings(&settings, None)
        .await
        .unwrap();
    // Kept open on the old server, so only the new server's rule can act.
    let desk = server.desktop_ready("alice").await;
    let server = server.restart().await;
    let (status, _) = server.services.store.agent_status(alice).await.unwrap();
    assert_eq!(status.state, AgentState::Ready, "stored as Ready");
    server.start_chat("Zoé", problem).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        server
            .services
            .chat
            .routing
            .offers_for(alice)
            .await
            .is_empty(),
        "no offer to an agent without a page"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (status, _) = server.services.store.agent_status(alice).await.unwrap();
        if status.state == AgentState::NotReady {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still {:?}",
            status.state
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let log = server.services.store.state_log(alice).await.unwrap();
    assert_eq!(
        log.last().unwrap().reason,
        app::domain::state::StateReason::PageClosed
    );
    drop(desk);
}

/// SPEC P-1: the widget reads the limit and its wording from the server; the server counts
/// characters, not UTF-16 units (1500 emoji pass), and a refused message comes back with
/// the server's words and its id, so the widget can give it back to the customer.
#[tokio::test]
async fn the_customer_limit_counts_characters_and_is_served_to_the_widget() {
    let server = TestServer::start().await;
    let (_, problem, mut desk) = alice_ready_in_support(&server).await;
    let config: app::domain::widget::WidgetConfig = reqwest::get(server.url("/widget/api/config"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(config.limits.message_chars, 1500);
    assert_eq!(
        config.limits.message_too_long,
        "Message: at most 1500 characters"
    );
    let (cookie, _) = accepted_chat(&server, &mut desk, problem).await;
    let mut widget = server.widget(&cookie, 0).await;
    widget_lines_until_synced(&mut widget).await;
    let emoji = "🙂".repeat(1500);
    send_json(
        &mut widget,
        json!({"type": "send", "client_id": "e1", "text": emoji}),
    )
    .await;
    assert_eq!(text_of(&widget_line(&mut widget).await), emoji);
    send_json(
        &mut widget,
        json!({"type": "send", "client_id": "e2", "text": format!("{emoji}🙂")}),
    )
    .await;
    match next_widget(&mut widget).await {
        WidgetMessage::Rejected {
            message, client_id, ..
        } => {
            assert_eq!(message, "Message: at most 1500 characters (1501 given)");
            assert_eq!(client_id.as_deref(), Some("e2"));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The count of a series in the `/metrics` text (0 when absent).
fn series_count(metrics: &str, series: &str) -> u64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0)
}

/// Operations: `/metrics` times every request by status class, and each live chat line from
/// being stored to reaching the agent's page and the customer's widget, as histograms.
#[tokio::test]
async fn metrics_time_requests_and_the_delivery_of_chat_lines() {
    let server = TestServer::start().await;
    let (_, problem, mut desk) = alice_ready_in_support(&server).await;
    let (cookie, _) = accepted_chat(&server, &mut desk, problem).await;
    let mut widget = server.widget(&cookie, 0).await;
    widget_lines_until_synced(&mut widget).await;
    send_json(
        &mut widget,
        json!({"type": "send", "client_id": "m-1", "text": "Is anyone there?"}),
    )
    .await;
    assert_eq!(text_of(&desktop_line(&mut desk).await), "Is anyone there?");
    assert_eq!(text_of(&widget_line(&mut widget).await), "Is anyone there?");

    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let metrics = loop {
        let text = reqwest::get(server.url("/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let delivered = |to: &str| {
            series_count(
                &text,
                &format!("switchboard_chat_line_delivery_seconds_count{{to=\"{to}\"}}"),
            )
        };
        if delivered("agent") >= 1 && delivered("customer") >= 1 {
            break text;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "both deliveries timed: {text}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(metrics.contains("# TYPE switchboard_chat_line_delivery_seconds histogram"));
    assert_eq!(
        series_count(
            &metrics,
            "switchboard_http_request_duration_seconds_count{status=\"1xx\"}"
        ),
        2,
        "the two WebSocket upgrades: {metrics}"
    );
    assert!(
        series_count(
            &metrics,
            "switchboard_http_request_duration_seconds_count{status=\"2xx\"}"
        ) >= 2,
        "the login and the chat start: {metrics}"
    );
    assert_eq!(
        series_count(&metrics, "switchboard_websocket_connections"),
        1,
        "the agent's page: {metrics}"
    );
    assert_eq!(
        series_count(&metrics, "switchboard_widget_websockets"),
        1,
        "the customer's window: {metrics}"
    );
}
