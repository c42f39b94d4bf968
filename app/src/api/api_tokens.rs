//! The API tokens section's calls (issue 17): administrators only, checked by the server.
//! A token's secret is in the answer to its creation, and nowhere else.

use super::ApiError;
use crate::domain::{
    api_tokens::{ApiTokenSummary, CreatedApiToken, NewApiToken},
    ids::ApiTokenId,
};
use leptos::prelude::*;

/// Every token, revoked ones included, the newest first.
#[server(prefix = "/api", endpoint = "admin/api-tokens", output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn list_api_tokens() -> Result<Vec<ApiTokenSummary>, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.api_tokens(&headers).await
    }
    .await
    .map_err(super::fail)
}

/// A new token, with its secret (shown this once).
#[server(prefix = "/api", endpoint = "admin/api-token-create", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn create_api_token(token: NewApiToken) -> Result<CreatedApiToken, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.create_api_token(&headers, token).await
    }
    .await
    .map_err(super::fail)
}

/// Revokes a token at once; the tokens as they are now.
#[server(prefix = "/api", endpoint = "admin/api-token-revoke", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn revoke_api_token(token: ApiTokenId) -> Result<Vec<ApiTokenSummary>, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.revoke_api_token(&headers, token).await
    }
    .await
    .map_err(super::fail)
}
