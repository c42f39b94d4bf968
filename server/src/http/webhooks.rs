//! Meta's webhooks for Messenger and WhatsApp (SPEC F-1, F-3): `GET /webhooks/<channel>` is
//! the verification handshake, `POST /webhooks/<channel>` an event post. A post is answered
//! 200 only once it is kept ([`crate::meta::MetaService::receive`]); an unsigned or badly
//! signed one gets 401 and is logged, and nothing of it is stored. Every request is bounded
//! in rate per address and in size. The answers are for Meta's servers, not for people:
//! plain words, never translated.

use super::AppState;
use crate::meta::{signature, Verification, WebhookRefusal};
use app::{
    api::ClientInfo,
    domain::{limits::MAX_WEBHOOK_BODY_BYTES, meta::MetaChannel},
};
use axum::{
    body::Bytes,
    extract::{DefaultBodyLimit, Path, Query, State},
    response::{IntoResponse, Response},
    routing::get,
    Extension, Router,
};
use http::{header, HeaderMap, StatusCode};

/// The two routes, each with its own body limit.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/webhooks/{channel}", get(verify).post(receive))
        .layer(DefaultBodyLimit::max(MAX_WEBHOOK_BODY_BYTES))
}

/// Why a request is not even looked at.
enum NotAdmitted {
    /// Its address is over the limit: when to come back.
    TooMany(std::time::Duration),
    NoSuchChannel,
}

impl IntoResponse for NotAdmitted {
    fn into_response(self) -> Response {
        match self {
            NotAdmitted::TooMany(wait) => {
                let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, secs.max(1).to_string())],
                    "too many requests",
                )
                    .into_response()
            }
            NotAdmitted::NoSuchChannel => {
                (StatusCode::NOT_FOUND, "no such channel").into_response()
            }
        }
    }
}

/// The request's channel, after its address's rate.
fn admitted(
    state: &AppState,
    client: &Option<Extension<ClientInfo>>,
    channel: &str,
) -> Result<MetaChannel, NotAdmitted> {
    if let Some(ip) = client.as_ref().and_then(|c| c.0.ip) {
        if let Err(wait) = state.services.gates.webhook_request(ip) {
            tracing::warn!(%ip, "webhook requests over the limit");
            return Err(NotAdmitted::TooMany(wait));
        }
    }
    MetaChannel::from_name(channel).ok_or(NotAdmitted::NoSuchChannel)
}

fn refused(channel: MetaChannel, refusal: WebhookRefusal) -> Response {
    let status = match &refusal {
        WebhookRefusal::NotSetUp => StatusCode::NOT_FOUND,
        WebhookRefusal::NotVerified => StatusCode::FORBIDDEN,
        WebhookRefusal::BadSignature => StatusCode::UNAUTHORIZED,
        WebhookRefusal::Undecryptable | WebhookRefusal::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
    };
    if status == StatusCode::SERVICE_UNAVAILABLE {
        tracing::error!(channel = channel.name(), error = %refusal, "webhook request not taken");
    } else {
        tracing::warn!(channel = channel.name(), error = %refusal, "webhook request refused");
    }
    (status, refusal.to_string()).into_response()
}

/// The verification handshake: the challenge echoed as plain text, or 403.
async fn verify(
    State(state): State<AppState>,
    client: Option<Extension<ClientInfo>>,
    Path(channel): Path<String>,
    Query(request): Query<Verification>,
) -> Response {
    let channel = match admitted(&state, &client, &channel) {
        Ok(channel) => channel,
        Err(refused) => return refused.into_response(),
    };
    match state.services.meta.verify(channel, &request).await {
        Ok(challenge) => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            challenge,
        )
            .into_response(),
        Err(refusal) => refused(channel, refusal),
    }
}

/// An event post: kept, then 200.
async fn receive(
    State(state): State<AppState>,
    client: Option<Extension<ClientInfo>>,
    Path(channel): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let channel = match admitted(&state, &client, &channel) {
        Ok(channel) => channel,
        Err(refused) => return refused.into_response(),
    };
    let signed = headers.get(signature::HEADER).map(|v| v.as_bytes());
    match state.services.meta.receive(channel, signed, &body).await {
        Ok(_) => (StatusCode::OK, "EVENT_RECEIVED").into_response(),
        Err(refusal) => refused(channel, refusal),
    }
}
