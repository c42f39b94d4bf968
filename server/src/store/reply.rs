//! What the store keeps of replies (SPEC ): the draft of each email contact
//! with its files, and the outbox. A separate trait, included by [`super::Store`].

use super::StoreResult;
use app::domain::{
    ids::{AgentId, ContactId, DraftFileId},
    reply::{Draft, DraftFile, ReplyInput},
    validate::FieldError,
};
use async_trait::async_trait;

/// A file of a draft with where its bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDraftFile {
    pub contact: ContactId,
    pub file: DraftFile,
    /// Hex SHA-256 of the bytes: the file's name in the data directory.
    pub sha256: String,
}

/// A file to add to a draft, its bytes already written.
#[derive(Debug, Clone)]
pub struct NewDraftFile {
    pub name: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    pub inline: bool,
}

/// A built message for the outbox (SPEC R-7).
#[derive(Debug, Clone)]
pub struct NewOutbox {
    pub contact: ContactId,
    pub agent: AgentId,
    pub mailbox: String,
    pub envelope_from: String,
    /// To, Cc and Bcc: who the SMTP server delivers to.
    pub recipients: Vec<String>,
    pub message: Vec<u8>,
    pub message_id: String,
    /// Issue 17: what the agent wrote, as text, kept after the message is sent.
    pub text: String,
}

/// A message in the outbox.
#[derive(Debug, Clone)]
pub struct OutboxItem {
    pub id: i64,
    pub contact: ContactId,
    /// The agent whose reply it is; none for a left message's acknowledgement (issue 17).
    pub agent: Option<AgentId>,
    pub mailbox: String,
    pub envelope_from: String,
    pub recipients: Vec<String>,
    pub message: Vec<u8>,
    pub attempts: u32,
}

/// Where a message of the outbox is (for tests and the supervisor's eyes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxState {
    pub state: String,
    pub attempts: u32,
    pub last_error: Option<String>,
}

#[async_trait]
pub trait ReplyStore: Send + Sync {
    /// The email's draft with its files, if a reply was started.
    async fn draft(&self, contact: ContactId) -> StoreResult<Option<Draft>>;
    /// SPEC R-4: stores the reply being written (NotFound unless `agent` holds the email).
    async fn save_draft(
        &self,
        contact: ContactId,
        agent: AgentId,
        input: &ReplyInput,
        now_ms: i64,
    ) -> StoreResult<()>;
    /// SPEC A-1: adds a file if the draft's files still allow it (checked in the same
    /// transaction, so two uploads at once cannot pass a limit together). NotFound unless
    /// `agent` holds the email.
    async fn add_draft_file(
        &self,
        contact: ContactId,
        agent: AgentId,
        file: &NewDraftFile,
        now_ms: i64,
    ) -> StoreResult<Result<DraftFile, FieldError>>;
    async fn draft_file(&self, id: DraftFileId) -> StoreResult<StoredDraftFile>;
    /// Removes a file of the draft; returns its SHA-256 (NotFound unless `agent` holds it).
    async fn remove_draft_file(
        &self,
        contact: ContactId,
        agent: AgentId,
        id: DraftFileId,
    ) -> StoreResult<String>;
    /// SPEC Q-2: deletes the draft and its files' rows; returns the files' SHA-256.
    async fn delete_draft(&self, contact: ContactId) -> StoreResult<Vec<String>>;
    /// Whether any email or draft still refers to these bytes.
    async fn file_in_use(&self, sha256: &str) -> StoreResult<bool>;
    /// SPEC R-7: in one transaction, the email ends as sent for `agent` (NotFound unless
    /// that agent holds it) and the message enters the outbox, held: the outbox takes it
    /// only after [`ReplyStore::reply_due`], once the agent's pages have let the email go.
    async fn queue_reply(&self, reply: &NewOutbox, now_ms: i64) -> StoreResult<i64>;
    /// A held reply may go now.
    async fn reply_due(&self, id: i64, now_ms: i64) -> StoreResult<()>;
    /// Every held reply may go now (at start: the server stopped between the two steps).
    async fn held_replies_due(&self, now_ms: i64) -> StoreResult<()>;
    /// Pending messages due by `now_ms`, oldest first, taken until `lease_until_ms`: their
    /// next attempt is set then, so no other worker takes them before (should this one die
    /// with them, they are tried again after it).
    async fn claim_due_replies(
        &self,
        mailbox: &str,
        now_ms: i64,
        limit: u32,
        lease_until_ms: i64,
    ) -> StoreResult<Vec<OutboxItem>>;
    /// When the next pending message is due, if any.
    async fn next_reply_due(&self, mailbox: &str) -> StoreResult<Option<i64>>;
    /// The mailboxes with replies waiting (one may have left the configuration since).
    async fn outbox_mailboxes(&self) -> StoreResult<Vec<String>>;
    /// Sent: the message's bytes are dropped (the SMTP server has them).
    async fn reply_sent(&self, id: i64, now_ms: i64) -> StoreResult<()>;
    /// A temporary failure: try again at `next_at_ms`.
    async fn reply_retry(
        &self,
        id: i64,
        attempts: u32,
        next_at_ms: i64,
        error: &str,
    ) -> StoreResult<()>;
    /// SPEC R-7: a permanent failure: in one transaction the message is marked failed (its
    /// bytes dropped: the draft is what counts now), the email is in `agent`'s hands again
    /// and its draft carries the server's error. An acknowledgement (no agent) is only
    /// marked failed.
    async fn reply_failed(&self, id: i64, error: &str, now_ms: i64) -> StoreResult<()>;
    /// The outbox messages of a contact, oldest first.
    async fn outbox_of(&self, contact: ContactId) -> StoreResult<Vec<OutboxState>>;
    /// Issue 17: the text of the reply an agent last sent (or is sending) for a contact;
    /// none for an acknowledgement, a refused reply, or one sent before it was kept.
    async fn reply_text(&self, contact: ContactId) -> StoreResult<Option<String>>;
}
