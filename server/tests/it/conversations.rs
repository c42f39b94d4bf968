//! Issue 17: the Conversations page's calls against the real server. A chat once ended is
//! found by its words (accents and case aside) and read whole; its transcript downloads as
//! text in the reader's language; an agent of another queue finds nothing and may read
//! nothing of it, a supervisor everything; a stranger is refused; a bad filter names its
//! field.

use crate::common;

use app::domain::{
    agent::Role,
    conversations::ConversationPage,
    customer::PastConversation,
    validate::{Field, Problem},
};
use common::{desk::accept_next, *};
use serde_json::{json, Value};

async fn search(server: &TestServer, cookie: &str, filter: Value) -> reqwest::Response {
    server
        .post_json(
            "/api/conversations/search",
            cookie,
            &json!({ "filter": filter }),
        )
        .await
}

/// The conversations found, once the indexer has made the ended ones searchable (it looks
/// every second): asked again until `count` are found, or 20 s.
async fn found(server: &TestServer, cookie: &str, filter: Value, count: usize) -> ConversationPage {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let page: ConversationPage = ok(search(server, cookie, filter.clone()).await).await;
        if page.rows.len() == count || std::time::Instant::now() > deadline {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Waits for the desktop to be given a line saying `said`.
async fn line_said(desk: &mut Ws, said: &str) {
    wait_for(desk, |m| {
        matches!(m, app::domain::protocol::ServerMessage::ChatLine { line, .. }
            if matches!(&line.body, app::domain::chat::LineBody::Message { text, .. } if text == said))
    })
    .await;
}

#[tokio::test]
async fn an_ended_chat_is_found_by_its_words_read_and_downloaded_within_reach() {
    let server = TestServer::start().await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let bob = server.create_agent("bob", "agent-pass-1").await;
    server
        .create_user("sue", "super-pass-1", Role::Supervisor)
        .await;
    let support = server.queue("Support", &[ann]).await;
    server.queue("Sales", &[bob]).await;
    let mut desk = server.desktop_ready("ann").await;
    let chat_cookie = server.start_chat("Zoé Martin", support).await;
    let mut widget = server.widget(&chat_cookie, 0).await;
    let view = accept_next(&mut desk).await;
    let contact = view.contact;
    send_json(
        &mut widget,
        json!({"type": "send", "client_id": "c1", "text": "Où est mon REMBOURSEMENT ? Commande 4512"}),
    )
    .await;
    line_said(&mut desk, "Où est mon REMBOURSEMENT ? Commande 4512").await;
    send_json(
        &mut desk,
        json!({"type": "send", "contact": contact, "client_id": "a1", "text": "Il part aujourd'hui."}),
    )
    .await;
    line_said(&mut desk, "Il part aujourd'hui.").await;
    let ann_cookie = server.session("ann", "agent-pass-1").await;

    // Going on, it is not found yet: only past conversations are.
    let words = json!({"text": "rembourse"});
    let page: ConversationPage = ok(search(&server, &ann_cookie, words.clone()).await).await;
    assert!(page.rows.is_empty());

    send_json(&mut desk, json!({"type": "end_chat", "contact": contact})).await;
    let page = found(&server, &ann_cookie, words.clone(), 1).await;
    assert_eq!(page.total, 1);
    let row = &page.rows[0];
    assert_eq!(row.contact, contact);
    assert_eq!(row.customer_name, "Zoé Martin");
    assert_eq!(row.csq, "Support");
    assert_eq!(row.agent.as_deref(), Some("ann"));
    let page = found(
        &server,
        &ann_cookie,
        json!({"text": "AUJOURD HUI commande"}),
        1,
    )
    .await;
    assert_eq!(page.rows.len(), 1, "the agent's words are found too");
    let page: ConversationPage = ok(search(
        &server,
        &ann_cookie,
        json!({"text": "rembourse", "customer": "karl"}),
    )
    .await)
    .await;
    assert!(page.rows.is_empty(), "every filter must hold");

    // Read whole, read-only.
    let read: PastConversation = ok(server
        .post_json(
            "/api/conversations/read",
            &ann_cookie,
            &json!({ "contact": contact }),
        )
        .await)
    .await;
    let texts: Vec<String> = read
        .lines
        .iter()
        .filter_map(|l| match &l.body {
            app::domain::chat::LineBody::Message { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        texts,
        [
            "Où est mon REMBOURSEMENT ? Commande 4512",
            "Il part aujourd'hui."
        ]
    );

    // Downloaded as text, in French for a reader in French.
    let download = reqwest::Client::new()
        .get(server.url(&format!("/conversations/{}/transcript.txt", contact.0)))
        .header("cookie", format!("{ann_cookie}; sb_lang=fr"))
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(
        download.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    assert!(download.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(&format!("conversation-{}.txt", contact.0)));
    let text = download.text().await.unwrap();
    assert!(text.contains("Canal\u{a0}: Conversation Web\n"), "{text}");
    assert!(text.contains("Client\u{a0}: Zoé Martin"), "{text}");
    assert!(
        text.contains("] Zoé Martin\u{a0}: Où est mon REMBOURSEMENT ? Commande 4512"),
        "{text}"
    );
    assert!(text.contains("] ann\u{a0}: Il part aujourd'hui."), "{text}");

    // The same as a PDF, in English for a reader in English.
    let pdf = reqwest::Client::new()
        .get(server.url(&format!("/conversations/{}/transcript.pdf", contact.0)))
        .header("cookie", &ann_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(&format!("conversation-{}.pdf", contact.0)));
    let pdf = pdf.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let body = String::from_utf8_lossy(&pdf);
    assert!(body.contains("(Channel: Web chat)"), "{body}");
    assert!(body.contains("(Queue: Support)"), "{body}");

    // Bob (Sales) finds nothing of Support's and may read none of it; the supervisor may.
    let bob_cookie = server.session("bob", "agent-pass-1").await;
    let page: ConversationPage = ok(search(&server, &bob_cookie, json!({})).await).await;
    assert!(page.rows.is_empty());
    let read = server
        .post_json(
            "/api/conversations/read",
            &bob_cookie,
            &json!({ "contact": contact }),
        )
        .await;
    assert_eq!(read.status(), 404);
    let download = reqwest::Client::new()
        .get(server.url(&format!("/conversations/{}/transcript.txt", contact.0)))
        .header("cookie", &bob_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 404);
    let pdf = reqwest::Client::new()
        .get(server.url(&format!("/conversations/{}/transcript.pdf", contact.0)))
        .header("cookie", &bob_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 404);
    let sue_cookie = server.session("sue", "super-pass-1").await;
    let page: ConversationPage = ok(search(&server, &sue_cookie, words.clone()).await).await;
    assert_eq!(page.rows.len(), 1);

    // A stranger is refused; a filter past its limits names the field.
    assert_eq!(search(&server, "", json!({})).await.status(), 401);
    let anonymous = reqwest::Client::new()
        .get(server.url(&format!("/conversations/{}/transcript.txt", contact.0)))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(
        refused(
            search(
                &server,
                &ann_cookie,
                json!({"from": "2026-12-05", "to": "2026-12-01"})
            )
            .await
        )
        .await,
        [(Field::ToDay, Problem::BeforeFromDay)]
    );
}
