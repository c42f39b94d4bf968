//! What the store keeps of the API's tokens (issue 17): each one's name, scope and the
//! SHA-256 of its secret (never the secret), who created it and when, when it was last
//! used (to the minute) and when it was revoked. A separate trait, included by
//! [`super::Store`].

use super::{AuditEntry, StoreResult};
use app::domain::{
    api_tokens::{ApiTokenSummary, TokenScope},
    ids::{AgentId, ApiTokenId},
};
use async_trait::async_trait;

/// A token that opens the API: not revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveToken {
    pub id: ApiTokenId,
    pub scope: TokenScope,
    /// Its last use noted, if any (read with it, so a use is written only when due).
    pub last_used_at_ms: Option<i64>,
    /// Its name, and the administrator who created it: the audit names both for a change
    /// made with it.
    pub name: String,
    pub created_by: AgentId,
}

#[async_trait]
pub trait ApiTokenStore: Send + Sync {
    /// Stores a new token by the hash of its secret, audited.
    async fn create_api_token(
        &self,
        name: &str,
        scope: TokenScope,
        token_hash: &str,
        created_by: AgentId,
        audit: &AuditEntry,
    ) -> StoreResult<ApiTokenSummary>;

    /// Every token, revoked ones included, the newest first.
    async fn api_tokens(&self) -> StoreResult<Vec<ApiTokenSummary>>;

    /// Revokes a token, audited; false when there is no such token or it was revoked
    /// already (nothing is written then).
    async fn revoke_api_token(
        &self,
        id: ApiTokenId,
        now_ms: i64,
        audit: &AuditEntry,
    ) -> StoreResult<bool>;

    /// The live token whose secret has this hash.
    async fn live_api_token(&self, token_hash: &str) -> StoreResult<Option<LiveToken>>;

    /// Notes a request by the token, unless one was noted within `every_ms`.
    async fn api_token_used(&self, id: ApiTokenId, now_ms: i64, every_ms: i64) -> StoreResult<()>;
}
