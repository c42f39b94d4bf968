//! Issue 17: an email a CRM starts through the API, kept as an email conversation of the
//! queue's mailbox that ended as it was sent: the message itself is its email (from the
//! mailbox, to the customer), and it waits in the outbox like an agent's reply. The
//! customer's answer threads to it through its Message-ID (SPEC E-4).

use super::{
    email::{NewAck, NewEmail},
    settings::AuditEntry,
    StoreResult,
};
use app::domain::{
    contact::Contact,
    ids::{ContactId, CustomerId},
};
use async_trait::async_trait;

/// The outcome of [`OutboundStore::start_email`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Started {
    /// A new conversation, its message in the outbox.
    New(Contact),
    /// The mailbox holds this Message-ID already (the caller sent the same id again):
    /// that conversation, nothing stored or sent twice.
    Again(ContactId),
}

#[async_trait]
pub trait OutboundStore: Send + Sync {
    /// The conversation of an email started through the API whose Message-ID starts with
    /// `local_part` (letters, digits and dots only) and "@", through whichever mailbox.
    async fn started_email(&self, local_part: &str) -> StoreResult<Option<ContactId>>;
    /// In one transaction: `email` (its Message-ID the outgoing one's) as an email contact of
    /// `customer`, ended as sent, `message` in the outbox due at once, and the audit line.
    async fn start_email(
        &self,
        email: &NewEmail,
        customer: CustomerId,
        message: &NewAck,
        audit: &AuditEntry,
        now_ms: i64,
    ) -> StoreResult<Started>;
}
