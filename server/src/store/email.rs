//! What the store keeps of emails (SPEC E-1 to E-4, Q-1): a separate trait, so the email
//! tables have their own SQL file; [`super::Store`] includes it.

use super::StoreResult;
use app::domain::{
    contact::Contact,
    email::{EmailAddress, EmailHeader, EmailView, SkippedPart},
    ids::{AgentId, AttachmentId, ContactId, CsqId},
};
use async_trait::async_trait;

/// A message read from a mailbox, parsed and sanitized, its kept files already written.
#[derive(Debug, Clone)]
pub struct NewEmail {
    pub mailbox: String,
    /// The mailbox's own address (SPEC R-1: never a Reply All recipient).
    pub mailbox_address: String,
    pub uid_validity: u32,
    pub uid: u32,
    pub csq: CsqId,
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub subject: String,
    pub from: EmailAddress,
    pub to: Vec<EmailAddress>,
    pub cc: Vec<EmailAddress>,
    pub sent_at_ms: Option<i64>,
    pub text_body: String,
    /// Sanitized HTML; `cid:` references are left for the reader to resolve.
    pub html_body: Option<String>,
    pub has_remote_images: bool,
    pub attachments: Vec<NewAttachment>,
    pub skipped: Vec<SkippedPart>,
}

#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub name: String,
    pub content_type: String,
    pub size: u64,
    /// Hex SHA-256 of the bytes: the file's name in the data directory.
    pub sha256: String,
    pub content_id: Option<String>,
    pub inline: bool,
}

/// Issue 17 (K-4): the UIDVALIDITY of a message not read from a mailbox (IMAP never gives
/// 0): left in the widget, or sent through the API. Its UID is its contact's id, its
/// Message-ID carries the widget's (or the caller's) id for it.
pub const LEFT_UID_VALIDITY: u32 = 0;

/// The acknowledgement of a left message, built: it enters the outbox with the message.
#[derive(Debug, Clone)]
pub struct NewAck {
    pub envelope_from: String,
    pub recipients: Vec<String>,
    pub message: Vec<u8>,
    pub message_id: String,
}

/// The outcome of [`EmailStore::take_email`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// A new contact, queued; with the thread's last agent and when that agent had it
    /// (SPEC E-4).
    New {
        contact: Contact,
        last_agent: Option<(AgentId, i64)>,
    },
    /// This UID (or, after a UIDVALIDITY change, this Message-ID) was taken before: nothing
    /// stored but the mailbox's progress.
    AlreadyTaken,
}

/// A stored file of an email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAttachment {
    pub id: AttachmentId,
    pub contact: ContactId,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    pub content_id: Option<String>,
    pub inline: bool,
}

/// A stored email: what the agent's panel lists, and the bodies for the reader.
#[derive(Debug, Clone)]
pub struct StoredEmail {
    pub view: EmailView,
    /// The mailbox it came from: the reply goes out through its SMTP server.
    pub mailbox: String,
    /// Threading (SPEC R-7): the reply's In-Reply-To and References come from these.
    pub message_id: Option<String>,
    pub references: Vec<String>,
    pub in_reply_to: Vec<String>,
    pub text_body: String,
    pub html_body: Option<String>,
    pub attachments: Vec<StoredAttachment>,
}

#[async_trait]
pub trait EmailStore: Send + Sync {
    /// The UIDVALIDITY and last UID taken from a mailbox, if any was.
    async fn mailbox_progress(&self, mailbox: &str) -> StoreResult<Option<(u32, u32)>>;
    /// In one transaction: the customer (found by address or created), the thread (by
    /// Message-ID references, else by sender and subject), the queued contact, the email,
    /// its files, and the mailbox's progress.
    async fn take_email(&self, email: &NewEmail, now_ms: i64) -> StoreResult<Taken>;
    /// Several messages of one mailbox, oldest first, each as [`Self::take_email`] would,
    /// in one transaction (one disk sync for the lot): all are stored or none. One outcome
    /// per message, in order.
    async fn take_emails(&self, emails: &[NewEmail], now_ms: i64) -> StoreResult<Vec<Taken>>;
    /// Issue 17 (K-4): a message left in the widget ([`LEFT_UID_VALIDITY`]) as an email
    /// contact, and its acknowledgement in the outbox, in one transaction; AlreadyTaken
    /// when the mailbox holds its Message-ID already (the widget posted it again).
    async fn take_left_message(
        &self,
        email: &NewEmail,
        ack: &NewAck,
        now_ms: i64,
    ) -> StoreResult<Taken>;
    async fn email(&self, contact: ContactId) -> StoreResult<StoredEmail>;
    /// What the contact's tab shows (None for a chat).
    async fn email_header(&self, contact: ContactId) -> StoreResult<Option<EmailHeader>>;
    async fn attachment(&self, id: AttachmentId) -> StoreResult<StoredAttachment>;
    /// SPEC E-4: the agent now handling the email is its thread's last agent.
    async fn set_thread_agent(
        &self,
        contact: ContactId,
        agent: AgentId,
        at_ms: i64,
    ) -> StoreResult<()>;
    /// SPEC E-4: the last agent of the email's thread, and since when.
    async fn thread_last_agent(&self, contact: ContactId) -> StoreResult<Option<(AgentId, i64)>>;
    /// SPEC Q-2: ends the email if `agent` holds it (NotFound otherwise).
    async fn discard_email(
        &self,
        contact: ContactId,
        agent: AgentId,
        now_ms: i64,
    ) -> StoreResult<()>;
    /// SPEC Q-1: puts the email in `csq`, queued, never to go back to `agent` (NotFound
    /// unless `agent` holds it); the thread no longer waits for `agent` (E-4).
    async fn requeue_email(
        &self,
        contact: ContactId,
        csq: CsqId,
        agent: AgentId,
        now_ms: i64,
    ) -> StoreResult<()>;
    /// SPEC S-5: the agent's desktop is gone: the email goes back to its queue, queued,
    /// with no exclusion and its thread's last agent kept (NotFound unless `agent` holds
    /// it). Only the agent's own Requeue excludes.
    async fn put_back_email(
        &self,
        contact: ContactId,
        agent: AgentId,
        now_ms: i64,
    ) -> StoreResult<()>;
    /// The agents a requeued contact must not go back to.
    async fn excluded_agents(&self, contact: ContactId) -> StoreResult<Vec<AgentId>>;
}
