//! Contact service queues: where chats and emails wait for an agent.

use super::ids::{AgentId, CsqId, WrapUpReasonId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Csq {
    pub id: CsqId,
    pub name: String,
    pub members: Vec<AgentId>,
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
