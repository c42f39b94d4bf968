//! Email replies end to end on the server (SPEC ): a real
//! Dovecot brings the customer's email, the agent's draft, files and send go through the
//! real HTTP endpoints, and what a real SMTP server (aiosmtpd on loopback) receives is
//! parsed and checked part by part.

use crate::common;

use app::domain::{
    contact::EndReason,
    ids::AgentId,
    reply::{Draft, DraftFile},
    state::AgentState,
};
use common::{
    desk::{closed, next_email, ready},
    imap::{fixture, Dovecot},
    smtp::SmtpServer,
    *,
};
use mail_parser::{MimeHeaders, PartType};
use serde_json::{json, Value};
use std::time::Duration;

const SIGNATURE: &str = "<p><b>Switchboard Shop</b> · Support team</p><script>x()</script>";

fn mailbox_settings(smtp: &SmtpServer) -> Value {
    json!({
        "address": "support@shop.test",
        "display_name": "Shop Support",
        "signature_html": SIGNATURE,
        "smtp": smtp.settings(),
    })
}

/// Dovecot, our server reading it and sending through `smtp`, and Ann Ready in Support on a
/// desktop socket (with her session cookie): the start of every test here.
async fn ann_ready(smtp: &SmtpServer) -> (Dovecot, TestServer, AgentId, String, Ws) {
    ann_ready_with(mailbox_settings(smtp)).await
}

/// The same, with the mailbox's settings given.
async fn ann_ready_with(settings: Value) -> (Dovecot, TestServer, AgentId, String, Ws) {
    let dovecot = Dovecot::start().await;
    let path = dovecot.mailboxes_file_with("Support", settings);
    let server = TestServer::start_with(|c| {
        c.mailboxes = Some(path);
        c.smtp_retry_max_secs = 1;
    })
    .await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    server.queue("Support", &[ann]).await;
    let (cookie, ws) = ready(&server, "ann").await;
    (dovecot, server, ann, cookie, ws)
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

async fn put_draft(
    server: &TestServer,
    cookie: &str,
    contact: i64,
    draft: Value,
) -> reqwest::Response {
    client()
        .put(server.url(&format!("/email/{contact}/draft")))
        .header("cookie", cookie)
        .json(&draft)
        .send()
        .await
        .unwrap()
}

async fn upload(
    server: &TestServer,
    cookie: &str,
    contact: i64,
    name: &str,
    content_type: &str,
    inline: bool,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let inline = if inline { "&inline=1" } else { "" };
    client()
        .post(server.url(&format!(
            "/email/{contact}/files?name={}{inline}",
            name.replace(' ', "%20")
        )))
        .header("cookie", cookie)
        .header("content-type", content_type)
        .body(bytes)
        .send()
        .await
        .unwrap()
}

async fn send(server: &TestServer, cookie: &str, contact: i64, draft: Value) -> reqwest::Response {
    client()
        .post(server.url(&format!("/email/{contact}/send")))
        .header("cookie", cookie)
        .json(&draft)
        .send()
        .await
        .unwrap()
}

/// Bytes that survive no re-encoding by accident: every byte value, repeated.
fn binary(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 256) as u8).collect()
}

fn png() -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend(binary(300));
    b
}

/// SPEC, W-1: a Reply All with formatting, a pasted image, a file
/// and a Bcc reaches the SMTP server as multipart/mixed(related(alternative(text, html),
/// image), file), threaded on the customer's message, with the signature the agent never
/// saw, Bcc only in the envelope; the contact closes at once and the draft is gone.
#[tokio::test]
async fn a_reply_reaches_the_smtp_server_as_a_well_formed_message() {
    let smtp = SmtpServer::start().await;
    let (dovecot, server, ann, cookie, mut desk) = ann_ready(&smtp).await;

    dovecot.append(&fixture("multipart_alternative")).await;
    let view = next_email(&mut desk).await;
    let id = view.contact.0;
    assert_eq!(
        view.email.as_ref().unwrap().mailbox_address,
        "support@shop.test"
    );

    let pdf = binary(50_000);
    let file: DraftFile = upload(
        &server,
        &cookie,
        id,
        "invoice copy.pdf",
        "application/pdf",
        false,
        pdf.clone(),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        (file.name.as_str(), file.size),
        ("invoice copy.pdf", 50_000)
    );
    let image: DraftFile = upload(&server, &cookie, id, "pasted.png", "image/png", true, png())
        .await
        .json()
        .await
        .unwrap();
    assert!(image.inline);
    let shown = client()
        .get(server.url(&format!("/email/{id}/files/{}", image.id)))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        shown.headers()["content-type"],
        "image/png",
        "the editor shows it"
    );

    let body = format!(
        "<p>Dear Ann,</p><p><b>Sorry</b> about the <i>lid</i>, <u>really</u>.</p>\
         <ul><li>replacement sent</li></ul><ol><li>track it</li></ol>\
         <p style=\"text-align: center\">See <a href=\"https://shop.test/track\">tracking</a>.</p>\
         <p><img src=\"/email/{id}/files/{}\"></p><script>alert(1)</script>",
        image.id
    );
    let draft = json!({
        "mode": "reply_all",
        "to": ["ann.lee@example.com", "bo@example.org"],
        "cc": ["ops@example.org"],
        "bcc": ["audit@shop.test"],
        "body": body,
    });
    let saved: Draft = put_draft(&server, &cookie, id, draft.clone())
        .await
        .json()
        .await
        .unwrap();
    assert!(
        !saved.input.body.contains("script"),
        "cleaned before it is stored"
    );
    assert_eq!(saved.files.len(), 2);

    let response = send(&server, &cookie, id, draft).await;
    assert_eq!(response.status(), 202, "{}", response.text().await.unwrap());
    assert_eq!(closed(&mut desk).await.1, EndReason::Sent, "closes at once");

    let messages = smtp.wait_for(1, Duration::from_secs(10)).await;
    let captured = &messages[0];
    assert_eq!(captured.envelope_from, "support@shop.test");
    let mut rcpt = captured.envelope_to.clone();
    rcpt.sort();
    assert_eq!(
        rcpt,
        [
            "ann.lee@example.com",
            "audit@shop.test",
            "bo@example.org",
            "ops@example.org"
        ]
    );
    let raw = String::from_utf8_lossy(&captured.raw).to_string();
    assert!(
        !raw.to_lowercase().contains("\nbcc:"),
        "Bcc is in no header"
    );
    let m = captured.parsed();
    assert_eq!(m.subject(), Some("Re: Order #4711 arrived damaged"));
    assert_eq!(
        m.in_reply_to().as_text(),
        Some("CAF4711.ann@mail.example.com")
    );
    let references: Vec<String> = m
        .references()
        .as_text_list()
        .unwrap_or_default()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        references.contains(&"CAF4711.ann@mail.example.com".to_string()),
        "{references:?}"
    );
    assert!(m.message_id().unwrap().ends_with("@shop.test"));
    let from = m.from().unwrap().first().unwrap();
    assert_eq!(
        (from.name(), from.address()),
        (Some("Shop Support"), Some("support@shop.test"))
    );
    assert_eq!(m.to().unwrap().iter().count(), 2);
    assert_eq!(
        m.cc().unwrap().first().unwrap().address(),
        Some("ops@example.org")
    );
    assert_eq!(m.content_type().unwrap().subtype(), Some("mixed"));

    let html = m.body_html(0).unwrap().to_string();
    for kept in [
        "<b>Sorry</b>",
        "<i>lid</i>",
        "<u>really</u>",
        "<ul><li>replacement sent</li></ul>",
        "<ol><li>track it</li></ol>",
        "text-align:center",
        "href=\"https://shop.test/track\"",
        "<b>Switchboard Shop</b> · Support team",
        "the parcel arrived with a broken lid",
    ] {
        assert!(html.contains(kept), "{kept} in {html}");
    }
    assert!(
        !html.contains("script") && !html.contains("x()"),
        "signature sanitized too"
    );
    let text = m.body_text(0).unwrap().to_string();
    assert!(text.contains("Sorry about the lid, really."), "{text}");
    assert!(text.contains("- replacement sent") && text.contains("1. track it"));
    assert!(
        text.contains("> the parcel arrived"),
        "the original quoted: {text}"
    );

    // The pasted image is a related part the HTML shows by its Content-ID.
    let cid = m
        .parts
        .iter()
        .find_map(|p| {
            p.content_id()
                .filter(|_| p.content_type().is_some_and(|c| c.subtype() == Some("png")))
        })
        .expect("the pasted image as a related part")
        .to_string();
    assert!(html.contains(&format!("cid:{cid}")), "{html}");
    assert!(m.parts.iter().any(|p| p
        .content_type()
        .is_some_and(|c| c.subtype() == Some("related"))));
    let attachment = m
        .attachments()
        .find(|a| a.attachment_name() == Some("invoice copy.pdf"))
        .expect("the file attached");
    assert_eq!(attachment.contents(), pdf.as_slice(), "byte-identical");
    assert!(matches!(attachment.body, PartType::Binary(_)));

    assert_eq!(
        server.services.store.draft(view.contact).await.unwrap(),
        None,
        "the draft goes once the reply is sent"
    );
    let (status, _) = server.services.store.agent_status(ann).await.unwrap();
    assert_eq!(status.state, AgentState::Ready, "nothing left in hand");
}

/// SPEC R-6: a forward carries the customer's files (no others may be added), goes to the
/// address the agent chose with Reply-To set to the customer, subject "Fwd:", not threaded.
#[tokio::test]
async fn a_forward_carries_the_originals_and_replies_go_to_the_customer() {
    let smtp = SmtpServer::start().await;
    let (dovecot, server, _, cookie, mut desk) = ann_ready(&smtp).await;
    dovecot.append(&fixture("several_attachments")).await;
    let view = next_email(&mut desk).await;
    let id = view.contact.0;

    let draft =
        json!({"mode": "forward", "to": ["claims@partner.test"], "body": "<p>Please check.</p>"});
    assert_eq!(
        put_draft(&server, &cookie, id, draft.clone())
            .await
            .status(),
        200
    );
    let refused = upload(
        &server,
        &cookie,
        id,
        "extra.pdf",
        "application/pdf",
        false,
        binary(10),
    )
    .await;
    assert_eq!(refused.status(), 422);
    let refusal: Value = refused.json().await.unwrap();
    assert!(
        refusal["message"]
            .as_str()
            .unwrap()
            .contains("\"extra.pdf\": a forward carries"),
        "{refusal}"
    );

    assert_eq!(send(&server, &cookie, id, draft).await.status(), 202);
    let messages = smtp.wait_for(1, Duration::from_secs(10)).await;
    let m = messages[0].parsed();
    assert_eq!(m.subject(), Some("Fwd: Documents for my claim"));
    assert_eq!(
        m.reply_to().unwrap().first().unwrap().address(),
        Some("carl@example.de")
    );
    assert_eq!(
        m.to().unwrap().first().unwrap().address(),
        Some("claims@partner.test")
    );
    assert!(
        m.in_reply_to().is_empty(),
        "a forward is not part of the customer's thread"
    );
    let names: Vec<_> = m
        .attachments()
        .filter_map(|a| a.attachment_name())
        .collect();
    assert_eq!(names, ["receipt.pdf", "photo.png", "notes.txt"]);
    let original = mail_parser::MessageParser::default()
        .parse(&fixture("several_attachments"))
        .unwrap()
        .attachments()
        .map(|a| a.contents().to_vec())
        .collect::<Vec<_>>();
    let sent: Vec<Vec<u8>> = m.attachments().map(|a| a.contents().to_vec()).collect();
    assert_eq!(sent, original, "the customer's files, byte-identical");
    assert!(m.body_text(0).unwrap().contains("Forwarded message"));
}

/// SPEC: limits hold whatever the page sends: a file over 10 MB is refused
/// while it streams, the 11th file and a total over 20 MB are refused naming the file and
/// the limit, programs are refused, 21 Cc addresses are refused naming Cc; what was
/// attached stays. Another agent can touch nothing.
#[tokio::test]
async fn limits_are_enforced_by_the_server_and_nothing_attached_is_lost() {
    let smtp = SmtpServer::start().await;
    let (dovecot, server, _, cookie, mut desk) = ann_ready(&smtp).await;
    server.create_agent("bob", "agent-pass-1").await;
    let bob = server.session("bob", "agent-pass-1").await;
    dovecot.append(&fixture("multipart_alternative")).await;
    let id = next_email(&mut desk).await.contact.0;

    let big = upload(
        &server,
        &cookie,
        id,
        "video.mp4",
        "video/mp4",
        false,
        vec![0; 11 * 1024 * 1024],
    )
    .await;
    assert_eq!(big.status(), 413);
    let message = big.json::<Value>().await.unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("\"video.mp4\"") && message.contains("10 MB limit"),
        "{message}"
    );

    for i in 0..2 {
        let r = upload(
            &server,
            &cookie,
            id,
            &format!("part{i}.bin"),
            "application/octet-stream",
            false,
            vec![1; 9 * 1024 * 1024],
        )
        .await;
        assert_eq!(r.status(), 201);
    }
    let over = upload(
        &server,
        &cookie,
        id,
        "third.bin",
        "application/octet-stream",
        false,
        vec![2; 3 * 1024 * 1024],
    )
    .await;
    assert_eq!(over.status(), 413);
    let message = over.json::<Value>().await.unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("\"third.bin\"") && message.contains("20 MB limit together"),
        "{message}"
    );
    for i in 2..10 {
        let r = upload(
            &server,
            &cookie,
            id,
            &format!("small{i}.txt"),
            "text/plain",
            false,
            b"x".to_vec(),
        )
        .await;
        assert_eq!(r.status(), 201);
    }
    let eleventh = upload(
        &server,
        &cookie,
        id,
        "eleven.txt",
        "text/plain",
        false,
        b"x".to_vec(),
    )
    .await;
    assert_eq!(eleventh.status(), 422);
    assert!(eleventh
        .text()
        .await
        .unwrap()
        .contains("\\\"eleven.txt\\\": at most 10 attachments"));
    let draft = server
        .services
        .store
        .draft(app::domain::ids::ContactId(id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(draft.files.len(), 10, "everything attached before stays");

    let program = upload(
        &server,
        &cookie,
        id,
        "tool.exe",
        "application/octet-stream",
        false,
        b"MZ".to_vec(),
    )
    .await;
    assert_eq!(program.status(), 422, "and is checked by type");

    let cc: Vec<String> = (0..21).map(|i| format!("p{i}@example.com")).collect();
    let refused = put_draft(
        &server,
        &cookie,
        id,
        json!({"mode": "reply", "to": ["ann.lee@example.com"], "cc": cc, "body": "x"}),
    )
    .await;
    assert_eq!(refused.status(), 422);
    let refusal: Value = refused.json().await.unwrap();
    assert_eq!(refusal["message"], "Cc: at most 20 allowed (21 given)");
    assert_eq!(refusal["error"], "invalid");
    assert_eq!(refusal["errors"][0]["field"], "cc");
    // Every route refuses in that one shape: a body that is not a draft, a path that is
    // not a contact, no session, an email of someone else.
    let url = server.url(&format!("/email/{id}/draft"));
    let not_json = client()
        .put(&url)
        .header("cookie", &cookie)
        .header("content-type", "application/json")
        .body("{\"mode\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    let body: Value = not_json.json().await.unwrap();
    assert_eq!(body["error"], "malformed", "{body}");
    let wrong_path = client()
        .put(server.url("/email/abc/draft"))
        .header("cookie", &cookie)
        .json(&json!({"mode": "reply", "to": [], "body": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_path.status(), 400);
    let body: Value = wrong_path.json().await.unwrap();
    assert_eq!(body["error"], "malformed", "{body}");
    let signed_out = client().put(&url).json(&json!({})).send().await.unwrap();
    assert_eq!(signed_out.status(), 401);
    let body: Value = signed_out.json().await.unwrap();
    assert_eq!(body["error"], "not_signed_in", "{body}");
    server.create_agent("carl", "agent-pass-3").await;
    let carl = server.session("carl", "agent-pass-3").await;
    let not_his = put_draft(
        &server,
        &carl,
        id,
        json!({"mode": "reply", "to": [], "body": ""}),
    )
    .await;
    assert_eq!(not_his.status(), 404);
    let body: Value = not_his.json().await.unwrap();
    assert_eq!(body["error"], "not_found", "{body}");
    let bad = send(
        &server,
        &cookie,
        id,
        json!({"mode": "reply", "to": ["not an address"], "body": "x"}),
    )
    .await;
    assert_eq!(bad.status(), 422);

    let theirs = upload(
        &server,
        &bob,
        id,
        "a.txt",
        "text/plain",
        false,
        b"x".to_vec(),
    )
    .await;
    assert_eq!(theirs.status(), 404, "only the agent holding the email");
    let theirs = put_draft(
        &server,
        &bob,
        id,
        json!({"mode": "reply", "to": [], "body": "x"}),
    )
    .await;
    assert_eq!(theirs.status(), 404);
    let file = &draft.files[0];
    let url = server.url(&format!("/email/{id}/files/{}", file.id));
    let read = client()
        .get(&url)
        .header("cookie", &bob)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 404, "nor read its files");
    let removed = client()
        .delete(&url)
        .header("cookie", &bob)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 404, "nor remove them");
    let sent = send(
        &server,
        &bob,
        id,
        json!({"mode": "reply", "to": ["a@example.com"], "body": "x"}),
    )
    .await;
    assert_eq!(sent.status(), 404, "nor send");
    let own = client()
        .get(&url)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    assert!(smtp.messages().is_empty());
}

/// SPEC R-7: with the SMTP server down the reply waits in the outbox (the contact closed
/// for the agent at once), survives a restart, and goes out once the server is back.
#[tokio::test]
async fn the_outbox_waits_for_the_smtp_server_across_a_restart() {
    let mut smtp = SmtpServer::start().await;
    let (dovecot, server, _, cookie, mut desk) = ann_ready(&smtp).await;
    dovecot.append(&fixture("multipart_alternative")).await;
    let view = next_email(&mut desk).await;

    smtp.stop();
    let draft =
        json!({"mode": "reply", "to": ["ann.lee@example.com"], "body": "<p>On its way.</p>"});
    assert_eq!(
        send(&server, &cookie, view.contact.0, draft).await.status(),
        202
    );
    assert_eq!(closed(&mut desk).await.1, EndReason::Sent);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let outbox = server.services.store.outbox_of(view.contact).await.unwrap();
        if outbox[0].attempts >= 1 {
            assert_eq!(outbox[0].state, "pending");
            assert!(outbox[0].last_error.is_some());
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "an attempt was made"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(desk);
    let settings = mailbox_settings(&smtp);
    let path = dovecot.mailboxes_file_with("Support", settings);
    let server = server
        .restart_with(|c| {
            c.mailboxes = Some(path);
            c.smtp_retry_max_secs = 1;
        })
        .await;
    assert!(smtp.messages().is_empty());
    smtp.resume().await;
    let messages = smtp.wait_for(1, Duration::from_secs(15)).await;
    assert_eq!(messages.len(), 1, "sent once");
    assert!(messages[0]
        .parsed()
        .body_text(0)
        .unwrap()
        .contains("On its way."));
    // The server marks it sent once the SMTP server has answered (a moment after the file).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let outbox = server.services.store.outbox_of(view.contact).await.unwrap();
        if outbox[0].state == "sent" {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{outbox:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(smtp.messages().len(), 1, "and never again");
}

/// SPEC R-7: a permanent refusal gives the email back to its agent with the server's
/// error and the draft as it was; Q-2: discarding it then deletes the draft and its files.
#[tokio::test]
async fn a_refused_reply_comes_back_with_its_draft_then_discard_deletes_it() {
    let smtp = SmtpServer::start().await;
    let (dovecot, server, ann, cookie, mut desk) = ann_ready(&smtp).await;
    dovecot.append(&fixture("multipart_alternative")).await;
    let id = next_email(&mut desk).await.contact.0;
    let file: DraftFile = upload(
        &server,
        &cookie,
        id,
        "notes.txt",
        "text/plain",
        false,
        b"kept".to_vec(),
    )
    .await
    .json()
    .await
    .unwrap();

    let draft =
        json!({"mode": "reply", "to": ["nobody@refused.test"], "body": "<p>Hello there</p>"});
    assert_eq!(send(&server, &cookie, id, draft).await.status(), 202);
    assert_eq!(closed(&mut desk).await.1, EndReason::Sent);
    let back = next_email(&mut desk).await;
    assert_eq!(back.contact.0, id);
    let draft = back.email.unwrap().draft.expect("the draft intact");
    assert!(
        draft.send_error.as_deref().unwrap().contains("550"),
        "{draft:?}"
    );
    assert_eq!(draft.input.to, ["nobody@refused.test"]);
    assert!(draft.input.body.contains("Hello there"));
    assert_eq!(draft.files, std::slice::from_ref(&file));
    let (status, _) = server.services.store.agent_status(ann).await.unwrap();
    assert_eq!(status.state, AgentState::Reserved);

    let sha = server
        .services
        .store
        .draft_file(file.id)
        .await
        .unwrap()
        .sha256;
    let files = &server.services.email.files;
    assert!(files.read(&sha).await.is_ok());
    send_json(&mut desk, json!({"type": "discard", "contact": id})).await;
    assert_eq!(closed(&mut desk).await.1, EndReason::Discarded);
    assert_eq!(
        server.services.store.draft(back.contact).await.unwrap(),
        None
    );
    assert!(
        matches!(
            files.read(&sha).await,
            Err(server::files::FileError::Missing(_))
        ),
        "the draft's file is deleted with it"
    );
}

/// SPEC A-3: an upload that declares no size is read only until it passes the limit: the
/// server answers 413 naming the file long before the 30 MB the client would send, and
/// keeps nothing of it.
#[tokio::test]
async fn an_upload_of_unknown_size_is_cut_off_at_the_limit() {
    use std::sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    };
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let smtp = SmtpServer::start().await;
    let (dovecot, server, _, cookie, mut desk) = ann_ready(&smtp).await;
    dovecot.append(&fixture("multipart_alternative")).await;
    let id = next_email(&mut desk).await.contact;

    let stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let head = format!(
        "POST /email/{id}/files?name=endless.bin HTTP/1.1\r\nHost: {}\r\nCookie: {cookie}\r\n\
         Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n",
        server.addr
    );
    writer.write_all(head.as_bytes()).await.unwrap();
    let sent = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let (sent_w, stop_w) = (sent.clone(), stop.clone());
    let sender = tokio::spawn(async move {
        let chunk = vec![7u8; 64 * 1024];
        let frame = [
            format!("{:x}\r\n", chunk.len()).into_bytes(),
            chunk,
            b"\r\n".to_vec(),
        ]
        .concat();
        while !stop_w.load(Ordering::Relaxed) && sent_w.load(Ordering::Relaxed) < 30 * 1024 * 1024 {
            if writer.write_all(&frame).await.is_err() {
                return;
            }
            sent_w.fetch_add(64 * 1024, Ordering::Relaxed);
        }
    });
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    let at_answer = loop {
        let n = tokio::time::timeout(Duration::from_secs(20), reader.read(&mut buf))
            .await
            .expect("an answer")
            .unwrap();
        response.extend_from_slice(&buf[..n]);
        if response.windows(4).any(|w| w == b"\r\n\r\n") || n == 0 {
            break sent.load(Ordering::Relaxed);
        }
    };
    stop.store(true, Ordering::Relaxed);
    sender.abort();
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(
        at_answer < 20 * 1024 * 1024,
        "refused while streaming, after {at_answer} bytes"
    );
    assert_eq!(
        server.services.store.draft(id).await.unwrap(),
        None,
        "nothing kept"
    );
}

/// Sends a one-line reply through a protected SMTP server; returns what it received.
async fn reply_over_tls(
    server: &TestServer,
    cookie: &str,
    contact: i64,
    smtp: &SmtpServer,
) -> common::smtp::Captured {
    let draft =
        json!({"mode": "reply", "to": ["ann.lee@example.com"], "body": "<p>Sent over TLS.</p>"});
    assert_eq!(send(server, cookie, contact, draft).await.status(), 202);
    let mut messages = smtp.wait_for(1, Duration::from_secs(15)).await;
    let sent = messages.remove(0);
    assert!(sent
        .parsed()
        .body_text(0)
        .unwrap()
        .contains("Sent over TLS."));
    sent
}

/// SPEC R-7 (E-1): the SMTP server of a real company asks for STARTTLS (its certificate from
/// the company's CA, given as `ca_file`) and for a password: the reply goes through; W-1:
/// the wrap-up reasons ticked beside Send are stored for the email.
#[tokio::test]
async fn replies_go_through_starttls_with_a_password_and_keep_their_wrap_up() {
    use app::domain::protocol::{AgentEvent, ServerMessage};
    use common::smtp::SmtpOptions;
    let smtp = SmtpServer::start_with(SmtpOptions {
        starttls: true,
        auth: Some(("mailer", "smtp-secret-9")),
        ..SmtpOptions::default()
    })
    .await;
    let (dovecot, server, ann, cookie, mut desk) = ann_ready(&smtp).await;
    let store = &server.services.store;
    let csq = store.csqs().await.unwrap()[0].id;
    let reason = store
        .create_wrap_up_reason("Replacement sent")
        .await
        .unwrap();
    store.assign_wrap_up_reason(csq, reason).await.unwrap();
    dovecot.append(&fixture("multipart_alternative")).await;
    let view = next_email(&mut desk).await;
    assert_eq!(
        view.wrap_up.offered.len(),
        1,
        "the queue's reasons are offered"
    );

    send_json(
        &mut desk,
        json!({"type": "set_wrap_up", "contact": view.contact, "reasons": [reason]}),
    )
    .await;
    let changed = wait_for(&mut desk, |m| {
        matches!(m, ServerMessage::Event(e) if matches!(e.event, AgentEvent::WrapUpChanged { .. }))
    })
    .await;
    let ServerMessage::Event(e) = changed else {
        unreachable!()
    };
    let AgentEvent::WrapUpChanged { reasons, .. } = e.event else {
        unreachable!()
    };
    assert_eq!(reasons, [reason]);

    reply_over_tls(&server, &cookie, view.contact.0, &smtp).await;
    assert_eq!(
        store.wrap_up(view.contact, ann).await.unwrap().selected,
        [reason],
        "the choice stays with the sent email"
    );
}

/// SPEC R-7: a mail server that speaks TLS from the first byte (port 465, `security: tls`)
/// with a password: the reply goes through, and only over TLS (the server requires it).
#[tokio::test]
async fn replies_go_through_implicit_tls_with_a_password() {
    use common::smtp::SmtpOptions;
    let smtp = SmtpServer::start_with(SmtpOptions {
        tls: true,
        auth: Some(("mailer", "smtp-secret-9")),
        ..SmtpOptions::default()
    })
    .await;
    assert_eq!(smtp.settings()["security"], "tls");
    let (dovecot, server, _, cookie, mut desk) = ann_ready(&smtp).await;
    dovecot.append(&fixture("multipart_alternative")).await;
    let view = next_email(&mut desk).await;
    let sent = reply_over_tls(&server, &cookie, view.contact.0, &smtp).await;
    assert_eq!(sent.envelope_to, ["ann.lee@example.com"]);
}

/// SPEC R-7, issue 15: the refused reply's reason is worded in the language the agent
/// chose, the mail server's own words as it said them.
#[tokio::test]
async fn a_refused_reply_is_explained_in_the_agents_language() {
    let smtp = SmtpServer::start().await;
    let (dovecot, server, ann, cookie, mut desk) = ann_ready(&smtp).await;
    server
        .services
        .store
        .set_language(ann, Some("fr"))
        .await
        .unwrap();
    dovecot.append(&fixture("multipart_alternative")).await;
    let id = next_email(&mut desk).await.contact.0;
    let draft =
        json!({"mode": "reply", "to": ["nobody@refused.test"], "body": "<p>Hello there</p>"});
    assert_eq!(send(&server, &cookie, id, draft).await.status(), 202);
    let back = next_email(&mut desk).await;
    let error = back.email.unwrap().draft.unwrap().send_error.unwrap();
    assert!(
        error.starts_with("Le serveur de messagerie a refusé cette réponse\u{a0}: ")
            && error.contains("550"),
        "{error}"
    );
}

/// SPEC R-7: a mailbox set up to log in to an SMTP server that offers no login (or no
/// STARTTLS, or no 8BITMIME) can never send: the email comes back to its agent at once with
/// the reason, instead of waiting in the outbox for hours of retries.
#[tokio::test]
async fn a_reply_the_smtp_settings_cannot_send_comes_back_with_the_reason() {
    let smtp = SmtpServer::start().await;
    let mut settings = mailbox_settings(&smtp);
    settings["smtp"]["username"] = "mailer".into();
    settings["smtp"]["password"] = "smtp-secret-9".into();
    let (dovecot, server, _, cookie, mut desk) = ann_ready_with(settings).await;
    dovecot.append(&fixture("multipart_alternative")).await;
    let id = next_email(&mut desk).await.contact.0;
    let draft = json!({"mode": "reply", "to": ["ann.lee@example.com"], "body": "<p>Hi</p>"});
    assert_eq!(send(&server, &cookie, id, draft).await.status(), 202);
    assert_eq!(closed(&mut desk).await.1, EndReason::Sent);
    let back = next_email(&mut desk).await;
    assert_eq!(back.contact.0, id);
    let error = back.email.unwrap().draft.unwrap().send_error.unwrap();
    assert!(
        error.contains("No compatible authentication mechanism") && error.contains("SMTP settings"),
        "{error}"
    );
    assert!(smtp.messages().is_empty());
}
