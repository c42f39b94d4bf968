//! What the store keeps of agents: accounts and their credentials, login sessions, and each
//! agent's stream of events with the current status (SPEC S-1 to S-6, D-4). A separate
//! trait, included by [`super::Store`].

use super::StoreResult;
use app::domain::{
    agent::{Agent, Role},
    ids::AgentId,
    protocol::{Envelope, Seq},
    state::{AgentStatus, StateReason},
    users::UserEdit,
};
use async_trait::async_trait;
use std::fmt;

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
    /// Set when someone other than the user chose the password (SPEC D-2).
    pub must_change_password: bool,
}

/// What a login checks against. `Debug` hides the hash so it never reaches a log.
#[derive(Clone)]
pub struct Credentials {
    pub agent: AgentId,
    pub password_hash: String,
    pub must_change_password: bool,
    pub disabled: bool,
    /// The language the user chose ("en", "fr"), if any: the login sets it as the pages'.
    pub language: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("agent", &self.agent)
            .field("password_hash", &"<hidden>")
            .field("must_change_password", &self.must_change_password)
            .field("disabled", &self.disabled)
            .field("language", &self.language)
            .finish()
    }
}

/// Whose a session is, and whether that user must choose a password before anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionOf {
    pub agent: AgentId,
    pub must_change_password: bool,
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
pub trait AgentStore: Send + Sync {
    async fn create_agent(&self, new: &NewAgent) -> StoreResult<AgentId>;

    async fn agent(&self, id: AgentId) -> StoreResult<Agent>;

    async fn agents(&self) -> StoreResult<Vec<Agent>>;

    /// One page of users whose username, full name or alias holds `search` (ignoring case,
    /// accented letters included, alike on both backends), by username; with how many match
    /// in all.
    async fn user_page(
        &self,
        search: &str,
        offset: u32,
        limit: u32,
    ) -> StoreResult<(Vec<Agent>, u64)>;

    /// In one transaction: creates the user (`edit.id` none, with `password_hash`, which
    /// they must change at their first login) or changes one; makes their CSQs exactly
    /// `edit.csqs`; ends every session of a user disabled; records the audit line.
    /// [`super::StoreError::LastAdministrator`] when no enabled administrator would be left,
    /// [`super::StoreError::Conflict`] when the username is taken (ignoring case).
    async fn save_user(
        &self,
        edit: &UserEdit,
        password_hash: Option<&str>,
        audit: &super::AuditEntry,
    ) -> StoreResult<AgentId>;

    /// How many users exist (none: the server says how to create the first administrator).
    async fn agent_count(&self) -> StoreResult<i64>;

    /// In one transaction: stores a new password hash (with whether the user must change
    /// it at the next login), ends every session of the user but `keep` (the session, by
    /// token hash, of a user changing their own password), and records the audit line.
    async fn set_password(
        &self,
        agent: AgentId,
        password_hash: &str,
        must_change: bool,
        keep: Option<&str>,
        audit: &super::AuditEntry,
    ) -> StoreResult<()>;

    /// Stores the language the user chose for their pages (`None`: the browser's).
    async fn set_language(&self, agent: AgentId, language: Option<&str>) -> StoreResult<()>;

    /// The language the user chose for their pages ("en", "fr"), if any: for what the
    /// server words for them outside a request of theirs.
    async fn language(&self, agent: AgentId) -> StoreResult<Option<String>>;

    /// The credentials of a username (case-insensitive), if such a user exists.
    async fn credentials(&self, username: &str) -> StoreResult<Option<Credentials>>;

    /// Stores a session by the hash of its token (the token itself is never stored).
    async fn create_session(
        &self,
        token_hash: &str,
        agent: AgentId,
        now_ms: i64,
        expires_at_ms: i64,
    ) -> StoreResult<()>;

    /// The user of an unexpired session, unless that user is disabled.
    async fn session_agent(&self, token_hash: &str, now_ms: i64) -> StoreResult<Option<SessionOf>>;

    /// When the session ends (Unix ms), if it exists.
    async fn session_expiry(&self, token_hash: &str) -> StoreResult<Option<i64>>;

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
    ) -> StoreResult<Envelope> {
        self.change_state(agent, from, to, reason, at_ms, None)
            .await
    }

    /// [`AgentStore::record_state_change`], only if the agent's stream is still at
    /// `expected` (the position `from` was read at): otherwise `Conflict`, nothing written.
    /// Several nodes change one agent's state without a lock between them (issue 14).
    async fn change_state(
        &self,
        agent: AgentId,
        from: &AgentStatus,
        to: &AgentStatus,
        reason: StateReason,
        at_ms: i64,
        expected: Option<Seq>,
    ) -> StoreResult<Envelope>;

    /// Appends an event that is not a state change (an offer, a contact assigned) to the
    /// agent's stream.
    async fn record_agent_event(
        &self,
        agent: AgentId,
        event: &app::domain::protocol::AgentEvent,
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
