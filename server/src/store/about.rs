//! Issue 17: what the store keeps of what agents know of a customer: their notes (who
//! wrote each, when) and tags. A separate trait, included by [`super::Store`]; a link
//! between two customers moves both ([`super::customers::CustomerStore::link_customers`]).

use super::StoreResult;
use app::domain::{
    about_customer::AboutCustomer,
    ids::{AgentId, CustomerId},
};
use async_trait::async_trait;

#[async_trait]
pub trait AboutStore: Send + Sync {
    /// The customer's tags in their order, and their `notes` latest notes, newest first.
    async fn about_customer(&self, id: CustomerId, notes: u32) -> StoreResult<AboutCustomer>;

    /// A note `agent` wrote about the customer ([`super::StoreError::NotFound`] when the
    /// customer is gone: linked into another meanwhile).
    async fn add_customer_note(
        &self,
        id: CustomerId,
        agent: AgentId,
        text: &str,
        at_ms: i64,
    ) -> StoreResult<()>;

    /// The customer's tags from now on, all of them, in this order (checked by
    /// [`app::domain::about_customer::tags`]); NotFound as for a note.
    async fn set_customer_tags(
        &self,
        id: CustomerId,
        tags: &[String],
        at_ms: i64,
    ) -> StoreResult<()>;
}
