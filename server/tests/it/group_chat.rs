//! Group chats over real WebSockets (SPEC G-1 to G-6): a customer and three agents of one
//! CSQ. Invitations go to available agents not in the chat and not among those who
//! declined; the newcomer gets the history and the notes; typing reaches everyone; leaving
//! hands the chat to the agent who stays.

use crate::common;

use app::domain::{
    chat::{ChatLine, LineBody},
    ids::ContactId,
    invite::InviteOutcome,
    protocol::{AgentEvent, CommandError, ContactView, Envelope, InvitationView, ServerMessage},
    state::AgentState,
    widget::WidgetMessage,
};
use common::{next_widget, send_json, wait_for, TestServer, Ws};
use serde_json::json;

fn text_of(line: &ChatLine) -> String {
    match &line.body {
        LineBody::Message { text, .. } => text.clone(),
        LineBody::System { note } => note.text(),
    }
}

async fn event(ws: &mut Ws, wanted: impl Fn(&AgentEvent) -> bool) -> AgentEvent {
    match wait_for(
        ws,
        |m| matches!(m, ServerMessage::Event(e) if wanted(&e.event)),
    )
    .await
    {
        ServerMessage::Event(Envelope { event, .. }) => event,
        _ => unreachable!(),
    }
}

async fn invited(ws: &mut Ws) -> InvitationView {
    match event(ws, |e| matches!(e, AgentEvent::Invited { .. })).await {
        AgentEvent::Invited { invitation } => invitation,
        _ => unreachable!(),
    }
}

async fn result(ws: &mut Ws) -> (InviteOutcome, String) {
    match event(ws, |e| matches!(e, AgentEvent::InviteResult { .. })).await {
        AgentEvent::InviteResult {
            outcome, message, ..
        } => (outcome, message),
        _ => unreachable!(),
    }
}

async fn assigned(ws: &mut Ws) -> ContactView {
    match event(ws, |e| matches!(e, AgentEvent::ContactAssigned { .. })).await {
        AgentEvent::ContactAssigned { contact } => contact,
        _ => unreachable!(),
    }
}

/// Waits until the agents in the chat are these (earlier changes may come first).
async fn participants_become(ws: &mut Ws, expected: &[&str]) {
    event(
        ws,
        |e| matches!(e, AgentEvent::Participants { agents, .. } if agents == expected),
    )
    .await;
}

async fn rejected(ws: &mut Ws) -> CommandError {
    match wait_for(ws, |m| matches!(m, ServerMessage::Rejected { .. })).await {
        ServerMessage::Rejected { error, .. } => error,
        _ => unreachable!(),
    }
}

/// Waits for a transcript line with this text on a desktop.
async fn until_line(ws: &mut Ws, text: &str) {
    while line_text(ws).await != text {}
}

/// Waits for a transcript line with this text in the widget.
async fn until_widget(ws: &mut Ws, text: &str) {
    while widget_text(ws).await != text {}
}

async fn line_text(ws: &mut Ws) -> String {
    match wait_for(ws, |m| matches!(m, ServerMessage::ChatLine { .. })).await {
        ServerMessage::ChatLine { line, .. } => text_of(&line),
        _ => unreachable!(),
    }
}

async fn widget_text(ws: &mut Ws) -> String {
    loop {
        if let WidgetMessage::Line { line, .. } = next_widget(ws).await {
            return text_of(&line);
        }
    }
}

async fn invite(ws: &mut Ws, contact: ContactId, csq: i64, notes: &str) {
    send_json(
        ws,
        json!({"type": "invite", "contact": contact, "csq": csq, "notes": notes}),
    )
    .await;
}

async fn answer(ws: &mut Ws, contact: ContactId, accept: bool) {
    send_json(
        ws,
        json!({"type": "answer_invitation", "contact": contact, "accept": accept}),
    )
    .await;
}

/// Alice, Bob and Carol of Support, Ready in that order; a customer's chat accepted by
/// Alice (available longest).
async fn chat_with_three_agents(server: &TestServer) -> (Ws, Ws, Ws, Ws, ContactId, i64) {
    let alice = server.create_agent("alice", "agent-pass-1").await;
    let bob = server.create_agent("bob", "agent-pass-1").await;
    let carol = server.create_agent("carol", "agent-pass-1").await;
    let problem = server.queue("Support", &[alice, bob, carol]).await;
    let csq = server.services.store.csqs().await.unwrap()[0].id.0;
    let mut a = server.desktop_ready("alice").await;
    let b = server.desktop_ready("bob").await;
    let c = server.desktop_ready("carol").await;
    let cookie = server.start_chat("Zoé Martin", problem).await;
    let mut widget = server.widget(&cookie, 0).await;
    let offer = match event(&mut a, |e| matches!(e, AgentEvent::Offered { .. })).await {
        AgentEvent::Offered { offer } => offer,
        _ => unreachable!(),
    };
    send_json(&mut a, json!({"type": "accept", "contact": offer.contact})).await;
    assigned(&mut a).await;
    until_widget(&mut widget, "alice has joined the chat.").await;
    (widget, a, b, c, offer.contact, csq)
}

/// SPEC G-1, G-2, G-3, G-4, G-5, G-6 end to end over the sockets.
#[tokio::test]
async fn invite_decline_accept_share_and_leave() {
    let server = TestServer::start().await;
    let (mut widget, mut a, mut b, mut c, chat, csq) = chat_with_three_agents(&server).await;
    send_json(
        &mut widget,
        json!({"type": "send", "client_id": "c1", "text": "Ma commande 42"}),
    )
    .await;
    until_line(&mut a, "Ma commande 42").await;

    // G-1: the invite list counts the agents an invitation could reach.
    send_json(&mut a, json!({"type": "availability", "contact": chat})).await;
    match wait_for(&mut a, |m| matches!(m, ServerMessage::Availability { .. })).await {
        ServerMessage::Availability { csqs, .. } => {
            assert_eq!((csqs[0].name.as_str(), csqs[0].available), ("Support", 2));
        }
        _ => unreachable!(),
    }

    // G-2: Bob (available longest) gets the invitation with the notes; he declines and
    // Alice is told.
    invite(&mut a, chat, csq, "VIP: refund already promised").await;
    let invitation = invited(&mut b).await;
    assert_eq!(invitation.from, "alice Example");
    assert_eq!(invitation.customer, "Zoé Martin");
    assert_eq!(invitation.notes, "VIP: refund already promised");
    answer(&mut b, chat, false).await;
    let (outcome, message) = result(&mut a).await;
    assert_eq!(outcome, InviteOutcome::Declined);
    assert_eq!(message, "bob Example declined your invitation.");

    // G-6: the next invitation reaches Carol, not Bob. She accepts.
    invite(&mut a, chat, csq, "VIP: refund already promised").await;
    invited(&mut c).await;
    answer(&mut c, chat, true).await;
    let view = assigned(&mut c).await;
    assert_eq!(view.agents, ["alice", "carol"]);
    assert_eq!(view.notes.as_deref(), Some("VIP: refund already promised"));
    // The newcomer gets the history, then the customer hears of her.
    let mut history = Vec::new();
    while history.last().map(String::as_str) != Some("carol has joined the chat.") {
        history.push(line_text(&mut c).await);
    }
    assert!(
        history.contains(&"Ma commande 42".to_string()),
        "{history:?}"
    );
    assert_eq!(result(&mut a).await.0, InviteOutcome::Accepted);
    participants_become(&mut a, &["alice", "carol"]).await;
    until_widget(&mut widget, "carol has joined the chat.").await;
    // G-5: the notes are Carol's alone.
    let alice_view = server
        .services
        .chat
        .work_of(app::domain::ids::AgentId(1))
        .await
        .unwrap()
        .contacts;
    assert_eq!(alice_view[0].notes, None);

    // G-3: three participants at most.
    invite(&mut a, chat, csq, "").await;
    assert_eq!(rejected(&mut a).await, CommandError::CannotInvite);

    // Messages and typing reach all three.
    send_json(
        &mut c,
        json!({"type": "send", "contact": chat, "client_id": "k1", "text": "Je m'en occupe"}),
    )
    .await;
    until_line(&mut a, "Je m'en occupe").await;
    until_widget(&mut widget, "Je m'en occupe").await;
    send_json(
        &mut c,
        json!({"type": "typing", "contact": chat, "active": true}),
    )
    .await;
    assert_eq!(
        wait_for(&mut a, |m| matches!(m, ServerMessage::Typing { .. })).await,
        ServerMessage::Typing {
            contact: chat,
            active: true,
            who: Some("carol".into())
        }
    );
    send_json(&mut widget, json!({"type": "typing", "active": true})).await;
    for ws in [&mut a, &mut c] {
        assert_eq!(
            wait_for(ws, |m| matches!(m, ServerMessage::Typing { who: None, .. })).await,
            ServerMessage::Typing {
                contact: chat,
                active: true,
                who: None
            }
        );
    }

    // Carol leaves: her tab closes, Alice is alone again and may invite; Bob may be
    // invited again now that an invitation was accepted (G-6).
    send_json(&mut c, json!({"type": "leave", "contact": chat})).await;
    event(&mut c, |e| matches!(e, AgentEvent::LeftChat { .. })).await;
    participants_become(&mut a, &["alice"]).await;
    until_widget(&mut widget, "carol has left the chat.").await;
    assert!(
        server.services.store.guest(chat).await.unwrap().is_none(),
        "notes gone"
    );
    send_json(&mut a, json!({"type": "leave", "contact": chat})).await;
    assert_eq!(rejected(&mut a).await, CommandError::AloneInChat);
    invite(&mut a, chat, csq, "").await;
    assert_eq!(invited(&mut b).await.contact, chat);
    // The chat ends while Bob's invitation waits: his notification goes.
    send_json(&mut a, json!({"type": "end_chat", "contact": chat})).await;
    event(&mut b, |e| matches!(e, AgentEvent::InvitationClosed { .. })).await;
}

/// SPEC G-3: the owner leaves; the invited agent owns the chat and can end it.
#[tokio::test]
async fn the_agent_who_stays_owns_the_chat() {
    let server = TestServer::start().await;
    let (mut widget, mut a, mut b, _c, chat, csq) = chat_with_three_agents(&server).await;
    invite(&mut a, chat, csq, "").await;
    invited(&mut b).await;
    answer(&mut b, chat, true).await;
    assigned(&mut b).await;
    send_json(&mut a, json!({"type": "leave", "contact": chat})).await;
    event(&mut a, |e| matches!(e, AgentEvent::LeftChat { .. })).await;
    participants_become(&mut b, &["bob"]).await;
    let contact = server.services.store.contact(chat).await.unwrap();
    assert_eq!(contact.agent, Some(app::domain::ids::AgentId(2)));
    send_json(&mut b, json!({"type": "end_chat", "contact": chat})).await;
    event(&mut b, |e| matches!(e, AgentEvent::ContactClosed { .. })).await;
    until_widget(&mut widget, "bob has left the chat.").await;
}

/// SPEC G-2, issue 15: the inviting agent is told the outcome in the language they chose
/// (French here), with the names the page needs to word it in its own language.
#[tokio::test]
async fn the_inviting_agent_is_told_in_their_language() {
    let server = TestServer::start().await;
    let (_widget, mut a, mut b, _c, chat, csq) = chat_with_three_agents(&server).await;
    let alice = app::domain::ids::AgentId(1);
    server
        .services
        .store
        .set_language(alice, Some("fr"))
        .await
        .unwrap();
    invite(&mut a, chat, csq, "").await;
    invited(&mut b).await;
    answer(&mut b, chat, false).await;
    match event(&mut a, |e| matches!(e, AgentEvent::InviteResult { .. })).await {
        AgentEvent::InviteResult {
            outcome,
            message,
            who,
            csq,
            ..
        } => {
            assert_eq!(message, "bob Example a refusé votre invitation.");
            assert_eq!((who.as_str(), csq.as_str()), ("bob Example", "Support"));
            assert_eq!(
                outcome.message(app::i18n::Locale::en, &who, &csq),
                "bob Example declined your invitation."
            );
        }
        _ => unreachable!(),
    }
}

/// SPEC G-2, D-4: a page the invited agent opens while the invitation waits (another tab,
/// a page started afresh) shows it in its first picture, notes included, and can answer it.
#[tokio::test]
async fn a_page_opened_while_invited_shows_the_invitation() {
    let server = TestServer::start().await;
    let (_widget, mut a, _b, mut c, chat, csq) = chat_with_three_agents(&server).await;
    // Carol steps away; Bob logs in again (the cookie is kept for his second page).
    send_json(&mut c, json!({"type": "set_state", "ready": false})).await;
    event(&mut c, |e| {
        matches!(e, AgentEvent::StateChanged { status, .. } if status.state == AgentState::NotReady)
    })
    .await;
    let (cookie, mut b) = common::desk::ready(&server, "bob").await;
    invite(&mut a, chat, csq, "Wants a refund").await;
    let sent = invited(&mut b).await;
    let mut page = server.ws(&cookie).await;
    send_json(&mut page, json!({"type": "hello", "resume_after": null})).await;
    let ServerMessage::Snapshot { work, .. } =
        wait_for(&mut page, |m| matches!(m, ServerMessage::Snapshot { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(work.invitations, [sent]);
    assert_eq!(work.invitations[0].notes, "Wants a refund");
    answer(&mut page, chat, true).await;
    assigned(&mut page).await;
    assert_eq!(result(&mut a).await.0, InviteOutcome::Accepted);
}

/// SPEC G-2: the newcomer sees the last 100 messages of a long chat; system lines among
/// them (another agent joining and leaving) are shown but do not count toward the 100.
#[tokio::test]
async fn the_newcomer_gets_the_last_hundred_messages() {
    // 120 messages at once: above the customers' default rate, on purpose.
    let server = TestServer::start_with(|c| c.customer_message_burst = 1_000).await;
    let (mut widget, mut a, mut b, mut c, chat, csq) = chat_with_three_agents(&server).await;
    async fn say(widget: &mut Ws, range: std::ops::RangeInclusive<u32>) {
        for i in range {
            send_json(
                widget,
                json!({"type": "send", "client_id": format!("m{i}"), "text": format!("message {i}")}),
            )
            .await;
        }
    }
    say(&mut widget, 1..=60).await;
    until_line(&mut a, "message 60").await;
    // Bob declines; Carol joins and leaves: two system lines among the last messages.
    invite(&mut a, chat, csq, "").await;
    invited(&mut b).await;
    answer(&mut b, chat, false).await;
    assert_eq!(result(&mut a).await.0, InviteOutcome::Declined);
    invite(&mut a, chat, csq, "").await;
    invited(&mut c).await;
    answer(&mut c, chat, true).await;
    assigned(&mut c).await;
    send_json(&mut c, json!({"type": "leave", "contact": chat})).await;
    until_line(&mut a, "carol has left the chat.").await;
    say(&mut widget, 61..=120).await;
    until_line(&mut a, "message 120").await;
    invite(&mut a, chat, csq, "").await;
    invited(&mut b).await;
    answer(&mut b, chat, true).await;
    assigned(&mut b).await;
    let mut history = Vec::new();
    while history.last().map(String::as_str) != Some("bob has joined the chat.") {
        history.push(line_text(&mut b).await);
    }
    let messages = history.iter().filter(|t| t.starts_with("message ")).count();
    assert_eq!(messages, 100, "{history:?}");
    assert_eq!(history.first().map(String::as_str), Some("message 21"));
    assert_eq!(history[40], "carol has joined the chat.");
    assert_eq!(history[41], "carol has left the chat.");
    assert_eq!(history.len(), 103, "100 messages and three system lines");
}

/// A restart keeps a group chat whole: both agents still hold it, so neither is counted as
/// available to invite into it (G-3), nor given more chats than their maximum.
#[tokio::test]
async fn a_group_chat_survives_a_restart() {
    let server = TestServer::start().await;
    let (widget, mut a, mut b, c, chat, csq) = chat_with_three_agents(&server).await;
    invite(&mut a, chat, csq, "").await;
    invited(&mut b).await;
    answer(&mut b, chat, true).await;
    assigned(&mut b).await;
    drop((widget, a, b, c));
    let server = server.restart().await;
    let carol = server
        .services
        .store
        .credentials("carol")
        .await
        .unwrap()
        .unwrap()
        .agent;
    let counts = server.services.chat.routing.availability(chat).await;
    assert_eq!(
        counts,
        vec![(app::domain::ids::CsqId(csq), 0)],
        "after a restart nobody is offered work before a page of theirs is back (S-5)"
    );
    server.services.page_opened(carol);
    let counts = server.services.chat.routing.availability(chat).await;
    assert_eq!(
        counts,
        vec![(app::domain::ids::CsqId(csq), 1)],
        "Carol only"
    );
}
