//! Issue 17: outgoing webhooks through the real server and a real receiver on loopback. An
//! administrator adds a webhook (its secret shown once); a chat's life and a customer's
//! change are told to it as they happen; while the receiver is down nothing is lost, across
//! a restart of the server, and once it is back every event arrives once, in order per
//! conversation, signed so that the README's recipe verifies it; the delivery log shows
//! the failed attempts and sends a delivery again.

use crate::common;

use app::api::ApiError;
use app::domain::{
    validate::{Field, Problem},
    webhooks::{CreatedWebhook, DeliveryStatus, DeliverySummary, WebhookSummary},
};
use axum::{body::Bytes, extract::State, http::HeaderMap, routing::post, Router};
use common::{api::token, desk::accept_next, ok, send_json, wait_for, TestServer};
use serde_json::{json, Value};
use server::webhooks::signature;
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

/// One POST the receiver took.
#[derive(Debug, Clone)]
struct Received {
    delivery: String,
    event: String,
    signature: String,
    body: Vec<u8>,
}

type Inbox = Arc<Mutex<Vec<Received>>>;

async fn receive(State(inbox): State<Inbox>, headers: HeaderMap, body: Bytes) -> &'static str {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    inbox.lock().unwrap().push(Received {
        delivery: header("switchboard-delivery"),
        event: header("switchboard-event"),
        signature: header("switchboard-signature"),
        body: body.to_vec(),
    });
    "ok"
}

/// Starts the receiver on `port` (nothing listened there until now).
async fn start_receiver(port: u16, inbox: Inbox) {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("the receiver's port is still free");
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(inbox);
    tokio::spawn(async move { axum::serve(listener, app).await });
}

async fn deliveries(server: &TestServer, admin: &str, id: i64) -> Vec<DeliverySummary> {
    ok(server
        .post_json(
            "/api/admin/webhook-deliveries",
            admin,
            &json!({"id": id, "before": null}),
        )
        .await)
    .await
}

/// Waits until the log shows what `done` asks, reading it every 100 ms for 30 s.
async fn log_until(
    server: &TestServer,
    admin: &str,
    id: i64,
    what: &str,
    done: impl Fn(&[DeliverySummary]) -> bool,
) -> Vec<DeliverySummary> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let log = deliveries(server, admin, id).await;
        if done(&log) {
            return log;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what}: {log:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The README's verification recipe (its Python block under "Checking a delivery"), run
/// with Python on a delivery as received.
fn readme_recipe_accepts(secret: &str, received: &Received) -> bool {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README");
    let from = readme
        .find("#### Checking a delivery")
        .expect("the README explains how to check a delivery");
    let code = &readme[from..];
    let start = code.find("```python\n").expect("a Python recipe") + "```python\n".len();
    let end = start + code[start..].find("```").expect("the recipe's end");
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("check.py");
    let body = dir.path().join("body.json");
    std::fs::write(
        &script,
        format!(
            "{}\nimport sys\nprint(verify(sys.argv[1], sys.argv[2], open(sys.argv[3], 'rb').read()))\n",
            &code[start..end]
        ),
    )
    .unwrap();
    std::fs::write(&body, &received.body).unwrap();
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(secret)
        .arg(&received.signature)
        .arg(&body)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim() == "True"
}

/// Issue 17: the whole path, receiver down then back, with a restart between.
#[tokio::test]
async fn a_receiver_down_for_a_while_gets_every_event_once_in_order_and_signed() {
    let quick = |c: &mut server::config::Config| c.webhook_retry_max_secs = 1;
    let server = TestServer::start_with(quick).await;
    let admin = server.admin_session().await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let agent = server.session("ann", "agent-pass-1").await;
    let problem = server.queue("Support", &[ann]).await;
    let store = &server.services.store;
    let support = store.csqs().await.unwrap()[0].id;
    let resolved = store.create_wrap_up_reason("Resolved").await.unwrap();
    store
        .assign_wrap_up_reason(support, resolved)
        .await
        .unwrap();
    let writer = token(&server, &admin, "CRM", "read_write").await;

    // Administrators only; the address must be https (or this machine), with an event.
    let port = common::free_port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let all = json!([
        "conversation.started",
        "conversation.assigned",
        "conversation.message",
        "conversation.ended",
        "email.received",
        "email.sent",
        "customer.updated"
    ]);
    let add = |url: &str, events: &Value| json!({"webhook": {"name": "Acme CRM", "url": url, "events": events}});
    let by_agent = server
        .post_json("/api/admin/webhook-create", &agent, &add(&url, &all))
        .await;
    assert_eq!(
        by_agent.json::<ApiError>().await.unwrap(),
        ApiError::Forbidden
    );
    let refused = server
        .post_json(
            "/api/admin/webhook-create",
            &admin,
            &add("http://crm.example.com/hook", &json!([])),
        )
        .await;
    let ApiError::Invalid(errors) = refused.json::<ApiError>().await.unwrap() else {
        panic!("a plain-http address elsewhere and no event are refused by field");
    };
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].field, Field::WebhookUrl);
    assert!(matches!(errors[0].problem, Problem::NotLike { .. }));
    assert_eq!(errors[1].field, Field::WebhookEvents);
    let created: CreatedWebhook = ok(server
        .post_json("/api/admin/webhook-create", &admin, &add(&url, &all))
        .await)
    .await;
    let secret = created.secret.clone();
    assert!(secret.starts_with("whsec_") && secret.len() > 40);
    let hook = created.webhook.id.0;
    let listed: Vec<WebhookSummary> = ok(server
        .post_json("/api/admin/webhooks", &admin, &json!({}))
        .await)
    .await;
    assert_eq!(listed.len(), 1);
    assert!(!serde_json::to_string(&listed).unwrap().contains(&secret));

    // A chat's whole life, and a CRM's change to its customer, while nobody listens.
    let mut desk = server.desktop_ready("ann").await;
    let cookie = server.start_chat("Zoé", problem).await;
    let mut widget = server.widget(&cookie, 0).await;
    let chat = accept_next(&mut desk).await;
    send_json(
        &mut widget,
        json!({"type": "send", "client_id": "c1", "text": "Où est mon colis ?"}),
    )
    .await;
    wait_for(&mut desk, |m| {
        matches!(m, app::domain::protocol::ServerMessage::ChatLine { line, .. }
            if matches!(&line.body, app::domain::chat::LineBody::Message { text, .. } if text == "Où est mon colis ?"))
    })
    .await;
    send_json(
        &mut desk,
        json!({"type": "send", "contact": chat.contact, "client_id": "a1", "text": "Il part ce soir."}),
    )
    .await;
    send_json(
        &mut desk,
        json!({"type": "set_wrap_up", "contact": chat.contact, "reasons": [resolved]}),
    )
    .await;
    wait_for(&mut desk, |m| {
        matches!(m, app::domain::protocol::ServerMessage::Event(e)
            if matches!(e.event, app::domain::protocol::AgentEvent::WrapUpChanged { .. }))
    })
    .await;
    send_json(
        &mut desk,
        json!({"type": "end_chat", "contact": chat.contact}),
    )
    .await;
    let customer = store.contact(chat.contact).await.unwrap().customer;
    let patched = common::api::send(
        &server,
        reqwest::Method::PATCH,
        &format!("/api/v1/customers/{}", customer.0),
        &writer,
        Some(json!({"email": "zoe@example.com"})),
    )
    .await;
    assert_eq!(patched.status(), 200);

    // Each is tried, refused at the door, and waits.
    let tried = log_until(
        &server,
        &admin,
        hook,
        "every delivery tried and waiting",
        |log| {
            log.iter().any(|d| d.event == "conversation.ended")
                && log.iter().any(|d| d.event == "customer.updated")
                && log.iter().all(|d| d.status == DeliveryStatus::Waiting)
                && log.iter().any(|d| d.attempts >= 1)
        },
    )
    .await;
    let first_try = tried.iter().find(|d| d.attempts >= 1).unwrap();
    assert!(
        first_try
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("could not connect"),
        "{first_try:?}"
    );
    assert_eq!(first_try.last_status, None);
    drop(desk);
    drop(widget);

    // The server stops and starts again; the receiver comes back.
    let server = server.restart_with(quick).await;
    let admin = server.session("root", "admin-pass-1").await;
    let inbox: Inbox = Arc::default();
    start_receiver(port, inbox.clone()).await;
    let log = log_until(&server, &admin, hook, "every delivery delivered", |log| {
        log.iter().all(|d| d.status == DeliveryStatus::Delivered)
    })
    .await;
    let got = inbox.lock().unwrap().clone();
    assert_eq!(got.len(), log.len(), "each delivery received once");
    let mut ids: Vec<&str> = got.iter().map(|r| r.delivery.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), got.len(), "no delivery twice");

    // Signed: checked in Rust and by the README's recipe; a changed body fails both.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    for r in &got {
        assert!(
            signature::verify(&secret, &r.signature, &r.body, now, 300),
            "{r:?}"
        );
    }
    assert!(readme_recipe_accepts(&secret, &got[0]));
    let mut forged = got[0].clone();
    forged.body.extend_from_slice(b" ");
    assert!(!readme_recipe_accepts(&secret, &forged));
    assert!(!readme_recipe_accepts("whsec_another", &got[0]));

    // The conversation's events in the order they happened, its lines in order.
    let bodies: Vec<Value> = got
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    for (r, body) in got.iter().zip(&bodies) {
        assert_eq!(body["event"], r.event.as_str());
    }
    let of_chat: Vec<&Value> = bodies
        .iter()
        .filter(|b| {
            b["data"]["conversation"]["id"] == chat.contact.0
                || b["data"]["conversation_id"] == chat.contact.0
        })
        .collect();
    let names: Vec<&str> = of_chat
        .iter()
        .map(|b| b["event"].as_str().unwrap())
        .collect();
    assert_eq!(names.first(), Some(&"conversation.started"), "{names:?}");
    // Ended after every word written; only the lines saying how it ended may follow.
    let ended_at = names
        .iter()
        .position(|n| *n == "conversation.ended")
        .unwrap();
    assert!(
        of_chat[ended_at + 1..].iter().all(
            |b| b["event"] == "conversation.message" && b["data"]["line"]["author"] == "system"
        ),
        "{names:?}"
    );
    let assigned = names
        .iter()
        .position(|n| *n == "conversation.assigned")
        .unwrap();
    let first_message = names
        .iter()
        .position(|n| *n == "conversation.message")
        .unwrap();
    assert!(
        assigned < first_message || of_chat[first_message]["data"]["line"]["author"] == "system"
    );
    let event_ids: Vec<i64> = of_chat.iter().map(|b| b["id"].as_i64().unwrap()).collect();
    assert!(event_ids.windows(2).all(|w| w[0] < w[1]), "{event_ids:?}");
    let texts: Vec<(&str, &str)> = of_chat
        .iter()
        .filter(|b| b["event"] == "conversation.message")
        .filter(|b| b["data"]["line"]["author"] != "system")
        .map(|b| {
            (
                b["data"]["line"]["author"].as_str().unwrap(),
                b["data"]["line"]["text"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        texts,
        vec![
            ("customer", "Où est mon colis ?"),
            ("agent", "Il part ce soir.")
        ]
    );
    let seqs: Vec<i64> = of_chat
        .iter()
        .filter_map(|b| b["data"]["seq"].as_i64())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    let ended = of_chat[ended_at];
    assert_eq!(ended["data"]["conversation"]["status"], "ended");
    assert_eq!(
        ended["data"]["conversation"]["wrap_up"],
        json!(["Resolved"])
    );
    let updated = bodies
        .iter()
        .find(|b| b["event"] == "customer.updated")
        .expect("the customer's change");
    assert_eq!(updated["data"]["customer"]["email"], "zoe@example.com");
    assert_eq!(updated["data"]["customer"]["id"], customer.0);

    // Sent again from the log: the same delivery, the same body.
    let again = &log[log.len() - 1];
    let replayed: Vec<DeliverySummary> = ok(server
        .post_json(
            "/api/admin/webhook-replay",
            &admin,
            &json!({"id": hook, "delivery": again.id}),
        )
        .await)
    .await;
    assert!(replayed
        .iter()
        .any(|d| d.id == again.id && d.status == DeliveryStatus::Waiting));
    log_until(&server, &admin, hook, "the replay delivered", |log| {
        log.iter().all(|d| d.status == DeliveryStatus::Delivered)
    })
    .await;
    let got = inbox.lock().unwrap().clone();
    let copies: Vec<&Received> = got
        .iter()
        .filter(|r| r.delivery == again.id.to_string())
        .collect();
    assert_eq!(copies.len(), 2);
    assert_eq!(copies[0].body, copies[1].body);

    // The audit names the webhook and what was done, never its secret.
    let audit = server
        .post_json("/api/admin/audit", &admin, &json!({"filter": {}}))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        audit.contains("webhook.create") && audit.contains("webhook.replay"),
        "{audit}"
    );
    assert!(!audit.contains(&secret));
}
