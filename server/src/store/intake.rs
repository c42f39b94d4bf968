//! What the store keeps of reading mailboxes beyond their progress: the tries at reading each
//! message, and the messages set aside after too many (one bad message never blocks a
//! mailbox). A separate trait, included by [`super::Store`].

use super::StoreResult;
use app::domain::set_aside::{SetAsideReason, UnreadableEmail};
use async_trait::async_trait;

/// Where a message sits: its mailbox (by the name in the mailbox settings), the mailbox's
/// UIDVALIDITY and the message's UID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageKey<'a> {
    pub mailbox: &'a str,
    pub uid_validity: u32,
    pub uid: u32,
}

/// A message to set aside, as much of it as the mail server could give.
#[derive(Debug, Clone, Copy)]
pub struct SetAside<'a> {
    pub key: MessageKey<'a>,
    pub from: &'a str,
    pub subject: &'a str,
    pub reason: &'a SetAsideReason,
}

#[async_trait]
pub trait IntakeStore: Send + Sync {
    /// Counts a try at reading the message before it starts, so a crash while reading it
    /// counts too. Returns the tries so far (this one included) and why the last failed; forgets
    /// the tries of the mailbox's earlier messages.
    async fn intake_attempt(
        &self,
        key: MessageKey<'_>,
    ) -> StoreResult<(u32, Option<SetAsideReason>)>;
    /// Counts one try at each of several messages of one mailbox (ascending UIDs) in one
    /// transaction, but only when none of them was tried before: true when counted. A
    /// message tried before (a crash in an earlier batch) must be read alone, so that its
    /// tries are its own. Forgets the tries of the mailbox's earlier messages.
    async fn intake_batch_attempt(&self, keys: &[MessageKey<'_>]) -> StoreResult<bool>;
    /// The batch's tries are taken back (the batch failed: each message is read alone next).
    async fn intake_batch_failed(&self, keys: &[MessageKey<'_>]) -> StoreResult<()>;
    /// The try failed, for `reason`. `counts` false takes the try back: the failure was not
    /// the message's (the data directory could not be written, say).
    async fn intake_failed(
        &self,
        key: MessageKey<'_>,
        reason: &SetAsideReason,
        counts: bool,
    ) -> StoreResult<()>;
    /// In one transaction: lists the message for the administrators and moves the mailbox's
    /// progress past it.
    async fn set_aside_email(&self, message: SetAside<'_>, now_ms: i64) -> StoreResult<()>;
    /// The UIDs set aside in a mailbox under this UIDVALIDITY.
    async fn set_aside_uids(&self, mailbox: &str, uid_validity: u32) -> StoreResult<Vec<u32>>;
    /// The messages set aside, newest first.
    async fn unreadable_emails(&self, limit: i64) -> StoreResult<Vec<UnreadableEmail>>;
}
