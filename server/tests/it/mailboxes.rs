//! Mailboxes as administrators set them up (SPEC E-1, R-7, D-2), against the real server, a
//! real Dovecot and a real SMTP server: only administrators reach the calls; "Test
//! connection" reports what each server answered; a mailbox saved in the page is read at
//! once, without a restart; its passwords are never sent back and cannot be read in the
//! database file.

use crate::common;

use app::{
    api::MailboxTest,
    domain::{
        agent::Role,
        ids::CsqId,
        mailboxes::{ConnectorFault, ConnectorStatus, MailboxAdmin, MailboxEdit, Security, Server},
        validate::{Field, Problem},
    },
};
use common::{
    desk::{next_email, ready},
    imap::{message, Dovecot, Options, PASSWORD, USER},
    ok, refused,
    smtp::SmtpServer,
    TestServer,
};
use serde_json::json;
use std::time::Duration;

async fn post(
    server: &TestServer,
    cookie: &str,
    path: &str,
    edit: &MailboxEdit,
) -> reqwest::Response {
    server
        .post_json(path, cookie, &json!({ "edit": edit }))
        .await
}

async fn list(server: &TestServer, cookie: &str) -> (Vec<MailboxAdmin>, String) {
    let response = server.post("/api/admin/mailboxes", cookie).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    (serde_json::from_str(&text).unwrap(), text)
}

async fn test(server: &TestServer, cookie: &str, edit: &MailboxEdit) -> MailboxTest {
    ok(post(server, cookie, "/api/admin/mailbox/test", edit).await).await
}

fn edit(dovecot: &Dovecot, smtp: &SmtpServer, csq: CsqId, password: &str) -> MailboxEdit {
    let smtp_port = smtp.settings()["port"].as_u64().unwrap() as u16;
    MailboxEdit {
        id: None,
        name: "Support inbox".into(),
        csq: Some(csq),
        enabled: true,
        imap: Server {
            host: "127.0.0.1".into(),
            port: Some(dovecot.port),
            security: Security::None,
            username: USER.into(),
        },
        folder: "INBOX".into(),
        imap_password: password.into(),
        smtp: Server {
            host: "127.0.0.1".into(),
            port: Some(smtp_port),
            security: Security::None,
            username: String::new(),
        },
        smtp_password: String::new(),
        address: "support@shop.test".into(),
        display_name: "Shop Support".into(),
        signature_html: "<p>The <b>Shop</b> team<script>x()</script></p>".into(),
    }
}

async fn admin(server: &TestServer) -> String {
    server
        .create_user("root", "admin-pass-1", Role::Admin)
        .await;
    server.session("root", "admin-pass-1").await
}

/// A mail server, an SMTP server, the server with an administrator logged in (their
/// cookie), and a queue without members for a mailbox to feed.
async fn with_empty_queue() -> (Dovecot, SmtpServer, TestServer, String, CsqId) {
    let dovecot = Dovecot::start().await;
    let smtp = SmtpServer::start().await;
    let server = TestServer::start().await;
    let cookie = admin(&server).await;
    server.queue("Support", &[]).await;
    let support = server.services.store.csqs().await.unwrap()[0].id;
    (dovecot, smtp, server, cookie, support)
}

/// SPEC D-2: agents and supervisors are refused every mailbox call, and nothing changes.
#[tokio::test]
async fn d2_only_administrators_manage_mailboxes() {
    let server = TestServer::start().await;
    let dovecot = Dovecot::start().await;
    let smtp = SmtpServer::start().await;
    server.create_agent("ann", "agent-pass-1").await;
    server
        .create_user("sue", "super-pass-1", Role::Supervisor)
        .await;
    let mailbox = edit(&dovecot, &smtp, CsqId(1), PASSWORD);
    for cookie in [
        server.session("ann", "agent-pass-1").await,
        server.session("sue", "super-pass-1").await,
    ] {
        assert_eq!(
            server.post("/api/admin/mailboxes", &cookie).await.status(),
            403
        );
        for path in ["/api/admin/mailbox", "/api/admin/mailbox/test"] {
            assert_eq!(post(&server, &cookie, path, &mailbox).await.status(), 403);
        }
    }
    assert!(server.services.store.mailboxes().await.unwrap().is_empty());
}

/// SPEC E-1, D-2: the test reports the refused login; a mailbox saved with it says so; saved
/// again with the right password it is read at once and its email reaches a Ready agent.
/// Passwords are never sent back, never audited, and cannot be read in the database file.
#[tokio::test]
async fn e1_d2_a_mailbox_set_up_in_the_page_is_read_at_once() {
    let dovecot = Dovecot::start().await;
    let smtp = SmtpServer::start().await;
    let server = TestServer::start().await;
    let cookie = admin(&server).await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    server.queue("Support", &[ann]).await;
    let support = server.services.store.csqs().await.unwrap()[0].id;
    let (_, mut desk) = ready(&server, "ann").await;

    let wrong = edit(&dovecot, &smtp, support, "not-the-password");
    let report = test(&server, &cookie, &wrong).await;
    assert!(!report.imap.ok);
    assert_eq!(
        report.imap.message,
        "login refused by 127.0.0.1: [AUTHENTICATIONFAILED] Authentication failed."
    );
    assert!(report.smtp.ok, "{}", report.smtp.message);
    assert!(
        report.smtp.message.contains("(no login)"),
        "{}",
        report.smtp.message
    );

    let response = post(&server, &cookie, "/api/admin/mailbox", &wrong).await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let saved = loop {
        let (mailboxes, _) = list(&server, &cookie).await;
        if matches!(
            &mailboxes[0].status,
            Some(ConnectorStatus::NotConnected {
                fault: ConnectorFault::LoginRefused { .. },
                retry_in_secs,
            }) if *retry_in_secs > 0
        ) {
            break mailboxes[0].clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:?}",
            mailboxes[0].status
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(saved.imap_password_set);
    assert_eq!(
        saved.signature_html, "<p>The <b>Shop</b> team</p>",
        "sanitized"
    );

    dovecot
        .append(&message(
            "ann@example.com",
            "Broken tent",
            "t1@example.com",
            "",
            "It leaks.",
        ))
        .await;
    let right = MailboxEdit {
        imap_password: PASSWORD.into(),
        ..MailboxEdit::of(&saved)
    };
    let response = post(&server, &cookie, "/api/admin/mailbox", &right).await;
    assert_eq!(response.status(), 200);
    let email = next_email(&mut desk).await;
    assert_eq!(email.email.unwrap().subject, "Broken tent");

    // Left empty, the password is kept.
    let kept = MailboxEdit::of(&list(&server, &cookie).await.0[0]);
    assert!(test(&server, &cookie, &kept).await.imap.ok);

    let (_, text) = list(&server, &cookie).await;
    assert!(!text.contains(PASSWORD) && !text.contains("not-the-password"));
    let mut bytes = Vec::new();
    for file in ["server.db", "server.db-wal"] {
        bytes.extend(std::fs::read(server.data_dir().join(file)).unwrap_or_default());
    }
    assert!(bytes.len() > 10_000, "the database was read");
    for secret in [PASSWORD, "not-the-password"] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} readable in the database file"
        );
    }
    let audit = server.services.store.admin_audit(10).await.unwrap();
    assert_eq!(audit.len(), 2);
    assert!(
        audit[0].detail.contains("IMAP password replaced"),
        "{}",
        audit[0].detail
    );
    assert!(audit.iter().all(|a| !a.detail.contains(PASSWORD)));
}

/// SPEC D-2: each field is checked by the server; the name is fixed once created.
#[tokio::test]
async fn d2_mailbox_fields_are_refused_by_name() {
    let (dovecot, smtp, server, cookie, support) = with_empty_queue().await;
    let mut bad = edit(&dovecot, &smtp, support, "");
    bad.imap.host = "imap.shop.test".into();
    bad.address = "nobody".into();
    assert_eq!(
        refused(post(&server, &cookie, "/api/admin/mailbox", &bad).await).await,
        [
            (Field::ImapHost, Problem::PlainNotLoopback),
            (Field::ImapPassword, Problem::Required),
            (
                Field::SenderAddress,
                Problem::InvalidEmail {
                    value: "nobody".into()
                }
            ),
        ]
    );
    let good = edit(&dovecot, &smtp, support, PASSWORD);
    let response = post(&server, &cookie, "/api/admin/mailbox", &good).await;
    assert_eq!(response.status(), 200);
    let saved = list(&server, &cookie).await.0[0].clone();
    let renamed = MailboxEdit {
        name: "Another name".into(),
        ..MailboxEdit::of(&saved)
    };
    assert_eq!(
        refused(post(&server, &cookie, "/api/admin/mailbox", &renamed).await).await,
        [(
            Field::MailboxName,
            Problem::FixedOnceCreated {
                value: "Support inbox".into()
            }
        )]
    );
}

/// SPEC D-2: a server started with another encryption key cannot open the stored
/// passwords: the mailbox is not started, and the administration says why (a fact the page
/// words in the reader's language), rather than logging in with garbage.
#[tokio::test]
async fn d2_a_changed_encryption_key_is_told_in_the_mailbox_list() {
    let (dovecot, smtp, server, cookie, support) = with_empty_queue().await;
    let saved = post(
        &server,
        &cookie,
        "/api/admin/mailbox",
        &edit(&dovecot, &smtp, support, PASSWORD),
    )
    .await;
    assert_eq!(saved.status(), 200, "{:?}", saved.text().await);

    std::fs::write(
        server.data_dir().join("encryption.key"),
        format!("{}\n", "ab".repeat(32)),
    )
    .unwrap();
    let server = server.restart_with(|_| {}).await;
    let cookie = server.session("root", "admin-pass-1").await;
    let (mailboxes, _) = list(&server, &cookie).await;
    assert_eq!(
        mailboxes[0].status,
        Some(ConnectorStatus::PasswordUndecryptable)
    );
}

/// SPEC D-2, issue 15: the test report is worded in the administrator's language (their
/// page's `sb_lang` cookie), the technical detail as the system gave it.
#[tokio::test]
async fn d2_the_test_report_is_in_the_administrators_language() {
    let server = TestServer::start().await;
    let cookie = admin(&server).await;
    server.queue("Support", &[]).await;
    let support = server.services.store.csqs().await.unwrap()[0].id;
    let (nobody, silent) = (common::free_port(), common::free_port());
    let unreachable = MailboxEdit {
        name: "Support inbox".into(),
        csq: Some(support),
        enabled: true,
        imap: Server {
            host: "127.0.0.1".into(),
            port: Some(nobody),
            security: Security::None,
            username: USER.into(),
        },
        folder: "INBOX".into(),
        imap_password: PASSWORD.into(),
        smtp: Server {
            host: "127.0.0.1".into(),
            port: Some(silent),
            security: Security::None,
            username: String::new(),
        },
        address: "support@shop.test".into(),
        ..MailboxEdit::default()
    };
    let french = test(&server, &format!("{cookie}; sb_lang=fr"), &unreachable).await;
    assert!(!french.imap.ok);
    assert!(
        french
            .imap
            .message
            .starts_with(&format!("impossible de joindre 127.0.0.1:{nobody}\u{a0}: ")),
        "{}",
        french.imap.message
    );
    assert!(
        french
            .smtp
            .message
            .starts_with(&format!("127.0.0.1:{silent}\u{a0}: ")),
        "{}",
        french.smtp.message
    );
    let english = test(&server, &cookie, &unreachable).await;
    assert!(
        english
            .imap
            .message
            .starts_with(&format!("cannot reach 127.0.0.1:{nobody}: ")),
        "{}",
        english.imap.message
    );
    assert!(
        english
            .smtp
            .message
            .starts_with(&format!("127.0.0.1:{silent}: ")),
        "{}",
        english.smtp.message
    );
}

/// SPEC D-2: "Test connection" says when STARTTLS is missing and when the certificate is
/// not trusted, not just that it failed.
#[tokio::test]
async fn d2_the_test_names_tls_problems() {
    let smtp = SmtpServer::start().await;
    let server = TestServer::start().await;
    let cookie = admin(&server).await;
    server.queue("Support", &[]).await;
    let support = server.services.store.csqs().await.unwrap()[0].id;

    let plain = Dovecot::start().await;
    let mut no_starttls = edit(&plain, &smtp, support, PASSWORD);
    no_starttls.imap.security = Security::Starttls;
    let report = test(&server, &cookie, &no_starttls).await;
    assert!(
        report.imap.message.starts_with("no STARTTLS on 127.0.0.1:"),
        "{}",
        report.imap.message
    );

    let tls = Dovecot::start_with(Options {
        tls: true,
        ..Options::default()
    })
    .await;
    let mut untrusted = edit(&tls, &smtp, support, PASSWORD);
    untrusted.imap.security = Security::Starttls;
    let report = test(&server, &cookie, &untrusted).await;
    assert!(
        report
            .imap
            .message
            .starts_with("certificate of 127.0.0.1 not trusted"),
        "{}",
        report.imap.message
    );
}
