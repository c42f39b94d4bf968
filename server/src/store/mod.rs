//! Persistence. [`Store`] speaks in domain terms; [`sqlite::SqliteStore`] and
//! [`postgres::PgStore`] implement it with runtime sqlx queries (no database is needed at
//! build time), each with its own migrations applied at start-up.

pub mod postgres;
mod sql;
pub mod sqlite;

use app::domain::{
    agent::{Agent, Role},
    canned::CannedResponse,
    contact::ContactKind,
    csq::{Csq, WrapUpReason},
    ids::{AgentId, CannedResponseId, CsqId, WrapUpReasonId},
    protocol::{Envelope, Seq},
    state::{AgentStatus, StateReason},
};
use async_trait::async_trait;
use std::{fmt, sync::Arc};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write (a username or a name already taken).
    #[error("already exists")]
    Conflict,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A user to create. The password arrives already hashed.
#[derive(Clone)]
pub struct NewAgent {
    pub username: String,
    pub display_name: String,
    pub alias: String,
    pub role: Role,
    pub password_hash: String,
    pub max_chats: u32,
    pub max_emails: u32,
}

/// What a login checks against. `Debug` hides the hash so it never reaches a log.
#[derive(Clone)]
pub struct Credentials {
    pub agent: AgentId,
    pub password_hash: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("agent", &self.agent)
            .field("password_hash", &"<hidden>")
            .finish()
    }
}

/// One line of the state audit (SPEC S-6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateLogEntry {
    pub at_ms: i64,
    pub from: AgentStatus,
    pub to: AgentStatus,
    pub reason: StateReason,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// "sqlite" or "postgres", for health reports and logs.
    fn backend(&self) -> &'static str;

    /// Checks that the database answers.
    async fn ping(&self) -> StoreResult<()>;

    async fn create_agent(&self, new: &NewAgent) -> StoreResult<AgentId>;
    async fn agent(&self, id: AgentId) -> StoreResult<Agent>;
    async fn agents(&self) -> StoreResult<Vec<Agent>>;
    /// The credentials of a username (case-insensitive), if such a user exists.
    async fn credentials(&self, username: &str) -> StoreResult<Option<Credentials>>;

    async fn create_csq(&self, name: &str) -> StoreResult<CsqId>;
    async fn add_csq_member(&self, csq: CsqId, agent: AgentId) -> StoreResult<()>;
    /// Every CSQ with its members, by name.
    async fn csqs(&self) -> StoreResult<Vec<Csq>>;

    async fn create_wrap_up_reason(&self, label: &str) -> StoreResult<WrapUpReasonId>;
    async fn assign_wrap_up_reason(&self, csq: CsqId, reason: WrapUpReasonId) -> StoreResult<()>;
    /// The reasons assigned to a CSQ and not retired, by label.
    async fn wrap_up_reasons(&self, csq: CsqId) -> StoreResult<Vec<WrapUpReason>>;

    async fn create_canned_response(
        &self,
        kind: ContactKind,
        title: &str,
        body: &str,
    ) -> StoreResult<CannedResponseId>;
    async fn canned_responses(&self, kind: ContactKind) -> StoreResult<Vec<CannedResponse>>;

    /// Stores a session by the hash of its token (the token itself is never stored).
    async fn create_session(
        &self,
        token_hash: &str,
        agent: AgentId,
        now_ms: i64,
        expires_at_ms: i64,
    ) -> StoreResult<()>;
    /// The agent of an unexpired session.
    async fn session_agent(&self, token_hash: &str, now_ms: i64) -> StoreResult<Option<AgentId>>;
    /// Ends every session of the agent (logout ends all of the agent's pages).
    async fn delete_sessions(&self, agent: AgentId) -> StoreResult<()>;

    /// The agent's current status and the stream position it reflects (logged out and 0
    /// for an agent who never logged in).
    async fn agent_status(&self, agent: AgentId) -> StoreResult<(AgentStatus, Seq)>;
    /// In one transaction: appends a state-changed event to the agent's stream, updates the
    /// current status, and records the audit line (SPEC S-6). Returns the stored event.
    async fn record_state_change(
        &self,
        agent: AgentId,
        from: &AgentStatus,
        to: &AgentStatus,
        reason: StateReason,
        at_ms: i64,
    ) -> StoreResult<Envelope>;
    /// Events after `after`, in order, at most `limit`.
    async fn events_after(
        &self,
        agent: AgentId,
        after: Seq,
        limit: u32,
    ) -> StoreResult<Vec<Envelope>>;
    /// The agent's state audit, oldest first.
    async fn state_log(&self, agent: AgentId) -> StoreResult<Vec<StateLogEntry>>;
}

/// Opens the database a URL names, creating and migrating it as needed.
pub async fn connect(url: &str) -> StoreResult<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PgStore::connect(url).await?))
    } else {
        Ok(Arc::new(sqlite::SqliteStore::connect(url).await?))
    }
}
