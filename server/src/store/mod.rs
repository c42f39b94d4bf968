//! Persistence. [`Store`] speaks in domain terms; [`sqlite::SqliteStore`] and
//! [`postgres::PgStore`] implement it with runtime sqlx queries (no database is needed at
//! build time), each with its own migrations applied at start-up.
//!
//! [`Store`] is the sum of one trait per aggregate, each in its own file with its SQL in a
//! `*_sql.rs` macro that writes the implementation for both backends from one source:
//! [`agents::AgentStore`] (accounts, sessions, state streams), [`contacts::ContactStore`]
//! (customers, contacts, transcripts, invitations, wrap-up choices),
//! [`settings::SettingsStore`] (queues, reasons, chat settings, audit),
//! [`canned::CannedStore`] (canned responses, global or of a CSQ),
//! [`mailboxes::MailboxStore`] (mailboxes, passwords sealed),
//! [`queues::QueueStore`] (CSQs and problem statements as administrators edit them),
//! [`prechat::PreChatStore`] (the pre-chat form's own fields),
//! [`audit::AuditStore`] (the audit and state history as administrators read them),
//! [`email::EmailStore`], [`intake::IntakeStore`], [`reply::ReplyStore`],
//! [`meta::MetaStore`] (Messenger and WhatsApp), [`customers::CustomerStore`] (one
//! customer across channels) and [`about::AboutStore`] (agents' notes and tags on a
//! customer), [`search::SearchStore`] (the Conversations page's search),
//! [`privacy::PrivacyStore`] (a customer's export and erasure, the retention),
//! [`records::RecordStore`] (customers and conversations whole, as the API reads them) and
//! [`api_tokens::ApiTokenStore`] (the tokens of the `/api/v1` API) and
//! [`webhooks::WebhookStore`] (outgoing webhooks: the events every other store writes in
//! its own transactions, fanned out into deliveries kept until received) and
//! [`supervision::SupervisionStore`] (the supervisors' live view: the team, the queues and
//! the day's figures from the contact log every step is written to) and
//! [`reports::ReportStore`] (the supervisors' reports, counted in SQL over a period). Their shared
//! helpers (row readers, `sql::found` for a lookup that must find its row) are in
//! `sql`.
//!
//! Migrations on PostgreSQL must leave the previous release working (rolling upgrades,
//! issue 14): add tables, columns with a default, indexes; drop or rename only what the
//! previous release no longer reads, one release later. A node of the previous release
//! ignores the migrations it does not know.
//!
//! [`cluster::Coordination`] is what several server processes on one PostgreSQL database
//! share (LISTEN/NOTIFY, the lead's advisory lock, heartbeats, routing requests, who is
//! connected where); SQLite, one process by design, has none.
//!
//! What every chat message does goes through `batch`, one task serving every request
//! waiting in one statement: transcript lines (`lines`, group commit), the agents' events
//! (`events`, group commit) and the read of the chat a message goes to. Each backend has a `writer` pool for writes: on SQLite one
//! connection (the file has one writer at a time; writers queue for it instead of sleeping
//! in SQLite's busy handler), on PostgreSQL the pool itself.

pub mod about;
mod about_sql;
pub mod agents;
mod agents_sql;
pub mod api_tokens;
mod api_tokens_sql;
pub mod audit;
mod audit_sql;
mod batch;
pub mod canned;
mod canned_sql;
pub mod cluster;
mod cluster_pg;
mod config_cache;
pub mod contacts;
mod contacts_sql;
pub mod customers;
mod customers_sql;
pub mod email;
mod email_sql;
mod events;
pub mod intake;
mod intake_sql;
mod lines;
pub mod mailboxes;
mod mailboxes_sql;
pub mod meta;
mod meta_sql;
pub mod outbound;
mod outbound_sql;
mod placeholders;
pub mod postgres;
pub mod prechat;
mod prechat_sql;
pub mod privacy;
mod privacy_sql;
pub mod queues;
mod queues_sql;
pub mod records;
mod records_sql;
pub mod reply;
mod reply_sql;
pub mod reports;
mod reports_sql;
pub mod search;
mod search_sql;
pub mod settings;
mod settings_sql;
mod sql;
pub mod sqlite;
pub mod supervision;
mod supervision_sql;
pub mod webhooks;
mod webhooks_sql;

pub use agents::{AgentStore, Credentials, NewAgent, SessionOf, StateLogEntry};
pub use contacts::{
    Appended, ChatClock, ChatParties, ContactStore, Guest, NewChat, NewCustomer, PendingInvitation,
    Sender,
};
pub use settings::{AuditEntry, SettingsStore};

use async_trait::async_trait;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write (a username or a name already taken).
    #[error("already exists")]
    Conflict,
    /// A list already holds as many items as allowed; nothing was added.
    #[error("the list is full")]
    Full,
    /// SPEC D-2: the write would leave no enabled administrator; nothing was changed.
    #[error("the last enabled administrator must stay one")]
    LastAdministrator,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    /// A task that batches the store's work (transcript lines, chat reads) is gone: the
    /// server is stopping.
    #[error("the store is stopping")]
    Stopped,
}

pub type StoreResult<T> = Result<T, StoreError>;

#[async_trait]
pub trait Store:
    AgentStore
    + ContactStore
    + SettingsStore
    + email::EmailStore
    + intake::IntakeStore
    + queues::QueueStore
    + prechat::PreChatStore
    + audit::AuditStore
    + canned::CannedStore
    + mailboxes::MailboxStore
    + meta::MetaStore
    + customers::CustomerStore
    + about::AboutStore
    + search::SearchStore
    + privacy::PrivacyStore
    + records::RecordStore
    + reply::ReplyStore
    + api_tokens::ApiTokenStore
    + outbound::OutboundStore
    + webhooks::WebhookStore
    + supervision::SupervisionStore
    + reports::ReportStore
    + Send
    + Sync
    + 'static
{
    /// "sqlite" or "postgres", for health reports and logs.
    fn backend(&self) -> &'static str;

    /// Checks that the database answers.
    async fn ping(&self) -> StoreResult<()>;

    /// What the nodes sharing this database tell each other; none on a backend that
    /// serves one process (SQLite).
    fn coordination(&self) -> Option<Arc<dyn cluster::Coordination>>;
}

/// Opens the database a URL names, creating and migrating it as needed.
pub async fn connect(url: &str) -> StoreResult<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PgStore::connect(url).await?))
    } else {
        Ok(Arc::new(sqlite::SqliteStore::connect(url).await?))
    }
}
