//! Email contacts end to end on the server (SPEC E-1 to E-4, C-2, C-3, Q-1, Q-2, S-5): a
//! real Dovecot on loopback, messages delivered with IMAP APPEND, the real server reading
//! the mailbox, agents on real WebSockets.

use crate::common;

use app::domain::{
    contact::EndReason,
    protocol::{CommandError, ServerMessage},
    state::AgentState,
};
use common::{
    desk::{closed, next_email, ready},
    imap::{fixture, message, Dovecot, Options},
    *,
};
use serde_json::json;
use std::time::Duration;

async fn email_server(dovecot: &Dovecot, csq: &str) -> TestServer {
    let path = dovecot.mailboxes_file(csq);
    TestServer::start_with(|c| {
        c.mailboxes = Some(path);
        c.email_sticky_secs = 60;
    })
    .await
}

fn app_now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn get(server: &TestServer, path: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(server.url(path));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

/// SPEC E-1, C-2, C-3, Q-2: a message delivered to the mailbox becomes an email assigned to
/// a Ready agent of the mailbox's CSQ, accepted automatically (Reserved), with the sender,
/// subject and time for its tab; the message stays in the mailbox, flagged.
#[tokio::test]
async fn a_delivered_message_becomes_an_email_for_a_ready_agent() {
    let dovecot = Dovecot::start().await;
    let server = email_server(&dovecot, "Support").await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    server.queue("Support", &[ann]).await;
    let (_, mut desk) = ready(&server, "ann").await;

    dovecot.append(&fixture("multipart_alternative")).await;
    let view = next_email(&mut desk).await;
    assert_eq!(view.customer.name, "Ann Lee");
    assert_eq!(view.customer.email.as_deref(), Some("ann.lee@example.com"));
    let email = view.email.expect("the email's details");
    assert_eq!(email.subject, "Order #4711 arrived damaged");
    assert_eq!(email.cc.len(), 2);
    assert!(email.is_html);
    assert!(email.received_at_ms > 0);
    let (status, _) = server.services.store.agent_status(ann).await.unwrap();
    assert_eq!(status.state, AgentState::Reserved, "accepted automatically");

    let messages = dovecot.messages().await;
    assert_eq!(messages.len(), 1, "never deleted from the mailbox");
    assert!(
        messages[0].0.iter().any(|f| f.contains("$Switchboard")),
        "flagged as taken: {:?}",
        messages[0].0
    );
}

/// SPEC E-2: attachments download byte for byte, only for the agent holding the email,
/// as attachments with nosniff; inline images load through signed addresses only; the
/// body frame runs no script and loads no remote image until asked.
#[tokio::test]
async fn files_and_bodies_are_served_safely_to_their_agent_only() {
    let dovecot = Dovecot::start().await;
    let server = email_server(&dovecot, "Support").await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    server.create_agent("bob", "agent-pass-1").await;
    server.queue("Support", &[ann]).await;
    let (cookie, mut desk) = ready(&server, "ann").await;
    let bob = server.session("bob", "agent-pass-1").await;

    dovecot.append(&fixture("several_attachments")).await;
    let view = next_email(&mut desk).await;
    let files = view.email.unwrap().attachments;
    let names: Vec<_> = files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["receipt.pdf", "photo.png", "notes.txt"]);
    let pdf = get(
        &server,
        &format!("/email/attachments/{}", files[0].id),
        Some(&cookie),
    )
    .await;
    assert_eq!(pdf.status(), 200);
    let disposition = pdf.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment;") && disposition.contains("receipt.pdf"));
    assert_eq!(pdf.headers()["x-content-type-options"], "nosniff");
    let bytes = pdf.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-1.4"));
    assert!(bytes.ends_with((0..=255u8).collect::<Vec<_>>().as_slice()));
    let notes = get(
        &server,
        &format!("/email/attachments/{}", files[2].id),
        Some(&cookie),
    )
    .await;
    assert_eq!(
        notes.bytes().await.unwrap().as_ref(),
        b"Damage noticed on 2026-11-18.\nBox dented.\n"
    );
    let other = get(
        &server,
        &format!("/email/attachments/{}", files[0].id),
        Some(&bob),
    )
    .await;
    assert_eq!(other.status(), 404, "another agent cannot download it");
    // Opened by the browser itself, a refusal is a sentence, not JSON saved as the file.
    assert!(other.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(
        other.text().await.unwrap(),
        "This contact is not in your hands."
    );
    let anonymous = get(
        &server,
        &format!("/email/attachments/{}", files[0].id),
        None,
    )
    .await;
    assert_eq!(anonymous.status(), 401);
    assert_eq!(
        anonymous.text().await.unwrap(),
        "Your session has ended: log in again."
    );

    dovecot.append(&fixture("cid_images")).await;
    let view = next_email(&mut desk).await;
    let logo = &view.email.as_ref().unwrap().attachments[0];
    assert!(logo.inline);
    let body = get(
        &server,
        &format!("/email/{}/body", view.contact),
        Some(&cookie),
    )
    .await;
    let document = body.text().await.unwrap();
    let start = document
        .find("/email/inline/")
        .expect("the cid image resolved");
    let path = &document[start..start + document[start..].find('"').unwrap()];
    let image = get(&server, path, None).await;
    assert_eq!(
        image.status(),
        200,
        "no cookie needed in the sandboxed frame"
    );
    assert_eq!(image.headers()["content-type"], "image/png");
    assert!(image.bytes().await.unwrap().starts_with(b"\x89PNG"));
    // Good for an hour only (the frame gets fresh addresses whenever it loads).
    let expires: i64 = path["/email/inline/".len()..]
        .split('.')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let in_secs = expires - app_now_secs();
    assert!((3500..=3600).contains(&in_secs), "expires in {in_secs} s");
    // The same address with its signature's last digit changed.
    let last = if path.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &path[..path.len() - 1]);
    assert_eq!(get(&server, &forged, None).await.status(), 404);

    dovecot.append(&fixture("hostile_html")).await;
    let view = next_email(&mut desk).await;
    assert!(view.email.as_ref().unwrap().has_remote_images);
    let body = get(
        &server,
        &format!("/email/{}/body", view.contact),
        Some(&cookie),
    )
    .await;
    let csp = body.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("https:"),
        "{csp}"
    );
    let document = body.text().await.unwrap().to_lowercase();
    for bad in ["<script", "onload", "onerror", "javascript:"] {
        assert!(!document.contains(bad), "{bad} in {document}");
    }
    let shown = get(
        &server,
        &format!("/email/{}/body?images=1", view.contact),
        Some(&cookie),
    )
    .await;
    assert!(shown.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("img-src 'self' data: https: http:"));
    let foreign = get(
        &server,
        &format!("/email/{}/body", view.contact),
        Some(&bob),
    )
    .await;
    assert_eq!(foreign.status(), 404);
}

/// SPEC E-4: a reply in the same thread (by In-Reply-To, or by sender and subject when it
/// has no references) goes back to the agent who handled the thread, although another
/// agent has been available longer, and lists the customer's first email among their
/// earlier conversations (issue 16), which opens read-only (issue 17); a new thread follows
/// normal routing.
#[tokio::test]
async fn a_reply_returns_to_the_agent_who_handled_its_thread() {
    let dovecot = Dovecot::start().await;
    let server = email_server(&dovecot, "Support").await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let bob = server.create_agent("bob", "agent-pass-1").await;
    server.queue("Support", &[ann, bob]).await;
    let (_, mut ann_desk) = ready(&server, "ann").await;
    let (_, mut bob_desk) = ready(&server, "bob").await;

    dovecot
        .append(&message(
            "cu@example.com",
            "Broken lid",
            "t1@example.com",
            "",
            "First",
        ))
        .await;
    let first = next_email(&mut ann_desk).await;
    send_json(
        &mut ann_desk,
        json!({"type": "discard", "contact": first.contact}),
    )
    .await;
    closed(&mut ann_desk).await;

    // Bob has waited longer now, but the reply is Ann's.
    dovecot
        .append(&message(
            "cu@example.com",
            "Re: Broken lid",
            "t2@example.com",
            "In-Reply-To: <t1@example.com>\r\nReferences: <t1@example.com>\r\n",
            "Second",
        ))
        .await;
    let reply = next_email(&mut ann_desk).await;
    // Issue 16: the email's details list the customer's first email, by its subject.
    assert_eq!(
        reply
            .history
            .iter()
            .map(|p| (p.contact, p.channel, p.about.as_str()))
            .collect::<Vec<_>>(),
        [(
            first.contact,
            app::domain::contact::Channel::Email,
            "Broken lid"
        )]
    );
    // Issue 17 (SPEC P-5): and opens it, read-only.
    send_json(
        &mut ann_desk,
        json!({"type": "read_past", "contact": reply.contact, "past": first.contact}),
    )
    .await;
    let read = common::wait_for(&mut ann_desk, |m| {
        matches!(m, app::domain::protocol::ServerMessage::PastRead { .. })
    })
    .await;
    let app::domain::protocol::ServerMessage::PastRead { past, .. } = read else {
        unreachable!()
    };
    let email = past.email.expect("the customer's email");
    assert_eq!(
        (email.subject.as_str(), email.text.trim()),
        ("Broken lid", "First")
    );
    assert!(email.from.contains("cu@example.com"), "{}", email.from);
    assert_eq!(reply.email.unwrap().subject, "Re: Broken lid");
    send_json(
        &mut ann_desk,
        json!({"type": "discard", "contact": reply.contact}),
    )
    .await;
    closed(&mut ann_desk).await;

    // No references (a client that drops them): same sender and subject.
    dovecot
        .append(&message(
            "CU@example.com",
            "RE: broken lid",
            "t3@example.com",
            "",
            "Third",
        ))
        .await;
    next_email(&mut ann_desk).await;

    dovecot
        .append(&message(
            "other@example.com",
            "New question",
            "n1@example.com",
            "",
            "Hi",
        ))
        .await;
    let fresh = next_email(&mut bob_desk).await;
    assert_eq!(fresh.email.unwrap().subject, "New question");
}

/// SPEC Q-1: requeue puts the email in the chosen CSQ at once; it never goes back to an
/// agent who requeued it, even the only free member; a CSQ that does not exist and an
/// email of another agent are refused.
#[tokio::test]
async fn requeue_moves_the_email_and_never_returns_it() {
    let dovecot = Dovecot::start().await;
    let server = email_server(&dovecot, "Support").await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let bob = server.create_agent("bob", "agent-pass-1").await;
    server.create_agent("carol", "agent-pass-1").await;
    server.queue("Support", &[ann]).await;
    server.queue("Billing", &[bob]).await;
    let csqs = server.services.store.csqs().await.unwrap();
    let id_of = |name: &str| csqs.iter().find(|c| c.name == name).unwrap().id.0;
    let (_, mut ann_desk) = ready(&server, "ann").await;
    let (_, mut bob_desk) = ready(&server, "bob").await;

    dovecot.append(&fixture("iso_8859_1")).await;
    let email = next_email(&mut ann_desk).await;
    let id = email.contact.0;

    send_json(
        &mut bob_desk,
        json!({"type": "requeue", "contact": id, "csq": id_of("Billing")}),
    )
    .await;
    let refused = wait_for(&mut bob_desk, |m| {
        matches!(m, ServerMessage::Rejected { .. })
    })
    .await;
    assert!(matches!(
        refused,
        ServerMessage::Rejected {
            error: CommandError::NotYours,
            ..
        }
    ));
    send_json(
        &mut ann_desk,
        json!({"type": "requeue", "contact": id, "csq": 999}),
    )
    .await;
    let refused = wait_for(&mut ann_desk, |m| {
        matches!(m, ServerMessage::Rejected { .. })
    })
    .await;
    assert!(
        matches!(&refused, ServerMessage::Rejected { error: CommandError::Invalid(e), .. } if e.to_string().contains("999")),
        "{refused:?}"
    );

    send_json(
        &mut ann_desk,
        json!({"type": "requeue", "contact": id, "csq": id_of("Billing")}),
    )
    .await;
    assert_eq!(closed(&mut ann_desk).await, (id, EndReason::Requeued));
    let moved = next_email(&mut bob_desk).await;
    assert_eq!((moved.contact.0, moved.csq.as_str()), (id, "Billing"));
    assert_eq!(
        moved.email.unwrap().subject,
        "Où est ma commande ?",
        "last-agent routing does not apply to a requeue"
    );

    // Back to Support, where Ann is free: it waits, since Ann requeued it before.
    send_json(
        &mut bob_desk,
        json!({"type": "requeue", "contact": id, "csq": id_of("Support")}),
    )
    .await;
    assert_eq!(closed(&mut bob_desk).await, (id, EndReason::Requeued));
    assert!(
        silent_until_assigned(&mut ann_desk, 1500).await,
        "never back to an agent who requeued it, even the only free member"
    );
    let support = csqs.iter().find(|c| c.name == "Support").unwrap().id;
    let carol = server
        .services
        .store
        .credentials("carol")
        .await
        .unwrap()
        .unwrap()
        .agent;
    server
        .services
        .store
        .add_csq_member(support, carol)
        .await
        .unwrap();
    let (_, mut carol_desk) = ready(&server, "carol").await;
    assert_eq!(next_email(&mut carol_desk).await.contact.0, id);
}

/// True when no email reaches this desktop within `ms`.
async fn silent_until_assigned(ws: &mut Ws, ms: u64) -> bool {
    tokio::time::timeout(Duration::from_millis(ms), next_email(ws))
        .await
        .is_err()
}

/// SPEC Q-2 and S-5: Discard takes the email off the agent's list and leaves the original in
/// the mailbox; a desktop that closes gives its emails back to the queue, to another agent.
#[tokio::test]
async fn discard_keeps_the_original_and_a_closed_desktop_requeues() {
    let dovecot = Dovecot::start().await;
    let server = email_server(&dovecot, "Support").await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let bob = server.create_agent("bob", "agent-pass-1").await;
    server.queue("Support", &[ann, bob]).await;
    let (ann_cookie, mut ann_desk) = ready(&server, "ann").await;

    dovecot.append(&fixture("encoded_headers")).await;
    let email = next_email(&mut ann_desk).await;
    send_json(
        &mut ann_desk,
        json!({"type": "discard", "contact": email.contact}),
    )
    .await;
    assert_eq!(
        closed(&mut ann_desk).await,
        (email.contact.0, EndReason::Discarded)
    );
    let (status, _) = server.services.store.agent_status(ann).await.unwrap();
    assert_eq!(
        status.state,
        AgentState::Ready,
        "no email in hand: Ready again"
    );
    assert_eq!(dovecot.messages().await.len(), 1, "the original stays");

    dovecot.append(&fixture("shift_jis")).await;
    let held = next_email(&mut ann_desk).await;
    assert_eq!(held.email.as_ref().unwrap().subject, "配送について");
    let (_, mut bob_desk) = ready(&server, "bob").await;
    assert_eq!(server.post("/api/leave", &ann_cookie).await.status(), 204);
    drop(ann_desk);
    let requeued = next_email(&mut bob_desk).await;
    assert_eq!(requeued.contact, held.contact);
    let (status, _) = server.services.store.agent_status(ann).await.unwrap();
    assert_eq!(status.state, AgentState::NotReady);
    let _ = bob;
}

/// SPEC S-5, Q-1: a desktop that reloads puts its emails back in their queue as they were:
/// in a CSQ of one member, the same agent gets the email again once Ready (only the agent's
/// own Requeue keeps an email away from them).
#[tokio::test]
async fn a_reloaded_desktop_gets_its_email_back_in_a_one_agent_queue() {
    let dovecot = Dovecot::start().await;
    let server = email_server(&dovecot, "Support").await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    server.queue("Support", &[ann]).await;
    let (cookie, mut desk) = ready(&server, "ann").await;
    dovecot.append(&fixture("encoded_headers")).await;
    let held = next_email(&mut desk).await;

    // The page reloads: its beacon, its socket closing, a new page.
    assert_eq!(server.post("/api/leave", &cookie).await.status(), 204);
    drop(desk);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while server
        .services
        .store
        .agent_status(ann)
        .await
        .unwrap()
        .0
        .state
        != AgentState::NotReady
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "Not Ready after leaving"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, mut desk) = ready(&server, "ann").await;
    let back = next_email(&mut desk).await;
    assert_eq!(
        back.contact, held.contact,
        "the same email, to the same agent"
    );
    assert!(
        server
            .services
            .store
            .excluded_agents(held.contact)
            .await
            .unwrap()
            .is_empty(),
        "leaving excludes nobody"
    );
}

/// SPEC E-3: up to 20 MB of attachments are taken whole; beyond, the email still comes,
/// listing what was not kept and why.
#[tokio::test]
async fn a_message_over_twenty_megabytes_of_files_still_arrives() {
    use base64::Engine as _;
    let dovecot = Dovecot::start().await;
    let server = email_server(&dovecot, "Support").await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    server.queue("Support", &[ann]).await;
    let (cookie, mut desk) = ready(&server, "ann").await;

    let big: Vec<u8> = (0..12 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let encoded = base64::engine::general_purpose::STANDARD.encode(&big);
    let mut raw = String::from(
        "From: big@example.com\r\nTo: support@switchboard.test\r\nSubject: Two videos\r\n\
         Message-ID: <big-1@example.com>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
         Content-Type: text/plain\r\n\r\nTwo files of 12 MB.\r\n",
    );
    for name in ["one.mp4", "two.mp4"] {
        raw.push_str(&format!(
            "--b\r\nContent-Type: video/mp4\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n"
        ));
        for line in encoded.as_bytes().chunks(76) {
            raw.push_str(std::str::from_utf8(line).unwrap());
            raw.push_str("\r\n");
        }
    }
    raw.push_str("--b--\r\n");
    dovecot.append(raw.as_bytes()).await;

    let view = next_email(&mut desk).await;
    let email = view.email.unwrap();
    assert_eq!(email.attachments.len(), 1);
    assert_eq!(email.attachments[0].size, big.len() as u64);
    assert_eq!(email.skipped.len(), 1);
    assert_eq!(email.skipped[0].name, "two.mp4");
    assert!(email.skipped[0].reason.contains("20 MB"));
    let file = get(
        &server,
        &format!("/email/attachments/{}", email.attachments[0].id),
        Some(&cookie),
    )
    .await;
    assert!(
        file.bytes().await.unwrap().as_ref() == big.as_slice(),
        "taken whole"
    );
}

/// SPEC E-1: a mailbox whose server offers no IDLE is polled.
#[tokio::test]
async fn a_server_without_idle_is_polled() {
    let dovecot = Dovecot::start_with(Options {
        extra: "imap_capability = IMAP4rev1 LITERAL+ UIDPLUS\n",
        ..Options::default()
    })
    .await;
    let path = dovecot.mailboxes_file_with("Support", json!({"poll_secs": 1}));
    let server = TestServer::start_with(|c| c.mailboxes = Some(path)).await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    server.queue("Support", &[ann]).await;
    let (_, mut desk) = ready(&server, "ann").await;
    // Two deliveries: the second arrives while the connector sleeps between polls.
    dovecot
        .append(&message(
            "p1@example.com",
            "Polled 1",
            "p1@example.com",
            "",
            "A",
        ))
        .await;
    assert_eq!(
        next_email(&mut desk).await.email.unwrap().subject,
        "Polled 1"
    );
    dovecot
        .append(&message(
            "p2@example.com",
            "Polled 2",
            "p2@example.com",
            "",
            "B",
        ))
        .await;
    assert_eq!(
        next_email(&mut desk).await.email.unwrap().subject,
        "Polled 2"
    );
}

/// SPEC E-1: STARTTLS and TLS to a server whose certificate comes from the company's own CA
/// (named in the mailbox's `ca_file`); without that CA the connection is refused. A message
/// another Switchboard already took (flagged) is not taken again by a new database.
#[tokio::test]
async fn starttls_and_tls_check_the_certificate() {
    let dovecot = Dovecot::start_with(Options {
        tls: true,
        ..Options::default()
    })
    .await;
    let ca = dovecot.ca_file().display().to_string();
    let settings = [
        json!({"security": "starttls", "ca_file": ca}),
        json!({"security": "tls", "port": dovecot.tls_port.unwrap(), "ca_file": ca}),
    ];
    for (n, changes) in settings.into_iter().enumerate() {
        let path = dovecot.mailboxes_file_with("Support", changes.clone());
        let server = TestServer::start_with(|c| c.mailboxes = Some(path)).await;
        let ann = server.create_agent("ann", "agent-pass-1").await;
        server.queue("Support", &[ann]).await;
        let (_, mut desk) = ready(&server, "ann").await;
        let subject = format!("Secure {n}");
        dovecot
            .append(&message(
                "s@example.com",
                &subject,
                &format!("s{n}@example.com"),
                "",
                "Hi",
            ))
            .await;
        let email = next_email(&mut desk).await.email.unwrap();
        assert_eq!(email.subject, subject, "{changes}: only the new message");
    }
    let path = dovecot.mailboxes_file_with(
        "Support",
        json!({"security": "tls", "port": dovecot.tls_port.unwrap()}),
    );
    let server = TestServer::start_with(|c| c.mailboxes = Some(path)).await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    server.queue("Support", &[ann]).await;
    let (_, mut desk) = ready(&server, "ann").await;
    dovecot
        .append(&message(
            "s@example.com",
            "Untrusted",
            "s9@example.com",
            "",
            "Hi",
        ))
        .await;
    assert!(
        silent_until_assigned(&mut desk, 3000).await,
        "a certificate from an unknown CA is refused"
    );
}

/// D-4 with: an email discarded in one tab and then requeued from another tab
/// that still showed it: the requeue is refused and the email comes back to nobody.
#[tokio::test]
async fn discard_and_requeue_from_two_tabs_do_not_revive_the_email() {
    let dovecot = Dovecot::start().await;
    let server = email_server(&dovecot, "Support").await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let bob = server.create_agent("bob", "agent-pass-1").await;
    server.queue("Support", &[ann, bob]).await;
    let (cookie, mut first) = ready(&server, "ann").await;
    let mut second = server.ws(&cookie).await;
    send_json(&mut second, json!({"type": "hello", "resume_after": null})).await;
    wait_for(&mut second, |m| matches!(m, ServerMessage::Synced { .. })).await;
    dovecot.append(&fixture("iso_8859_1")).await;
    let email = next_email(&mut first).await;
    let id = email.contact.0;
    let support = server.services.store.csqs().await.unwrap()[0].id.0;
    send_json(&mut first, json!({"type": "discard", "contact": id})).await;
    assert_eq!(closed(&mut first).await, (id, EndReason::Discarded));
    // The second tab acts on what it showed a moment before.
    send_json(
        &mut second,
        json!({"type": "requeue", "contact": id, "csq": support}),
    )
    .await;
    let refused = wait_for(&mut second, |m| matches!(m, ServerMessage::Rejected { .. })).await;
    assert!(
        matches!(
            refused,
            ServerMessage::Rejected {
                error: CommandError::NotYours | CommandError::ChatEnded,
                ..
            }
        ),
        "{refused:?}"
    );
    let (_, mut bob_desk) = ready(&server, "bob").await;
    assert!(
        silent_until_assigned(&mut bob_desk, 1500).await,
        "discarded stays discarded"
    );
    let (status, _) = server.services.store.agent_status(ann).await.unwrap();
    assert_eq!(
        (status.state, status.contacts_in_hand),
        (AgentState::Ready, 0),
        "released once"
    );
    let _ = bob;
}
