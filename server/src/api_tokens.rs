//! Issue 17: the tokens a CRM calls `/api/v1` with, as administrators handle them: create
//! one (its secret returned this once, only its SHA-256 kept), list them, revoke one; and
//! the live token a request's secret opens, its use noted to the minute.

use crate::{
    auth::{new_token, token_hash},
    clock::now_ms,
    services::{internal, Services},
    store::{api_tokens::LiveToken, AuditEntry, StoreError},
};
use app::{
    api::ApiError,
    domain::{
        api_tokens::{ApiTokenSummary, CreatedApiToken, NewApiToken},
        ids::ApiTokenId,
        limits::API_TOKEN_USE_RECORDED_EVERY_MS,
    },
};
use http::HeaderMap;

/// What every secret starts with: a leaked one is recognised for what it is (by a person,
/// or a secret scanner).
pub const SECRET_PREFIX: &str = "sbt_";

impl Services {
    /// Every token, revoked ones included, the newest first.
    pub async fn api_tokens(&self, headers: &HeaderMap) -> Result<Vec<ApiTokenSummary>, ApiError> {
        self.administrator(headers).await?;
        self.store.api_tokens().await.map_err(internal)
    }

    /// A new token, audited (by its name and scope, never its secret).
    pub async fn create_api_token(
        &self,
        headers: &HeaderMap,
        new: NewApiToken,
    ) -> Result<CreatedApiToken, ApiError> {
        let admin = self.administrator(headers).await?;
        new.check().map_err(|e| ApiError::Invalid(vec![e]))?;
        let name = new.name.trim();
        let secret = format!("{SECRET_PREFIX}{}", new_token());
        let audit = AuditEntry {
            at_ms: now_ms(),
            agent: admin.id,
            action: "api_token.create".into(),
            detail: format!("\"{name}\" ({})", new.scope.as_str()),
        };
        let token = self
            .store
            .create_api_token(name, new.scope, &token_hash(&secret), admin.id, &audit)
            .await
            .map_err(internal)?;
        tracing::info!(agent = %admin.id, token = %token.id, "API token created");
        Ok(CreatedApiToken { token, secret })
    }

    /// Revokes a token at once, audited; the tokens as they are now.
    pub async fn revoke_api_token(
        &self,
        headers: &HeaderMap,
        id: ApiTokenId,
    ) -> Result<Vec<ApiTokenSummary>, ApiError> {
        let admin = self.administrator(headers).await?;
        let mut tokens = self.store.api_tokens().await.map_err(internal)?;
        let Some(token) = tokens.iter_mut().find(|t| t.id == id) else {
            return Err(ApiError::NotFound);
        };
        let audit = AuditEntry {
            at_ms: now_ms(),
            agent: admin.id,
            action: "api_token.revoke".into(),
            detail: format!("\"{}\" ({})", token.name, token.scope.as_str()),
        };
        let revoked = self
            .store
            .revoke_api_token(id, audit.at_ms, &audit)
            .await
            .map_err(internal)?;
        if !revoked {
            // Revoked meanwhile by someone else: the list as it is now.
            return self.store.api_tokens().await.map_err(internal);
        }
        tracing::info!(agent = %admin.id, token = %id, "API token revoked");
        token.revoked_at_ms = Some(audit.at_ms);
        Ok(tokens)
    }

    /// The live token `secret` is; none for a secret that is unknown or revoked.
    pub async fn api_caller(&self, secret: &str) -> Result<Option<LiveToken>, StoreError> {
        if !secret.starts_with(SECRET_PREFIX) {
            return Ok(None);
        }
        self.store.live_api_token(&token_hash(secret)).await
    }

    /// Notes a call by `token`, to the minute: written only when its last use noted is
    /// older (an API call does not wait on the database's writer otherwise).
    pub async fn api_call_made(&self, token: &LiveToken) -> Result<(), StoreError> {
        let now = now_ms();
        let due = token
            .last_used_at_ms
            .is_none_or(|at| at <= now - API_TOKEN_USE_RECORDED_EVERY_MS);
        if due {
            self.store
                .api_token_used(token.id, now, API_TOKEN_USE_RECORDED_EVERY_MS)
                .await?;
        }
        Ok(())
    }
}
