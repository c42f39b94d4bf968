//! What the store keeps of the pre-chat form's own fields (SPEC K-2, O-2, D-2), in the
//! administrator's order. A separate trait, included by [`super::Store`]. The answers a chat
//! started with are kept on its contact (see [`super::NewChat`]).

use super::{AuditEntry, StoreResult};
use app::domain::prechat::{PreChatField, PreChatFieldEdit};
use async_trait::async_trait;

#[async_trait]
pub trait PreChatStore: Send + Sync {
    /// Every field, in the form's order.
    async fn prechat_fields(&self) -> StoreResult<Vec<PreChatField>>;

    /// Creates (`edit.id` none: last in the form) or changes a field, with the audit line,
    /// in one transaction. [`super::StoreError::NotFound`] when the field to change is gone,
    /// [`super::StoreError::Conflict`] when another field has its label (ignoring case),
    /// [`super::StoreError::Full`] when a new one would make more than `max`.
    async fn save_prechat_field(
        &self,
        edit: &PreChatFieldEdit,
        max: usize,
        audit: &AuditEntry,
    ) -> StoreResult<i64>;

    /// Deletes a field, with the audit line; chats started with an answer to it keep it.
    async fn delete_prechat_field(&self, id: i64, audit: &AuditEntry) -> StoreResult<()>;

    /// Moves a field one place up or down the form, with the audit line; false (and no
    /// audit line) when it is already at that end.
    async fn move_prechat_field(&self, id: i64, up: bool, audit: &AuditEntry) -> StoreResult<bool>;
}
