//! What the store keeps of the queues the administrators manage (SPEC D-2, K-2, O-2): CSQs
//! with their members, whether they are retired and their business hours, and the pre-chat
//! form's problem statements in order. A separate trait, included by [`super::Store`].

use super::{AuditEntry, StoreResult};
use app::domain::{
    hours::BusinessHours,
    ids::{AgentId, CsqId},
    queues::{CsqAdmin, CsqEdit, ProblemStatementAdmin, ProblemStatementEdit},
};
use async_trait::async_trait;
use std::{collections::HashMap, sync::Arc};

#[async_trait]
pub trait QueueStore: Send + Sync {
    /// Every CSQ by name (ignoring ASCII case), with its members by username.
    async fn csqs_admin(&self) -> StoreResult<Vec<CsqAdmin>>;

    /// In one transaction: creates (`edit.id` none) or changes a CSQ, makes its members
    /// exactly `edit.members`, and records the audit line. Returns the CSQ and its members
    /// just before (read in the transaction, so a user's save made meanwhile is counted).
    /// [`super::StoreError::Conflict`] when another CSQ has the name (ignoring case).
    async fn save_csq(
        &self,
        edit: &CsqEdit,
        audit: &AuditEntry,
    ) -> StoreResult<(CsqId, Vec<AgentId>)>;

    /// Issue 17 (K-4): the business hours of each CSQ that has some (the others are always
    /// open). Kept between saves where this process is the one writer.
    async fn business_hours(&self) -> StoreResult<Arc<HashMap<CsqId, BusinessHours>>>;

    /// Issue 17: sets one CSQ's business hours (none: always open), with the audit line.
    /// [`super::StoreError::NotFound`] for a CSQ that does not exist.
    async fn save_business_hours(
        &self,
        csq: CsqId,
        hours: Option<&BusinessHours>,
        audit: &AuditEntry,
    ) -> StoreResult<()>;

    /// Every problem statement, retired ones included, in the pre-chat form's order.
    async fn problem_statements_admin(&self) -> StoreResult<Vec<ProblemStatementAdmin>>;

    /// Creates (last in order) or changes a problem statement, with the audit line.
    async fn save_problem_statement(
        &self,
        edit: &ProblemStatementEdit,
        audit: &AuditEntry,
    ) -> StoreResult<i64>;

    /// Moves a problem statement one place up or down in the order, with the audit line
    /// (at either end nothing moves and nothing is audited). Reads and writes the order in one transaction, so two
    /// administrators moving at once each move from what the other left.
    async fn move_problem_statement(
        &self,
        id: i64,
        up: bool,
        audit: &AuditEntry,
    ) -> StoreResult<()>;
}
