//! Starting an email to a customer through the API (a read-and-write token): from the
//! mailbox of the queue named, to the customer's address. The answer is the conversation
//! it makes, as `GET /conversations/{id}` reads it; the same `client_id` sent again (an
//! answer lost on the way) finds that conversation and sends nothing twice.

use super::{
    super::{error::AppError, AppState},
    auth::Writer,
    conversations::{conversation, Conversation},
    input::ApiJson,
    openapi::ErrorBody,
};
use crate::{clock::now_ms, email::outbound::Outbound, store::outbound::Started};
use app::domain::ids::{CsqId, CustomerId};
use axum::{
    extract::State,
    http::{header::LOCATION, StatusCode},
    response::IntoResponse,
    Json,
};
use serde::Deserialize;
use utoipa::ToSchema;

/// An email to start.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEmailBody {
    /// The customer written to, at their email address.
    pub customer: i64,
    /// The queue whose mailbox sends it; a customer's answer comes back to that queue.
    pub queue: i64,
    /// One line, at most 500 characters.
    pub subject: String,
    /// Plain text, at most 10,000 characters; the mailbox's signature goes under it.
    pub body: String,
    /// Your own id for this email (1 to 64 letters, digits, - or _): sent again with the
    /// same id (by the same token), it is sent once, and the answer is the same
    /// conversation; the same id with another customer, queue or subject is refused (409).
    #[serde(default)]
    pub client_id: Option<String>,
}

#[utoipa::path(post, path = "/emails", operation_id = "start_email", tag = "conversations", request_body = NewEmailBody,
    responses((status = 201, body = Conversation, description = "Sent: the new conversation"),
        (status = 200, body = Conversation, description = "This client_id was sent before: that conversation"),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "This client_id was sent before for another email"),
        (status = 422, body = ErrorBody),
        (status = 503, body = ErrorBody, description = "The mailbox's own address cannot be used")))]
/// Starts an email to a customer (a read-and-write token): it leaves at once from the
/// queue's mailbox, and is a conversation of that queue, ended as sent.
pub async fn start(
    Writer(caller): Writer,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NewEmailBody>,
) -> Result<impl IntoResponse, AppError> {
    let out = Outbound {
        customer: CustomerId(body.customer),
        queue: CsqId(body.queue),
        subject: body.subject,
        body: body.body,
        client_id: body.client_id,
        token: caller.0.id.0,
        by: caller.0.created_by,
        via: format!("API token \"{}\"", caller.0.name),
    };
    let (status, id) = match state.services.email.start_email(&out, now_ms()).await? {
        Started::New(contact) => (StatusCode::CREATED, contact.id),
        Started::Again(id) => (StatusCode::OK, id),
    };
    let record = state.services.store.conversation_record(id).await?;
    let location = format!("/api/v1/conversations/{}", id.0);
    Ok((status, [(LOCATION, location)], Json(conversation(record))))
}
