//! What the store keeps of the canned responses (SPEC P-3, R-3, D-2): chat and email ones,
//! each global or of one CSQ, as the administrators create, change and delete them. A
//! separate trait, included by [`super::Store`].

use super::{AuditEntry, StoreResult};
use app::domain::{
    canned::{CannedEdit, CannedResponse},
    contact::ContactKind,
    ids::CannedResponseId,
};
use async_trait::async_trait;

#[async_trait]
pub trait CannedStore: Send + Sync {
    /// A global response, without an audit line (demo data, tests).
    async fn create_canned_response(
        &self,
        kind: ContactKind,
        title: &str,
        body: &str,
    ) -> StoreResult<CannedResponseId>;

    /// Every response of `kind`, by title (ignoring case).
    async fn canned_responses(&self, kind: ContactKind) -> StoreResult<Vec<CannedResponse>>;

    /// Creates (`edit.id` none) or changes a response, with the audit line, in one
    /// transaction; [`super::StoreError::NotFound`] when the response to change is gone.
    async fn save_canned_response(
        &self,
        edit: &CannedEdit,
        audit: &AuditEntry,
    ) -> StoreResult<CannedResponseId>;

    /// Deletes a response, with the audit line; [`super::StoreError::NotFound`] when it was
    /// already gone. Messages and replies that used it keep their text.
    async fn delete_canned_response(
        &self,
        id: CannedResponseId,
        audit: &AuditEntry,
    ) -> StoreResult<()>;
}
