//! Files Messenger and WhatsApp customers send (issue 16: photos, documents...) against
//! the real server and a fake of Meta's Graph API: each is fetched as Meta documents
//! (WhatsApp's media lookup, then its download with the access token; Messenger's CDN
//! address), kept in the files store, and shown in the chat's line, where the agents of the
//! chat, and only they, can open it. A file Meta no longer has, or one over the size limit,
//! is named in the line as not received, and the message is never lost for it.

use crate::common;

use app::domain::{
    chat::{Author, ChatLine, LineBody, LineFile},
    ids::ContactId,
    limits::MAX_CHAT_MEDIA_BYTES,
    meta::MetaChannel,
    protocol::ServerMessage,
};
use common::{
    graph::FakeGraph,
    meta::{accept_offer, deliver, messenger_message, set_up, whatsapp_message, ACCESS_TOKEN},
    wait_for, TestServer, Ws,
};
use serde_json::json;
use sha2::{Digest, Sha256};

/// The smallest PNG there is (one transparent pixel): what the agent's browser shows.
const PIXEL_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The server with the channel set up and routed to "Support", alice Ready in it (her
/// session's cookie, to open files as her browser does), and bob, an agent of another
/// queue.
async fn scene(channel: MetaChannel) -> (TestServer, FakeGraph, String, Ws, String) {
    let server = TestServer::start().await;
    let alice = server.create_agent("alice", "agent-pass-1").await;
    let bob = server.create_agent("bob", "agent-pass-1").await;
    server.queue("Support", &[alice]).await;
    server.queue("Sales", &[bob]).await;
    let csqs = server.services.store.csqs().await.unwrap();
    let csq = csqs.iter().find(|c| c.name == "Support").unwrap().id;
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    set_up(&server, channel, csq, &graph).await;
    let cookie = server.session("alice", "agent-pass-1").await;
    let desk = server.desktop_ready_as(&cookie).await;
    let bob_cookie = server.session("bob", "agent-pass-1").await;
    (server, graph, cookie, desk, bob_cookie)
}

/// The customer's line of a chat with files, as the agent's desktop received it.
async fn line_with_files(desk: &mut Ws, contact: ContactId) -> (String, Vec<LineFile>) {
    let message = wait_for(desk, |m| {
        matches!(m, ServerMessage::ChatLine { contact: c, line } if *c == contact
            && matches!(&line.body, LineBody::Message { author: Author::Customer { .. }, files, .. } if !files.is_empty()))
    })
    .await;
    let ServerMessage::ChatLine {
        line:
            ChatLine {
                body: LineBody::Message { text, files, .. },
                ..
            },
        ..
    } = message
    else {
        unreachable!()
    };
    (text, files)
}

/// A file of a chat, fetched as a browser with `cookie` does.
async fn open_file(
    server: &TestServer,
    contact: ContactId,
    sha256: &str,
    cookie: Option<&str>,
) -> reqwest::Response {
    let mut request =
        reqwest::Client::new().get(server.url(&format!("/chat/files/{contact}/{sha256}")));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

/// SPEC F-3: a WhatsApp customer's photo with a caption, then a document: each fetched
/// through the media lookup and its download with the channel's token, kept, and shown in
/// the line (the caption as its text); the photo opens in place for the chat's agent, the
/// document downloads under its name; another agent, or nobody signed in, gets nothing.
#[tokio::test]
async fn f3_a_whatsapp_customers_photo_and_document_reach_the_agent() {
    let (server, graph, cookie, mut desk, bob) = scene(MetaChannel::WhatsApp).await;
    graph.add_media("1003383421387256", "image/png", PIXEL_PNG);
    let pdf = b"%PDF-1.4\n% receipt 5521\n%%EOF\n";
    graph.add_media("2002", "application/pdf", pdf);

    let photo = json!({"type": "image", "image": {
        "caption": "The box arrived broken",
        "mime_type": "image/png",
        "sha256": "AbCd",
        "id": "1003383421387256"
    }});
    let body = whatsapp_message("16505551234", "Sheena Nelson", "wamid.photo", photo);
    deliver(&server, MetaChannel::WhatsApp, &body).await;
    // Meta delivers at least once: the photo is not shown, nor fetched, twice.
    deliver(&server, MetaChannel::WhatsApp, &body).await;
    let offer = accept_offer(&mut desk).await;
    let (text, files) = line_with_files(&mut desk, offer.contact).await;
    assert_eq!(text, "The box arrived broken");
    let png = sha256(PIXEL_PNG);
    assert_eq!(
        files,
        [LineFile {
            name: "image".into(),
            content_type: "image/png".into(),
            size: PIXEL_PNG.len() as u64,
            sha256: Some(png.clone()),
        }]
    );
    // The lookup and the download, each with the token as a bearer token.
    let calls = graph.requests();
    let lookup = calls
        .iter()
        .find(|r| r.path == "/v25.0/1003383421387256")
        .expect("the media lookup");
    let download = calls
        .iter()
        .find(|r| r.path == "/whatsapp_business/attachments/1003383421387256")
        .expect("the download");
    for call in [lookup, download] {
        assert_eq!(
            call.authorization.as_deref(),
            Some(format!("Bearer {ACCESS_TOKEN}").as_str())
        );
    }

    let photo = open_file(&server, offer.contact, &png, Some(&cookie)).await;
    assert_eq!(photo.status(), 200);
    assert_eq!(photo.headers()["content-type"], "image/png");
    assert!(photo.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("inline"));
    assert_eq!(photo.bytes().await.unwrap().as_ref(), PIXEL_PNG);
    assert_eq!(
        open_file(&server, offer.contact, &png, Some(&bob))
            .await
            .status(),
        404,
        "an agent not in the chat"
    );
    assert_eq!(
        open_file(&server, offer.contact, &png, None).await.status(),
        401
    );

    let document = json!({"type": "document", "document": {
        "filename": "receipt.pdf",
        "mime_type": "application/pdf",
        "sha256": "EfGh",
        "id": "2002"
    }});
    let body = whatsapp_message("16505551234", "Sheena Nelson", "wamid.doc", document);
    deliver(&server, MetaChannel::WhatsApp, &body).await;
    let (text, files) = line_with_files(&mut desk, offer.contact).await;
    assert_eq!(text, "");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].name, "receipt.pdf");
    let download = open_file(
        &server,
        offer.contact,
        files[0].sha256.as_deref().unwrap(),
        Some(&cookie),
    )
    .await;
    assert_eq!(download.status(), 200);
    // Never run in the desktop's origin: bytes to save, under the customer's name.
    assert_eq!(
        download.headers()["content-type"],
        "application/octet-stream"
    );
    assert!(download.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("filename=\"receipt.pdf\""));
    assert_eq!(download.bytes().await.unwrap().as_ref(), pdf);

    let lookups = graph
        .requests()
        .iter()
        .filter(|r| r.path == "/v25.0/1003383421387256")
        .count();
    assert_eq!(lookups, 1, "a message delivered twice is fetched once");
}

/// SPEC F-1: a Messenger customer's message with a photo, a file Meta's CDN no longer
/// serves and two over the size limit (one announced so, one found so while it comes): the
/// photo is kept and shown; the others are named as not received, nothing of them is kept,
/// and the message with its text still reaches the agent.
#[tokio::test]
async fn f1_a_messenger_photo_is_kept_and_a_file_that_cannot_be_had_is_named() {
    let (server, graph, cookie, mut desk, _) = scene(MetaChannel::Messenger).await;
    let photo = graph.add_cdn_file("487263_n.png", "image/png", PIXEL_PNG);
    let huge = vec![0u8; MAX_CHAT_MEDIA_BYTES as usize + 1];
    let too_large = graph.add_cdn_file("backup.zip", "application/zip", &huge);
    let streamed = graph.add_cdn_file("streamed-backup.zip", "application/zip", &huge);
    let gone = photo.replace("487263_n.png", "invoice.pdf");

    let message = json!({
        "mid": "m_files",
        "text": "Here is what I got",
        "attachments": [
            {"type": "image", "payload": {"url": photo}},
            {"type": "file", "payload": {"url": gone}},
            {"type": "file", "payload": {"url": too_large}},
            {"type": "file", "payload": {"url": streamed}}
        ]
    });
    let body = messenger_message("7012345678901234", message);
    deliver(&server, MetaChannel::Messenger, &body).await;
    let offer = accept_offer(&mut desk).await;
    let (text, files) = line_with_files(&mut desk, offer.contact).await;
    assert_eq!(text, "Here is what I got");
    let names: Vec<(&str, bool)> = files
        .iter()
        .map(|f| (f.name.as_str(), f.sha256.is_some()))
        .collect();
    assert_eq!(
        names,
        [
            ("487263_n.png", true),
            ("invoice.pdf", false),
            ("backup.zip", false),
            ("streamed-backup.zip", false)
        ]
    );
    assert_eq!(files[0].content_type, "image/png", "the CDN's type");
    assert!(files[2].size > MAX_CHAT_MEDIA_BYTES, "{:?}", files[2]);
    assert!(files[3].size > MAX_CHAT_MEDIA_BYTES, "{:?}", files[3]);
    let shown = open_file(
        &server,
        offer.contact,
        files[0].sha256.as_deref().unwrap(),
        Some(&cookie),
    )
    .await;
    assert_eq!(shown.status(), 200);
    assert_eq!(shown.bytes().await.unwrap().as_ref(), PIXEL_PNG);
    // Nothing of the refused file was kept.
    let kept = server
        .services
        .meta
        .files
        .present(&sha256(&huge), huge.len() as u64)
        .await
        .unwrap();
    assert!(!kept);
}
