//! Issue 17: agents' notes and tags on a customer, through the real desktop socket: checked
//! as the domain says, refused to an agent without one of the customer's contacts, seen at
//! once by every agent holding one, and kept through a link.

use crate::common;

use app::domain::{
    about_customer::AboutCustomer,
    protocol::{AgentEvent, CommandError, ServerMessage},
    validate::{Field, FieldError, Problem},
};
use common::{desk::accept_next, *};
use serde_json::json;

/// What the customer of the desktop's contact is now known by, when it is told.
async fn told_about(desk: &mut Ws) -> AboutCustomer {
    let told = wait_for(desk, |m| {
        matches!(m, ServerMessage::Event(e) if matches!(e.event, AgentEvent::CustomerAbout { .. }))
    })
    .await;
    match told {
        ServerMessage::Event(e) => match e.event {
            AgentEvent::CustomerAbout { about, .. } => about,
            _ => unreachable!(),
        },
        _ => unreachable!(),
    }
}

async fn refused(desk: &mut Ws) -> CommandError {
    match wait_for(desk, |m| matches!(m, ServerMessage::Rejected { .. })).await {
        ServerMessage::Rejected { error, .. } => error,
        _ => unreachable!(),
    }
}

fn notes(about: &AboutCustomer) -> Vec<(&str, &str)> {
    about
        .notes
        .iter()
        .map(|n| (n.agent.as_str(), n.text.as_str()))
        .collect()
}

/// Ann tags and notes the customer of her chat (the tags made one each, in lower case);
/// an empty note and a tag past 32 characters are refused with the field and the limit,
/// and Bob, without the chat, is refused. Bob's chat with another record of the same
/// person, linked to Ann's customer, shows him what Ann wrote; the note he adds then
/// reaches Ann's chat at once, newest first.
#[tokio::test]
async fn notes_and_tags_follow_the_customer_to_every_agent_who_holds_them() {
    let server = TestServer::start_with(|c| c.chat_starts_per_minute = 20).await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let bob = server.create_agent("bob", "agent-pass-1").await;
    let problem = server.queue("Support", &[ann, bob]).await;
    let mut ann_desk = server.desktop_ready("ann").await;
    server.start_chat("Ravi Patel", problem).await;
    let first = accept_next(&mut ann_desk).await;
    assert!(first.about.is_empty());

    let tags = json!({"type": "set_customer_tags", "contact": first.contact, "tags": [" VIP, late  delivery", "vip"]});
    send_json(&mut ann_desk, tags.clone()).await;
    assert_eq!(
        told_about(&mut ann_desk).await.tags,
        ["vip", "late delivery"]
    );
    let note =
        json!({"type": "add_customer_note", "contact": first.contact, "text": " Prefers email. "});
    send_json(&mut ann_desk, note.clone()).await;
    assert_eq!(
        notes(&told_about(&mut ann_desk).await),
        [("ann", "Prefers email.")]
    );
    send_json(
        &mut ann_desk,
        json!({"type": "add_customer_note", "contact": first.contact, "text": "  "}),
    )
    .await;
    assert_eq!(
        refused(&mut ann_desk).await,
        CommandError::Invalid(FieldError::new(Field::CustomerNote, Problem::Required))
    );
    send_json(
        &mut ann_desk,
        json!({"type": "set_customer_tags", "contact": first.contact, "tags": ["vip", "x".repeat(33)]}),
    )
    .await;
    assert_eq!(
        refused(&mut ann_desk).await,
        CommandError::Invalid(FieldError::new(
            Field::CustomerTag(2),
            Problem::TooManyChars { max: 32, given: 33 }
        ))
    );

    let mut bob_desk = server.desktop_ready("bob").await;
    for command in [note, tags] {
        send_json(&mut bob_desk, command).await;
        assert_eq!(refused(&mut bob_desk).await, CommandError::NotYours);
    }

    // Ann is busy elsewhere: Bob takes the same person's next chat, a new record at first.
    send_json(&mut ann_desk, json!({"type": "set_state", "ready": false})).await;
    wait_for(&mut ann_desk, |m| {
        matches!(m, ServerMessage::Event(e) if matches!(e.event, AgentEvent::StateChanged { .. }))
    })
    .await;
    server.start_chat("Ravi Patel", problem).await;
    let second = accept_next(&mut bob_desk).await;
    assert_ne!(second.customer.id, first.customer.id);
    assert!(second.about.is_empty());
    send_json(
        &mut bob_desk,
        json!({"type": "link_customer", "contact": second.contact, "customer": first.customer.id}),
    )
    .await;
    let linked = wait_for(&mut bob_desk, |m| {
        matches!(m, ServerMessage::Event(e) if matches!(e.event, AgentEvent::CustomerLinked { .. }))
    })
    .await;
    let ServerMessage::Event(envelope) = linked else {
        unreachable!()
    };
    let AgentEvent::CustomerLinked { about, .. } = envelope.event else {
        unreachable!()
    };
    assert_eq!(about.tags, ["vip", "late delivery"]);
    assert_eq!(notes(&about), [("ann", "Prefers email.")]);

    send_json(
        &mut bob_desk,
        json!({"type": "add_customer_note", "contact": second.contact, "text": "Asked for a refund."}),
    )
    .await;
    let expected = [("bob", "Asked for a refund."), ("ann", "Prefers email.")];
    assert_eq!(notes(&told_about(&mut bob_desk).await), expected);
    assert_eq!(notes(&told_about(&mut ann_desk).await), expected);
}
