//! SPEC R-7: each mailbox hands its replies to its own SMTP server independently: one
//! that never answers delays only its own mailbox's replies.

use crate::common;

use app::domain::contact::EndReason;
use common::{
    desk::{closed, next_email, ready},
    imap::{message, Dovecot},
    smtp::SmtpServer,
    *,
};
use serde_json::json;
use std::time::{Duration, Instant};

/// A mail server that accepts connections and never says a word (an SMTP client waits for
/// its greeting until its own timeout).
async fn silent_smtp() -> (u16, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    (port, task)
}

async fn send(server: &TestServer, cookie: &str, contact: i64, to: &str) -> u16 {
    reqwest::Client::new()
        .post(server.url(&format!("/email/{contact}/send")))
        .header("cookie", cookie)
        .json(&json!({"mode": "reply", "to": [to], "body": "<p>Thank you.</p>"}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_silent_smtp_server_delays_only_its_own_mailbox() {
    let (silent_port, _silent) = silent_smtp().await;
    let smtp = SmtpServer::start().await;
    let stuck = Dovecot::start().await;
    let working = Dovecot::start().await;
    let read = |path: std::path::PathBuf| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let mut first = read(stuck.mailboxes_file_with(
        "Support",
        json!({"address": "stuck@shop.test",
               "smtp": {"host": "127.0.0.1", "port": silent_port, "security": "none"}}),
    ));
    let second = read(working.mailboxes_file_with(
        "Support",
        json!({"address": "support@shop.test", "smtp": smtp.settings()}),
    ));
    first[0]["name"] = "stuck-inbox".into();
    let both = json!([first[0], second[0]]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mailboxes.json");
    std::fs::write(&path, both.to_string()).unwrap();
    let server = TestServer::start_with(|c| c.mailboxes = Some(path)).await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    server.queue("Support", &[ann]).await;
    let (cookie, mut desk) = ready(&server, "ann").await;

    stuck
        .append(&message(
            "kim@example.com",
            "First",
            "first@example.com",
            "",
            "Hello",
        ))
        .await;
    let first = next_email(&mut desk).await;
    assert_eq!(
        send(&server, &cookie, first.contact.0, "kim@example.com").await,
        202
    );
    assert_eq!(closed(&mut desk).await.1, EndReason::Sent);
    // Let the stuck mailbox's worker start its hopeless conversation.
    tokio::time::sleep(Duration::from_millis(500)).await;

    working
        .append(&message(
            "lou@example.com",
            "Second",
            "second@example.com",
            "",
            "Hi",
        ))
        .await;
    let second = next_email(&mut desk).await;
    let sent_at = Instant::now();
    assert_eq!(
        send(&server, &cookie, second.contact.0, "lou@example.com").await,
        202
    );
    let delivered = smtp.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(delivered.len(), 1, "the working mailbox's reply went out");
    assert!(
        sent_at.elapsed() < Duration::from_secs(10),
        "not held behind the silent server: {:?}",
        sent_at.elapsed()
    );
    let outbox = server
        .services
        .store
        .outbox_of(first.contact)
        .await
        .unwrap();
    assert_eq!(
        outbox[0].state, "pending",
        "the stuck reply still waits its turn"
    );
}
