//! Persistence. [`Store`] speaks in domain terms; [`sqlite::SqliteStore`] and
//! [`postgres::PgStore`] implement it with runtime sqlx queries (no database is needed at
//! build time), each with its own migrations applied at start-up. Beside the core trait,
//! one trait per aggregate with its SQL in a `*_sql.rs` macro shared by both backends:
//! [`email::EmailStore`], [`intake::IntakeStore`], [`reply::ReplyStore`].

pub mod email;
mod email_sql;
pub mod intake;
mod intake_sql;
pub mod postgres;
pub mod reply;
mod reply_sql;
mod sql;
pub mod sqlite;

use app::domain::{
    agent::{Agent, Role},
    canned::CannedResponse,
    chat::{ChatLine, LineBody},
    contact::{Channel, Contact, ContactKind, ContactStatus},
    csq::{Csq, ProblemStatement, WrapUpReason},
    customer::Customer,
    ids::{AgentId, CannedResponseId, ContactId, CsqId, CustomerId, WrapUpReasonId},
    protocol::{Envelope, Seq},
    settings::ChatSettings,
    state::{AgentStatus, StateReason},
    wrap_up::{WrapUp, WrapUpReasonAdmin, WrapUpReasonEdit},
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

/// An invitation waiting for its answer (SPEC G-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingInvitation {
    pub from: AgentId,
    pub csq: CsqId,
    pub notes: String,
}

/// The second agent of a group chat and the notes they were given (SPEC G-5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guest {
    pub agent: AgentId,
    pub notes: String,
}

/// One line of the administrators' audit (SPEC D-2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at_ms: i64,
    /// Who made the change.
    pub agent: AgentId,
    /// A stable name of what was done, as in `chat_settings.save`.
    pub action: String,
    /// What changed, for a reader.
    pub detail: String,
}

#[derive(Debug, Clone)]
pub struct NewCustomer {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewChat {
    pub channel: Channel,
    pub csq: CsqId,
    pub customer: CustomerId,
    pub problem: String,
}

/// Who added a transcript line; a client id is unique per contact and sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sender {
    Customer,
    Agent(AgentId),
    System,
}

impl Sender {
    pub fn key(&self) -> String {
        match self {
            Sender::Customer => "customer".into(),
            Sender::Agent(id) => format!("agent:{id}"),
            Sender::System => "system".into(),
        }
    }
}

/// A chat's stored facts its timers are set from (SPEC K-5), all Unix ms.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChatClock {
    /// When an agent last took the chat (accepted it, or kept it after a group chat).
    pub accepted_at_ms: Option<i64>,
    /// The customer's last message.
    pub last_customer_at_ms: Option<i64>,
    /// The no-agent message was written.
    pub join_told_at_ms: Option<i64>,
    /// The last inactivity warning was written.
    pub silence_warned_at_ms: Option<i64>,
}

/// A stored line, and whether this call stored it (false: the same client id was already
/// stored, and this is that line: SPEC K-3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    pub line: ChatLine,
    pub fresh: bool,
}

#[async_trait]
pub trait Store:
    email::EmailStore + intake::IntakeStore + reply::ReplyStore + Send + Sync + 'static
{
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
    /// Every reason with its CSQs and whether it is retired, for the administration page.
    async fn wrap_up_reasons_admin(&self) -> StoreResult<Vec<WrapUpReasonAdmin>>;
    /// Creates (no id) or changes a reason and its CSQs, with the administrator's audit
    /// line, in one transaction. Returns the reason's id.
    async fn save_wrap_up_reason(
        &self,
        edit: &WrapUpReasonEdit,
        audit: &AuditEntry,
    ) -> StoreResult<WrapUpReasonId>;
    /// SPEC W-2: copies the CSQ's active reasons onto the contact, once (a second call, for
    /// an agent who joins later, keeps the first copy).
    async fn snapshot_wrap_up(&self, contact: ContactId, csq: CsqId) -> StoreResult<()>;
    /// The reasons the contact offers and this agent's choice.
    async fn wrap_up(&self, contact: ContactId, agent: AgentId) -> StoreResult<WrapUp>;
    /// Replaces this agent's choice on the contact (already checked against the offer).
    async fn set_wrap_up(
        &self,
        contact: ContactId,
        agent: AgentId,
        reasons: &[WrapUpReasonId],
    ) -> StoreResult<()>;

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

    /// The chat settings, defaults for what was never saved.
    async fn chat_settings(&self) -> StoreResult<ChatSettings>;
    /// Stores the settings and, in the same transaction, the audit line of the administrator
    /// who changed them (`None` only when the server itself sets them: tests, demo data).
    async fn save_chat_settings(
        &self,
        settings: &ChatSettings,
        audit: Option<&AuditEntry>,
    ) -> StoreResult<()>;
    /// Keeps an invitation's notes until it is answered (replacing a closed one).
    async fn open_invitation(
        &self,
        contact: ContactId,
        invitation: &PendingInvitation,
        at_ms: i64,
    ) -> StoreResult<()>;
    async fn invitation(&self, contact: ContactId) -> StoreResult<Option<PendingInvitation>>;
    async fn close_invitation(&self, contact: ContactId) -> StoreResult<()>;
    /// SPEC G-2: the invited agent joins the chat.
    async fn add_guest(&self, contact: ContactId, guest: &Guest, at_ms: i64) -> StoreResult<()>;
    async fn guest(&self, contact: ContactId) -> StoreResult<Option<Guest>>;
    /// The guest leaves, or the chat ends: the notes go with the row (SPEC G-5).
    async fn remove_guest(&self, contact: ContactId) -> StoreResult<()>;
    /// The administrators' audit, newest first, at most `limit` lines.
    async fn admin_audit(&self, limit: i64) -> StoreResult<Vec<AuditEntry>>;

    async fn create_problem_statement(&self, label: &str, csq: CsqId) -> StoreResult<i64>;
    /// The statements offered on the pre-chat form, in the administrator's order.
    async fn problem_statements(&self) -> StoreResult<Vec<ProblemStatement>>;

    async fn create_customer(&self, customer: &NewCustomer) -> StoreResult<CustomerId>;
    async fn customer(&self, id: CustomerId) -> StoreResult<Customer>;

    /// A new chat, queued in its CSQ.
    async fn create_chat(&self, chat: &NewChat, now_ms: i64) -> StoreResult<Contact>;
    async fn contact(&self, id: ContactId) -> StoreResult<Contact>;
    /// Records a lifecycle step (the domain decided it) and who holds the contact.
    async fn update_contact(
        &self,
        id: ContactId,
        status: ContactStatus,
        agent: Option<AgentId>,
        now_ms: i64,
    ) -> StoreResult<()>;
    /// A lifecycle step taken only while the contact is still in one of `from` (another step,
    /// such as an accept racing a timer, may have come first): false when it was not.
    async fn step_contact(
        &self,
        id: ContactId,
        from: &[ContactStatus],
        status: ContactStatus,
        agent: Option<AgentId>,
        now_ms: i64,
    ) -> StoreResult<bool>;
    /// Contacts not ended, in arrival order: what routing resumes after a restart.
    async fn open_contacts(&self) -> StoreResult<Vec<Contact>>;

    /// Appends a line to a chat's transcript, numbered in its stream; a resend with a
    /// client id already stored for this sender returns the stored line instead.
    async fn append_line(
        &self,
        contact: ContactId,
        sender: &Sender,
        client_id: Option<&str>,
        body: &LineBody,
        now_ms: i64,
    ) -> StoreResult<Appended>;
    /// Lines after `after`, in order, at most `limit`.
    async fn lines_after(
        &self,
        contact: ContactId,
        after: Seq,
        limit: u32,
    ) -> StoreResult<Vec<ChatLine>>;
    /// Chats waiting in the CSQ (queued or offered).
    async fn waiting_chats(&self, csq: CsqId) -> StoreResult<u32>;
    /// How many messages the customer has written in the chat.
    async fn customer_line_count(&self, contact: ContactId) -> StoreResult<u32>;
    /// SPEC K-5: what the chat's timers are set from.
    async fn chat_clock(&self, contact: ContactId) -> StoreResult<ChatClock>;
    /// SPEC K-5: the customer got the no-agent message (the join timeout ran out).
    async fn mark_join_told(&self, contact: ContactId, at_ms: i64) -> StoreResult<()>;
    /// SPEC K-5: the silent customer was warned that the chat will end.
    async fn mark_silence_warned(&self, contact: ContactId, at_ms: i64) -> StoreResult<()>;
    /// The line to show a chat from so that its last `messages` messages follow, system
    /// lines among them shown but not counted (SPEC G-2): the sequence number just before
    /// the first of them, or 0 when the chat has no more messages than that.
    async fn history_start(&self, contact: ContactId, messages: u32) -> StoreResult<Seq>;
}

/// Opens the database a URL names, creating and migrating it as needed.
pub async fn connect(url: &str) -> StoreResult<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PgStore::connect(url).await?))
    } else {
        Ok(Arc::new(sqlite::SqliteStore::connect(url).await?))
    }
}
