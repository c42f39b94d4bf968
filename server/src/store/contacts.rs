//! What the store keeps of contacts whatever their channel: customers, contacts and their
//! lifecycle, chat transcripts and timers' facts, invitations and guests of group chats, and
//! each agent's wrap-up choice (SPEC K-2 to K-5, G-1 to G-5, W-1, W-2). A separate trait,
//! included by [`super::Store`].

use super::StoreResult;
use app::domain::{
    chat::{ChatLine, LineBody, LineFile},
    contact::{Channel, Contact, ContactStatus, ContactStep, EndReason},
    csq::WrapUpReason,
    customer::Customer,
    ids::{AgentId, ContactId, CsqId, CustomerId, WrapUpReasonId},
    prechat::Detail,
    protocol::Seq,
    wrap_up::WrapUp,
};
use async_trait::async_trait;

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
    /// SPEC K-2: the answers to the administrator's pre-chat fields, as the agent reads them.
    pub details: Vec<Detail>,
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

/// A chat as a message sees it: the contact, the names its lines are signed with (the
/// customer's, the aliases of the agents in it), and the invited agent of a group chat.
#[derive(Debug, Clone)]
pub struct ChatParties {
    pub contact: Contact,
    pub customer_name: String,
    /// The alias of the contact's agent, if it has one.
    pub owner_alias: Option<String>,
    /// The guest of a group chat, with its alias.
    pub guest: Option<(AgentId, String)>,
}

impl ChatParties {
    /// The guest agent, if any.
    pub fn guest_agent(&self) -> Option<AgentId> {
        self.guest.as_ref().map(|(agent, _)| *agent)
    }

    /// The alias of `agent` if it is the contact's agent or its guest.
    pub fn alias_of(&self, agent: AgentId) -> Option<&str> {
        match &self.guest {
            Some((guest, alias)) if *guest == agent => Some(alias),
            _ if self.contact.agent == Some(agent) => self.owner_alias.as_deref(),
            _ => None,
        }
    }
}

/// Chats read for messages go through a [`super::batch::Batcher`] of their own.
pub(super) type PartiesReader = super::batch::Batcher<ContactId, ChatParties>;

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

/// Issue 18: one step of a contact's life as the contact log keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedStep {
    pub at_ms: i64,
    pub step: ContactStep,
    pub channel: Channel,
    /// The queue it was in, or went to.
    pub csq: CsqId,
    /// The agent it concerned: offered to, taken by, given back by, or holding it at its end.
    pub agent: Option<AgentId>,
    pub reason: Option<EndReason>,
    /// A take's or an abandon's wait since it last came into a queue.
    pub wait_ms: Option<i64>,
}

/// Issue 18: a contact's life as the reports read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    pub steps: Vec<LoggedStep>,
    /// A chat's first agent's line.
    pub first_response_at_ms: Option<i64>,
}

#[async_trait]
pub trait ContactStore: Send + Sync {
    /// SPEC W-2: copies the CSQ's active reasons onto the contact, once (a second call, for
    /// an agent who joins later, keeps the first copy). Answers the reasons it offers.
    async fn snapshot_wrap_up(
        &self,
        contact: ContactId,
        csq: CsqId,
    ) -> StoreResult<Vec<WrapUpReason>>;

    /// The reasons the contact offers and this agent's choice.
    async fn wrap_up(&self, contact: ContactId, agent: AgentId) -> StoreResult<WrapUp>;

    /// Replaces this agent's choice on the contact (already checked against the offer).
    async fn set_wrap_up(
        &self,
        contact: ContactId,
        agent: AgentId,
        reasons: &[WrapUpReasonId],
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

    /// Issue 18 (D-3): a supervisor joins as the guest, in one statement, only while the
    /// chat is held (active), has no guest and no invitation waiting (G-3); whether they did.
    async fn join_as_guest(
        &self,
        contact: ContactId,
        agent: AgentId,
        at_ms: i64,
    ) -> StoreResult<bool>;

    async fn guest(&self, contact: ContactId) -> StoreResult<Option<Guest>>;

    /// The guest leaves, or the chat ends: the notes go with the row (SPEC G-5).
    async fn remove_guest(&self, contact: ContactId) -> StoreResult<()>;

    async fn create_customer(&self, customer: &NewCustomer) -> StoreResult<CustomerId>;

    async fn customer(&self, id: CustomerId) -> StoreResult<Customer>;

    /// The customer's conversations on every channel but `except`, newest first, at most
    /// `limit` (issue 16: the customer details list them).
    async fn customer_contacts(
        &self,
        customer: CustomerId,
        except: ContactId,
        limit: usize,
    ) -> StoreResult<Vec<Contact>>;

    /// Issue 18: the contact's logged steps in order, and its first response time.
    async fn timeline(&self, id: ContactId) -> StoreResult<Timeline>;

    /// A new chat, queued in its CSQ.
    async fn create_chat(&self, chat: &NewChat, now_ms: i64) -> StoreResult<Contact>;

    async fn contact(&self, id: ContactId) -> StoreResult<Contact>;

    /// A chat with the people in it, in one read: what every message needs (issue 13).
    async fn chat_parties(&self, id: ContactId) -> StoreResult<ChatParties>;

    /// Records a lifecycle step (the domain decided it) and who holds the contact; the
    /// contact as it is then, from the same statement.
    async fn update_contact(
        &self,
        id: ContactId,
        status: ContactStatus,
        agent: Option<AgentId>,
        now_ms: i64,
    ) -> StoreResult<Contact>;

    /// SPEC O-5, W-2: an accept as one transaction: [`ContactStore::step_contact`] to
    /// `agent`, and the contact's wrap-up reasons copied as
    /// [`ContactStore::snapshot_wrap_up`] does. The contact and the reasons it offers, or
    /// `None` (nothing changed) when the contact had left `from`.
    async fn accept_contact(
        &self,
        id: ContactId,
        from: &[ContactStatus],
        status: ContactStatus,
        agent: AgentId,
        now_ms: i64,
    ) -> StoreResult<Option<(Contact, Vec<WrapUpReason>)>>;

    /// A lifecycle step taken only while the contact is still in one of `from` (another step,
    /// such as an accept racing a timer, may have come first): the contact as it is after
    /// the step, from the same statement, or `None` when it was not taken.
    async fn step_contact(
        &self,
        id: ContactId,
        from: &[ContactStatus],
        status: ContactStatus,
        agent: Option<AgentId>,
        now_ms: i64,
    ) -> StoreResult<Option<Contact>>;

    /// [`Self::step_contact`] by the routing leader of `epoch` (several nodes, issue 14):
    /// taken only while `epoch` is still the lead's, so a leader that lost the lead without
    /// knowing yet (a pause, a cut connection) changes nothing; a new lead's epoch waits for
    /// a step under way to finish (it holds the lead's row shared). One process (SQLite)
    /// has no epochs: the step alone. `agent`, when given, becomes the contact's (an email
    /// assigned).
    async fn step_contact_as_leader(
        &self,
        id: ContactId,
        from: &[ContactStatus],
        status: ContactStatus,
        agent: Option<AgentId>,
        epoch: i64,
        now_ms: i64,
    ) -> StoreResult<Option<Contact>>;

    /// Contacts not ended, in arrival order: what routing resumes after a restart.
    async fn open_contacts(&self) -> StoreResult<Vec<Contact>>;

    /// The contacts an agent takes part in now, in arrival order: those it holds and the
    /// group chats it joined as the guest. Read with an index, whatever else is open.
    async fn held_contacts(&self, agent: AgentId) -> StoreResult<Vec<Contact>>;

    /// The contacts of every channel the agent holds now (not those it joined as a guest),
    /// in arrival order: what is given back or ended when the agent leaves.
    async fn owned_contacts(&self, agent: AgentId) -> StoreResult<Vec<Contact>>;

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

    /// Records that the chat refers to these stored files (those with bytes: `sha256`),
    /// before the line that shows them: who may download them, and that the bytes are in
    /// use. Recording one again changes nothing.
    async fn record_chat_files(&self, contact: ContactId, files: &[LineFile]) -> StoreResult<()>;

    /// A stored file of the chat, by the hash its line names (`None` if the chat has none).
    async fn chat_file(&self, contact: ContactId, sha256: &str) -> StoreResult<Option<LineFile>>;

    /// Lines after `after`, in order, at most `limit`.
    async fn lines_after(
        &self,
        contact: ContactId,
        after: Seq,
        limit: u32,
    ) -> StoreResult<Vec<ChatLine>>;

    /// Chats waiting in the CSQ (queued or offered).
    async fn waiting_chats(&self, csq: CsqId) -> StoreResult<u32>;

    /// Issue 17 (K-4): how many agents of the CSQ are logged in (any state but Logged
    /// Out), as their stored state says on every node.
    async fn logged_in_agents(&self, csq: CsqId) -> StoreResult<u32>;

    /// Issue 17: a waiting chat's place among the chats waiting in its CSQ (1: next, by
    /// arrival as routing takes them); none once it no longer waits.
    async fn queue_place(&self, contact: ContactId) -> StoreResult<Option<u32>>;

    /// Issue 17: how long the CSQ's chats answered since `since_ms` waited (queued to
    /// accepted, ms), the latest `limit`.
    async fn recent_chat_waits(
        &self,
        csq: CsqId,
        since_ms: i64,
        limit: u32,
    ) -> StoreResult<Vec<i64>>;

    /// How many messages the customer has written in the chat.
    async fn customer_line_count(&self, contact: ContactId) -> StoreResult<u32>;

    /// SPEC K-5: what the chat's timers are set from.
    async fn chat_clock(&self, contact: ContactId) -> StoreResult<ChatClock>;

    /// SPEC K-5: the customer is to get the no-agent message (the join timeout ran out);
    /// false if that was marked already. Marked before the message is written, so the
    /// timers of two nodes firing together tell the customer once (issue 14).
    async fn mark_join_told(&self, contact: ContactId, at_ms: i64) -> StoreResult<bool>;

    /// SPEC K-5: the silent customer is to be warned that the chat will end; false if the
    /// mark is no longer `was` (another node's timer warned first).
    async fn mark_silence_warned(
        &self,
        contact: ContactId,
        at_ms: i64,
        was: Option<i64>,
    ) -> StoreResult<bool>;

    /// The line to show a chat from so that its last `messages` messages follow, system
    /// lines among them shown but not counted (SPEC G-2): the sequence number just before
    /// the first of them, or 0 when the chat has no more messages than that.
    async fn history_start(&self, contact: ContactId, messages: u32) -> StoreResult<Seq>;
}
