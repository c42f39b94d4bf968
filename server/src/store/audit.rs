//! What the store gives the administrators to read of the past (SPEC D-2, S-6): the audit
//! of changes, filtered and paged, and an agent's state changes within a time range. A
//! separate trait, included by [`super::Store`].

use super::{StateLogEntry, StoreResult};
use app::domain::{audit::AuditLine, ids::AgentId};
use async_trait::async_trait;

/// Which audit lines: each filter is optional.
#[derive(Debug, Clone, Copy, Default)]
pub struct AuditQuery<'a> {
    /// Changes made by this user.
    pub by: Option<AgentId>,
    /// Actions whose first word is this (`user`, `csq`).
    pub kind: Option<&'a str>,
    /// Within [start, end) in Unix ms.
    pub range: Option<(i64, i64)>,
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    /// One page of the audit lines the query selects, newest first, with how many it
    /// selects in all.
    async fn audit_page(
        &self,
        query: AuditQuery<'_>,
        offset: u32,
        limit: u32,
    ) -> StoreResult<(Vec<AuditLine>, u64)>;

    /// The agent's state changes within [start, end) in Unix ms, oldest first.
    async fn state_log_between(
        &self,
        agent: AgentId,
        start_ms: i64,
        end_ms: i64,
    ) -> StoreResult<Vec<StateLogEntry>>;
}
