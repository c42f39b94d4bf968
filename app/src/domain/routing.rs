//! Which agent gets a chat (SPEC O-1, O-4, S-2): a pure choice, so the server's routing
//! engine only gathers the facts and applies the answer.

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
    /// An offer is already waiting for this agent's answer: one at a time.
    pub has_pending_offer: bool,
    /// Since when the agent has been available without taking a contact (Unix ms): the one
    /// waiting longest gets the next chat (SPEC O-1).
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

/// The agent to offer a chat of `csq` to: Ready (or Reserved with room), a member of the
/// CSQ, below the maximum of active chats, not excluded (an agent whose offer for this chat
/// just expired); among those, the longest available, then the lowest id for a stable tie.
pub fn choose_agent(csq: CsqId, candidates: &[Candidate], excluded: &[AgentId]) -> Option<AgentId> {
    candidates
        .iter()
        .filter(|c| c.eligible(csq, excluded))
        .min_by_key(|c| (c.available_since_ms, c.agent))
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

    #[test]
    fn ties_go_to_the_lowest_id() {
        assert_eq!(
            choose_agent(SALES, &[agent(7, 5), agent(4, 5)], &[]),
            Some(AgentId(4))
        );
    }
}
