//! The administrators' Webhooks section (issue 17): add a webhook (its secret made here and
//! returned this once, kept sealed), change, pause or resume, delete one, read its delivery
//! log and send a delivery again. Administrators only; every change audited.

use super::audit_detail;
use crate::{
    auth::new_token,
    clock::now_ms,
    services::{internal, invalid, Services},
    store::{AuditEntry, StoreError},
};
use app::{
    api::ApiError,
    domain::{
        ids::WebhookId,
        limits::{MAX_WEBHOOKS, WEBHOOK_LOG_PAGE},
        problem::Problem,
        validate::Field,
        webhooks::{CreatedWebhook, DeliverySummary, WebhookEdit, WebhookSummary},
    },
};
use http::HeaderMap;

/// What every secret starts with: a leaked one is recognised for what it is.
pub const SECRET_PREFIX: &str = "whsec_";

fn gone(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::NotFound,
        e => internal(e),
    }
}

impl Services {
    /// Every webhook, with its deliveries waiting and failed.
    pub async fn webhook_list(&self, headers: &HeaderMap) -> Result<Vec<WebhookSummary>, ApiError> {
        self.administrator(headers).await?;
        self.store.webhook_summaries().await.map_err(internal)
    }

    /// A new webhook and its secret (shown this once).
    pub async fn create_webhook(
        &self,
        headers: &HeaderMap,
        edit: WebhookEdit,
    ) -> Result<CreatedWebhook, ApiError> {
        let admin = self.administrator(headers).await?;
        let edit = edit.tidy();
        edit.check().map_err(ApiError::Invalid)?;
        let secret = format!("{SECRET_PREFIX}{}", new_token());
        let id = self
            .webhooks
            .add(&edit, &secret, admin.id)
            .await
            .map_err(|e| match e {
                StoreError::Full => invalid(
                    Field::WebhookName,
                    Problem::TooManyItems {
                        max: MAX_WEBHOOKS,
                        given: MAX_WEBHOOKS + 1,
                    },
                ),
                e => internal(e),
            })?;
        tracing::info!(agent = %admin.id, webhook = %id, "webhook created");
        let webhook = self
            .store
            .webhook_summaries()
            .await
            .map_err(internal)?
            .into_iter()
            .find(|w| w.id == id)
            .ok_or(ApiError::NotFound)?;
        Ok(CreatedWebhook { webhook, secret })
    }

    /// A webhook's new name, address and events; the webhooks as they are now.
    pub async fn change_webhook(
        &self,
        headers: &HeaderMap,
        id: WebhookId,
        edit: WebhookEdit,
    ) -> Result<Vec<WebhookSummary>, ApiError> {
        let admin = self.administrator(headers).await?;
        let edit = edit.tidy();
        edit.check().map_err(ApiError::Invalid)?;
        let audit = AuditEntry {
            at_ms: now_ms(),
            agent: admin.id,
            action: "webhook.change".into(),
            detail: audit_detail(&edit),
        };
        self.store
            .change_webhook(id, &edit, &audit)
            .await
            .map_err(gone)?;
        self.store.webhook_summaries().await.map_err(internal)
    }

    /// Pauses or resumes a webhook; the webhooks as they are now.
    pub async fn pause_webhook(
        &self,
        headers: &HeaderMap,
        id: WebhookId,
        paused: bool,
    ) -> Result<Vec<WebhookSummary>, ApiError> {
        let admin = self.administrator(headers).await?;
        let action = if paused {
            "webhook.pause"
        } else {
            "webhook.resume"
        };
        let audit = self.webhook_audit(admin.id, id, action, "").await?;
        self.store
            .pause_webhook(id, paused.then_some(audit.at_ms), &audit)
            .await
            .map_err(gone)?;
        if !paused {
            self.webhooks.wake.notify_one();
        }
        self.store.webhook_summaries().await.map_err(internal)
    }

    /// Deletes a webhook (what waits for it fails; its log stays readable in the audit);
    /// the webhooks as they are now.
    pub async fn delete_webhook(
        &self,
        headers: &HeaderMap,
        id: WebhookId,
    ) -> Result<Vec<WebhookSummary>, ApiError> {
        let admin = self.administrator(headers).await?;
        let audit = self
            .webhook_audit(admin.id, id, "webhook.delete", "")
            .await?;
        self.store.delete_webhook(id, &audit).await.map_err(gone)?;
        tracing::info!(agent = %admin.id, webhook = %id, "webhook deleted");
        self.store.webhook_summaries().await.map_err(internal)
    }

    /// A page of a webhook's delivery log, newest first, before the delivery `before`.
    pub async fn webhook_deliveries(
        &self,
        headers: &HeaderMap,
        id: WebhookId,
        before: Option<i64>,
    ) -> Result<Vec<DeliverySummary>, ApiError> {
        self.administrator(headers).await?;
        self.webhook_name(id).await?;
        self.store
            .webhook_deliveries(id, before, WEBHOOK_LOG_PAGE)
            .await
            .map_err(internal)
    }

    /// Sends a delivered or failed delivery again (the same body and delivery id); the
    /// log's first page as it is now.
    pub async fn replay_webhook_delivery(
        &self,
        headers: &HeaderMap,
        id: WebhookId,
        delivery: i64,
    ) -> Result<Vec<DeliverySummary>, ApiError> {
        let admin = self.administrator(headers).await?;
        let more = format!(" delivery {delivery}");
        let audit = self
            .webhook_audit(admin.id, id, "webhook.replay", &more)
            .await?;
        self.store
            .replay_webhook_delivery(id, delivery, &audit)
            .await
            .map_err(gone)?;
        self.webhooks.wake.notify_one();
        self.store
            .webhook_deliveries(id, None, WEBHOOK_LOG_PAGE)
            .await
            .map_err(internal)
    }

    /// The audit line of an action on a webhook named by its name (NotFound when it is
    /// gone), and more words after it.
    async fn webhook_audit(
        &self,
        by: app::domain::ids::AgentId,
        id: WebhookId,
        action: &str,
        more: &str,
    ) -> Result<AuditEntry, ApiError> {
        let name = self.webhook_name(id).await?;
        Ok(AuditEntry {
            at_ms: now_ms(),
            agent: by,
            action: action.into(),
            detail: format!("\"{name}\"{more}"),
        })
    }

    async fn webhook_name(&self, id: WebhookId) -> Result<String, ApiError> {
        self.store
            .webhooks()
            .await
            .map_err(internal)?
            .into_iter()
            .find(|w| w.id == id)
            .map(|w| w.name)
            .ok_or(ApiError::NotFound)
    }
}
