//! Issue 17: a customer's privacy against the real server. A customer who left a message
//! (answered through a real SMTP server) and then chatted is found by the administrator,
//! exported whole, refused erasure while a chat is going on, then erased: afterwards no
//! table of the database holds anything they or the agent wrote about them, and the file of
//! their chat is gone from the file store. The retention erases old conversations' contents
//! and keeps their statistics. Only administrators reach any of it.

use crate::common;

use app::domain::{
    agent::Role,
    chat::{LineBody, LineFile},
    customer::PastConversation,
    ids::ContactId,
    privacy::{CustomerList, Erased, Retention},
    validate::{Field, Problem},
};
use common::{
    desk::{accept_next, closed, next_email, ready},
    left::{form, support_server},
    smtp::SmtpServer,
    *,
};
use serde_json::{json, Value};
use std::{path::Path, time::Duration};

/// Every place in the SQLite database where one of `needles` is written (ASCII case
/// aside): "table.column: needle". FTS5's own index tables are binary segments the search
/// rewrites as it merges; the search's text itself (its content table) is looked through
/// like any other.
async fn written(db: &Path, needles: &[&str]) -> Vec<String> {
    let url = format!("sqlite://{}?mode=ro", db.display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT IN ('search_fts', 'search_fts_data', 'search_fts_idx', \
         'search_fts_docsize', 'search_fts_config')",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(
        tables.len() > 30,
        "every table is looked through: {tables:?}"
    );
    let mut found = Vec::new();
    for table in tables {
        let columns: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT name FROM pragma_table_info('{table}')"
        )))
        .fetch_all(&pool)
        .await
        .unwrap();
        for column in columns {
            for needle in needles {
                let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "SELECT COUNT(*) FROM \"{table}\" \
                     WHERE instr(lower(CAST(\"{column}\" AS TEXT)), lower($1)) > 0"
                )))
                .bind(needle)
                .fetch_one(&pool)
                .await
                .unwrap();
                if n > 0 {
                    found.push(format!("{table}.{column}: {needle}"));
                }
            }
        }
    }
    pool.close().await;
    found
}

/// What identifies Zoé or was written in her conversations: none of it may stay.
const HERS: [&str; 10] = [
    "Zoé Martin",
    "Zoe Martin",
    "zoe@example.com",
    "+33 6 12 34 56 78",
    "33612345678",
    "Parcelmarker",
    "Replymarker",
    "Chatmarker",
    "Notemarker",
    "tagmarker",
];

async fn customers(server: &TestServer, cookie: &str, text: &str) -> CustomerList {
    ok(server
        .post_json(
            "/api/admin/customers",
            cookie,
            &json!({"query": {"text": text, "page": 0}}),
        )
        .await)
    .await
}

async fn erase(server: &TestServer, cookie: &str, customer: i64) -> reqwest::Response {
    server
        .post_json(
            "/api/admin/customer-erase",
            cookie,
            &json!({ "customer": customer }),
        )
        .await
}

async fn export(server: &TestServer, cookie: &str, customer: i64) -> reqwest::Response {
    reqwest::Client::new()
        .get(server.url(&format!("/admin/customers/{customer}/export.json")))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

async fn read(server: &TestServer, cookie: &str, contact: ContactId) -> PastConversation {
    ok(server
        .post_json(
            "/api/conversations/read",
            cookie,
            &json!({ "contact": contact }),
        )
        .await)
    .await
}

/// Waits until the Conversations page finds `count` conversations by `text` (the indexer
/// looks every second).
async fn searchable(server: &TestServer, cookie: &str, text: &str, count: usize) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let page: app::domain::conversations::ConversationPage = ok(server
            .post_json(
                "/api/conversations/search",
                cookie,
                &json!({"filter": {"text": text}}),
            )
            .await)
        .await;
        if page.rows.len() == count {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{count} conversations found by {text:?}, not {}",
            page.rows.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn an_erased_customer_leaves_nothing_in_any_table_or_file() {
    let smtp = SmtpServer::start().await;
    let (_dovecot, server) = support_server(&smtp).await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    server
        .create_user("root", "admin-pass-1", Role::Admin)
        .await;
    let problem = server.queue("Support", &[ann]).await;
    let admin = server.session("root", "admin-pass-1").await;
    // A CRM's webhook that never answers: what it is to be sent waits, with her words.
    let hook = server
        .post_json(
            "/api/admin/webhook-create",
            &admin,
            &json!({"webhook": {"name": "CRM", "url": format!("http://127.0.0.1:{}/in", free_port()),
                "events": ["conversation.started", "conversation.message", "conversation.ended",
                    "email.received", "email.sent", "customer.updated"]}}),
        )
        .await;
    assert_eq!(hook.status(), 200);

    // Zoé leaves a message with nobody there; the browser is remembered as hers.
    let left = reqwest::Client::new()
        .post(server.url("/widget/api/message"))
        .json(&json!({"form": form(problem), "message": "Parcelmarker is late", "client_id": "p1leave"}))
        .send()
        .await
        .unwrap();
    assert_eq!(left.status(), 200);
    let remembered = left
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .find(|c| c.starts_with("sb_customer="))
        .expect("the browser is remembered");
    smtp.wait_for(1, Duration::from_secs(10)).await;

    // Ann answers it by email.
    let (cookie, mut desk) = ready(&server, "ann").await;
    let email = next_email(&mut desk).await;
    let draft = json!({"mode": "reply", "to": ["zoe@example.com"], "cc": [], "bcc": [], "body": "Replymarker: we call you today."});
    let sent = reqwest::Client::new()
        .post(server.url(&format!("/email/{}/send", email.contact.0)))
        .header("cookie", &cookie)
        .json(&draft)
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 202);
    closed(&mut desk).await;
    smtp.wait_for(2, Duration::from_secs(10)).await;

    // Then she chats from the same browser: the same customer. Ann keeps a note and a tag,
    // and a photo comes with the chat (as a Messenger customer's would).
    let start = reqwest::Client::new()
        .post(server.url("/widget/api/start"))
        .header("cookie", &remembered)
        .json(&form(problem))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 200);
    let chat_cookie = start
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .find(|c| c.starts_with("sb_chat="))
        .expect("a chat cookie");
    let mut widget = server.widget(&chat_cookie, 0).await;
    let chat = accept_next(&mut desk).await;
    assert_eq!(chat.customer.id, email.customer.id, "one customer");
    let customer = chat.customer.id.0;
    send_json(
        &mut widget,
        json!({"type": "send", "client_id": "w1", "text": "Chatmarker again"}),
    )
    .await;
    wait_for(&mut desk, |m| {
        matches!(m, app::domain::protocol::ServerMessage::ChatLine { line, .. }
            if matches!(&line.body, LineBody::Message { text, .. } if text == "Chatmarker again"))
    })
    .await;
    send_json(
        &mut desk,
        json!({"type": "add_customer_note", "contact": chat.contact, "text": "Notemarker: calls at noon"}),
    )
    .await;
    send_json(
        &mut desk,
        json!({"type": "set_customer_tags", "contact": chat.contact, "tags": ["tagmarker"]}),
    )
    .await;
    let photo = b"the photo of a parcel".to_vec();
    let size = photo.len() as u64;
    let sha = server.services.email.files.put(photo).await.unwrap();
    server
        .services
        .store
        .record_chat_files(
            chat.contact,
            &[LineFile {
                name: "parcel.jpg".into(),
                content_type: "image/jpeg".into(),
                size,
                sha256: Some(sha.clone()),
            }],
        )
        .await
        .unwrap();
    wait_for(&mut desk, |m| {
        matches!(m, app::domain::protocol::ServerMessage::Event(e)
            if matches!(&e.event, app::domain::protocol::AgentEvent::CustomerAbout { about, .. } if !about.tags.is_empty()))
    })
    .await;

    // Found by name, address or number; a chat going on keeps her from being erased.
    for text in ["zoé", "ZOE@EXAMPLE", "+33 6 12"] {
        let found = customers(&server, &admin, text).await;
        assert_eq!(found.total, 1, "{text}");
        assert_eq!(found.rows[0].id.0, customer);
        assert_eq!(found.rows[0].conversations, 2);
        assert_eq!(found.rows[0].open, 1);
    }
    assert!(customers(&server, &admin, "karl").await.rows.is_empty());
    assert_eq!(
        refused(erase(&server, &admin, customer).await).await,
        [(Field::Customer, Problem::StillOpen { count: 1 })]
    );
    send_json(
        &mut desk,
        json!({"type": "end_chat", "contact": chat.contact}),
    )
    .await;
    closed(&mut desk).await;
    searchable(&server, &cookie, "parcelmarker", 1).await;
    searchable(&server, &cookie, "chatmarker", 1).await;

    // Everything about her, in one file.
    let response = export(&server, &admin, customer).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(&format!("customer-{customer}.json")));
    let exported: Value = response.json().await.unwrap();
    assert_eq!(exported["format"], "switchboard.customer-export");
    assert_eq!(exported["customer"]["name"], "Zoé Martin");
    assert_eq!(exported["customer"]["email"], "zoe@example.com");
    assert_eq!(exported["tags"], json!(["tagmarker"]));
    assert_eq!(exported["notes"][0]["text"], "Notemarker: calls at noon");
    assert_eq!(exported["notes"][0]["by"], "ann");
    let conversations = exported["conversations"].as_array().unwrap();
    assert_eq!(conversations.len(), 2);
    let (mail, talk) = (&conversations[0], &conversations[1]);
    assert_eq!(mail["channel"], "email");
    assert!(mail["email"]["text"]
        .as_str()
        .unwrap()
        .starts_with("Parcelmarker is late"));
    assert!(mail["replies"].as_array().unwrap().iter().any(|r| r["text"]
        .as_str()
        .unwrap_or_default()
        .contains("Replymarker")));
    assert_eq!(talk["files"][0]["name"], "parcel.jpg");
    assert!(talk["lines"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["body"]["text"] == "Chatmarker again"));
    assert!(talk["ended_at"].is_string(), "{talk}");

    // The check below finds what is there: before the erasure, she is everywhere.
    let db = server.data_dir().join("server.db");
    // The webhook's deliveries are made within a second of what they tell.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !written(&db, &["Chatmarker again"])
        .await
        .iter()
        .any(|p| p.starts_with("webhook_deliveries.body"))
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the chat's lines reach the webhook's deliveries"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let before = written(&db, &HERS).await;
    for place in [
        "customers.name: Zoé Martin",
        "customer_notes.body: Notemarker",
        "customer_tags.tag: tagmarker",
        "chat_lines.body: Chatmarker",
        "emails.text_body: Parcelmarker",
        "email_outbox.reply_text: Replymarker",
        "agent_events.event: Zoé Martin",
        "search_fts_content.c0: parcelmarker",
        "webhook_deliveries.body: Chatmarker",
        "webhook_deliveries.body: Zoé Martin",
    ] {
        assert!(
            before.iter().any(|p| p.eq_ignore_ascii_case(place)),
            "{place} in {before:?}"
        );
    }
    assert!(server
        .services
        .email
        .files
        .present(&sha, size)
        .await
        .unwrap());

    let erased: Erased = ok(erase(&server, &admin, customer).await).await;
    assert_eq!(
        erased,
        Erased {
            conversations: 2,
            files: 1
        }
    );
    let after = written(&db, &HERS).await;
    assert!(after.is_empty(), "still written: {after:?}");
    assert!(
        !server
            .services
            .email
            .files
            .present(&sha, size)
            .await
            .unwrap(),
        "the photo's bytes are gone"
    );

    // What stays: the conversations, emptied, for the statistics; the audit says who
    // erased which customer, never their name.
    let past = read(&server, &cookie, chat.contact).await;
    assert!(past.erased_at_ms.is_some());
    assert!(past.lines.iter().all(|l| match &l.body {
        LineBody::Message { text, files, .. } => text.is_empty() && files.is_empty(),
        LineBody::System { .. } => true,
    }));
    assert!(
        !past.lines.is_empty(),
        "each line keeps its time and sender"
    );
    searchable(&server, &cookie, "parcelmarker", 0).await;
    searchable(&server, &cookie, "chatmarker", 0).await;
    assert!(customers(&server, &admin, "zoé").await.rows.is_empty());
    assert_eq!(export(&server, &admin, customer).await.status(), 404);
    assert_eq!(
        erase(&server, &admin, customer).await.status(),
        404,
        "erased once"
    );
    let audit: app::domain::audit::AuditPage = ok(server
        .post_json(
            "/api/admin/audit",
            &admin,
            &json!({"filter": {"kind": "customer"}}),
        )
        .await)
    .await;
    let actions: Vec<(&str, &str)> = audit
        .lines
        .iter()
        .map(|l| (l.action.as_str(), l.detail.as_str()))
        .collect();
    let expected = format!("customer {customer}; 2 conversation(s), 1 file(s)");
    assert!(
        actions.contains(&("customer.erase", expected.as_str())),
        "{actions:?}"
    );
    assert!(actions.contains(&("customer.export", format!("customer {customer}").as_str())));

    // Her desktop's page, back from before the erasure, starts again from Ann's state:
    // the events about her are gone.
    assert!(starts_again(&server, &cookie).await);
}

/// Whether a page resuming from the first event is given the agent's state anew (a
/// snapshot) before it is told it is up to date.
async fn starts_again(server: &TestServer, cookie: &str) -> bool {
    use app::domain::protocol::ServerMessage;
    let mut page = server.ws(cookie).await;
    send_json(&mut page, json!({"type": "hello", "resume_after": 1})).await;
    let mut snapshot = false;
    loop {
        match next_message(&mut page).await {
            ServerMessage::Snapshot { .. } => snapshot = true,
            ServerMessage::Synced { .. } => return snapshot,
            _ => {}
        }
    }
}

#[tokio::test]
async fn the_retention_erases_old_contents_and_keeps_the_statistics() {
    let server = TestServer::start().await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    server
        .create_user("root", "admin-pass-1", Role::Admin)
        .await;
    let support = server.queue("Support", &[ann]).await;
    let admin = server.session("root", "admin-pass-1").await;
    let mut desk = server.desktop_ready("ann").await;
    let chat_cookie = server.start_chat("Karl Old", support).await;
    let mut widget = server.widget(&chat_cookie, 0).await;
    let chat = accept_next(&mut desk).await;
    send_json(
        &mut widget,
        json!({"type": "send", "client_id": "k1", "text": "Oldmarker question"}),
    )
    .await;
    wait_for(&mut desk, |m| {
        matches!(m, app::domain::protocol::ServerMessage::ChatLine { line, .. }
            if matches!(&line.body, LineBody::Message { text, .. } if text == "Oldmarker question"))
    })
    .await;
    send_json(
        &mut desk,
        json!({"type": "end_chat", "contact": chat.contact}),
    )
    .await;
    closed(&mut desk).await;
    let cookie = server.session("ann", "agent-pass-1").await;
    searchable(&server, &cookie, "oldmarker", 1).await;

    // Kept for ever until the administrator says otherwise; a bad value names its field.
    let view: app::domain::privacy::PrivacyView =
        ok(server.post("/api/admin/privacy", &admin).await).await;
    assert_eq!(view.retention, Retention { days: None });
    let save = |days: Option<u32>| {
        let body = json!({"retention": {"days": days}});
        let (server, admin) = (&server, &admin);
        async move { server.post_json("/api/admin/retention", admin, &body).await }
    };
    assert_eq!(
        refused(save(Some(0)).await).await,
        [(
            Field::RetentionDays,
            Problem::OutOfRange {
                min: 1,
                max: 36_500,
                given: 0
            }
        )]
    );
    let stored: Retention = ok(save(Some(30)).await).await;
    assert_eq!(stored.days, Some(30));
    let view: app::domain::privacy::PrivacyView =
        ok(server.post("/api/admin/privacy", &admin).await).await;
    assert_eq!(view.retention.days, Some(30));

    // Today nothing is old enough; 31 days on, the chat's contents go.
    let store = server.services.store.as_ref();
    let email = server.services.email.as_ref();
    let now = server::clock::now_ms();
    assert_eq!(
        server::privacy::retention::apply(store, email, now)
            .await
            .unwrap(),
        0
    );
    assert!(read(&server, &cookie, chat.contact)
        .await
        .erased_at_ms
        .is_none());
    assert!(
        !store.events_after(ann, 0, 100).await.unwrap().is_empty(),
        "a day's events are kept"
    );
    let later = now + 31 * 86_400_000;
    assert_eq!(
        server::privacy::retention::apply(store, email, later)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        server::privacy::retention::apply(store, email, later)
            .await
            .unwrap(),
        0,
        "erased once"
    );
    let past = read(&server, &cookie, chat.contact).await;
    assert_eq!(past.erased_at_ms, Some(later));
    let texts: Vec<&str> = past
        .lines
        .iter()
        .filter_map(|l| match &l.body {
            LineBody::Message { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        !texts.is_empty() && texts.iter().all(|t| t.is_empty()),
        "{texts:?}"
    );
    searchable(&server, &cookie, "oldmarker", 0).await;
    // The customer and the conversation stay, for the statistics and the history.
    let found = customers(&server, &admin, "karl").await;
    assert_eq!(found.rows[0].conversations, 1);
    let page: app::domain::conversations::ConversationPage = ok(server
        .post_json(
            "/api/conversations/search",
            &cookie,
            &json!({"filter": {"customer": "karl"}}),
        )
        .await)
    .await;
    assert_eq!(page.rows.len(), 1);
    assert_eq!(page.rows[0].agent.as_deref(), Some("ann"));

    // Agents' events older than a day went in the same round; a page resuming from
    // before them starts again from the agent's state.
    assert!(store.events_after(ann, 0, 100).await.unwrap().is_empty());
    assert!(starts_again(&server, &cookie).await);
}

#[tokio::test]
async fn only_administrators_reach_a_customers_privacy() {
    let server = TestServer::start().await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    server
        .create_user("sue", "super-pass-1", Role::Supervisor)
        .await;
    let support = server.queue("Support", &[ann]).await;
    server.start_chat("Zoé Martin", support).await;
    let (found, _) = server
        .services
        .store
        .find_customers("", "", 0, 10)
        .await
        .unwrap();
    let customer = found[0].id.0;
    for (user, password) in [("ann", "agent-pass-1"), ("sue", "super-pass-1")] {
        let cookie = server.session(user, password).await;
        assert_eq!(
            server
                .post_json(
                    "/api/admin/customers",
                    &cookie,
                    &json!({"query": {"text": ""}})
                )
                .await
                .status(),
            403,
            "{user}"
        );
        assert_eq!(erase(&server, &cookie, customer).await.status(), 403);
        assert_eq!(
            server
                .post_json(
                    "/api/admin/retention",
                    &cookie,
                    &json!({"retention": {"days": 1}})
                )
                .await
                .status(),
            403
        );
        assert_eq!(export(&server, &cookie, customer).await.status(), 404);
    }
    assert_eq!(export(&server, "", customer).await.status(), 401);
    assert_eq!(erase(&server, "", customer).await.status(), 401);
    let (still, _) = server
        .services
        .store
        .find_customers("", "", 0, 10)
        .await
        .unwrap();
    assert_eq!(still.len(), 1, "nobody was erased");
}
