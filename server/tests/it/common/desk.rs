//! A desktop on a real WebSocket as the email tests drive it: Ready, the next email given
//! to it, the next contact it loses.

use super::*;
use app::domain::{
    contact::{Channel, EndReason},
    protocol::{AgentEvent, ContactView, Envelope, ServerMessage},
    state::AgentState,
};
use serde_json::json;
use std::time::Duration;

/// Logs in with the socket open and Ready; returns the session cookie too.
pub async fn ready(server: &TestServer, name: &str) -> (String, Ws) {
    let cookie = server.session(name, "agent-pass-1").await;
    let mut ws = server.ws(&cookie).await;
    send_json(&mut ws, json!({"type": "hello", "resume_after": null})).await;
    wait_for(&mut ws, |m| matches!(m, ServerMessage::Synced { .. })).await;
    send_json(&mut ws, json!({"type": "set_state", "ready": true})).await;
    wait_for(&mut ws, |m| {
        matches!(m, ServerMessage::Event(e) if matches!(&e.event,
            AgentEvent::StateChanged { status, .. } if status.state == AgentState::Ready))
    })
    .await;
    (cookie, ws)
}

/// The next email given to this desktop (IMAP delivery and routing take a moment).
pub async fn next_email(ws: &mut Ws) -> ContactView {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let message = tokio::time::timeout_at(deadline, next_message_patient(ws))
            .await
            .expect("an email within 15 s");
        if let ServerMessage::Event(e) = message {
            if let AgentEvent::ContactAssigned { contact } = e.event {
                assert_eq!(contact.channel, Channel::Email);
                return contact;
            }
        }
    }
}

/// The next message, however long it takes (the caller bounds the wait).
pub async fn next_message_patient(ws: &mut Ws) -> ServerMessage {
    use futures_util::StreamExt;
    loop {
        let frame = ws.next().await.expect("socket open").expect("frame");
        if let tokio_tungstenite::tungstenite::Message::Text(text) = frame {
            return serde_json::from_str(text.as_str()).expect("a protocol message");
        }
    }
}

pub async fn closed(ws: &mut Ws) -> (i64, EndReason) {
    match wait_for(ws, |m| {
        matches!(m, ServerMessage::Event(e) if matches!(e.event, AgentEvent::ContactClosed { .. }))
    })
    .await
    {
        ServerMessage::Event(e) => match e.event {
            AgentEvent::ContactClosed { contact, reason } => (contact.0, reason),
            _ => unreachable!(),
        },
        _ => unreachable!(),
    }
}

/// Accepts the next offer and returns the contact as assigned.
pub async fn accept_next(desk: &mut Ws) -> ContactView {
    let offer = match wait_for(
        desk,
        |m| matches!(m, ServerMessage::Event(e) if matches!(e.event, AgentEvent::Offered { .. })),
    )
    .await
    {
        ServerMessage::Event(Envelope {
            event: AgentEvent::Offered { offer },
            ..
        }) => offer,
        _ => unreachable!(),
    };
    send_json(desk, json!({"type": "accept", "contact": offer.contact})).await;
    accepted(desk).await
}

/// The contact the desktop was just given (an accept answered).
pub async fn accepted(desk: &mut Ws) -> ContactView {
    match wait_for(desk, |m| {
        matches!(m, ServerMessage::Event(e) if matches!(e.event, AgentEvent::ContactAssigned { .. }))
    })
    .await
    {
        ServerMessage::Event(Envelope {
            event: AgentEvent::ContactAssigned { contact },
            ..
        }) => contact,
        _ => unreachable!(),
    }
}
