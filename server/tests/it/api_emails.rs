//! Issue 17: a CRM starts an email to a customer through the API. A real Dovecot mailbox
//! serves the queue, a real SMTP server (aiosmtpd on loopback) receives what it sends.

use crate::common;

use app::domain::refusal::Refusal;
use common::{
    api::{send, token},
    desk::{next_email, ready},
    imap::{message, Dovecot},
    smtp::SmtpServer,
    *,
};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

/// `POST /api/v1/emails` with this token.
async fn start(server: &TestServer, secret: &str, body: Value) -> reqwest::Response {
    send(server, Method::POST, "/api/v1/emails", secret, Some(body)).await
}

/// Issue 17: with a read-and-write token a CRM sends a customer an email from the Support
/// queue's mailbox: it reaches the SMTP server once, from the mailbox to the customer, with
/// the subject, the text and the mailbox's signature, even when the call is sent again with
/// its `client_id` (the same conversation answers, 200). It is a conversation of Support,
/// ended as sent, read back through the API and audited in the token's name. Refused by
/// field: a customer without an address or unknown, a queue that cannot send, a blank
/// subject or body, a subject of two lines; a read token may not send. The customer's
/// answer is an email of Support for the same customer, and the agent who gets it sees the
/// email the CRM sent in the customer's history.
#[tokio::test]
async fn a_crm_emails_a_customer_once_and_the_answer_comes_back_to_the_queue() {
    let smtp = SmtpServer::start().await;
    let dovecot = Dovecot::start().await;
    let mailboxes = dovecot.mailboxes_file_with(
        "Support",
        json!({
            "address": "support@shop.test",
            "display_name": "Shop Support",
            "signature_html": "<p>Shop <b>Support</b></p>",
            "smtp": smtp.settings(),
            "poll_secs": 1,
        }),
    );
    let server = TestServer::start_with(|c| {
        c.mailboxes = Some(mailboxes);
        c.smtp_retry_max_secs = 1;
    })
    .await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let support = server.queue("Support", &[ann]).await;
    let sales = server.queue("Sales", &[ann]).await;
    let admin = server.admin_session().await;
    let crm = token(&server, &admin, "Acme CRM", "read_write").await;
    let reader = token(&server, &admin, "Reader", "read").await;
    let add = |body: Value| send(&server, Method::POST, "/api/v1/customers", &crm, Some(body));
    let zoe: Value = add(json!({"name": "Zoé Martin", "email": "zoe@example.com"}))
        .await
        .json()
        .await
        .unwrap();
    let zoe = zoe["id"].as_i64().unwrap();
    let karl: Value = add(json!({"name": "Karl", "phone": "+49 30 1234567"}))
        .await
        .json()
        .await
        .unwrap();
    let karl = karl["id"].as_i64().unwrap();

    let email = |customer: i64, queue: i64, subject: &str, body: &str| {
        json!({"customer": customer, "queue": queue, "subject": subject, "body": body,
            "client_id": "crm-42"})
    };
    let refused = |response: reqwest::Response, status: u16| async move {
        assert_eq!(response.status(), status);
        response.json::<Refusal>().await.unwrap()
    };
    let fields = |said: &Refusal| {
        said.errors
            .iter()
            .map(|e| e.field.clone())
            .collect::<Vec<_>>()
    };

    // Refused, sending nothing.
    let said = refused(
        start(&server, &reader, email(zoe, support, "Hi", "Hello")).await,
        403,
    )
    .await;
    assert_eq!(said.error, "insufficient_scope");
    let said = refused(
        start(&server, &crm, email(zoe, support, " ", "")).await,
        422,
    )
    .await;
    assert_eq!(fields(&said), ["subject", "body"], "{said:?}");
    let said = refused(
        start(
            &server,
            &crm,
            email(zoe, support, "Hi\nBcc: all@example.com", "x"),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&said), ["subject"], "{said:?}");
    let said = refused(
        start(&server, &crm, email(karl, support, "Hi", "Hello")).await,
        422,
    )
    .await;
    assert_eq!(fields(&said), ["customer"]);
    assert!(
        said.message.contains("no email address"),
        "{}",
        said.message
    );
    let said = refused(
        start(&server, &crm, email(9_999, support, "Hi", "Hello")).await,
        422,
    )
    .await;
    assert_eq!(fields(&said), ["customer"]);
    let said = refused(
        start(&server, &crm, email(zoe, sales, "Hi", "Hello")).await,
        422,
    )
    .await;
    assert_eq!(fields(&said), ["queue"]);
    assert!(said.message.contains("SMTP"), "{}", said.message);
    let said = refused(
        start(&server, &crm, email(zoe, 9_999, "Hi", "Hello")).await,
        422,
    )
    .await;
    assert_eq!(fields(&said), ["queue"]);
    assert!(
        said.message.contains("9999"),
        "unknown, not unable: {}",
        said.message
    );

    // Sent, then sent again with the same id: one conversation, one message.
    let body = "Your refund left today.\r\nIt reaches you within 3 days.";
    let sent = start(&server, &crm, email(zoe, support, "Your refund", body)).await;
    assert_eq!(sent.status(), 201);
    let location = sent.headers()["location"].to_str().unwrap().to_string();
    let first: Value = sent.json().await.unwrap();
    let id = first["id"].as_i64().unwrap();
    assert_eq!(location, format!("/api/v1/conversations/{id}"));
    assert_eq!(first["channel"], "email");
    assert_eq!(first["status"], "ended");
    assert_eq!(first["customer_id"], zoe);
    assert_eq!(first["queue_id"], support);
    assert_eq!(first["email"]["from"]["address"], "support@shop.test");
    assert_eq!(first["email"]["to"][0]["address"], "zoe@example.com");
    assert_eq!(first["email"]["subject"], "Your refund");
    let again = start(&server, &crm, email(zoe, support, "Your refund", body)).await;
    assert_eq!(again.status(), 200, "the same client_id: sent before");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], id);
    // The same id for another email is refused.
    let said = refused(
        start(&server, &crm, email(zoe, support, "Your order", body)).await,
        409,
    )
    .await;
    assert_eq!(said.error, "conflict");
    assert!(said.message.contains("client_id"), "{}", said.message);

    let all = smtp.wait_for(1, Duration::from_secs(10)).await;
    let captured = &all[0];
    assert_eq!(captured.envelope_from, "support@shop.test");
    assert_eq!(captured.envelope_to, ["zoe@example.com"]);
    let parsed = captured.parsed();
    assert_eq!(parsed.subject(), Some("Your refund"));
    assert_eq!(
        parsed
            .body_text(0)
            .unwrap()
            .replace("\r\n", "\n")
            .trim_end(),
        "Your refund left today.\nIt reaches you within 3 days.\n\n-- \nShop Support"
    );
    let sent_id = parsed.message_id().unwrap().to_string();
    let theirs: Value = ok(send(
        &server,
        Method::GET,
        &format!("/api/v1/conversations?customer={zoe}"),
        &reader,
        None,
    )
    .await)
    .await;
    assert_eq!(
        theirs["data"].as_array().unwrap().len(),
        1,
        "one conversation"
    );
    // Another token's same id is its own email; the caller's id never shows.
    let other = token(&server, &admin, "Other CRM", "read_write").await;
    let other_sent = start(&server, &other, email(zoe, support, "Your refund", body)).await;
    assert_eq!(other_sent.status(), 201);
    let other_sent: Value = other_sent.json().await.unwrap();
    assert_ne!(other_sent["id"], id);
    let all = smtp.wait_for(2, Duration::from_secs(10)).await;
    let ids: Vec<String> = all
        .iter()
        .map(|m| m.parsed().message_id().unwrap().to_string())
        .collect();
    assert_ne!(ids[0], ids[1]);
    assert!(ids.iter().all(|m| !m.contains("crm-42")), "{ids:?}");
    let outbox = server
        .services
        .store
        .outbox_of(app::domain::ids::ContactId(id))
        .await
        .unwrap();
    assert_eq!(outbox.len(), 1, "one message in the outbox");
    let db = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        server.data_dir().join("server.db").display()
    ))
    .await
    .unwrap();
    let audit: Vec<String> =
        sqlx::query_scalar("SELECT detail FROM admin_audit WHERE action = 'email.send'")
            .fetch_all(&db)
            .await
            .unwrap();
    // Once per email sent, not per call.
    assert_eq!(audit.len(), 2, "{audit:?}");
    assert_eq!(
        audit[0],
        format!(
            "API token \"Acme CRM\": \"Your refund\" to \"Zoé Martin\" (customer {zoe}) \
             (conversation {id})"
        )
    );

    // Zoé answers: an email of Support, hers, in the thread of the one the CRM sent.
    let (_cookie, mut desk) = ready(&server, "ann").await;
    dovecot
        .append(&message(
            "Zoé Martin <zoe@example.com>",
            "Re: Your refund",
            "answer-1@example.com",
            &format!("In-Reply-To: <{sent_id}>\r\nReferences: <{sent_id}>\r\n"),
            "Thank you!",
        ))
        .await;
    let view = next_email(&mut desk).await;
    assert_eq!(view.customer.id.0, zoe);
    assert_eq!(view.csq, "Support");
    let past: Vec<(i64, &str)> = view
        .history
        .iter()
        .map(|p| (p.contact.0, p.about.as_str()))
        .collect();
    assert!(
        past.contains(&(id, "Your refund")),
        "the CRM's email in her history: {past:?}"
    );
}
