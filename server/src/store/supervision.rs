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

/// The end reasons of the contact log that come before any agent took the contact, as an
/// SQL list: the customer left, or the queue gave up on it (an email sent by the CRM is not
/// one). The live view's and the reports' abandons.
pub(crate) const ABANDONS: &str =
    "('abandoned', 'ended_by_customer', 'queue_timeout', 'window_closed', 'timed_out')";

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
