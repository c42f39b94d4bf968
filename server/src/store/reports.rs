//! What the store counts for the supervisors' reports (issue 18, D-3): a period's volume by
//! hour on the viewer's clock, its times (average and 90th percentile), wrap-up reasons and
//! agents, each in SQL over the steps stored as they happened (the contact log, the state
//! log), read by time through indexes made for a year of contacts. A separate trait,
//! included by [`super::Store`].

use super::StoreResult;
use app::domain::{
    contact::Channel,
    ids::{AgentId, CsqId},
    reports::ReportFigures,
};
use async_trait::async_trait;

/// What a report counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportScope {
    /// The period, `[from_ms, to_ms)`.
    pub from_ms: i64,
    pub to_ms: i64,
    /// Now, if before `to_ms`: the state an agent is in counts until then.
    pub until_ms: i64,
    /// The CSQs counted (none: nothing is).
    pub csqs: Vec<CsqId>,
    pub agent: Option<AgentId>,
    pub channel: Option<Channel>,
    /// The viewer's clock: from each Unix ms on, its offset from UTC in ms, in order, the
    /// first at or before `from_ms`.
    pub offsets: Vec<(i64, i64)>,
}

#[async_trait]
pub trait ReportStore: Send + Sync {
    /// Everything a report counts for `scope`.
    async fn report(&self, scope: &ReportScope) -> StoreResult<ReportFigures>;
}
