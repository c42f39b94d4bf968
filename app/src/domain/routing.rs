//! Which agent gets a chat or an email (SPEC O-1, O-4, S-2, E-1, E-4, Q-1): a pure choice, so
//! the server's routing engine only gathers the facts and applies the answer.

use super::ids::{AgentId, CsqId};

/// What the router knows of one agent at the moment of choosing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub agent: AgentId,
    /// Ready, or Reserved below capacity without Not Ready pending (SPEC S-2, S-3).
    pub takes_offers: bool,
    pub csqs: Vec<CsqId>,
    pub active_chats: u32,
    /// Administrator setting (SPEC O-4).
    pub max_chats: u32,
    pub active_emails: u32,
    /// Administrator setting (SPEC O-4).
    pub max_emails: u32,
    /// An offer is already waiting for this agent's answer: one at a time.
    pub has_pending_offer: bool,
    /// The agent's last assignment, release or change to Ready (Unix ms): among agents
    /// holding as few contacts, the one waiting longest since gets the next (SPEC O-1).
    pub available_since_ms: i64,
}

impl Candidate {
    fn eligible(&self, csq: CsqId, excluded: &[AgentId]) -> bool {
        self.takes_offers
            && !self.has_pending_offer
            && self.active_chats < self.max_chats
            && self.csqs.contains(&csq)
            && !excluded.contains(&self.agent)
    }
}

/// The agent to give an email of `csq` to (SPEC E-1: emails are assigned, not offered):
/// available, below the maximum of active emails, never an excluded agent (SPEC Q-1: a
/// requeued email does not go back to the agent who requeued it). With `sticky` (SPEC E-4:
/// the agent who last handled the thread, while its sticky time lasts) only that agent may
/// take it, member of the CSQ or not; once the time is over, the longest available member.
pub fn choose_email_agent(
    csq: CsqId,
    candidates: &[Candidate],
    excluded: &[AgentId],
    sticky: Option<AgentId>,
) -> Option<AgentId> {
    let free = |c: &&Candidate| {
        c.takes_offers && c.active_emails < c.max_emails && !excluded.contains(&c.agent)
    };
    match sticky {
        Some(agent) => candidates
            .iter()
            .filter(free)
            .find(|c| c.agent == agent)
            .map(|c| c.agent),
        None => candidates
            .iter()
            .filter(free)
            .filter(|c| c.csqs.contains(&csq))
            .min_by_key(|c| (c.active_emails, c.available_since_ms, c.agent))
            .map(|c| c.agent),
    }
}

/// The agent to offer a chat of `csq` to: Ready (or Reserved with room), a member of the
/// CSQ, below the maximum of active chats, not excluded (an agent whose offer for this chat
/// just expired). Among those, the one holding the fewest chats, so an idle agent is never
/// passed over for a busy one (SPEC O-1, O-4); then the one available longest; then the
/// lowest id for a stable tie.
pub fn choose_agent(csq: CsqId, candidates: &[Candidate], excluded: &[AgentId]) -> Option<AgentId> {
    candidates
        .iter()
        .filter(|c| c.eligible(csq, excluded))
        .min_by_key(|c| (c.active_chats, c.available_since_ms, c.agent))
        .map(|c| c.agent)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SALES: CsqId = CsqId(1);
    const SUPPORT: CsqId = CsqId(2);

    fn agent(id: i64, since: i64) -> Candidate {
        Candidate {
            agent: AgentId(id),
            takes_offers: true,
            csqs: vec![SALES],
            active_chats: 0,
            max_chats: 3,
            active_emails: 0,
            max_emails: 3,
            has_pending_offer: false,
            available_since_ms: since,
        }
    }

    /// SPEC O-1: the longest available agent of the CSQ gets the chat.
    #[test]
    fn longest_available_member_wins() {
        let agents = [agent(1, 300), agent(2, 100), agent(3, 200)];
        assert_eq!(choose_agent(SALES, &agents, &[]), Some(AgentId(2)));
        assert_eq!(choose_agent(SUPPORT, &agents, &[]), None, "not members");
    }

    /// SPEC S-2: only agents taking offers are chosen.
    #[test]
    fn not_ready_agents_are_skipped() {
        let mut busy = agent(1, 0);
        busy.takes_offers = false;
        assert_eq!(
            choose_agent(SALES, &[busy, agent(2, 50)], &[]),
            Some(AgentId(2))
        );
    }

    /// SPEC O-4: offers stop at the maximum of active chats.
    #[test]
    fn agents_at_their_maximum_are_skipped() {
        let mut full = agent(1, 0);
        full.active_chats = 3;
        assert_eq!(choose_agent(SALES, &[full.clone()], &[]), None);
        full.active_chats = 2;
        assert_eq!(choose_agent(SALES, &[full], &[]), Some(AgentId(1)));
    }

    /// SPEC S-4: an expired offer goes to another agent; one offer at a time per agent.
    #[test]
    fn excluded_and_already_offered_agents_are_skipped() {
        let mut offered = agent(2, 0);
        offered.has_pending_offer = true;
        let agents = [agent(1, 10), offered, agent(3, 20)];
        assert_eq!(
            choose_agent(SALES, &agents, &[AgentId(1)]),
            Some(AgentId(3))
        );
        assert_eq!(
            choose_agent(SALES, &agents, &[AgentId(1), AgentId(3)]),
            None
        );
    }

    /// SPEC E-1, O-4: emails go to available members below their maximum of emails; a
    /// pending chat offer does not hold an email back.
    #[test]
    fn emails_go_to_members_below_their_email_maximum() {
        let mut full = agent(1, 0);
        full.active_emails = 3;
        let mut offered = agent(2, 10);
        offered.has_pending_offer = true;
        offered.active_chats = 3;
        assert_eq!(
            choose_email_agent(SALES, &[full.clone(), offered.clone()], &[], None),
            Some(AgentId(2))
        );
        let mut away = agent(3, 0);
        away.takes_offers = false;
        assert_eq!(choose_email_agent(SALES, &[full, away], &[], None), None);
    }

    /// SPEC Q-1: a requeued email never goes back to the agent who requeued it.
    #[test]
    fn excluded_agents_never_get_the_email() {
        assert_eq!(
            choose_email_agent(SALES, &[agent(1, 0)], &[AgentId(1)], None),
            None
        );
    }

    /// SPEC E-4: while sticky, only the thread's last agent may take it, even from
    /// outside the CSQ; nobody else meanwhile.
    #[test]
    fn a_sticky_email_waits_for_its_last_agent() {
        let mut last = agent(5, 100);
        last.csqs = vec![SUPPORT];
        let agents = [agent(1, 0), last.clone()];
        assert_eq!(
            choose_email_agent(SALES, &agents, &[], Some(AgentId(5))),
            Some(AgentId(5))
        );
        last.active_emails = 3;
        assert_eq!(
            choose_email_agent(SALES, &[agent(1, 0), last], &[], Some(AgentId(5))),
            None,
            "the last agent is full: the email waits for the sticky time"
        );
    }

    /// SPEC O-1, O-4: an agent already holding a chat, however long available, does not
    /// get the next one while an idle member is Ready.
    #[test]
    fn the_agent_holding_fewest_chats_comes_first() {
        let mut busy = agent(1, 0);
        busy.active_chats = 1;
        let idle = agent(2, 500);
        assert_eq!(choose_agent(SALES, &[busy, idle], &[]), Some(AgentId(2)));
    }

    /// SPEC O-1, E-1: the same for emails, counted apart from chats.
    #[test]
    fn the_agent_holding_fewest_emails_comes_first() {
        let mut busy = agent(1, 0);
        busy.active_emails = 2;
        let mut chatting = agent(2, 500);
        chatting.active_chats = 2;
        assert_eq!(
            choose_email_agent(SALES, &[busy, chatting], &[], None),
            Some(AgentId(2)),
            "chats in hand do not count against emails"
        );
    }

    #[test]
    fn ties_go_to_the_lowest_id() {
        assert_eq!(
            choose_agent(SALES, &[agent(7, 5), agent(4, 5)], &[]),
            Some(AgentId(4))
        );
    }
}
