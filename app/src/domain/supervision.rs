//! Issue 18 (D-3): what a supervisor watches live. The team (every agent of the CSQs the
//! supervisor watches, with their state and the contacts in their hands) and the queues
//! (what waits, who can take it, and today's figures), as the server reads them from the
//! database and pushes them; the page sorts and filters the team.

use super::{
    agent::Role,
    chat::ChatLine,
    contact::Channel,
    ids::{AgentId, ContactId, CsqId},
    state::{AgentState, Badge, StateReason},
};
use serde::{Deserialize, Serialize};

/// The live view at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    /// The server's clock when read: times in state count from here, whatever the viewer's
    /// clock says.
    pub at_ms: i64,
    /// Local midnight in the viewer's time zone, where "today" begins.
    pub day_start_ms: i64,
    pub agents: Vec<TeamMember>,
    pub queues: Vec<QueueFigures>,
    /// The chats in progress in the watched CSQs, oldest first: what the supervisor may
    /// read live and join (none from a node of the previous release).
    #[serde(default)]
    pub chats: Vec<LiveChat>,
}

/// A chat an agent has taken and not ended, as the supervisor's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LiveChat {
    pub id: ContactId,
    pub channel: Channel,
    pub csq: CsqId,
    /// The customer's name as the agent sees it.
    pub customer: String,
    /// The display names of the agents in it: the one who holds it, then the one who
    /// joined (G-3).
    pub agents: Vec<String>,
    /// When the first agent took it.
    pub since_ms: i64,
}

/// What the supervisor reading a chat live receives (D-3): the chat's people, the lines
/// not sent before (all of them at first), and whether it has ended. The customer is not
/// told anyone reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatReading {
    pub id: ContactId,
    pub channel: Channel,
    pub csq: CsqId,
    pub customer: String,
    /// The display names of the agents in it now.
    pub agents: Vec<String>,
    /// Whether the reader is one of them (they joined).
    pub joined: bool,
    /// New lines, in order.
    pub lines: Vec<ChatLine>,
    /// Every line stored so far has been sent (a long transcript comes in several
    /// readings).
    pub complete: bool,
    pub ended: bool,
}

/// Why a supervisor could not join a chat (D-3, G-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinRefusal {
    /// Two agents are in it already, or one is being invited (G-3: three people at most).
    Full,
    /// The supervisor's desktop is not open: the chat would open there.
    NoDesktop,
    /// The supervisor is in it already.
    AlreadyIn,
    /// It ended, or no agent has taken it yet.
    NotInProgress,
}

/// One agent as the team table shows them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TeamMember {
    pub id: AgentId,
    pub username: String,
    pub display_name: String,
    /// Supervisors act on agents only (an administrator on anyone).
    pub role: Role,
    /// The CSQs (of those watched) the agent takes contacts from.
    pub csqs: Vec<CsqId>,
    pub state: AgentState,
    /// Why the state began (SPEC S-6).
    pub reason: Option<StateReason>,
    /// SPEC S-4: "Chat not accepted".
    pub badge: Option<Badge>,
    /// Asked for Not Ready while Reserved.
    pub not_ready_pending: bool,
    /// When the state began.
    pub since_ms: Option<i64>,
    pub chats: u32,
    pub max_chats: u32,
    pub emails: u32,
    pub max_emails: u32,
    /// When the contact held longest was taken.
    pub oldest_contact_ms: Option<i64>,
}

/// What waits on one channel of a queue.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Waiting {
    pub channel: Channel,
    pub count: u32,
}

/// One CSQ's live and day figures.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct QueueFigures {
    pub id: CsqId,
    pub name: String,
    /// Per channel, only the channels with contacts waiting.
    pub waiting: Vec<Waiting>,
    /// When the contact waiting longest came in.
    pub oldest_waiting_ms: Option<i64>,
    /// Chats offered to an agent now, not yet accepted.
    pub offering: u32,
    pub logged_in: u32,
    pub ready: u32,
    pub reserved: u32,
    pub not_ready: u32,
    pub today: DayFigures,
    /// The service level's threshold, in seconds (the CSQ's setting).
    pub service_level_secs: u32,
}

/// A queue's figures since the start of the viewer's day, counted from the contact log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DayFigures {
    /// Times a contact came into the queue: new, transferred in, or given back to it.
    pub offered: u32,
    /// Times an agent took one after its wait.
    pub handled: u32,
    /// Contacts that ended before any agent took them (the customer left, or the queue gave
    /// up), whenever they came in.
    pub abandoned: u32,
    /// The sum of the handled contacts' waits, for the average.
    pub wait_total_ms: i64,
    /// Handled within the service level's threshold.
    pub within_threshold: u32,
}

impl DayFigures {
    /// The average wait of the contacts handled.
    pub fn average_wait_ms(&self) -> Option<i64> {
        (self.handled > 0).then(|| self.wait_total_ms / i64::from(self.handled))
    }

    /// The share, in percent, of the contacts answered or abandoned that were answered
    /// within the threshold; none before the first.
    pub fn service_level_percent(&self) -> Option<u32> {
        let answered_or_not = self.handled + self.abandoned;
        (answered_or_not > 0).then(|| {
            let share = f64::from(self.within_threshold) * 100.0 / f64::from(answered_or_not);
            share.round() as u32
        })
    }
}

impl QueueFigures {
    /// Contacts waiting on every channel.
    pub fn waiting_total(&self) -> u32 {
        self.waiting.iter().map(|w| w.count).sum()
    }
}

/// What a supervisor may do to an agent of the CSQs they watch (D-3): each audited, and
/// the agent told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupervisorAction {
    /// Not Ready now, or once the contacts in hand end when Reserved (as when the agent
    /// asks).
    NotReady,
    /// The agent's sessions end: their chats end and their emails go back to the queue, as
    /// when a desktop closes.
    LogOut,
}

impl SupervisorAction {
    /// The audit's action name.
    pub fn audit_action(self) -> &'static str {
        match self {
            SupervisorAction::NotReady => "supervision.not_ready",
            SupervisorAction::LogOut => "supervision.log_out",
        }
    }
}

/// The audit's action names of reading a chat and joining it.
pub const AUDIT_READ_CHAT: &str = "supervision.read_chat";
pub const AUDIT_JOIN_CHAT: &str = "supervision.join_chat";

/// How the team table is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamOrder {
    #[default]
    Name,
    State,
    /// Longest in their state first.
    TimeInState,
    /// Most contacts in hand first.
    Load,
}

/// The team as the table shows it: only the agents of `csq` (all when none), logged in
/// ones before the others, in `order`; names break ties.
pub fn team_view(agents: &[TeamMember], csq: Option<CsqId>, order: TeamOrder) -> Vec<TeamMember> {
    let mut shown: Vec<TeamMember> = agents
        .iter()
        .filter(|a| csq.is_none_or(|c| a.csqs.contains(&c)))
        .cloned()
        .collect();
    let state_rank = |s: AgentState| match s {
        AgentState::Reserved => 0,
        AgentState::Ready => 1,
        AgentState::NotReady => 2,
        AgentState::LoggedOut => 3,
    };
    shown.sort_by(|a, b| {
        let out = |m: &TeamMember| m.state == AgentState::LoggedOut;
        out(a)
            .cmp(&out(b))
            .then_with(|| match order {
                TeamOrder::Name => std::cmp::Ordering::Equal,
                TeamOrder::State => state_rank(a.state).cmp(&state_rank(b.state)),
                TeamOrder::TimeInState => a
                    .since_ms
                    .unwrap_or(i64::MAX)
                    .cmp(&b.since_ms.unwrap_or(i64::MAX)),
                TeamOrder::Load => (b.chats + b.emails).cmp(&(a.chats + a.emails)),
            })
            .then_with(|| {
                a.display_name
                    .to_lowercase()
                    .cmp(&b.display_name.to_lowercase())
            })
    });
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: i64, name: &str, state: AgentState, since: i64, load: u32) -> TeamMember {
        TeamMember {
            id: AgentId(id),
            username: name.to_lowercase(),
            display_name: name.into(),
            role: Role::Agent,
            csqs: vec![CsqId(id % 2 + 1)],
            state,
            reason: None,
            badge: None,
            not_ready_pending: false,
            since_ms: Some(since),
            chats: load,
            max_chats: 3,
            emails: 0,
            max_emails: 3,
            oldest_contact_ms: None,
        }
    }

    fn names(team: &[TeamMember]) -> Vec<&str> {
        team.iter().map(|m| m.display_name.as_str()).collect()
    }

    /// D-3: the team sorts by name, state, time in state or load, logged-out agents last,
    /// and filters by CSQ.
    #[test]
    fn d3_the_team_sorts_and_filters() {
        let team = [
            member(1, "bob", AgentState::Ready, 300, 0),
            member(2, "Ann", AgentState::Reserved, 200, 2),
            member(3, "Cleo", AgentState::NotReady, 100, 0),
            member(4, "Abe", AgentState::LoggedOut, 50, 0),
            member(5, "Dan", AgentState::Reserved, 250, 3),
        ];
        assert_eq!(
            names(&team_view(&team, None, TeamOrder::Name)),
            ["Ann", "bob", "Cleo", "Dan", "Abe"]
        );
        assert_eq!(
            names(&team_view(&team, None, TeamOrder::State)),
            ["Ann", "Dan", "bob", "Cleo", "Abe"]
        );
        assert_eq!(
            names(&team_view(&team, None, TeamOrder::TimeInState)),
            ["Cleo", "Ann", "Dan", "bob", "Abe"]
        );
        assert_eq!(
            names(&team_view(&team, None, TeamOrder::Load)),
            ["Dan", "Ann", "bob", "Cleo", "Abe"]
        );
        assert_eq!(
            names(&team_view(&team, Some(CsqId(2)), TeamOrder::Name)),
            ["bob", "Cleo", "Dan"]
        );
    }

    /// D-3: the average wait and the service level come from the day's counts; none
    /// before the first contact.
    #[test]
    fn d3_the_service_level_is_the_share_answered_in_time() {
        assert_eq!(DayFigures::default().service_level_percent(), None);
        assert_eq!(DayFigures::default().average_wait_ms(), None);
        let day = DayFigures {
            offered: 5,
            handled: 3,
            abandoned: 1,
            wait_total_ms: 45_000,
            within_threshold: 2,
        };
        assert_eq!(day.average_wait_ms(), Some(15_000));
        assert_eq!(day.service_level_percent(), Some(50));
        let all = DayFigures {
            within_threshold: 3,
            abandoned: 0,
            ..day
        };
        assert_eq!(all.service_level_percent(), Some(100));
    }
}
