//! Messages left in the widget (issue 17, SPEC K-4, K-5): a real Dovecot mailbox serves the
//! CSQ, a real SMTP server (aiosmtpd on loopback) receives the acknowledgement and the
//! agent's reply, the widget's requests go through the real HTTP endpoints.

use crate::common;

use app::domain::{
    contact::{Channel, ContactStatus, EndReason},
    ids::ContactId,
    refusal::Refusal,
    validate::{Field, FieldError, Problem},
    widget::{WidgetConfig, WidgetMessage},
};
use common::{
    desk::{accept_next, closed, next_email, ready},
    left::{form, support_server, support_server_with},
    smtp::SmtpServer,
    *,
};
use serde_json::{json, Value};
use std::time::Duration;

async fn post(
    server: &TestServer,
    path: &str,
    cookie: Option<&str>,
    body: Value,
) -> reqwest::Response {
    let mut request = reqwest::Client::new().post(server.url(path)).json(&body);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

/// A refusal the widget shows: each input at fault (its name in the widget) with its words.
async fn said(response: reqwest::Response) -> Vec<(&'static str, String)> {
    assert_eq!(response.status(), 422);
    let refusal: Refusal = response.json().await.unwrap();
    refusal
        .errors
        .into_iter()
        .map(|e| {
            let field: &'static str = Box::leak(e.field.into_boxed_str());
            (field, e.message)
        })
        .collect()
}

/// What the widget reads first: the form, the limits, whether a message can be left.
async fn widget_config(server: &TestServer) -> WidgetConfig {
    ok(reqwest::get(server.url("/widget/api/config"))
        .await
        .unwrap())
    .await
}

const MESSAGE: &str = "My parcel is late.\nCould you call me back?";

/// K-4: with nobody of the CSQ logged in, the widget's start is refused as `no_agent` and the
/// configuration offers a message instead. A message left with the form is checked field by
/// field (all at once), then becomes exactly one email contact of the CSQ's mailbox, however
/// often the widget posts it, with the customer's words, phone and problem; the customer gets
/// one acknowledgement from the mailbox, in reply to their message, repeating nothing they
/// typed (and no more than three a day to one address); the agent who logs in
/// later gets the email and answers it, and the reply goes to the customer's address.
#[tokio::test]
async fn k4_a_message_left_with_nobody_logged_in_is_one_email_and_is_acknowledged() {
    let smtp = SmtpServer::start().await;
    let (_dovecot, server) = support_server(&smtp).await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let problem = server.queue("Support", &[ann]).await;

    let config = widget_config(&server).await;
    assert!(config.leave_message, "a mailbox can take a message");
    assert_eq!(config.limits.left_message_chars, 5000);
    let start = post(&server, "/widget/api/start", None, form(problem)).await;
    assert_eq!(start.status(), 503);
    let refusal: Value = start.json().await.unwrap();
    assert_eq!(refusal["error"], "no_agent", "{refusal}");
    let support = server.services.store.csqs().await.unwrap()[0].id;
    assert_eq!(
        server.services.store.waiting_chats(support).await.unwrap(),
        0,
        "no chat waits for nobody"
    );

    // Every field at fault at once, the form's and the message's.
    let mut blank = form(problem);
    blank["name"] = json!("");
    let left = json!({"form": blank, "message": "  ", "client_id": "k1leave"});
    assert_eq!(
        said(post(&server, "/widget/api/message", None, left).await).await,
        [
            ("name", "Name: required".to_string()),
            ("left_message", "Your message: required".to_string())
        ]
    );
    let long = json!({"form": form(problem), "message": "é".repeat(5001), "client_id": "k1leave"});
    let too_long = Problem::TooManyChars {
        max: 5000,
        given: 5001,
    };
    assert_eq!(
        said(post(&server, "/widget/api/message", None, long).await).await,
        [(
            "left_message",
            FieldError::new(Field::LeftMessage, too_long).to_string()
        )]
    );

    let left = json!({"form": form(problem), "message": MESSAGE, "client_id": "k1leave"});
    for _ in 0..2 {
        let answer: Value =
            ok(post(&server, "/widget/api/message", None, left.clone()).await).await;
        assert_eq!(answer["left"], true);
    }

    let acks = smtp.wait_for(1, Duration::from_secs(10)).await;
    let ack = &acks[0];
    assert_eq!(ack.envelope_from, "support@shop.test");
    assert_eq!(ack.envelope_to, ["zoe@example.com"]);
    let m = ack.parsed();
    assert_eq!(
        m.subject(),
        Some("We received your message: Support question")
    );
    let left_id = m
        .in_reply_to()
        .as_text()
        .expect("in reply to the message")
        .to_string();
    assert!(left_id.starts_with("left.k1leave."), "{left_id}");
    let text = m.body_text(0).unwrap().replace("\r\n", "\n");
    assert!(text.starts_with("Hello,"), "{text}");
    assert!(text.contains("“Support question”"), "{text}");
    assert!(text.trim_end().ends_with("Shop Support"), "{text}");
    // Nothing the sender typed: a stranger cannot make the mailbox write their words.
    assert!(!text.contains("parcel") && !text.contains("Zoé"), "{text}");

    // Ann logs in later: the message is one email of Support, from the customer.
    let (cookie, mut desk) = ready(&server, "ann").await;
    let view = next_email(&mut desk).await;
    assert_eq!(view.customer.name, "Zoé Martin");
    let email = view.email.clone().expect("an email");
    assert_eq!(email.subject, "Support question");
    assert_eq!(email.from.address, "zoe@example.com");
    assert_eq!(email.mailbox_address, "support@shop.test");
    let stored = server.services.store.email(view.contact).await.unwrap();
    assert_eq!(
        stored.text_body,
        "My parcel is late.\nCould you call me back?\n\n-- \nPhone: +33 6 12 34 56 78"
    );
    assert!(
        silent_for(&mut desk, 1500).await,
        "posted twice, stored once"
    );
    assert_eq!(smtp.messages().len(), 1, "acknowledged once");

    // Answered like any email: from the mailbox, to the customer, in the same thread.
    let draft = json!({"mode": "reply", "to": ["zoe@example.com"], "cc": [], "bcc": [], "body": "We will call you today."});
    let sent = reqwest::Client::new()
        .post(server.url(&format!("/email/{}/send", view.contact.0)))
        .header("cookie", &cookie)
        .json(&draft)
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 202, "{}", sent.text().await.unwrap());
    assert_eq!(closed(&mut desk).await.1, EndReason::Sent);
    let all = smtp.wait_for(2, Duration::from_secs(10)).await;
    let reply = all
        .iter()
        .find(|c| c.parsed().subject() == Some("Re: Support question"))
        .expect("the reply");
    assert_eq!(reply.envelope_from, "support@shop.test");
    assert_eq!(reply.envelope_to, ["zoe@example.com"]);
    assert_eq!(
        reply.parsed().in_reply_to().as_text(),
        Some(left_id.as_str())
    );

    // Issue 17: once sent, the email is found on the Conversations page by the customer's
    // words and the reply's alike, and its transcript has both.
    let filter = json!({"filter": {"text": "PARCEL call today"}});
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let page = loop {
        let page: app::domain::conversations::ConversationPage = ok(server
            .post_json("/api/conversations/search", &cookie, &filter)
            .await)
        .await;
        if !page.rows.is_empty() || std::time::Instant::now() > deadline {
            break page;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(page.rows.len(), 1);
    assert_eq!(page.rows[0].contact, view.contact);
    assert_eq!(page.rows[0].about, "Support question");
    let text = reqwest::Client::new()
        .get(server.url(&format!("/conversations/{}/transcript.txt", view.contact.0)))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("Subject: Support question\n"), "{text}");
    assert!(text.contains("My parcel is late."), "{text}");
    assert!(
        text.contains("--- Reply sent ---\n\nWe will call you today."),
        "{text}"
    );
    let read: app::domain::customer::PastConversation = ok(server
        .post_json(
            "/api/conversations/read",
            &cookie,
            &json!({ "contact": view.contact }),
        )
        .await)
    .await;
    let email = read.email.expect("the email");
    assert_eq!(
        email.reply.as_deref().map(str::trim),
        Some("We will call you today.")
    );
}

/// K-5: a customer who waited for an agent leaves a message from the chat itself: the
/// message takes the chat's details (name, address, problem), the chat ends for the widget
/// as abandoned, and the agent gets the email. Without a waiting chat (no cookie, or a chat
/// an agent took) nothing is left.
#[tokio::test]
async fn k5_a_customer_tired_of_waiting_leaves_a_message_from_the_chat() {
    let smtp = SmtpServer::start().await;
    let (_dovecot, server) = support_server(&smtp).await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let problem = server.queue("Support", &[ann]).await;
    // Ann is logged in but Not Ready: the chat may start, and waits.
    let session = server.session("ann", "agent-pass-1").await;
    let mut desk = server.ws(&session).await;
    send_json(&mut desk, json!({"type": "hello", "resume_after": null})).await;
    wait_for(&mut desk, |m| {
        matches!(m, app::domain::protocol::ServerMessage::Synced { .. })
    })
    .await;

    let chat = server.start_chat("Ravi Patel", problem).await;
    let mut widget = server.widget(&chat, 0).await;
    let left = json!({"message": "Please email me the invoice.", "client_id": "k2wait"});
    let stranger = post(&server, "/widget/api/message", None, left.clone()).await;
    assert_eq!(stranger.status(), 404, "no chat, no details");

    let answer: Value =
        ok(post(&server, "/widget/api/message", Some(&chat), left.clone()).await).await;
    assert_eq!(answer["left"], true);
    loop {
        if let WidgetMessage::Ended = next_widget(&mut widget).await {
            break;
        }
    }
    let ended = server.services.store.contact(ContactId(1)).await.unwrap();
    assert_eq!(
        (ended.channel, ended.status),
        (Channel::Web, ContactStatus::Ended(EndReason::Abandoned))
    );

    let acks = smtp.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(acks[0].envelope_to, ["customer@example.com"]);
    send_json(&mut desk, json!({"type": "set_state", "ready": true})).await;
    let view = next_email(&mut desk).await;
    assert_eq!(view.customer.name, "Ravi Patel");
    assert_eq!(view.email.unwrap().subject, "Support question");
    let stored = server.services.store.email(view.contact).await.unwrap();
    assert_eq!(stored.text_body, "Please email me the invoice.");

    // The answer was lost and the widget posts again, the chat over by now: stored once.
    let answer: Value = ok(post(&server, "/widget/api/message", Some(&chat), left).await).await;
    assert_eq!(answer["left"], true);
    assert!(silent_for(&mut desk, 1500).await, "no second email");
    assert_eq!(smtp.messages().len(), 1, "acknowledged once");
}

/// K-4: the same message posted twice at once is one email; an address gets three
/// acknowledgements a day at most, however many messages are left with it (each message
/// is still taken).
#[tokio::test]
async fn k4_messages_are_taken_once_and_an_address_is_acknowledged_three_times_a_day() {
    let smtp = SmtpServer::start().await;
    let (_dovecot, server) = support_server(&smtp).await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let problem = server.queue("Support", &[ann]).await;

    let twice = json!({"form": form(problem), "message": MESSAGE, "client_id": "k1twice"});
    let (a, b) = tokio::join!(
        post(&server, "/widget/api/message", None, twice.clone()),
        post(&server, "/widget/api/message", None, twice)
    );
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    for n in 2..=4 {
        let more =
            json!({"form": form(problem), "message": MESSAGE, "client_id": format!("k{n}more")});
        ok::<Value>(post(&server, "/widget/api/message", None, more).await).await;
    }
    let store = &server.services.store;
    for id in 1..=4 {
        let contact = store.contact(ContactId(id)).await.unwrap();
        assert_eq!(contact.channel, Channel::Email, "message {id} taken");
    }
    assert!(
        store.contact(ContactId(5)).await.is_err(),
        "posted twice at once, taken once"
    );
    // Three acknowledgements a day to one address: the fourth message has none.
    assert!(store.outbox_of(ContactId(4)).await.unwrap().is_empty());
    let sent = smtp.wait_for(3, Duration::from_secs(10)).await;
    assert!(sent.iter().all(|m| m.envelope_to == ["zoe@example.com"]));
}

/// Issue 17: with an email in hand, the agent says its customer is a known one ("Same
/// customer as…", as from a chat): the email then belongs to the customer of the earlier
/// chat, whose history it shows; an agent without the email can neither look up nor link.
#[tokio::test]
async fn an_email_in_hand_is_linked_to_the_customer_of_an_earlier_chat() {
    use app::domain::protocol::{AgentEvent, CommandError, ServerMessage};
    let smtp = SmtpServer::start().await;
    let (_dovecot, server) = support_server(&smtp).await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let problem = server.queue("Support", &[ann]).await;
    let (_, mut desk) = ready(&server, "ann").await;
    // An earlier chat, from customer@example.com, which Ann takes and ends.
    server.start_chat("Ravi Patel", problem).await;
    let chat = accept_next(&mut desk).await;
    send_json(
        &mut desk,
        json!({"type": "end_chat", "contact": chat.contact}),
    )
    .await;
    // A message left from another address: an email of another customer, Ann's.
    let left = json!({"form": form(problem), "message": "Hello", "client_id": "k1link"});
    assert_eq!(
        post(&server, "/widget/api/message", None, left)
            .await
            .status(),
        200
    );
    let email = next_email(&mut desk).await;
    assert_ne!(email.customer.id, chat.customer.id);

    let find = json!({"type": "find_customer", "contact": email.contact, "address": "customer@example.com"});
    let link =
        json!({"type": "link_customer", "contact": email.contact, "customer": chat.customer.id});
    server.create_agent("bob", "agent-pass-1").await;
    let mut other = server.desktop_ready("bob").await;
    for command in [find.clone(), link.clone()] {
        send_json(&mut other, command).await;
        let refused = wait_for(&mut other, |m| matches!(m, ServerMessage::Rejected { .. })).await;
        assert!(
            matches!(
                refused,
                ServerMessage::Rejected {
                    error: CommandError::NotYours,
                    ..
                }
            ),
            "{refused:?}"
        );
    }

    send_json(&mut desk, find).await;
    let found = wait_for(&mut desk, |m| {
        matches!(m, ServerMessage::CustomerFound { .. })
    })
    .await;
    let ServerMessage::CustomerFound { found, .. } = found else {
        unreachable!()
    };
    assert_eq!(
        found.expect("the chat's customer").customer.id,
        chat.customer.id
    );
    send_json(&mut desk, link).await;
    let linked = wait_for(&mut desk, |m| {
        matches!(m, ServerMessage::Event(e) if matches!(e.event, AgentEvent::CustomerLinked { .. }))
    })
    .await;
    let ServerMessage::Event(envelope) = linked else {
        unreachable!()
    };
    let AgentEvent::CustomerLinked {
        contact,
        customer,
        history,
        ..
    } = envelope.event
    else {
        unreachable!()
    };
    assert_eq!((contact, customer.id), (email.contact, chat.customer.id));
    assert!(
        history.iter().any(|p| p.contact == chat.contact),
        "the chat in the email's history: {history:?}"
    );
    assert_eq!(
        server
            .services
            .store
            .contact(email.contact)
            .await
            .unwrap()
            .customer,
        chat.customer.id
    );
}

/// The `sb_customer=…` cookie a response sets, if it sets one.
fn customer_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sb_customer="))
        .map(|v| v.split(';').next().unwrap().to_string())
}

/// Issue 17: a message left from the form with an address nobody had makes its customer,
/// and the browser is remembered as theirs: their next chat from it, with that address, is
/// the same customer's, so the agent sees the message among its earlier conversations. A
/// message left with an address someone already has remembers nobody (typing an address
/// takes over no one).
#[tokio::test]
async fn a_message_left_with_a_new_address_remembers_the_browser_as_its_customer() {
    let smtp = SmtpServer::start().await;
    let (_dovecot, server) = support_server(&smtp).await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let problem = server.queue("Support", &[ann]).await;
    let left = json!({"form": form(problem), "message": MESSAGE, "client_id": "k1first"});
    let answer = post(&server, "/widget/api/message", None, left).await;
    assert_eq!(answer.status(), 200);
    let browser = customer_cookie(&answer).expect("the browser is remembered");

    let (_, mut desk) = ready(&server, "ann").await;
    let email = next_email(&mut desk).await;
    let started = post(&server, "/widget/api/start", Some(&browser), form(problem)).await;
    assert_eq!(started.status(), 200);
    let chat = accept_next(&mut desk).await;
    assert_eq!(chat.customer.id, email.customer.id);
    assert!(
        chat.history
            .iter()
            .any(|past| past.contact == email.contact),
        "{:?}",
        chat.history
    );

    let again = json!({"form": form(problem), "message": MESSAGE, "client_id": "k1second"});
    let answer = post(&server, "/widget/api/message", None, again).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(customer_cookie(&answer), None);
}

/// A multipart body as a browser's `FormData` writes it: the message as the part `left`,
/// then each file as a part `file`; and its content type.
fn with_files(left: &Value, files: &[(&str, &str, Vec<u8>)]) -> (String, Vec<u8>) {
    const BOUNDARY: &str = "----switchboard-test-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"left\"; filename=\"blob\"\r\n\
             Content-Type: application/json\r\n\r\n{left}\r\n"
        )
        .as_bytes(),
    );
    for (name, content_type, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
                 Content-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

async fn post_with_files(
    server: &TestServer,
    left: &Value,
    files: &[(&str, &str, Vec<u8>)],
) -> reqwest::Response {
    let (content_type, body) = with_files(left, files);
    reqwest::Client::new()
        .post(server.url("/widget/api/message/with-files"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Issue 17 (K-4): files sent with a left message are its email's attachments, byte for
/// byte, stored once however often the widget posts it. Limits as for a reply's (SPEC
/// a program, an eleventh file, a file over 10 MB and files over 20 MB together are
/// each refused with the file's name and the limit; a form at fault is refused before any
/// file is read; a refused message leaves nothing behind, neither an email nor a file.
#[tokio::test]
async fn k4_files_left_with_a_message_are_its_emails_attachments_within_the_limits() {
    let smtp = SmtpServer::start().await;
    // Every refusal counts against the address's allowance, as a chat's start does.
    let (_dovecot, server) = support_server_with(&smtp, |c| c.chat_starts_per_minute = 20).await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let problem = server.queue("Support", &[ann]).await;
    let config = widget_config(&server).await;
    assert_eq!(
        (
            config.limits.files,
            config.limits.file_bytes,
            config.limits.files_bytes
        ),
        (10, 10 * 1024 * 1024, 20 * 1024 * 1024)
    );

    let refused = |name: &str, problem: Problem| {
        FieldError::new(Field::Attachment(name.into()), problem).to_string()
    };
    let left = |id: &str| json!({"form": form(problem), "message": MESSAGE, "client_id": id});
    let mb = 1024 * 1024;
    let program = post_with_files(
        &server,
        &left("k1program"),
        &[(
            "setup.exe",
            "application/octet-stream",
            b"MZ\x90\x00".to_vec(),
        )],
    )
    .await;
    assert_eq!(
        said(program).await,
        [("attachment", refused("setup.exe", Problem::RefusedType))]
    );
    let eleven: Vec<(&str, &str, Vec<u8>)> = (0..11)
        .map(|i| {
            let name: &str = Box::leak(format!("note{i}.txt").into_boxed_str());
            (name, "text/plain", b"a note".to_vec())
        })
        .collect();
    assert_eq!(
        said(post_with_files(&server, &left("k1eleven"), &eleven).await).await,
        [(
            "attachment",
            refused("note10.txt", Problem::TooManyFiles { max: 10 })
        )]
    );
    let big = post_with_files(
        &server,
        &left("k1big"),
        &[("scan.pdf", "application/pdf", vec![b'x'; 10 * mb + 1])],
    )
    .await;
    assert_eq!(big.status(), 413);
    let refusal: Refusal = big.json().await.unwrap();
    assert_eq!(refusal.errors[0].field, "attachment");
    assert!(
        refusal.errors[0]
            .message
            .starts_with("\"scan.pdf\": larger than the 10 MB limit"),
        "{}",
        refusal.errors[0].message
    );
    let together = post_with_files(
        &server,
        &left("k1together"),
        &[
            ("a.pdf", "application/pdf", vec![b'a'; 10 * mb]),
            ("b.pdf", "application/pdf", vec![b'b'; 10 * mb]),
            ("c.pdf", "application/pdf", vec![b'c'; 10]),
        ],
    )
    .await;
    assert_eq!(together.status(), 413);
    let refusal: Refusal = together.json().await.unwrap();
    assert!(
        refusal.errors[0]
            .message
            .starts_with("\"c.pdf\": the attachments would come to"),
        "{}",
        refusal.errors[0].message
    );
    let mut blank = form(problem);
    blank["name"] = json!("");
    let nameless = json!({"form": blank, "message": MESSAGE, "client_id": "k1nameless"});
    assert_eq!(
        said(
            post_with_files(
                &server,
                &nameless,
                &[("setup.exe", "application/octet-stream", b"MZ".to_vec())]
            )
            .await
        )
        .await,
        [("name", "Name: required".to_string())]
    );
    let store = &server.services.store;
    assert!(
        store.contact(ContactId(1)).await.is_err(),
        "nothing refused was taken"
    );
    let files = &server.services.email.files;
    for bytes in [vec![b'a'; 10 * mb], b"a note".to_vec()] {
        let sha = sha256_hex(&bytes);
        assert!(
            !files.present(&sha, bytes.len() as u64).await.unwrap(),
            "a refused message's file is not kept"
        );
    }

    let staged: Vec<_> = std::fs::read_dir(server.data_dir().join("uploads"))
        .map(|dir| dir.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(staged.is_empty(), "nothing staged stays: {staged:?}");

    // Within the limits: taken once, however often posted, with its files in order.
    let invoice = b"%PDF-1.4 invoice 4512".to_vec();
    let photo = vec![0x89, b'P', b'N', b'G', 1, 2, 3];
    let both = [
        ("invoice 4512.pdf", "application/pdf", invoice.clone()),
        ("parcel.png", "image/png", photo.clone()),
    ];
    for _ in 0..2 {
        let answer: Value = ok(post_with_files(&server, &left("k1files"), &both).await).await;
        assert_eq!(answer["left"], true);
    }
    let (cookie, mut desk) = ready(&server, "ann").await;
    let view = next_email(&mut desk).await;
    let email = view.email.expect("an email");
    let attached: Vec<(&str, &str, u64)> = email
        .attachments
        .iter()
        .map(|a| (a.name.as_str(), a.content_type.as_str(), a.size))
        .collect();
    assert_eq!(
        attached,
        [
            ("invoice 4512.pdf", "application/pdf", invoice.len() as u64),
            ("parcel.png", "image/png", photo.len() as u64)
        ]
    );
    for (attachment, bytes) in email.attachments.iter().zip([&invoice, &photo]) {
        let got = reqwest::Client::new()
            .get(server.url(&format!("/email/attachments/{}", attachment.id.0)))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(got.status(), 200);
        assert_eq!(&got.bytes().await.unwrap()[..], &bytes[..]);
    }
    assert!(
        silent_for(&mut desk, 1500).await,
        "posted twice, taken once"
    );
    assert_eq!(smtp.wait_for(1, Duration::from_secs(10)).await.len(), 1);
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
