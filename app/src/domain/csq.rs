//! Contact service queues: where chats and emails wait for an agent.

use super::ids::{AgentId, CsqId, WrapUpReasonId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Csq {
    pub id: CsqId,
    pub name: String,
    pub members: Vec<AgentId>,
    /// Issue 18 (D-3): the supervisors who watch it.
    #[serde(default)]
    pub supervisors: Vec<AgentId>,
}

/// The CSQs of `csqs` that `agent` belongs to, by id (the order saves compare in).
pub fn memberships(csqs: &[Csq], agent: AgentId) -> Vec<CsqId> {
    ids_where(csqs, |c| c.members.contains(&agent))
}

/// The CSQs of `csqs` that `agent` supervises (D-3), by id.
pub fn supervised(csqs: &[Csq], agent: AgentId) -> Vec<CsqId> {
    ids_where(csqs, |c| c.supervisors.contains(&agent))
}

fn ids_where(csqs: &[Csq], keep: impl Fn(&Csq) -> bool) -> Vec<CsqId> {
    let mut ids: Vec<CsqId> = csqs.iter().filter(|c| keep(c)).map(|c| c.id).collect();
    ids.sort();
    ids
}

/// A wrap-up reason the administrator assigned to a CSQ (SPEC W-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrapUpReason {
    pub id: WrapUpReasonId,
    pub label: String,
}

/// A choice of the pre-chat form, routed to a CSQ by the administrator (SPEC K-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemStatement {
    pub id: i64,
    pub label: String,
    pub csq: CsqId,
}
