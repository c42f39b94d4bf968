//! Inviting a second agent into a chat (SPEC G-1 to G-6): who may be invited, how many
//! people a chat holds, and the per-chat memory of who declined. Pure rules, so the routing
//! engine only gathers the facts and the page can grey out what the server would refuse.

use super::{
    ids::{AgentId, CsqId},
    limits::MAX_CHAT_PARTICIPANTS,
    routing::{choose_agent, Candidate},
};
use crate::i18n::{td_string, Locale};
use serde::{Deserialize, Serialize};
use std::fmt;

/// SPEC G-3: another agent may be invited while the chat has room: at most three
/// participants, the customer included.
pub fn can_invite(agents_in_chat: usize) -> bool {
    agents_in_chat + 1 < MAX_CHAT_PARTICIPANTS
}

/// SPEC G-6: per chat, the agents who declined an invitation (or let it expire) since the
/// last accepted one. They are not invited again until an invitation is accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declined(Vec<AgentId>);

impl Declined {
    pub fn record(&mut self, agent: AgentId) {
        if !self.0.contains(&agent) {
            self.0.push(agent);
        }
    }

    /// An accepted invitation clears the memory.
    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn contains(&self, agent: AgentId) -> bool {
        self.0.contains(&agent)
    }
}

/// SPEC G-1, G-6: the agent an invitation to a chat of `csq` goes to: available as for an
/// offer (Ready or Reserved with room, a member, below the maximum, no offer or invitation
/// waiting), not in the chat already, not among those who declined; the longest available.
pub fn choose_invitee(
    csq: CsqId,
    candidates: &[Candidate],
    in_chat: &[AgentId],
    declined: &Declined,
) -> Option<AgentId> {
    let excluded: Vec<AgentId> = in_chat.iter().chain(declined.0.iter()).copied().collect();
    choose_agent(csq, candidates, &excluded)
}

/// SPEC G-1: how many agents of `csq` an invitation could reach now, for the list the
/// inviting agent picks from.
pub fn available_count(csq: CsqId, candidates: &[Candidate], in_chat: &[AgentId]) -> usize {
    candidates
        .iter()
        .filter(|c| choose_agent(csq, std::slice::from_ref(*c), in_chat).is_some())
        .count()
}

/// How an invitation ended, as the inviting agent is told (SPEC G-2: always told).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InviteOutcome {
    Accepted,
    Declined,
    /// The accept timer ran out: counts as a decline (G-6), the invited agent's state does
    /// not change.
    Expired,
    /// Nobody of the CSQ could be invited.
    NobodyAvailable,
}

impl InviteOutcome {
    /// The sentence the inviting agent reads, in their language; `who` is the invited
    /// agent's name, `csq` the queue's.
    pub fn message(self, locale: Locale, who: &str, csq: &str) -> String {
        match self {
            InviteOutcome::Accepted => td_string!(locale, system.invite.accepted, who),
            InviteOutcome::Declined => td_string!(locale, system.invite.declined, who),
            InviteOutcome::Expired => td_string!(locale, system.invite.expired, who),
            InviteOutcome::NobodyAvailable => {
                td_string!(locale, system.invite.nobody_available, csq)
            }
        }
        .to_string()
    }
}

impl fmt::Display for InviteOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InviteOutcome::Accepted => "accepted",
            InviteOutcome::Declined => "declined",
            InviteOutcome::Expired => "expired",
            InviteOutcome::NobodyAvailable => "nobody available",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUPPORT: CsqId = CsqId(1);

    fn agent(id: i64, since: i64) -> Candidate {
        Candidate {
            agent: AgentId(id),
            takes_offers: true,
            csqs: vec![SUPPORT],
            active_chats: 0,
            max_chats: 3,
            active_emails: 0,
            max_emails: 3,
            has_pending_offer: false,
            available_since_ms: since,
        }
    }

    #[test]
    fn at_most_three_participants_customer_included() {
        assert!(can_invite(1), "customer and one agent: room for one more");
        assert!(!can_invite(2), "customer and two agents: full (G-3)");
        assert!(
            can_invite(1),
            "when one leaves, the one who stays may invite again"
        );
    }

    #[test]
    fn the_invitee_is_available_not_in_the_chat_and_has_not_declined() {
        let a = AgentId(1);
        let (b, c) = (agent(2, 10), agent(3, 20));
        let candidates = vec![agent(1, 0), b.clone(), c.clone()];
        let mut declined = Declined::default();
        // A is in the chat; B waited longest.
        assert_eq!(
            choose_invitee(SUPPORT, &candidates, &[a], &declined),
            Some(b.agent)
        );
        // G-6: B declines; the next invitation reaches C, not B.
        declined.record(b.agent);
        assert_eq!(
            choose_invitee(SUPPORT, &candidates, &[a], &declined),
            Some(c.agent)
        );
        // C declines too: nobody is left until an invitation is accepted.
        declined.record(c.agent);
        assert_eq!(choose_invitee(SUPPORT, &candidates, &[a], &declined), None);
        declined.clear();
        assert_eq!(
            choose_invitee(SUPPORT, &candidates, &[a], &declined),
            Some(b.agent)
        );
    }

    #[test]
    fn busy_full_or_foreign_agents_are_not_invited_nor_counted() {
        let mut full = agent(2, 0);
        full.active_chats = 3;
        let mut not_ready = agent(3, 0);
        not_ready.takes_offers = false;
        let mut offered = agent(4, 0);
        offered.has_pending_offer = true;
        let mut sales = agent(5, 0);
        sales.csqs = vec![CsqId(9)];
        let free = agent(6, 0);
        let candidates = vec![agent(1, 0), full, not_ready, offered, sales, free];
        assert_eq!(available_count(SUPPORT, &candidates, &[AgentId(1)]), 1);
        assert_eq!(
            choose_invitee(SUPPORT, &candidates, &[AgentId(1)], &Declined::default()),
            Some(AgentId(6))
        );
    }

    #[test]
    fn the_inviting_agent_reads_the_outcome() {
        assert_eq!(
            InviteOutcome::Expired.message(Locale::en, "Carol", "Support"),
            "Carol did not answer your invitation in time."
        );
        assert_eq!(
            InviteOutcome::NobodyAvailable.message(Locale::en, "", "Billing"),
            "No agent of Billing is available to invite right now."
        );
        // Issue 15: in the agent's language.
        assert_eq!(
            InviteOutcome::Declined.message(Locale::fr, "Carol", "Support"),
            "Carol a refusé votre invitation."
        );
    }
}
