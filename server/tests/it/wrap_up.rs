//! Wrap-up reasons over the real server (SPEC W-1, W-2): the list a chat offers is the one
//! in force when it was assigned; an agent picks at most five, only from that list, only on
//! a contact in hand; the administrator's later changes reach new contacts only.

use crate::common;

use app::domain::{
    agent::Role,
    ids::WrapUpReasonId,
    protocol::{AgentEvent, CommandError, ContactView, Envelope, ServerMessage},
    validate::{Field, Problem},
    wrap_up::{WrapUpReasonAdmin, WrapUpReasonEdit},
};
use common::{desk::accept_next, send_json, wait_for, TestServer, Ws};
use serde_json::json;

async fn choose(desk: &mut Ws, contact: &ContactView, reasons: &[WrapUpReasonId]) -> ServerMessage {
    send_json(
        desk,
        json!({"type": "set_wrap_up", "contact": contact.contact, "reasons": reasons}),
    )
    .await;
    next_answer(desk).await
}

/// The next refusal or wrap-up event.
async fn next_answer(desk: &mut Ws) -> ServerMessage {
    wait_for(desk, |m| {
        matches!(m, ServerMessage::Rejected { .. })
            || matches!(m, ServerMessage::Event(e) if matches!(e.event, AgentEvent::WrapUpChanged { .. }))
    })
    .await
}

/// A refused choice: the error, and the stored choice the server sends back so the page
/// that showed the refused one corrects itself (in either order).
async fn refused(
    desk: &mut Ws,
    contact: &ContactView,
    reasons: &[WrapUpReasonId],
) -> (CommandError, Vec<WrapUpReasonId>) {
    let (mut error, mut stored) = (None, None);
    let first = choose(desk, contact, reasons).await;
    let second = next_answer(desk).await;
    for message in [first, second] {
        match message {
            ServerMessage::Rejected { error: e, .. } => error = Some(e),
            ServerMessage::Event(Envelope {
                event: AgentEvent::WrapUpChanged { reasons, .. },
                ..
            }) => stored = Some(reasons),
            other => panic!("unexpected {other:?}"),
        }
    }
    (error.unwrap(), stored.unwrap())
}

#[tokio::test]
async fn a_chat_offers_its_csq_reasons_as_assigned_and_takes_at_most_five() {
    let server = TestServer::start().await;
    let store = &server.services.store;
    let alice = server.create_agent("alice", "agent-pass-1").await;
    let problem = server.queue("Support", &[alice]).await;
    let support = store.csqs().await.unwrap()[0].id;
    let mut ids = Vec::new();
    for label in [
        "Bug",
        "Crash",
        "Duplicate",
        "Escalated",
        "Feature",
        "Resolved",
    ] {
        let id = store.create_wrap_up_reason(label).await.unwrap();
        store.assign_wrap_up_reason(support, id).await.unwrap();
        ids.push(id);
    }
    let mut desk = server.desktop_ready("alice").await;
    server.start_chat("Carla", problem).await;
    let chat = accept_next(&mut desk).await;
    let labels: Vec<&str> = chat
        .wrap_up
        .offered
        .iter()
        .map(|r| r.label.as_str())
        .collect();
    assert_eq!(
        labels,
        [
            "Bug",
            "Crash",
            "Duplicate",
            "Escalated",
            "Feature",
            "Resolved"
        ]
    );
    assert!(chat.wrap_up.selected.is_empty());

    // W-1: five are stored and every page hears them, in the list's order.
    let five = [ids[4], ids[0], ids[1], ids[2], ids[3]];
    match choose(&mut desk, &chat, &five).await {
        ServerMessage::Event(Envelope {
            event: AgentEvent::WrapUpChanged { reasons, .. },
            ..
        }) => assert_eq!(reasons, ids[..5]),
        other => panic!("unexpected {other:?}"),
    }
    // A sixth is refused with the field and the limit; the five stay, and the page is told.
    let (error, stored) = refused(&mut desk, &chat, &ids).await;
    assert_eq!(
        error,
        CommandError::Invalid(app::domain::validate::FieldError::new(
            Field::WrapUpReasons,
            Problem::TooManyItems { max: 5, given: 6 }
        ))
    );
    assert_eq!(stored, ids[..5]);
    assert_eq!(
        store.wrap_up(chat.contact, alice).await.unwrap().selected,
        ids[..5]
    );

    // W-2: a reason the administrator adds now is not offered on this chat...
    server
        .create_user("root", "admin-pass-1", Role::Admin)
        .await;
    let admin = server.session("root", "admin-pass-1").await;
    let response = reqwest::Client::new()
        .post(server.url("/api/admin/wrap-up-reason"))
        .header("cookie", &admin)
        .json(&json!({"edit": WrapUpReasonEdit {
            id: None,
            label: "Upsell".into(),
            retired: false,
            csqs: vec![support],
        }}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let all: Vec<WrapUpReasonAdmin> = response.json().await.unwrap();
    let upsell = all.iter().find(|r| r.label == "Upsell").unwrap().id;
    let (error, _) = refused(&mut desk, &chat, &[upsell]).await;
    assert_eq!(
        error,
        CommandError::Invalid(app::domain::validate::FieldError::new(
            Field::WrapUpReasons,
            Problem::NotOffered { id: upsell.0 }
        ))
    );
    // ...and the chat keeps its list and choice when the agent reloads the page.
    let view = store.wrap_up(chat.contact, alice).await.unwrap();
    assert_eq!(view.offered.len(), 6);
    assert_eq!(view.selected, ids[..5]);
    send_json(
        &mut desk,
        json!({"type": "end_chat", "contact": chat.contact}),
    )
    .await;

    // The next chat offers it.
    server.start_chat("Dimitri", problem).await;
    let next = accept_next(&mut desk).await;
    assert!(next.wrap_up.offered.iter().any(|r| r.label == "Upsell"));
    assert_eq!(next.wrap_up.offered.len(), 7);
}

/// SPEC W-1: only the agent who holds the contact can set its reasons; a reason retired by
/// the administrator is offered to no new contact; the change is audited.
#[tokio::test]
async fn only_the_holder_sets_reasons_and_retired_reasons_leave_new_contacts() {
    let server = TestServer::start().await;
    let store = &server.services.store;
    let alice = server.create_agent("alice", "agent-pass-1").await;
    server.create_agent("bob", "agent-pass-1").await;
    let problem = server.queue("Support", &[alice]).await;
    let support = store.csqs().await.unwrap()[0].id;
    let kept = store.create_wrap_up_reason("Resolved").await.unwrap();
    let old = store.create_wrap_up_reason("Old").await.unwrap();
    for id in [kept, old] {
        store.assign_wrap_up_reason(support, id).await.unwrap();
    }
    let mut desk = server.desktop_ready("alice").await;
    server.start_chat("Carla", problem).await;
    let chat = accept_next(&mut desk).await;

    let mut bob = server.desktop_ready("bob").await;
    match choose(&mut bob, &chat, &[kept]).await {
        ServerMessage::Rejected { error, .. } => assert_eq!(error, CommandError::NotYours),
        other => panic!("unexpected {other:?}"),
    }

    let root = server
        .create_user("root", "admin-pass-1", Role::Admin)
        .await;
    let admin = server.session("root", "admin-pass-1").await;
    let retire = |cookie: &str| {
        reqwest::Client::new()
            .post(server.url("/api/admin/wrap-up-reason"))
            .header("cookie", cookie)
            .json(&json!({"edit": WrapUpReasonEdit {
                id: Some(old),
                label: "Old".into(),
                retired: true,
                csqs: vec![support],
            }}))
            .send()
    };
    let agent = server.session("alice", "agent-pass-1").await;
    assert_eq!(retire(&agent).await.unwrap().status(), 403);
    assert_eq!(retire(&admin).await.unwrap().status(), 200);
    let audit = store.admin_audit(5).await.unwrap();
    assert_eq!(audit[0].agent, root);
    assert!(
        audit[0].detail.contains("retired false -> true"),
        "{}",
        audit[0].detail
    );

    // The chat in hand keeps both; the next one offers only the active reason.
    assert_eq!(
        store
            .wrap_up(chat.contact, alice)
            .await
            .unwrap()
            .offered
            .len(),
        2
    );
    send_json(
        &mut desk,
        json!({"type": "end_chat", "contact": chat.contact}),
    )
    .await;
    server.start_chat("Dimitri", problem).await;
    let next = accept_next(&mut desk).await;
    let labels: Vec<&str> = next
        .wrap_up
        .offered
        .iter()
        .map(|r| r.label.as_str())
        .collect();
    assert_eq!(labels, ["Resolved"]);
}

/// The administrator's form is checked on the server too: label required, at most 80
/// characters, unique among active reasons, known queues only.
#[tokio::test]
async fn bad_reasons_are_refused_with_the_field() {
    let server = TestServer::start().await;
    server
        .create_user("root", "admin-pass-1", Role::Admin)
        .await;
    let admin = server.session("root", "admin-pass-1").await;
    let post = |edit: WrapUpReasonEdit| {
        reqwest::Client::new()
            .post(server.url("/api/admin/wrap-up-reason"))
            .header("cookie", &admin)
            .json(&json!({ "edit": edit }))
            .send()
    };
    let refused = |label: &str, csqs: Vec<i64>| WrapUpReasonEdit {
        id: None,
        label: label.into(),
        retired: false,
        csqs: csqs.into_iter().map(app::domain::ids::CsqId).collect(),
    };
    for (edit, expected) in [
        (refused("", vec![]), "Wrap-up reason: required"),
        (
            refused(&"x".repeat(81), vec![]),
            "Wrap-up reason: at most 80 characters (81 given)",
        ),
        (refused("Fine", vec![999]), "Queues: no such item (id 999)"),
    ] {
        let response = post(edit).await.unwrap();
        assert_eq!(response.status(), 422);
        let error: app::api::ApiError = response.json().await.unwrap();
        assert_eq!(error.to_string(), expected);
    }
    assert_eq!(post(refused("Fine", vec![])).await.unwrap().status(), 200);
    let dup = post(refused("fine", vec![])).await.unwrap();
    assert_eq!(dup.status(), 422);
    assert!(
        server
            .services
            .store
            .wrap_up_reasons_admin()
            .await
            .unwrap()
            .len()
            == 1
    );
}
