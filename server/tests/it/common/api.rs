//! The `/api/v1` API as a CRM calls it (issue 17): a token made by an administrator, and
//! calls with it.

use super::{ok, TestServer};
use app::domain::api_tokens::CreatedApiToken;
use serde_json::{json, Value};

/// A new token's secret, of this scope.
pub async fn token(server: &TestServer, admin: &str, name: &str, scope: &str) -> String {
    let created: CreatedApiToken = ok(server
        .post_json(
            "/api/admin/api-token-create",
            admin,
            &json!({"token": {"name": name, "scope": scope}}),
        )
        .await)
    .await;
    created.secret
}

/// A call with a token and, for a change, a JSON body.
pub async fn send(
    server: &TestServer,
    method: reqwest::Method,
    path: &str,
    secret: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .request(method, server.url(path))
        .bearer_auth(secret);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}
