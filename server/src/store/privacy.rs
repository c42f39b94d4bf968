//! What the store keeps and removes for a customer's privacy (issue 17): the customers an
//! administrator looks for, everything kept about one (the rows of their export), erasing
//! one, and erasing the contents of conversations the retention reached. A separate trait,
//! included by [`super::Store`].
//!
//! Erasing a conversation's contents keeps its row (channel, queue, agent, times, wrap-up
//! reasons: the statistics) and its lines' senders and times, and removes what anyone
//! wrote or sent: the lines' text, the email (subject, addresses, text), the reply sent,
//! the files' records (their bytes go once nothing else refers to them), the pre-chat
//! answers, the notes of an invitation, and its text in the search. Erasing a customer
//! does that to every conversation of theirs, then removes their name, addresses, handles,
//! notes and tags.

use super::{AuditEntry, StoreResult};
use app::domain::{
    ids::{ContactId, CustomerId},
    privacy::{CustomerSummary, Retention},
};
use async_trait::async_trait;
use serde::Serialize;

/// The settings row of the retention (days; absent: kept for ever).
pub const RETENTION_KEY: &str = "retention_days";

/// Everything kept about one customer, as their export gives it (times in Unix ms).
#[derive(Debug, Clone, Serialize)]
pub struct Dossier {
    pub customer: DossierCustomer,
    /// Other addresses and the channels' ids (Messenger, WhatsApp) that find them.
    pub addresses: Vec<DossierAddress>,
    pub notes: Vec<DossierNote>,
    pub tags: Vec<String>,
    pub conversations: Vec<DossierConversation>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DossierCustomer {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub created_at_ms: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DossierAddress {
    /// "email", "phone", "messenger", "whatsapp".
    pub kind: String,
    pub value: String,
    /// The name on a channel's profile.
    pub profile_name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DossierNote {
    pub at_ms: i64,
    /// The alias of the agent who wrote it.
    pub by: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DossierConversation {
    pub id: i64,
    pub channel: String,
    pub queue: String,
    /// queued, offered, active or ended.
    pub status: String,
    /// The alias of the agent who held it last.
    pub agent: Option<String>,
    pub about: String,
    /// The pre-chat form's answers, as stored.
    pub details: serde_json::Value,
    pub created_at_ms: i64,
    pub accepted_at_ms: Option<i64>,
    pub ended_at_ms: Option<i64>,
    /// Set when its contents were erased (nothing below is left then).
    pub contents_erased_at_ms: Option<i64>,
    pub wrap_up: Vec<String>,
    pub lines: Vec<DossierLine>,
    pub files: Vec<DossierFile>,
    pub email: Option<DossierEmail>,
    pub replies: Vec<DossierReply>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DossierLine {
    pub at_ms: i64,
    /// "customer", "system" or "agent:<id>", as stored; the export names the agent.
    pub sender: String,
    /// The line as stored (a message's text and files, or what happened).
    pub body: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct DossierFile {
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DossierEmail {
    pub from_address: String,
    pub from_name: Option<String>,
    pub to: serde_json::Value,
    pub cc: serde_json::Value,
    pub subject: String,
    pub sent_at_ms: Option<i64>,
    pub received_at_ms: i64,
    pub text: String,
    /// Sanitized when it came in.
    pub html: Option<String>,
    pub attachments: Vec<DossierFile>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DossierReply {
    pub to: serde_json::Value,
    /// The reply's text (kept once sent); none for the product's own acknowledgement.
    pub text: Option<String>,
    /// pending, sent or failed.
    pub state: String,
    pub created_at_ms: i64,
    pub done_at_ms: Option<i64>,
}

/// What erasing one customer did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Erasure {
    /// Conversations whose contents went, and the files' hashes they referred to (the
    /// caller removes the bytes nothing refers to any more).
    Done {
        conversations: u32,
        files: Vec<String>,
    },
    /// Nothing changed: this many conversations of theirs are not over yet.
    StillOpen(u32),
}

#[async_trait]
pub trait PrivacyStore: Send + Sync {
    /// One page of the customers not erased whose name or email address holds `text`
    /// (lower case), or whose phone number or another address holds it (`digits`, when it
    /// has some), the ones seen last first; and how many there are in all.
    async fn find_customers(
        &self,
        text: &str,
        digits: &str,
        offset: u32,
        limit: u32,
    ) -> StoreResult<(Vec<CustomerSummary>, u64)>;

    /// Everything kept about a customer. [`super::StoreError::NotFound`] when there is no
    /// such customer (or they were erased).
    async fn dossier(&self, customer: CustomerId) -> StoreResult<Dossier>;

    /// Erases a customer and their conversations' contents in one transaction, audited,
    /// unless a conversation of theirs is not over yet.
    async fn erase_customer(
        &self,
        customer: CustomerId,
        now_ms: i64,
        audit: &AuditEntry,
    ) -> StoreResult<Erasure>;

    /// Conversations ended before `ended_before_ms` whose contents are still kept (none
    /// with a reply still to send), oldest first, at most `limit`.
    async fn expired_contents(
        &self,
        ended_before_ms: i64,
        limit: u32,
    ) -> StoreResult<Vec<ContactId>>;

    /// Erases these conversations' contents (the ones still ended, kept and with nothing
    /// left to send); the files' hashes they referred to.
    async fn erase_contents(&self, contacts: &[ContactId], now_ms: i64)
        -> StoreResult<Vec<String>>;

    /// When a conversation's contents were erased, if they were.
    async fn contents_erased_at(&self, contact: ContactId) -> StoreResult<Option<i64>>;

    /// Removes agents' events recorded before `before_ms` (a page away longer starts again
    /// from the agent's state); how many went.
    async fn prune_agent_events(&self, before_ms: i64) -> StoreResult<u64>;

    /// Removes the Messenger and WhatsApp webhook posts turned into chats before
    /// `before_ms` (each is kept whole until then: a customer's number, name and words);
    /// how many went.
    async fn prune_webhook_posts(&self, before_ms: i64) -> StoreResult<u64>;

    /// Issue 17: the outgoing webhooks' deliveries delivered or failed before `before_ms`
    /// (the log) and the events fanned out by then; how many deliveries went.
    async fn prune_webhook_log(&self, before_ms: i64) -> StoreResult<u64>;

    async fn retention(&self) -> StoreResult<Retention>;

    async fn save_retention(&self, retention: &Retention, audit: &AuditEntry) -> StoreResult<()>;
}
