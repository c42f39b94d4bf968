//! What the store reads for the supervisors' live view (issue 18, D-3): the agents of some
//! CSQs with their state and the contacts in their hands, and each CSQ's waiting contacts
//! and day figures, counted from the contact log. A separate trait, included by
//! [`super::Store`].

use super::StoreResult;
use app::domain::{
    ids::CsqId,
    supervision::{LiveChat, QueueFigures, TeamMember},
};
use async_trait::async_trait;

#[async_trait]
pub trait SupervisionStore: Send + Sync {
    /// The agents taking contacts from any of `csqs` (enabled ones, each once, with the CSQs
    /// of `csqs` they are in), and the figures of each of `csqs` that exists, by name; the
    /// day's figures count from `day_start_ms`; and the chats in progress in `csqs`, oldest
    /// taken first.
    async fn board(
        &self,
        csqs: &[CsqId],
        day_start_ms: i64,
    ) -> StoreResult<(Vec<TeamMember>, Vec<QueueFigures>, Vec<LiveChat>)>;
}
