//! What the nodes of one database tell each other (issue 14): several server processes on
//! one PostgreSQL database. [`Coordination`] is what a backend that can serve several nodes
//! offers; SQLite, one process by design, offers none and keeps everything in process.
//!
//! A [`Notice`] says that something was stored (an agent's event, a chat's line, a chat's
//! end) by naming its stream and number, never its content: the node that hears it reads
//! the row itself, so a notice lost while a node was disconnected costs nothing but a read
//! from the last number it had. Typing, which is never stored, is the one notice that
//! carries what happened.

use app::domain::ids::{AgentId, ContactId};
use app::domain::meta::MessageStatus;
use app::domain::protocol::Seq;
use async_trait::async_trait;

use super::StoreResult;

/// Something a node stored or did that pages on other nodes must hear of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// An event was appended to the agent's stream.
    AgentEvent { agent: AgentId, seq: Seq },
    /// A line was appended to the chat's transcript, whose owner and guest (the agents
    /// whose pages show it) were these when it was stored.
    ChatLine {
        chat: ContactId,
        seq: Seq,
        owner: Option<AgentId>,
        guest: Option<AgentId>,
    },
    /// The chat ended (announced once its last lines are stored).
    ContactEnded { contact: ContactId },
    /// SPEC P-2: the customer of the chat started or stopped typing.
    CustomerTyping { chat: ContactId, active: bool },
    /// SPEC P-2: an agent of the chat started or stopped typing.
    AgentTyping {
        chat: ContactId,
        agent: AgentId,
        active: bool,
    },
    /// Issue 16: what became of a line of a Messenger or WhatsApp chat on Meta's side
    /// (stored: the status is named so the pages need not read it).
    LineStatus {
        chat: ContactId,
        seq: Seq,
        status: MessageStatus,
    },
    /// A node that does not lead stored a routing request.
    RoutingRequest { id: i64 },
    /// The leader answered routing request `id`.
    RoutingAnswer { id: i64 },
    /// An administrator saved mailbox `id`: every node applies it (its connector runs on
    /// the one that holds its claim).
    MailboxSaved { id: i64 },
    /// A node's word to itself, sent at `sent_ms` by its clock: heard back, it proves its
    /// listening connection alive (a connection cut without a word from the network would
    /// otherwise go unnoticed) and measures how late notices arrive.
    Ping { sent_ms: i64 },
}

impl Notice {
    /// The payload after the sender's node: `kind|stream|number` (the database's triggers
    /// write the same for what they announce, see migration 0017).
    pub fn encode(&self) -> String {
        match *self {
            Notice::AgentEvent { agent, seq } => format!("a|{}|{seq}", agent.0),
            Notice::ChatLine {
                chat,
                seq,
                owner,
                guest,
            } => format!(
                "c|{}|{seq}|{}|{}",
                chat.0,
                owner.map_or(0, |a| a.0),
                guest.map_or(0, |a| a.0)
            ),
            Notice::ContactEnded { contact } => format!("e|{}|0", contact.0),
            Notice::CustomerTyping { chat, active } => format!("t|{}|{}", chat.0, u8::from(active)),
            Notice::AgentTyping {
                chat,
                agent,
                active,
            } => format!("T|{}|{}|{}", chat.0, u8::from(active), agent.0),
            Notice::LineStatus { chat, seq, status } => {
                format!("s|{}|{seq}|{}", chat.0, status.rank())
            }
            Notice::RoutingRequest { id } => format!("r|{id}|0"),
            Notice::RoutingAnswer { id } => format!("o|{id}|0"),
            Notice::MailboxSaved { id } => format!("m|{id}|0"),
            Notice::Ping { sent_ms } => format!("p|{sent_ms}|0"),
        }
    }

    /// Reads `node|kind|stream|number[|agent]`: the node that sent it, and the notice.
    pub fn decode(payload: &str) -> Option<(&str, Notice)> {
        let mut parts = payload.split('|');
        let node = parts.next()?;
        let kind = parts.next()?;
        let stream: i64 = parts.next()?.parse().ok()?;
        let number: u64 = parts.next()?.parse().ok()?;
        let notice = match kind {
            "a" => Notice::AgentEvent {
                agent: AgentId(stream),
                seq: number,
            },
            "c" => {
                let mut agent = || -> Option<Option<AgentId>> {
                    let id: i64 = parts.next()?.parse().ok()?;
                    Some((id != 0).then_some(AgentId(id)))
                };
                let (owner, guest) = (agent()?, agent()?);
                Notice::ChatLine {
                    chat: ContactId(stream),
                    seq: number,
                    owner,
                    guest,
                }
            }
            "e" => Notice::ContactEnded {
                contact: ContactId(stream),
            },
            "t" => Notice::CustomerTyping {
                chat: ContactId(stream),
                active: number == 1,
            },
            "T" => Notice::AgentTyping {
                chat: ContactId(stream),
                active: number == 1,
                agent: AgentId(parts.next()?.parse().ok()?),
            },
            "s" => {
                let rank: i64 = parts.next()?.parse().ok()?;
                Notice::LineStatus {
                    chat: ContactId(stream),
                    seq: number,
                    status: MessageStatus::ALL.into_iter().find(|s| s.rank() == rank)?,
                }
            }
            "r" => Notice::RoutingRequest { id: stream },
            "o" => Notice::RoutingAnswer { id: stream },
            "m" => Notice::MailboxSaved { id: stream },
            "p" => Notice::Ping { sent_ms: stream },
            _ => return None,
        };
        parts.next().is_none().then_some((node, notice))
    }
}

/// What a node hears: a notice from another node, or that the connection was lost and
/// made again (notices sent meanwhile are gone: read from the last number seen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    Notice(Notice),
    Reconnected,
}

/// A node's own connection that hears the others (LISTEN).
#[async_trait]
pub trait Listener: Send {
    /// The next notice from another node (its own are skipped, but for its pings), or a
    /// reconnection.
    async fn next(&mut self) -> StoreResult<Heard>;
}

/// A node as the others see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NodeSeen {
    pub node: String,
    pub started_at_ms: i64,
    pub heartbeat_ms: i64,
    /// The epoch of its lead, if it leads.
    pub leading_epoch: Option<i64>,
    /// The version of what it exchanges with the others (`cluster::CLUSTER_VERSION`).
    pub version: i32,
    /// Its open desktop pages and widgets.
    pub pages: i64,
    pub widgets: i64,
}

/// What a node writes every few seconds.
#[derive(Debug, Clone, Copy)]
pub struct Heartbeat {
    pub started_at_ms: i64,
    pub now_ms: i64,
    pub leading_epoch: Option<i64>,
    pub version: i32,
    pub pages: i64,
    pub widgets: i64,
}

/// The connection that holds the lead while it lives (a session advisory lock).
#[async_trait]
pub trait LeaderSeat: Send {
    /// Takes the lead if nobody holds it: the new epoch, or none.
    async fn try_lead(&mut self, now_ms: i64) -> StoreResult<Option<i64>>;
    /// Whether the connection (and so the lock) is still alive.
    async fn still_held(&mut self) -> StoreResult<()>;
}

/// Work only one node may do at a time (reading a mailbox), held while its connection
/// lives (a session advisory lock).
#[async_trait]
pub trait Claim: Send + Sync {
    /// Resolves when the claim is lost (its connection stopped answering).
    async fn lost(&mut self);
}

/// What a backend shared by several nodes offers them.
#[async_trait]
pub trait Coordination: Send + Sync {
    /// This node's name among the others (random, made at start).
    fn node(&self) -> &str;
    /// Tells the other nodes (typing: what is not stored).
    async fn announce(&self, notice: Notice) -> StoreResult<()>;
    /// A connection that hears the other nodes.
    async fn listen(&self) -> StoreResult<Box<dyn Listener>>;
    /// A connection that may take the lead.
    async fn leader_seat(&self) -> StoreResult<Box<dyn LeaderSeat>>;
    /// Takes `work` if no node holds it: held until the claim is dropped or lost.
    async fn claim(&self, work: &str) -> StoreResult<Option<Box<dyn Claim>>>;
    /// Like [`Self::claim`], waiting for `work` until no other node holds it: for brief
    /// work that must not run beside another node's (released when dropped).
    async fn hold(&self, work: &str) -> StoreResult<Box<dyn Claim>>;
    /// Login failures (count, last at Unix ms) of these keys, the last since `since_ms`.
    async fn login_failures(
        &self,
        keys: &[String],
        since_ms: i64,
    ) -> StoreResult<Vec<(String, u32, i64)>>;
    /// One more failure for each key (counted from one again when its last was before
    /// `since_ms`).
    async fn add_login_failure(
        &self,
        keys: &[String],
        now_ms: i64,
        since_ms: i64,
    ) -> StoreResult<()>;
    /// A login succeeded: the user's count is cleared, the address's takes one back.
    async fn login_succeeded(&self, user: &str, address: Option<&str>) -> StoreResult<()>;
    /// An offer of `contact` is on `agent`'s screen until `expires_at_ms`.
    async fn offer_shown(
        &self,
        contact: ContactId,
        agent: AgentId,
        expires_at_ms: i64,
    ) -> StoreResult<()>;
    /// The offer of `contact` is gone (accepted, withdrawn, expired).
    async fn offer_gone(&self, contact: ContactId) -> StoreResult<()>;
    /// Every offer still on a screen (chat, agent).
    async fn offers_shown(&self) -> StoreResult<Vec<(ContactId, AgentId)>>;
    /// One more hit of `key` in the window starting at `window_ms`; the window's hits.
    async fn count_hit(&self, key: &str, window_ms: i64) -> StoreResult<u32>;
    /// The secret every node shares under `name`: `candidate` if none was kept yet.
    async fn shared_secret(&self, name: &str, candidate: &[u8]) -> StoreResult<Vec<u8>>;
    /// What this node, reading mailbox `name`, reports of it now.
    async fn set_mailbox_status(&self, name: &str, status: &str, now_ms: i64) -> StoreResult<()>;
    /// Each mailbox's last report by the node reading it, if that node wrote a heartbeat
    /// since `since_ms` (a dead node's report is no longer true): (mailbox, node, status).
    async fn mailbox_statuses(&self, since_ms: i64) -> StoreResult<Vec<(String, String, String)>>;
    /// Writes this node's heartbeat (whether it leads, and the version it speaks).
    async fn heartbeat(&self, beat: Heartbeat) -> StoreResult<()>;
    /// The nodes that wrote a heartbeat since `since_ms`.
    async fn nodes(&self, since_ms: i64) -> StoreResult<Vec<NodeSeen>>;

    /// Stores a routing request (JSON) for the leader; returns its id.
    async fn submit_request(
        &self,
        request: &str,
        wants_answer: bool,
        now_ms: i64,
    ) -> StoreResult<i64>;
    /// As leader under `epoch`: takes up to `limit` requests not yet taken, oldest first;
    /// none if `epoch` is no longer the current one.
    async fn take_requests(&self, epoch: i64, limit: i64) -> StoreResult<Vec<TakenRequest>>;
    /// As leader: answers request `id` (JSON).
    async fn answer_request(&self, id: i64, answer: &str) -> StoreResult<()>;
    /// Takes back request `id` unless the leader took it (its asker gave up waiting).
    async fn withdraw_request(&self, id: i64) -> StoreResult<()>;
    /// The answer to request `id`, once there is one (the request is then forgotten).
    async fn read_answer(&self, id: i64) -> StoreResult<Option<String>>;
    /// Forgets what is older than `before_ms`: routing requests taken (answered or never to
    /// be), the connections of nodes silent since, past rate windows; login failures and
    /// silent nodes a day older.
    async fn sweep(&self, before_ms: i64) -> StoreResult<u64>;

    /// How many connections of `who` this node has open now.
    async fn set_present(&self, who: Presence, connections: u32) -> StoreResult<()>;
    /// The nodes whose heartbeat is since `since_ms` with a connection of `who`.
    async fn present_on(&self, who: Presence, since_ms: i64) -> StoreResult<Vec<String>>;
    /// The agents with a page open on a node whose heartbeat is since `since_ms`.
    async fn agents_present(&self, since_ms: i64) -> StoreResult<Vec<AgentId>>;
}

/// Someone whose connections count across nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Presence {
    /// An agent's desktop pages (SPEC S-5).
    Agent(AgentId),
    /// A chat's widget sockets (SPEC K-5).
    Widget(ContactId),
}

impl Presence {
    pub(super) fn key(&self) -> (&'static str, i64) {
        match *self {
            Presence::Agent(agent) => ("a", agent.0),
            Presence::Widget(chat) => ("w", chat.0),
        }
    }
}

/// A routing request as the leader takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakenRequest {
    pub id: i64,
    pub request: String,
    pub wants_answer: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_read_back_as_written() {
        let notices = [
            Notice::AgentEvent {
                agent: AgentId(7),
                seq: 12,
            },
            Notice::ChatLine {
                chat: ContactId(3),
                seq: 1,
                owner: Some(AgentId(4)),
                guest: None,
            },
            Notice::ContactEnded {
                contact: ContactId(9),
            },
            Notice::CustomerTyping {
                chat: ContactId(4),
                active: true,
            },
            Notice::AgentTyping {
                chat: ContactId(4),
                agent: AgentId(2),
                active: false,
            },
            Notice::LineStatus {
                chat: ContactId(4),
                seq: 7,
                status: MessageStatus::Read,
            },
            Notice::RoutingRequest { id: 5 },
            Notice::RoutingAnswer { id: 5 },
            Notice::MailboxSaved { id: 2 },
            Notice::Ping {
                sent_ms: 1_796_197_530_000,
            },
        ];
        for notice in notices {
            let payload = format!("n1|{}", notice.encode());
            assert_eq!(Notice::decode(&payload), Some(("n1", notice)), "{payload}");
        }
        assert_eq!(
            Notice::decode("n1|p|0|0"),
            Some(("n1", Notice::Ping { sent_ms: 0 })),
            "a ping of a node from before it carried its time"
        );
        assert_eq!(Notice::decode("n1|x|1|2"), None);
        assert_eq!(Notice::decode("n1|a|1"), None);
        assert_eq!(Notice::decode("n1|a|1|2|3"), None);
        assert_eq!(
            Notice::decode("n1|c|1|2|3"),
            None,
            "a line names its agents"
        );
    }
}
