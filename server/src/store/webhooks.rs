//! Outgoing webhooks (issue 17): the administrators' webhooks, the events the other stores
//! write in their own transactions (`write_webhook_event` in `sql`, only while a webhook
//! wants that event), their fan-out into one delivery per webhook, and the deliveries as
//! the sender takes, retries and ends them. A separate trait, included by [`super::Store`].

use super::{AuditEntry, StoreResult};
use app::domain::{
    ids::{AgentId, ContactId, CustomerId, WebhookId},
    protocol::Seq,
    webhooks::{DeliverySummary, WebhookEdit, WebhookEvent, WebhookSummary},
};
use async_trait::async_trait;

/// A webhook as stored: its secret sealed (only the sender opens it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredWebhook {
    pub id: WebhookId,
    pub name: String,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub secret_sealed: String,
    pub created_at_ms: i64,
    pub disabled_at_ms: Option<i64>,
}

/// A webhook to add (its secret sealed already).
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub name: String,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub secret_sealed: String,
    pub created_by: AgentId,
}

/// What happened, as the writing store recorded it: the ids the body is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EventFacts {
    pub contact: Option<ContactId>,
    pub customer: Option<CustomerId>,
    /// The agent assigned, or who wrote the line.
    pub agent: Option<AgentId>,
    /// The chat line's number (`conversation.message`).
    pub seq: Option<Seq>,
}

/// An event waiting for its fan-out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookEvent {
    pub id: i64,
    pub event: WebhookEvent,
    pub facts: EventFacts,
    pub at_ms: i64,
}

/// One delivery the fan-out makes.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub webhook: WebhookId,
    pub event_id: i64,
    pub event: WebhookEvent,
    /// What keeps deliveries in order: `conversation:<id>` or `customer:<id>`.
    pub subject: String,
    pub body: String,
}

/// A delivery taken for an attempt, with where it goes.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub id: i64,
    pub webhook: WebhookId,
    pub url: String,
    pub secret_sealed: String,
    pub event: String,
    pub body: String,
    pub attempts: u32,
    /// Since when it is tried: made, or last sent again by an administrator.
    pub tried_since_ms: i64,
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The receiver answered 2xx.
    Delivered { status: u16 },
    /// Tried again at `next_at_ms`.
    Retry {
        status: Option<u16>,
        error: String,
        next_at_ms: i64,
    },
    /// Given up: tried for as long as a delivery is.
    Failed { status: Option<u16>, error: String },
}

#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Adds a webhook, audited; [`super::StoreError::Full`] past `max` webhooks.
    async fn add_webhook(
        &self,
        webhook: &NewWebhook,
        max: usize,
        audit: &AuditEntry,
    ) -> StoreResult<WebhookId>;

    /// Every webhook not deleted, by id (the sender's view: secrets sealed).
    async fn webhooks(&self) -> StoreResult<Vec<StoredWebhook>>;

    /// Every webhook not deleted, by id, with its deliveries waiting and failed.
    async fn webhook_summaries(&self) -> StoreResult<Vec<WebhookSummary>>;

    /// A new name, address and events (checked and tidied), audited; NotFound once deleted.
    async fn change_webhook(
        &self,
        id: WebhookId,
        edit: &WebhookEdit,
        audit: &AuditEntry,
    ) -> StoreResult<()>;

    /// Pauses (`Some(now)`) or resumes (`None`) a webhook, audited: while paused nothing is
    /// sent, and what happens meanwhile waits for it; resumed, what waits is tried at once
    /// and for a day from then.
    async fn pause_webhook(
        &self,
        id: WebhookId,
        at_ms: Option<i64>,
        audit: &AuditEntry,
    ) -> StoreResult<()>;

    /// Deletes a webhook, audited: its waiting deliveries fail, its log is kept.
    async fn delete_webhook(&self, id: WebhookId, audit: &AuditEntry) -> StoreResult<()>;

    /// A delivery of this webhook delivered or failed made to wait again, tried for another
    /// day from now, audited; false when it was waiting already.
    async fn replay_webhook_delivery(
        &self,
        webhook: WebhookId,
        delivery: i64,
        audit: &AuditEntry,
    ) -> StoreResult<bool>;

    /// The events not fanned out yet, oldest first, written at or before `until_ms`.
    async fn waiting_webhook_events(
        &self,
        until_ms: i64,
        limit: u32,
    ) -> StoreResult<Vec<HookEvent>>;

    /// The event's deliveries made and the event marked fanned out, in one transaction;
    /// nothing when it was fanned out already or is gone (erased).
    async fn fan_out_webhook_event(
        &self,
        event_id: i64,
        deliveries: &[NewDelivery],
        now_ms: i64,
    ) -> StoreResult<()>;

    /// Takes up to `limit` deliveries due, each the oldest waiting of its webhook and
    /// subject, for the sender alone until `lease_until_ms`.
    async fn claim_webhook_deliveries(
        &self,
        now_ms: i64,
        limit: u32,
        lease_until_ms: i64,
    ) -> StoreResult<Vec<DueDelivery>>;

    /// Records an attempt's outcome.
    async fn webhook_attempted(&self, id: i64, attempt: &Attempt, now_ms: i64) -> StoreResult<()>;

    /// A webhook's deliveries, newest first, before the id `before` (paging).
    async fn webhook_deliveries(
        &self,
        webhook: WebhookId,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<DeliverySummary>>;

    /// The soonest a delivery waits for (the sender sleeps until then).
    async fn next_webhook_delivery_at(&self) -> StoreResult<Option<i64>>;
}
