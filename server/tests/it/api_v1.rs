//! Issue 17: the `/api/v1` API a CRM calls, through the real HTTP server: the tokens an
//! administrator creates (the secret shown once, only its hash kept) and revokes, and what
//! a token reads. Every route is refused without a live token.

use crate::common;

use app::api::ApiError;
use app::domain::{
    api_tokens::{ApiTokenSummary, CreatedApiToken, TokenScope},
    limits::{API_CALLS_PER_MINUTE, MAX_API_BODY_BYTES, WEBHOOK_REFUSALS_PER_MINUTE},
    refusal::Refusal,
    validate::{Field, FieldError, Problem},
};
use common::{
    api::{send, token},
    *,
};
use serde_json::{json, Value};

const ROUTES: [&str; 3] = ["/api/v1/token", "/api/v1/queues", "/api/v1/agents"];

async fn call(server: &TestServer, path: &str, secret: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(server.url(path));
    if let Some(secret) = secret {
        request = request.header("authorization", format!("Bearer {secret}"));
    }
    request.send().await.unwrap()
}

async fn refusal(response: reqwest::Response, status: u16) -> Refusal {
    assert_eq!(response.status(), status);
    response.json().await.unwrap()
}

/// Issue 17: an administrator creates a read token (named; a blank name is refused by
/// field; an agent may not create one); its secret comes once and is kept nowhere, only
/// its SHA-256; with it a CRM reads the token itself, the queues with their agents and the
/// agents; without it, with a wrong one or once it is revoked, every route answers 401 in
/// the common JSON shape. The list and the audit name the token, never its secret.
#[tokio::test]
async fn a_token_reads_the_api_until_it_is_revoked() {
    let server = TestServer::start().await;
    let admin = server.admin_session().await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let agent = server.session("ann", "agent-pass-1").await;
    server.queue("Support", &[ann]).await;

    for path in ROUTES {
        for secret in [None, Some("sbt_0000"), Some("guess")] {
            let said = refusal(call(&server, path, secret).await, 401).await;
            assert_eq!(said.error, "invalid_token", "{path}");
            assert!(said.message.contains("Authorization"), "{}", said.message);
        }
    }

    // Any other path or method under /api/v1 answers in JSON too.
    let unknown = refusal(call(&server, "/api/v1/nothing", None).await, 404).await;
    assert_eq!(unknown.error, "not_found");
    let posted = reqwest::Client::new()
        .post(server.url("/api/v1/queues"))
        .send()
        .await
        .unwrap();
    assert_eq!(refusal(posted, 405).await.error, "malformed");

    let create = |name: &str| json!({"token": {"name": name, "scope": "read"}});
    let by_agent = server
        .post_json("/api/admin/api-token-create", &agent, &create("Mine"))
        .await;
    assert_eq!(
        by_agent.json::<ApiError>().await.unwrap(),
        ApiError::Forbidden
    );
    let blank = server
        .post_json("/api/admin/api-token-create", &admin, &create("  "))
        .await;
    let ApiError::Invalid(errors) = blank.json::<ApiError>().await.unwrap() else {
        panic!("a blank name is refused by field");
    };
    assert_eq!(
        errors,
        [FieldError::new(Field::ApiTokenName, Problem::Required)]
    );
    assert_eq!(errors[0].to_string(), "Token name: required");

    let created: CreatedApiToken = ok(server
        .post_json("/api/admin/api-token-create", &admin, &create(" Acme CRM "))
        .await)
    .await;
    assert!(created.secret.starts_with("sbt_"), "{}", created.secret);
    assert_eq!(created.secret.len(), 4 + 64);
    assert_eq!(
        (created.token.name.as_str(), created.token.scope),
        ("Acme CRM", TokenScope::Read)
    );
    let secret = created.secret.as_str();

    let me: Value = read(&server, "/api/v1/token", secret).await;
    let lower: Value = ok(reqwest::Client::new()
        .get(server.url("/api/v1/token"))
        .header("authorization", format!("bearer  {secret}"))
        .send()
        .await
        .unwrap())
    .await;
    assert_eq!(lower, me, "the scheme in any case");
    assert_eq!(me, json!({"id": created.token.id, "scope": "read"}));
    let queues: Value = read(&server, "/api/v1/queues", secret).await;
    assert_eq!(queues["data"][0]["name"], "Support");
    assert_eq!(queues["data"][0]["agents"], json!([ann]));
    let agents: Value = read(&server, "/api/v1/agents", secret).await;
    let names: Vec<(&str, &str)> = agents["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["username"].as_str().unwrap(), a["role"].as_str().unwrap()))
        .collect();
    assert_eq!(names, [("ann", "agent"), ("root", "admin")]);

    // Listed with its last use, without its secret; stored as its hash alone.
    let listed = server
        .post_json("/api/admin/api-tokens", &admin, &json!({}))
        .await
        .text()
        .await
        .unwrap();
    assert!(!listed.contains(secret), "{listed}");
    let tokens: Vec<ApiTokenSummary> = serde_json::from_str(&listed).unwrap();
    assert_eq!(tokens.len(), 1);
    assert!(tokens[0].last_used_at_ms.is_some(), "its use is noted");
    assert_eq!(tokens[0].created_by, "root");
    let db = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        server.data_dir().join("server.db").display()
    ))
    .await
    .unwrap();
    let kept: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(kept, [server::auth::token_hash(secret)]);

    let revoked: Vec<ApiTokenSummary> = ok(server
        .post_json(
            "/api/admin/api-token-revoke",
            &admin,
            &json!({"token": created.token.id}),
        )
        .await)
    .await;
    assert!(revoked[0].revoked_at_ms.is_some());
    for path in ROUTES {
        refusal(call(&server, path, Some(secret)).await, 401).await;
    }
    let audit: Vec<(String, String)> =
        sqlx::query_as("SELECT action, detail FROM admin_audit ORDER BY id")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(
        audit,
        [
            (
                "api_token.create".to_string(),
                "\"Acme CRM\" (read)".to_string()
            ),
            (
                "api_token.revoke".to_string(),
                "\"Acme CRM\" (read)".to_string()
            )
        ]
    );
}

/// Issue 17: an address that keeps sending tokens that open nothing is turned away (429,
/// with when to come back), whatever it sends next; a token's own calls are bounded a
/// minute too.
#[tokio::test]
async fn guessing_tokens_is_turned_away() {
    let server = TestServer::start().await;
    let admin = server.admin_session().await;
    let created: CreatedApiToken = ok(server
        .post_json(
            "/api/admin/api-token-create",
            &admin,
            &json!({"token": {"name": "Busy CRM", "scope": "read_write"}}),
        )
        .await)
    .await;
    let mut calls = 0;
    loop {
        let answer = call(&server, "/api/v1/token", Some(&created.secret)).await;
        if answer.status() != 200 {
            assert!(answer.headers().contains_key("retry-after"));
            let said = refusal(answer, 429).await;
            assert_eq!(said.error, "too_many_requests");
            assert!(said.message.contains("600 a minute"), "{}", said.message);
            break;
        }
        calls += 1;
        assert!(calls <= 2 * API_CALLS_PER_MINUTE, "never bounded");
    }
    // The allowance comes back as time passes (one call every 100 ms).
    assert!(calls >= API_CALLS_PER_MINUTE, "{calls} calls");

    let mut guesses = 0;
    while call(&server, "/api/v1/queues", Some("sbt_guess"))
        .await
        .status()
        == 401
    {
        guesses += 1;
        assert!(
            guesses <= WEBHOOK_REFUSALS_PER_MINUTE + 1,
            "never turned away"
        );
    }
    let turned_away = call(&server, "/api/v1/queues", None).await;
    assert_eq!(turned_away.status(), 429);
    assert!(turned_away.headers().contains_key("retry-after"));
}

/// A read that succeeds, its JSON.
async fn read(server: &TestServer, path: &str, secret: &str) -> Value {
    ok(call(server, path, Some(secret)).await).await
}

/// A change refused with this status.
async fn refused(
    server: &TestServer,
    method: reqwest::Method,
    path: &str,
    secret: &str,
    body: Value,
    status: u16,
) -> Refusal {
    refusal(send(server, method, path, secret, Some(body)).await, status).await
}

fn names(page: &Value) -> Vec<&str> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect()
}

/// Issue 17: a CRM adds customers (a name required, addresses checked, tags tidied, one
/// address per customer), pages through them by cursor, finds one by text, changes one and
/// merges two (the one merged away is gone, its address kept by the other); a read token
/// may do none of the changes (403 `insufficient_scope`), and every change is audited in
/// the name of the token's creator, the token named.
#[tokio::test]
async fn a_crm_adds_changes_pages_and_merges_customers() {
    use reqwest::Method;
    let server = TestServer::start().await;
    let admin = server.admin_session().await;
    let reader = token(&server, &admin, "Reader", "read").await;
    let write = token(&server, &admin, "Acme CRM", "read_write").await;
    let zoe = json!({"name": "Zoé Martin", "email": "zoe@example.com",
        "phone": "+33 1 23 45 67 89", "tags": ["VIP", " Gold  member "]});

    for (method, path) in [
        (Method::POST, "/api/v1/customers"),
        (Method::PATCH, "/api/v1/customers/1"),
        (Method::POST, "/api/v1/customers/1/merge"),
    ] {
        let body = json!({"name": "x", "from": 2});
        let said = refused(&server, method, path, &reader, body, 403).await;
        assert_eq!(said.error, "insufficient_scope", "{path}");
        assert!(said.message.contains("read and write"), "{}", said.message);
    }

    let bad = json!({"name": " ", "email": "nope", "phone": "call me"});
    let said = refused(&server, Method::POST, "/api/v1/customers", &write, bad, 422).await;
    let fields: Vec<&str> = said.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["name", "email", "phone"], "{:?}", said.errors);
    let unknown = json!({"name": "Zoé", "birthday": "1990-01-01"});
    let said = refused(
        &server,
        Method::POST,
        "/api/v1/customers",
        &write,
        unknown,
        400,
    )
    .await;
    assert_eq!(said.error, "malformed");
    assert!(said.message.contains("birthday"), "{}", said.message);
    let mistyped = json!({"name": 7});
    let said = refused(
        &server,
        Method::POST,
        "/api/v1/customers",
        &write,
        mistyped,
        400,
    )
    .await;
    assert_eq!(said.error, "malformed");
    // A body of 64 KB is read (and its name found too long); one byte more is not read.
    let name = "x".repeat(MAX_API_BODY_BYTES - r#"{"name":""}"#.len());
    let at_limit = json!({ "name": name });
    assert_eq!(
        serde_json::to_vec(&at_limit).unwrap().len(),
        MAX_API_BODY_BYTES
    );
    let said = refused(
        &server,
        Method::POST,
        "/api/v1/customers",
        &write,
        at_limit,
        422,
    )
    .await;
    assert_eq!(said.errors[0].field, "name", "{:?}", said.errors);
    let over = json!({ "name": format!("{name}x") });
    let said = refused(
        &server,
        Method::POST,
        "/api/v1/customers",
        &write,
        over,
        413,
    )
    .await;
    assert_eq!(said.error, "too_large");
    assert!(
        said.message.contains("64"),
        "the limit said: {}",
        said.message
    );

    let added = send(
        &server,
        Method::POST,
        "/api/v1/customers",
        &write,
        Some(zoe),
    )
    .await;
    assert_eq!(added.status(), 201);
    let location = added.headers()["location"].to_str().unwrap().to_string();
    let zoe: Value = added.json().await.unwrap();
    let zoe_id = zoe["id"].as_i64().unwrap();
    assert_eq!(location, format!("/api/v1/customers/{zoe_id}"));
    assert_eq!(zoe["tags"], json!(["vip", "gold member"]));
    assert_eq!(zoe["conversations"], 0);
    let again = json!({"name": "Someone", "email": "ZOE@example.com"});
    let said = refused(
        &server,
        Method::POST,
        "/api/v1/customers",
        &write,
        again,
        409,
    )
    .await;
    assert_eq!(said.error, "conflict");
    assert!(
        said.message.contains(&format!("customer {zoe_id}")),
        "{}",
        said.message
    );
    let dave = send(
        &server,
        Method::POST,
        "/api/v1/customers",
        &write,
        Some(json!({"name": "Dave", "email": "dave@example.com"})),
    )
    .await;
    assert_eq!(dave.status(), 201);
    let dave: Value = dave.json().await.unwrap();
    let dave_id = dave["id"].as_i64().unwrap();

    // Paged by cursor, with either scope; found by a part of a name or an address.
    let first: Value = read(&server, "/api/v1/customers?limit=1", &reader).await;
    assert_eq!(names(&first), ["Zoé Martin"]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let next: Value = read(
        &server,
        &format!("/api/v1/customers?limit=1&cursor={cursor}"),
        &reader,
    )
    .await;
    assert_eq!(names(&next), ["Dave"]);
    assert_eq!(next.get("next_cursor"), None, "the last page says so");
    let found: Value = read(&server, "/api/v1/customers?q=DAVE%40", &reader).await;
    assert_eq!(names(&found), ["Dave"]);
    let found: Value = read(&server, "/api/v1/customers?q=2345", &reader).await;
    assert_eq!(names(&found), ["Zoé Martin"], "by a number's digits");
    let said = refusal(
        call(&server, "/api/v1/customers?limit=500", Some(&reader)).await,
        400,
    )
    .await;
    assert!(said.message.contains("limit"), "{}", said.message);
    let said = refusal(
        call(&server, "/api/v1/customers?cursor=zz", Some(&reader)).await,
        400,
    )
    .await;
    assert!(said.message.contains("cursor"), "{}", said.message);

    // Changed: only what is given; another's number refused.
    let dave_path = format!("/api/v1/customers/{dave_id}");
    let taken = json!({"phone": "+33 (1) 23-45-67-89"});
    let said = refused(&server, Method::PATCH, &dave_path, &write, taken, 409).await;
    assert!(said.message.contains("phone number"), "{}", said.message);
    let changed: Value = ok(send(
        &server,
        Method::PATCH,
        &dave_path,
        &write,
        Some(json!({"name": "Dave Smith", "tags": ["Prospect"]})),
    )
    .await)
    .await;
    assert_eq!(
        (&changed["name"], &changed["email"], &changed["tags"]),
        (
            &json!("Dave Smith"),
            &json!("dave@example.com"),
            &json!(["prospect"])
        )
    );

    // Merged: Dave's address now finds Zoé; Dave is gone.
    let zoe_path = format!("/api/v1/customers/{zoe_id}");
    let same = json!({"from": zoe_id});
    let said = refused(
        &server,
        Method::POST,
        &format!("{zoe_path}/merge"),
        &write,
        same,
        409,
    )
    .await;
    assert_eq!(said.error, "conflict");
    let merged: Value = ok(send(
        &server,
        Method::POST,
        &format!("{zoe_path}/merge"),
        &write,
        Some(json!({"from": dave_id})),
    )
    .await)
    .await;
    assert_eq!(merged["name"], "Zoé Martin");
    assert_eq!(
        merged["addresses"],
        json!([{"kind": "email", "value": "dave@example.com", "profile_name": null}])
    );
    let gone = refusal(call(&server, &dave_path, Some(&reader)).await, 404).await;
    assert_eq!(gone.error, "not_found");
    let read_back: Value = read(&server, &zoe_path, &reader).await;
    assert_eq!(read_back["notes"], json!([]));
    assert_eq!(read_back["id"], zoe_id);

    let db = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        server.data_dir().join("server.db").display()
    ))
    .await
    .unwrap();
    let audit: Vec<(String, String)> = sqlx::query_as(
        "SELECT a.action, a.detail FROM admin_audit a WHERE a.action LIKE 'customer.%' ORDER BY a.id",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    let actions: Vec<&str> = audit.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "customer.add",
            "customer.add",
            "customer.change",
            "customer.link"
        ]
    );
    assert!(
        audit
            .iter()
            .all(|(_, d)| d.contains("API token \"Acme CRM\"")),
        "{audit:?}"
    );

    // Her own address sent again is no conflict; `null` removes a number.
    let own = json!({"email": "Zoe@Example.com", "phone": null});
    let changed: Value = ok(send(&server, Method::PATCH, &zoe_path, &write, Some(own)).await).await;
    assert_eq!(
        (&changed["email"], &changed["phone"]),
        (&json!("Zoe@Example.com"), &Value::Null)
    );
    // Erased, she is gone for the API too.
    let erase = json!({"customer": zoe_id});
    ok::<Value>(
        server
            .post_json("/api/admin/customer-erase", &admin, &erase)
            .await,
    )
    .await;
    let gone = refusal(call(&server, &zoe_path, Some(&reader)).await, 404).await;
    assert_eq!(gone.error, "not_found");
    let rename = json!({"name": "Back"});
    refused(&server, Method::PATCH, &zoe_path, &write, rename, 404).await;
    let listed: Value = read(&server, "/api/v1/customers", &reader).await;
    assert_eq!(listed["data"], json!([]));
}

/// Issue 17: a CRM reads a chat whole (the customer's and the agent's words, who said
/// them, the system's lines), finds it by its words once it has ended, by its customer
/// while it goes on, and pages through conversations newest first.
#[tokio::test]
async fn a_crm_reads_and_searches_conversations() {
    let server = TestServer::start().await;
    let admin = server.admin_session().await;
    let reader = token(&server, &admin, "Reader", "read").await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let support = server.queue("Support", &[ann]).await;
    let mut desk = server.desktop_ready("ann").await;
    let mut contacts = Vec::new();
    for (name, said) in [
        ("Zoé Martin", "Où est mon REMBOURSEMENT ?"),
        ("Karl", "Bonjour"),
    ] {
        let cookie = server.start_chat(name, support).await;
        let mut widget = server.widget(&cookie, 0).await;
        let view = common::desk::accept_next(&mut desk).await;
        send_json(
            &mut widget,
            json!({"type": "send", "client_id": "c1", "text": said}),
        )
        .await;
        wait_for(&mut desk, |m| {
            matches!(m, app::domain::protocol::ServerMessage::ChatLine { line, .. }
                if matches!(&line.body, app::domain::chat::LineBody::Message { text, .. } if text == said))
        })
        .await;
        contacts.push(view.contact);
    }
    let (zoe_chat, karl_chat) = (contacts[0], contacts[1]);

    // Newest first, paged; every conversation, going on or not.
    let page: Value = read(&server, "/api/v1/conversations?limit=1", &reader).await;
    assert_eq!(page["data"][0]["id"], karl_chat.0);
    assert_eq!(page["data"][0]["status"], "active");
    let cursor = page["next_cursor"].as_str().unwrap();
    let page: Value = read(
        &server,
        &format!("/api/v1/conversations?limit=1&cursor={cursor}"),
        &reader,
    )
    .await;
    assert_eq!(page["data"][0]["id"], zoe_chat.0);
    assert_eq!(page["data"][0]["customer_name"], "Zoé Martin");
    assert_eq!(page["data"][0]["channel"], "web");
    let customer = page["data"][0]["customer_id"].as_i64().unwrap();
    let theirs: Value = read(
        &server,
        &format!("/api/v1/conversations?customer={customer}"),
        &reader,
    )
    .await;
    assert_eq!(theirs["data"].as_array().unwrap().len(), 1);
    let said = refusal(
        call(&server, "/api/v1/conversations?channel=fax", Some(&reader)).await,
        400,
    )
    .await;
    assert!(said.message.contains("channel"), "{}", said.message);
    let said = refusal(
        call(
            &server,
            "/api/v1/conversations?from=yesterday",
            Some(&reader),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(said.errors.len(), 1, "{:?}", said.errors);

    send_json(
        &mut desk,
        json!({"type": "send", "contact": zoe_chat, "client_id": "a1", "text": "Il part aujourd'hui."}),
    )
    .await;
    send_json(&mut desk, json!({"type": "end_chat", "contact": zoe_chat})).await;
    // Found by its words once the indexer has read it (it looks every second).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let found = loop {
        let found: Value = read(&server, "/api/v1/conversations?q=rembourse", &reader).await;
        if !found["data"].as_array().unwrap().is_empty() || std::time::Instant::now() > deadline {
            break found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
    assert_eq!(found["data"][0]["id"], zoe_chat.0);
    assert_eq!(found["data"][0]["status"], "ended");

    let whole: Value = read(
        &server,
        &format!("/api/v1/conversations/{}", zoe_chat.0),
        &reader,
    )
    .await;
    assert_eq!(whole["queue"], "Support");
    assert_eq!(whole["agent_id"], ann.0);
    assert!(whole["ended_at_ms"].is_i64());
    let said: Vec<(&str, &str)> = whole["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["author"] != "system")
        .map(|l| (l["name"].as_str().unwrap(), l["text"].as_str().unwrap()))
        .collect();
    assert_eq!(
        said,
        [
            ("Zoé Martin", "Où est mon REMBOURSEMENT ?"),
            ("ann", "Il part aujourd'hui.")
        ]
    );
    assert!(
        whole["lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["author"] == "system" && l["text"].as_str().unwrap().contains("ann")),
        "the system's lines in words: {whole}"
    );
    let missing = refusal(
        call(&server, "/api/v1/conversations/999999", Some(&reader)).await,
        404,
    )
    .await;
    assert_eq!(missing.error, "not_found");
}

/// Issue 17: the OpenAPI document, read without a token, describes every route and the
/// bearer token they take.
#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let server = TestServer::start().await;
    let doc: Value = ok(call(&server, "/api/v1/openapi.json", None).await).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/token",
        "/queues",
        "/agents",
        "/customers",
        "/customers/{id}",
        "/customers/{id}/merge",
        "/conversations",
        "/conversations/{id}",
        "/emails",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} missing: {:?}",
            paths.keys()
        );
    }
    assert!(paths["/customers"]["post"].is_object());
    assert!(paths["/customers/{id}"]["patch"].is_object());
    assert_eq!(
        doc["components"]["securitySchemes"]["token"]["scheme"],
        "bearer"
    );
    assert!(doc["components"]["schemas"]["Customer"].is_object());
    // Each operation named once, as generators of clients need.
    let mut ids: Vec<&str> = paths
        .values()
        .flat_map(|p| p.as_object().unwrap().values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let named = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((ids.len(), named), (11, 11), "{ids:?}");
    // Each says how it refuses a missing token and a caller over its rate.
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            for status in ["401", "429"] {
                assert!(
                    op["responses"][status].is_object(),
                    "{method} {path}: {status}"
                );
            }
        }
    }
    assert!(paths["/customers"]["post"]["responses"]["400"].is_object());
    // Starting an email says both answers: sent now (201), or sent before (200).
    for status in ["200", "201", "403", "409", "413", "422", "503"] {
        assert!(
            paths["/emails"]["post"]["responses"][status].is_object(),
            "POST /emails: {status}"
        );
    }
}
