//! Issue 17: the `/api/v1` API a CRM calls, through the real HTTP server: the tokens an
//! administrator creates (the secret shown once, only its hash kept) and revokes, and what
//! a token reads. Every route is refused without a live token.

mod common;

use app::api::ApiError;
use app::domain::{
    api_tokens::{ApiTokenSummary, CreatedApiToken, TokenScope},
    limits::{API_CALLS_PER_MINUTE, WEBHOOK_REFUSALS_PER_MINUTE},
    refusal::Refusal,
    validate::{Field, FieldError, Problem},
};
use common::*;
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

    let me: Value = ok(call(&server, "/api/v1/token", Some(secret)).await).await;
    let lower: Value = ok(reqwest::Client::new()
        .get(server.url("/api/v1/token"))
        .header("authorization", format!("bearer  {secret}"))
        .send()
        .await
        .unwrap())
    .await;
    assert_eq!(lower, me, "the scheme in any case");
    assert_eq!(me, json!({"id": created.token.id, "scope": "read"}));
    let queues: Value = ok(call(&server, "/api/v1/queues", Some(secret)).await).await;
    assert_eq!(queues["data"][0]["name"], "Support");
    assert_eq!(queues["data"][0]["agents"], json!([ann]));
    let agents: Value = ok(call(&server, "/api/v1/agents", Some(secret)).await).await;
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
