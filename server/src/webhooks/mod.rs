//! Outgoing webhooks (issue 17): a CRM told of conversations and customers as they change.
//!
//! - Every store that makes a change writes its event in the same transaction
//!   (`store::webhooks`), and only while some enabled webhook wants that event: an event is
//!   kept exactly when its change is, across any crash.
//! - One node at a time (on SQLite, the one process; with several nodes, the one holding
//!   the webhooks' claim) fans the events out in the order they were written: each becomes
//!   one delivery per webhook wanting it, with its body built once ([`body`]). On
//!   PostgreSQL an event is fanned out [`PG_SETTLE`] after it was written, so that one
//!   written by a transaction that committed later, with a smaller id, is not passed over.
//! - The same node sends the deliveries: a POST of the body, signed ([`signature`]), with
//!   its event and delivery id in headers. A 2xx answer delivers it; anything else (or no
//!   answer within [`CALL_TIMEOUT`]) is tried again, the delay doubling from 2 s up to the
//!   operator's maximum (an hour by default), until a day has passed
//!   ([`app::domain::limits::WEBHOOK_GIVE_UP_MS`]): then it has failed. Within one
//!   webhook, the deliveries of one conversation (or one customer) go one at a time in
//!   event order, a later one waiting for the earlier to be delivered or to fail; other
//!   conversations are not held up by it.
//!
//! A receiver may see a delivery again (its answer lost on the way back): the
//! `Switchboard-Delivery` header names each delivery once, for it to skip a repeat.

mod admin;
pub mod body;
pub mod signature;

use crate::{
    clock::now_ms,
    secrets::SecretBox,
    store::{
        cluster::Claim,
        webhooks::{Attempt, DueDelivery, NewDelivery, NewWebhook},
        AuditEntry, Store, StoreError,
    },
};
use app::domain::{
    ids::{AgentId, WebhookId},
    limits::{MAX_WEBHOOKS, WEBHOOK_GIVE_UP_MS},
    webhooks::WebhookEdit,
};
use std::{sync::Arc, time::Duration};

/// The name of the webhooks' claim among the nodes.
const CLAIM: &str = "webhooks";
/// Events fanned out at a time.
const EVENT_BATCH: u32 = 100;
/// Deliveries sent at once.
const SEND_BATCH: u32 = 32;
/// How long a receiver has to answer.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a delivery taken for an attempt is this sender's alone (far above an attempt).
const LEASE: Duration = Duration::from_secs(120);
/// The first retry's delay; each failure doubles it up to the service's maximum.
const FIRST_RETRY: Duration = Duration::from_secs(2);
/// The longest the sender sleeps without looking for events ...
const LOOK_AGAIN: Duration = Duration::from_secs(1);
/// ... and the shortest, between two rounds.
const MIN_PAUSE: Duration = Duration::from_millis(200);
/// On PostgreSQL, how old an event must be to be fanned out (see the module's doc).
pub const PG_SETTLE: Duration = Duration::from_secs(2);
/// The context a webhook's secret is sealed in.
pub const SECRET_CONTEXT: &str = "webhook secret";
/// The longest error text kept in the delivery log.
const ERROR_CHARS: usize = 300;

/// The outgoing webhooks of this node.
pub struct WebhookService {
    pub store: Arc<dyn Store>,
    pub secrets: SecretBox,
    /// The longest wait between two attempts of one delivery.
    pub retry_max: Duration,
    http: graph_http::Client,
    /// Rung when something is waiting to be sent (a replay, a webhook resumed).
    pub wake: tokio::sync::Notify,
    /// Set once the server stops: the sender takes nothing more.
    stopping: std::sync::atomic::AtomicBool,
}

/// The delay before attempt `attempts + 1`.
pub fn retry_delay(attempts: u32, max: Duration) -> Duration {
    let factor = 1u32 << attempts.saturating_sub(1).min(16);
    (FIRST_RETRY * factor).min(max)
}

impl WebhookService {
    pub fn new(store: Arc<dyn Store>, secrets: SecretBox, retry_max: Duration) -> Self {
        let http = graph_http::Client::builder()
            .timeout(CALL_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            // A delivery goes where it was set to go, never elsewhere.
            .redirect(graph_http::redirect::Policy::none())
            .user_agent("Switchboard-Webhooks/1")
            .build()
            // Only a TLS backend that cannot start fails here: never a client that would
            // follow redirects or wait for ever instead.
            .expect("the webhooks' HTTP client starts");
        WebhookService {
            store,
            secrets,
            retry_max: retry_max.max(Duration::from_secs(1)),
            http,
            wake: tokio::sync::Notify::new(),
            stopping: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Stops the sender after the round under way (what waits is kept for the next start).
    pub fn stop(&self) {
        self.stopping
            .store(true, std::sync::atomic::Ordering::Relaxed);
        self.wake.notify_one();
    }

    /// Adds a webhook (checked and tidied by the caller), its secret sealed, audited in the
    /// name of `by`; [`StoreError::Full`] past [`MAX_WEBHOOKS`].
    pub async fn add(
        &self,
        edit: &WebhookEdit,
        secret: &str,
        by: AgentId,
    ) -> Result<WebhookId, StoreError> {
        let webhook = NewWebhook {
            name: edit.name.clone(),
            url: edit.url.clone(),
            events: edit.events.clone(),
            secret_sealed: self.secrets.seal(SECRET_CONTEXT, secret),
            created_by: by,
        };
        let audit = AuditEntry {
            at_ms: now_ms(),
            agent: by,
            action: "webhook.create".into(),
            detail: audit_detail(edit),
        };
        self.store.add_webhook(&webhook, MAX_WEBHOOKS, &audit).await
    }

    /// Fans out and sends for as long as the server runs, on the node holding the claim.
    pub fn spawn(self: &Arc<Self>) {
        let service = Arc::clone(self);
        tokio::spawn(async move {
            let mut claim: Option<Box<dyn Claim>> = None;
            while !service.stopping.load(std::sync::atomic::Ordering::Relaxed) {
                if let (Some(coordination), None) = (service.store.coordination(), &claim) {
                    match coordination.claim(CLAIM).await {
                        Ok(held) => claim = held,
                        Err(e) => tracing::warn!(error = %e, "webhooks claim not asked"),
                    }
                }
                let here = service.store.coordination().is_none() || claim.is_some();
                let pause = if here {
                    tokio::select! {
                        pause = service.work() => pause,
                        () = lost(&mut claim) => {
                            tracing::warn!("webhooks claim lost");
                            claim = None;
                            LOOK_AGAIN
                        }
                    }
                } else {
                    LOOK_AGAIN
                };
                tokio::select! {
                    () = service.wake.notified() => {}
                    () = tokio::time::sleep(pause) => {}
                }
            }
        });
    }

    /// One round: events fanned out, deliveries due sent; how long to wait for the next.
    async fn work(&self) -> Duration {
        if let Err(e) = self.fan_out().await {
            tracing::error!(error = %e, "webhook events not fanned out: tried again shortly");
        }
        match self.send_due().await {
            Ok(()) => {}
            Err(e) => {
                tracing::error!(error = %e, "webhook deliveries not sent: tried again shortly")
            }
        }
        match self.store.next_webhook_delivery_at().await {
            // At least a moment: the soonest may be a delivery that waits for an earlier one
            // of its conversation, or for its paused webhook.
            Ok(Some(at)) => Duration::from_millis(
                (at - now_ms()).clamp(MIN_PAUSE.as_millis() as i64, LOOK_AGAIN.as_millis() as i64)
                    as u64,
            ),
            _ => LOOK_AGAIN,
        }
    }

    /// Turns every event waiting into its deliveries, oldest first.
    pub async fn fan_out(&self) -> Result<(), StoreError> {
        let settle = if self.store.backend() == "postgres" {
            PG_SETTLE.as_millis() as i64
        } else {
            0
        };
        loop {
            let now = now_ms();
            let events = self
                .store
                .waiting_webhook_events(now - settle, EVENT_BATCH)
                .await?;
            if events.is_empty() {
                return Ok(());
            }
            let hooks = self.store.webhooks().await?;
            for event in &events {
                let wanting: Vec<WebhookId> = hooks
                    .iter()
                    .filter(|h| h.events.contains(&event.event))
                    .map(|h| h.id)
                    .collect();
                let deliveries = if wanting.is_empty() {
                    Vec::new()
                } else {
                    match body::build(self.store.as_ref(), event).await? {
                        Some(built) => wanting
                            .into_iter()
                            .map(|webhook| NewDelivery {
                                webhook,
                                event_id: event.id,
                                event: event.event,
                                subject: built.subject.clone(),
                                body: built.body.clone(),
                            })
                            .collect(),
                        None => Vec::new(),
                    }
                };
                self.store
                    .fan_out_webhook_event(event.id, &deliveries, now_ms())
                    .await?;
            }
        }
    }

    /// Sends every delivery due now (each the next of its conversation), side by side.
    pub async fn send_due(&self) -> Result<(), StoreError> {
        loop {
            let now = now_ms();
            let due = self
                .store
                .claim_webhook_deliveries(now, SEND_BATCH, now + LEASE.as_millis() as i64)
                .await?;
            if due.is_empty() {
                return Ok(());
            }
            let attempts = due.iter().map(|d| self.attempt(d));
            for (delivery, attempt) in due
                .iter()
                .zip(futures_util::future::join_all(attempts).await)
            {
                self.store
                    .webhook_attempted(delivery.id, &attempt, now_ms())
                    .await?;
            }
        }
    }

    /// One POST of a delivery, and what it came to.
    async fn attempt(&self, delivery: &DueDelivery) -> Attempt {
        let secret = match self.secrets.open(SECRET_CONTEXT, &delivery.secret_sealed) {
            Ok(secret) => secret,
            // A node started with another encryption key than the others: tried again
            // (by whichever node sends next) rather than given up, for the operator to mend.
            Err(_) => {
                tracing::error!(webhook = %delivery.webhook, "a webhook's secret cannot be opened with this server's encryption key (SWITCHBOARD_ENCRYPTION_KEY must be the same on every node)");
                return self.retry(
                    delivery,
                    None,
                    "the webhook's secret cannot be opened with this server's encryption key"
                        .into(),
                );
            }
        };
        let sent_at = now_ms() / 1000;
        let answer = self
            .http
            .post(&delivery.url)
            .header("Content-Type", "application/json")
            .header(
                signature::SIGNATURE_HEADER,
                signature::sign(&secret, sent_at, delivery.body.as_bytes()),
            )
            .header("Switchboard-Event", &delivery.event)
            .header("Switchboard-Delivery", delivery.id.to_string())
            .body(delivery.body.clone())
            .send()
            .await;
        let (status, error) = match answer {
            Ok(response) if response.status().is_success() => {
                return Attempt::Delivered {
                    status: response.status().as_u16(),
                }
            }
            Ok(response) => (
                Some(response.status().as_u16()),
                format!("answered {}", response.status()),
            ),
            Err(e) => (None, describe(e)),
        };
        self.retry(delivery, status, error)
    }

    /// A failed attempt: tried again later, or given up once it has been tried for a day.
    fn retry(&self, delivery: &DueDelivery, status: Option<u16>, error: String) -> Attempt {
        let now = now_ms();
        if now - delivery.tried_since_ms >= WEBHOOK_GIVE_UP_MS {
            tracing::warn!(delivery = delivery.id, webhook = %delivery.webhook, %error, "webhook delivery given up");
            return Attempt::Failed { status, error };
        }
        let delay = retry_delay(delivery.attempts + 1, self.retry_max);
        Attempt::Retry {
            status,
            error,
            next_at_ms: now + delay.as_millis() as i64,
        }
    }
}

/// A webhook as the audit names it: its name, address and events (never its secret).
pub fn audit_detail(edit: &WebhookEdit) -> String {
    let events: Vec<&str> = edit.events.iter().map(|e| e.as_str()).collect();
    format!("\"{}\" {} ({})", edit.name, edit.url, events.join(", "))
}

/// A failed call in a few words, with its first cause (never the URL: it may carry a token).
fn describe(e: graph_http::Error) -> String {
    let mut detail = if e.is_timeout() {
        format!("no answer within {} s", CALL_TIMEOUT.as_secs())
    } else if e.is_connect() {
        "could not connect".to_string()
    } else {
        "the request failed".to_string()
    };
    // The innermost cause says it best ("Connection refused (os error 111)").
    let e = e.without_url();
    let mut cause = std::error::Error::source(&e);
    let mut innermost = None;
    while let Some(c) = cause {
        innermost = Some(c.to_string());
        cause = c.source();
    }
    if let Some(words) = innermost {
        detail.push_str(": ");
        detail.push_str(&words);
    }
    if let Some((cut, _)) = detail.char_indices().nth(ERROR_CHARS) {
        detail.truncate(cut);
    }
    detail
}

async fn lost(claim: &mut Option<Box<dyn Claim>>) {
    match claim {
        Some(claim) => claim.lost().await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_the_maximum() {
        let hour = Duration::from_secs(3600);
        assert_eq!(retry_delay(1, hour), Duration::from_secs(2));
        assert_eq!(retry_delay(2, hour), Duration::from_secs(4));
        assert_eq!(retry_delay(5, hour), Duration::from_secs(32));
        assert_eq!(retry_delay(12, hour), hour);
        assert_eq!(retry_delay(200, hour), hour);
    }
}
