//! What Meta reports of the business's messages (issue 16), against the real server and a
//! fake of the Graph API: WhatsApp's statuses and Messenger's delivery and read watermarks
//! become ticks on the agent's lines, pushed live and kept for a page that connects later;
//! a status Meta reports late never undoes a later one; a WhatsApp message that failed
//! after Meta took it is said in the transcript; Messenger's echo of our own message adds
//! nothing, while one written in the Page inbox is shown to the agent, once.

use crate::common;

use app::domain::{
    chat::{LineBody, SystemNote},
    ids::ContactId,
    meta::{MessageStatus, MetaChannel, MetaRefusal},
    protocol::{Seq, ServerMessage},
};
use common::{
    meta::{
        accept_offer, chrono_ms, deliver, messenger_text, scene, whatsapp_post, whatsapp_text,
        PAGE_ID,
    },
    send_json, wait_for, TestServer, Ws,
};
use serde_json::{json, Value};

/// The agent sends `text`; once Meta took it, the line and Meta's id of it (the desktop is
/// told "sent").
async fn agent_reply(
    server: &TestServer,
    desk: &mut Ws,
    contact: ContactId,
    client_id: &str,
    text: &str,
) -> (Seq, String) {
    let send = json!({"type": "send", "contact": contact, "client_id": client_id, "text": text});
    send_json(desk, send).await;
    let line = wait_for(desk, |m| {
        matches!(m, ServerMessage::ChatLine { contact: c, line } if *c == contact
            && matches!(&line.body, LineBody::Message { text: t, .. } if t == text))
    })
    .await;
    let ServerMessage::ChatLine { line, .. } = line else {
        unreachable!()
    };
    shows_status(desk, contact, line.seq, MessageStatus::Sent).await;
    let id = server
        .services
        .store
        .meta_line_message(contact, line.seq)
        .await
        .unwrap()
        .expect("Meta's id kept");
    (line.seq, id)
}

async fn shows_status(desk: &mut Ws, contact: ContactId, seq: Seq, status: MessageStatus) {
    wait_for(desk, |m| {
        *m == ServerMessage::LineStatus {
            contact,
            seq,
            status,
        }
    })
    .await;
}

/// A WhatsApp `statuses` post, as the Cloud API documents it.
fn whatsapp_status(id: &str, status: &str, at_secs: i64, errors: Option<Value>) -> Vec<u8> {
    let mut status = json!({
        "id": id,
        "status": status,
        "timestamp": at_secs.to_string(),
        "recipient_id": "16505551234",
        "pricing": {"billable": true, "pricing_model": "PMP", "category": "service"}
    });
    if let Some(errors) = errors {
        status["errors"] = errors;
    }
    whatsapp_post(json!({"statuses": [status]}))
}

/// A Messenger post of one `messaging` event.
fn messenger_event(event: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "object": "page",
        "entry": [{"id": PAGE_ID, "time": chrono_ms(), "messaging": [event]}]
    }))
    .unwrap()
}

/// The ticks of the chat, as a page that connects now is told them.
async fn ticks_on_connect(server: &TestServer, contact: ContactId) -> Vec<(Seq, MessageStatus)> {
    let cookie = server.session("alice", "agent-pass-1").await;
    let mut page = server.ws(&cookie).await;
    send_json(&mut page, json!({"type": "hello", "resume_after": null})).await;
    let mut ticks = Vec::new();
    loop {
        match common::next_message(&mut page).await {
            ServerMessage::LineStatus {
                contact: c,
                seq,
                status,
            } if c == contact => ticks.push((seq, status)),
            ServerMessage::Synced { .. } => return ticks,
            _ => {}
        }
    }
}

/// SPEC F-3: the agent's WhatsApp reply shows sent, then read (a "delivered" Meta reports
/// after the "read" changes nothing); a reply Meta fails after taking it shows failed, and
/// the agent reads why. A page that connects later shows the same ticks.
#[tokio::test]
async fn f3_whatsapp_statuses_tick_the_agents_lines_in_order() {
    let (server, _, _graph, mut desk) = scene(MetaChannel::WhatsApp).await;
    let body = whatsapp_text("16505551234", "Sheena Nelson", "wamid.in1", "Hi");
    deliver(&server, MetaChannel::WhatsApp, &body).await;
    let offer = accept_offer(&mut desk).await;
    let contact = offer.contact;
    let (seq, id) = agent_reply(&server, &mut desk, contact, "a1", "Hello Sheena").await;

    let now = chrono_ms() / 1000;
    deliver(
        &server,
        MetaChannel::WhatsApp,
        &whatsapp_status(&id, "read", now + 2, None),
    )
    .await;
    shows_status(&mut desk, contact, seq, MessageStatus::Read).await;
    deliver(
        &server,
        MetaChannel::WhatsApp,
        &whatsapp_status(&id, "delivered", now + 1, None),
    )
    .await;

    let (failed_seq, failed_id) =
        agent_reply(&server, &mut desk, contact, "a2", "Still there?").await;
    let errors = json!([{
        "code": 131047,
        "title": "Re-engagement message",
        "message": "Re-engagement message",
        "error_data": {"details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number."}
    }]);
    deliver(
        &server,
        MetaChannel::WhatsApp,
        &whatsapp_status(&failed_id, "failed", now + 3, Some(errors)),
    )
    .await;
    // Why, then the mark on the line.
    let refusal = SystemNote::NotDelivered {
        refusal: MetaRefusal::ReEngagement,
    };
    wait_for(&mut desk, |m| {
        matches!(m, ServerMessage::ChatLine { contact: c, line } if *c == contact
            && matches!(&line.body, LineBody::System { note } if *note == refusal))
    })
    .await;
    shows_status(&mut desk, contact, failed_seq, MessageStatus::Failed).await;

    // Posts are handled in order: the late "delivered" came before the failure, and left
    // the line read.
    let ticks: Vec<_> = ticks_on_connect(&server, contact)
        .await
        .into_iter()
        .filter(|(line, _)| *line >= seq)
        .collect();
    assert_eq!(
        ticks,
        [
            (seq, MessageStatus::Read),
            (failed_seq, MessageStatus::Failed)
        ]
    );
}

/// SPEC F-1: Messenger's delivery and read watermarks tick every reply sent before them;
/// the echo of our own reply adds nothing, and a message written in the Page inbox is
/// shown to the agent once, however often Meta delivers its echo.
#[tokio::test]
async fn f1_messenger_watermarks_tick_replies_and_page_inbox_echoes_are_shown() {
    let (server, _, _graph, mut desk) = scene(MetaChannel::Messenger).await;
    let psid = "7012345678901234";
    deliver(
        &server,
        MetaChannel::Messenger,
        &messenger_text(psid, "m_in1", "Hello?"),
    )
    .await;
    let offer = accept_offer(&mut desk).await;
    let contact = offer.contact;
    let (first, first_id) = agent_reply(&server, &mut desk, contact, "a1", "Hi there").await;
    let (second, second_id) =
        agent_reply(&server, &mut desk, contact, "a2", "How can I help?").await;

    // The Page's messages come back as echoes, stamped with Meta's time.
    let echo = |mid: &str, text: &str, metadata: Option<&str>, at_ms: i64| {
        let mut message =
            json!({"is_echo": true, "app_id": 1517776481860111u64, "mid": mid, "text": text});
        if let Some(metadata) = metadata {
            message["metadata"] = json!(metadata);
        }
        messenger_event(json!({
            "sender": {"id": PAGE_ID},
            "recipient": {"id": psid},
            "timestamp": at_ms,
            "message": message
        }))
    };
    // Ours, marked as ours: Meta's time of the first reply is kept (a minute back here).
    let first_at = chrono_ms() - 60_000;
    let ours = echo(&first_id, "Hi there", Some("switchboard"), first_at);
    deliver(&server, MetaChannel::Messenger, &ours).await;
    // Marked as ours before its send's answer came back: nothing added either.
    let early = echo(
        "m_not_kept_yet",
        "Sent a moment ago",
        Some("switchboard"),
        chrono_ms(),
    );
    deliver(&server, MetaChannel::Messenger, &early).await;
    // Written in the Page inbox, delivered twice: shown once.
    let inbox = echo("m_inbox1", "We are open until 6 pm", None, chrono_ms());
    deliver(&server, MetaChannel::Messenger, &inbox).await;
    deliver(&server, MetaChannel::Messenger, &inbox).await;
    let from_inbox = SystemNote::PageInbox {
        text: "We are open until 6 pm".into(),
    };
    wait_for(&mut desk, |m| {
        matches!(m, ServerMessage::ChatLine { contact: c, line } if *c == contact
            && matches!(&line.body, LineBody::System { note } if *note == from_inbox))
    })
    .await;

    // Read up to Meta's time of the first reply: the first only, the second went after.
    let watermark = |kind: &str, mids: &[&str], at_ms: i64| {
        let mut event =
            json!({"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": chrono_ms()});
        event[kind] = match kind {
            "delivery" => json!({"mids": mids, "watermark": at_ms}),
            _ => json!({"watermark": at_ms}),
        };
        messenger_event(event)
    };
    deliver(
        &server,
        MetaChannel::Messenger,
        &watermark("read", &[], first_at),
    )
    .await;
    shows_status(&mut desk, contact, first, MessageStatus::Read).await;
    assert_eq!(
        server
            .services
            .store
            .meta_line_statuses(contact)
            .await
            .unwrap()
            .last(),
        Some(&(second, MessageStatus::Sent))
    );
    // The second delivered by its id, then read with everything up to now.
    let delivered = watermark("delivery", &[&second_id], first_at);
    deliver(&server, MetaChannel::Messenger, &delivered).await;
    shows_status(&mut desk, contact, second, MessageStatus::Delivered).await;
    deliver(
        &server,
        MetaChannel::Messenger,
        &watermark("read", &[], chrono_ms()),
    )
    .await;
    shows_status(&mut desk, contact, second, MessageStatus::Read).await;

    // Each echo added what it should: nothing for ours, one line for the inbox's.
    let lines = server
        .services
        .store
        .lines_after(contact, 0, 100)
        .await
        .unwrap();
    let said = |text: &str| {
        lines
            .iter()
            .filter(|l| match &l.body {
                LineBody::Message { text: t, .. } => t.contains(text),
                LineBody::System { note } => note.text().contains(text),
            })
            .count()
    };
    assert_eq!(said("Hi there"), 1);
    assert_eq!(said("Sent a moment ago"), 0);
    assert_eq!(said("We are open until 6 pm"), 1);
}
