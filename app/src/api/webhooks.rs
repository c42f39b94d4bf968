//! The Webhooks section's calls (issue 17): administrators only, checked by the server. A
//! webhook's secret is in the answer to its creation, and nowhere else.

use super::ApiError;
use crate::domain::{
    ids::WebhookId,
    webhooks::{CreatedWebhook, DeliverySummary, WebhookEdit, WebhookSummary},
};
use leptos::prelude::*;

/// Every webhook, with its deliveries waiting and failed.
#[server(prefix = "/api", endpoint = "admin/webhooks", output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn list_webhooks() -> Result<Vec<WebhookSummary>, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.webhooks(&headers).await
    }
    .await
    .map_err(super::fail)
}

/// A new webhook, with its secret (shown this once).
#[server(prefix = "/api", endpoint = "admin/webhook-create", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn create_webhook(webhook: WebhookEdit) -> Result<CreatedWebhook, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.create_webhook(&headers, webhook).await
    }
    .await
    .map_err(super::fail)
}

/// A webhook's new name, address and events; the webhooks as they are now.
#[server(prefix = "/api", endpoint = "admin/webhook-change", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn change_webhook(
    id: WebhookId,
    webhook: WebhookEdit,
) -> Result<Vec<WebhookSummary>, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?
            .change_webhook(&headers, id, webhook)
            .await
    }
    .await
    .map_err(super::fail)
}

/// Pauses or resumes a webhook; the webhooks as they are now.
#[server(prefix = "/api", endpoint = "admin/webhook-pause", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn pause_webhook(id: WebhookId, paused: bool) -> Result<Vec<WebhookSummary>, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.pause_webhook(&headers, id, paused).await
    }
    .await
    .map_err(super::fail)
}

/// Deletes a webhook; the webhooks as they are now.
#[server(prefix = "/api", endpoint = "admin/webhook-delete", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn delete_webhook(id: WebhookId) -> Result<Vec<WebhookSummary>, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.delete_webhook(&headers, id).await
    }
    .await
    .map_err(super::fail)
}

/// A page of a webhook's delivery log, newest first, before the delivery `before`.
#[server(prefix = "/api", endpoint = "admin/webhook-deliveries", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn webhook_deliveries(
    id: WebhookId,
    before: Option<i64>,
) -> Result<Vec<DeliverySummary>, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?
            .webhook_deliveries(&headers, id, before)
            .await
    }
    .await
    .map_err(super::fail)
}

/// Sends a delivery again; the log's first page as it is now.
#[server(prefix = "/api", endpoint = "admin/webhook-replay", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn replay_webhook_delivery(
    id: WebhookId,
    delivery: i64,
) -> Result<Vec<DeliverySummary>, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?
            .replay_webhook_delivery(&headers, id, delivery)
            .await
    }
    .await
    .map_err(super::fail)
}
