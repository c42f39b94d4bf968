//! The pre-chat form's own questions (SPEC K-2, O-2, D-2): administrators add, change,
//! order and delete them; the widget's form asks them; the server checks the answers
//! whatever the widget sent and carries them into the agent's offer and contact details.

use crate::common;

use app::domain::{
    agent::Role,
    audit::{AuditFilter, AuditKind, AuditPage},
    ids::ContactId,
    limits::{MAX_PRECHAT_ANSWER_CHARS, MAX_PRECHAT_FIELDS, MAX_PRECHAT_LABEL_CHARS},
    prechat::{Detail, FieldKind, PreChatField, PreChatFieldEdit},
    protocol::{AgentEvent, ContactView, ServerMessage},
    refusal::Refusal,
    validate::{Field, Problem},
    widget::WidgetConfig,
};
use common::{next_offer, ok, refused, send_json, wait_for, TestServer, Ws};
use serde_json::json;

async fn save(server: &TestServer, cookie: &str, edit: &PreChatFieldEdit) -> reqwest::Response {
    server
        .post_json("/api/admin/prechat-field", cookie, &json!({ "edit": edit }))
        .await
}

async fn saved(server: &TestServer, cookie: &str, edit: &PreChatFieldEdit) -> Vec<PreChatField> {
    ok(save(server, cookie, edit).await).await
}

fn question(label: &str, kind: FieldKind, required: bool, choices: &[&str]) -> PreChatFieldEdit {
    PreChatFieldEdit {
        id: None,
        label: label.into(),
        kind,
        required,
        choices: choices.iter().map(|c| c.to_string()).collect(),
    }
}

async fn start(server: &TestServer, problem: i64, answers: serde_json::Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(server.url("/widget/api/start"))
        .json(&json!({
            "name": "Zoé", "email": "zoe@example.com", "phone": "", "problem": problem,
            "answers": answers,
        }))
        .send()
        .await
        .unwrap()
}

async fn admin(server: &TestServer) -> String {
    server
        .create_user("root", "admin-pass-1", Role::Admin)
        .await;
    server.session("root", "admin-pass-1").await
}

/// SPEC D-2: agents and supervisors are refused every call; nothing is stored.
#[tokio::test]
async fn d2_only_administrators_manage_the_questions() {
    let server = TestServer::start().await;
    server.create_agent("ann", "agent-pass-1").await;
    server
        .create_user("sue", "super-pass-1", Role::Supervisor)
        .await;
    let cookie = admin(&server).await;
    let fields = saved(
        &server,
        &cookie,
        &question("Order", FieldKind::Text, true, &[]),
    )
    .await;
    let id = fields[0].id;
    for other in [
        server.session("ann", "agent-pass-1").await,
        server.session("sue", "super-pass-1").await,
    ] {
        let edit = question("Sneaky", FieldKind::Text, false, &[]);
        assert_eq!(save(&server, &other, &edit).await.status(), 403);
        let form = [("id", id.to_string()), ("up", "true".to_string())];
        for path in [
            "/api/admin/prechat-field/delete",
            "/api/admin/prechat-field/move",
        ] {
            assert_eq!(server.post_form(path, &other, &form).await.status(), 403);
        }
    }
    let edit = question("Anonymous", FieldKind::Text, false, &[]);
    assert_eq!(save(&server, "", &edit).await.status(), 401);
    let stored = server.services.store.prechat_fields().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].label, "Order");
}

/// SPEC K-2, O-2, D-2: questions made and ordered in the page are what the widget asks;
/// a required one unanswered, or an answer not of its kind, is refused naming the
/// question; the answers reach the offer and the contact in the form's order, and stay
/// with the chat when the question is deleted. Every change is audited.
#[tokio::test]
async fn k2_answers_to_the_questions_reach_the_agent() {
    let server = TestServer::start().await;
    let cookie = admin(&server).await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let problem = server.queue("Support", &[ann]).await;

    let order = saved(
        &server,
        &cookie,
        &question(" Order number ", FieldKind::Text, true, &[]),
    )
    .await[0]
        .clone();
    assert_eq!(order.label, "Order number");
    let store = saved(
        &server,
        &cookie,
        &question("Store", FieldKind::Choice, false, &["Paris", " ", "Lyon "]),
    )
    .await[1]
        .clone();
    assert_eq!(
        store.choices,
        ["Paris", "Lyon"],
        "blank options dropped, trimmed"
    );
    saved(
        &server,
        &cookie,
        &question("Work email", FieldKind::Email, false, &[]),
    )
    .await;
    // The store first, then the order number, then the email.
    let fields: Vec<PreChatField> = ok(server
        .post_form(
            "/api/admin/prechat-field/move",
            &cookie,
            &[("id", store.id.to_string()), ("up", "true".into())],
        )
        .await)
    .await;
    let labels: Vec<&str> = fields.iter().map(|f| f.label.as_str()).collect();
    assert_eq!(labels, ["Store", "Order number", "Work email"]);

    let config: WidgetConfig = reqwest::get(server.url("/widget/api/config"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(config.fields, fields, "the widget asks them in that order");

    // Nothing answered: the required question is named, by its label and its input.
    let response = start(&server, problem, json!([])).await;
    assert_eq!(response.status(), 422);
    let refusal: Refusal = response.json().await.unwrap();
    assert_eq!(refusal.errors.len(), 1);
    assert_eq!(refusal.errors[0].field, format!("answer-{}", order.id));
    assert_eq!(refusal.errors[0].message, "Order number: required");

    // Wrong kinds, named each; nothing is queued.
    let email = fields[2].id;
    let response = start(
        &server,
        problem,
        json!([
            {"field": order.id, "value": "A-1"},
            {"field": store.id, "value": "Marseille"},
            {"field": email, "value": "not an address"},
        ]),
    )
    .await;
    assert_eq!(response.status(), 422);
    let refusal: Refusal = response.json().await.unwrap();
    let messages: Vec<&str> = refusal.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            format!("Store: {}", Problem::NoLongerOffered).as_str(),
            "Work email: \"not an address\" is not a valid email address",
        ]
    );

    let support = server.services.store.csqs().await.unwrap()[0].id;
    assert_eq!(
        server.services.store.waiting_chats(support).await.unwrap(),
        0,
        "no refused form left a chat in the queue"
    );

    let mut desk = server.desktop_ready("ann").await;
    let response = start(
        &server,
        problem,
        json!([
            {"field": email, "value": ""},
            {"field": order.id, "value": " A-1234 "},
            {"field": store.id, "value": "Lyon"},
        ]),
    )
    .await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let expected = vec![
        Detail {
            label: "Store".into(),
            value: "Lyon".into(),
        },
        Detail {
            label: "Order number".into(),
            value: "A-1234".into(),
        },
    ];
    let offer = next_offer(&mut desk).await;
    assert_eq!(
        offer.details, expected,
        "the offer shows the answers in order"
    );

    // Deleting a question leaves the answers of the chat already started.
    let fields: Vec<PreChatField> = ok(server
        .post_form(
            "/api/admin/prechat-field/delete",
            &cookie,
            &[("id", store.id)],
        )
        .await)
    .await;
    assert_eq!(fields.len(), 2);
    // The offer stands; accepting it gives the contact with its answers.
    let contact = accept(&mut desk, offer.contact).await;
    assert_eq!(contact.details, expected);

    let page: AuditPage = ok(server
        .post_json(
            "/api/admin/audit",
            &cookie,
            &json!({ "filter": AuditFilter { kind: Some(AuditKind::PreChatField), ..Default::default() } }),
        )
        .await)
    .await;
    let actions: Vec<&str> = page.lines.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "prechat_field.delete",
            "prechat_field.move",
            "prechat_field.save",
            "prechat_field.save",
            "prechat_field.save"
        ]
    );
    assert!(
        page.lines[0]
            .detail
            .contains("\"Store\": choice (Paris, Lyon), optional"),
        "{}",
        page.lines[0].detail
    );
}

/// Accepts the offer already shown for `contact`; returns the contact as assigned.
async fn accept(desk: &mut Ws, contact: ContactId) -> ContactView {
    send_json(desk, json!({"type": "accept", "contact": contact})).await;
    match wait_for(desk, |m| {
        matches!(m, ServerMessage::Event(e) if matches!(e.event, AgentEvent::ContactAssigned { .. }))
    })
    .await
    {
        ServerMessage::Event(e) => match e.event {
            AgentEvent::ContactAssigned { contact } => contact,
            _ => unreachable!(),
        },
        _ => unreachable!(),
    }
}

/// SPEC D-2: each rule of a question is enforced by the server, naming the field.
#[tokio::test]
async fn d2_question_limits() {
    let server = TestServer::start().await;
    let cookie = admin(&server).await;
    saved(
        &server,
        &cookie,
        &question("Order number", FieldKind::Text, true, &[]),
    )
    .await;
    assert_eq!(
        refused(
            save(
                &server,
                &cookie,
                &question("ORDER number", FieldKind::Text, false, &[])
            )
            .await
        )
        .await,
        [(
            Field::FieldLabel,
            Problem::Duplicate {
                value: "ORDER number".into()
            }
        )]
    );
    assert_eq!(
        refused(
            save(
                &server,
                &cookie,
                &question("City", FieldKind::Choice, false, &[""])
            )
            .await
        )
        .await,
        [(Field::Choices, Problem::Required)]
    );
    assert_eq!(
        refused(
            save(
                &server,
                &cookie,
                &question(
                    &"x".repeat(MAX_PRECHAT_LABEL_CHARS + 1),
                    FieldKind::Text,
                    false,
                    &[]
                )
            )
            .await
        )
        .await,
        [(
            Field::FieldLabel,
            Problem::TooManyChars {
                max: MAX_PRECHAT_LABEL_CHARS,
                given: MAX_PRECHAT_LABEL_CHARS + 1
            }
        )]
    );
    for i in 1..MAX_PRECHAT_FIELDS {
        saved(
            &server,
            &cookie,
            &question(&format!("Question {i}"), FieldKind::Text, false, &[]),
        )
        .await;
    }
    assert_eq!(
        refused(
            save(
                &server,
                &cookie,
                &question("One more", FieldKind::Text, false, &[])
            )
            .await
        )
        .await,
        [(
            Field::FieldLabel,
            Problem::TooManyItems {
                max: MAX_PRECHAT_FIELDS,
                given: MAX_PRECHAT_FIELDS + 1
            }
        )]
    );
    // A question deleted meanwhile is named, not silently created again.
    let mut gone = question("Gone", FieldKind::Text, false, &[]);
    gone.id = Some(9999);
    assert_eq!(
        refused(save(&server, &cookie, &gone).await).await,
        [(Field::FieldLabel, Problem::UnknownId { id: 9999 })]
    );
    // A text answer over its limit is refused by the server whatever the widget allows.
    let problem = server.queue("Support", &[]).await;
    let order = server.services.store.prechat_fields().await.unwrap()[0].id;
    let response = start(
        &server,
        problem,
        json!([{"field": order, "value": "x".repeat(MAX_PRECHAT_ANSWER_CHARS + 1)}]),
    )
    .await;
    let refusal: Refusal = response.json().await.unwrap();
    assert_eq!(
        refusal.errors[0].message,
        format!(
            "Order number: at most {MAX_PRECHAT_ANSWER_CHARS} characters ({} given)",
            MAX_PRECHAT_ANSWER_CHARS + 1
        )
    );
}
