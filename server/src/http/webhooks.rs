//! Meta's webhooks for Messenger and WhatsApp (SPEC F-1, F-3): `GET /webhooks/<channel>` is
//! the verification handshake, `POST /webhooks/<channel>` an event post. A post is answered
//! 200 only once it is kept ([`crate::meta::MetaService::receive`]); an unsigned or badly
//! signed one gets 401 and is logged, and nothing of it is stored. Bounded in size, and an
//! address refused too often is turned away for a while (Meta's signed deliveries are never
//! counted). The answers are for Meta's servers, not for people: plain words, never
//! translated, and never a detail of ours.

use super::AppState;
use crate::meta::{signature, Verification, WebhookRefusal};
use app::{
    api::ClientInfo,
    domain::{limits::MAX_WEBHOOK_BODY_BYTES, meta::MetaChannel},
};
use axum::{
    body::Bytes,
    extract::{rejection::BytesRejection, DefaultBodyLimit, Path, Query, State},
    response::{IntoResponse, Response},
    routing::get,
    Extension, Router,
};
use http::{header, HeaderMap, StatusCode};
use std::net::IpAddr;

/// The two routes, with their body limit.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/webhooks/{channel}", get(verify).post(receive))
        .layer(DefaultBodyLimit::max(MAX_WEBHOOK_BODY_BYTES))
}

/// Why a request is not even looked at.
enum NotAdmitted {
    /// Its address was refused too often: when to come back.
    TurnedAway(std::time::Duration),
    NoSuchChannel,
}

impl IntoResponse for NotAdmitted {
    fn into_response(self) -> Response {
        match self {
            NotAdmitted::TurnedAway(wait) => {
                let secs = super::error::retry_after_secs(wait);
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, secs.to_string())],
                    "too many refused requests",
                )
                    .into_response()
            }
            NotAdmitted::NoSuchChannel => {
                (StatusCode::NOT_FOUND, "no such channel").into_response()
            }
        }
    }
}

fn client_ip(client: &Option<Extension<ClientInfo>>) -> Option<IpAddr> {
    client.as_ref().and_then(|c| c.0.ip)
}

/// The request's channel, unless its address is turned away.
fn admitted(
    state: &AppState,
    ip: Option<IpAddr>,
    channel: &str,
) -> Result<MetaChannel, NotAdmitted> {
    if let Some(ip) = ip {
        if let Some(wait) = state.services.gates.turned_away(ip) {
            return Err(NotAdmitted::TurnedAway(wait));
        }
    }
    MetaChannel::from_name(channel).ok_or_else(|| {
        if let Some(ip) = ip {
            state.services.gates.refused(ip);
        }
        NotAdmitted::NoSuchChannel
    })
}

/// The answer to a refused request; a refusal that is the requester's counts against its
/// address, one that is ours (the store, the key) is logged as an error.
fn refused(
    state: &AppState,
    ip: Option<IpAddr>,
    channel: MetaChannel,
    refusal: WebhookRefusal,
) -> Response {
    let (status, said) = match &refusal {
        WebhookRefusal::NotSetUp => (StatusCode::NOT_FOUND, "the channel is not set up"),
        WebhookRefusal::NotVerified => (StatusCode::FORBIDDEN, "not verified"),
        WebhookRefusal::BadSignature => (StatusCode::UNAUTHORIZED, "bad signature"),
        WebhookRefusal::Undecryptable | WebhookRefusal::Store(_) => {
            tracing::error!(channel = channel.name(), error = %refusal, "webhook request not taken");
            return (StatusCode::SERVICE_UNAVAILABLE, "try again later").into_response();
        }
    };
    tracing::warn!(channel = channel.name(), ?ip, error = %refusal, "webhook request refused");
    if let Some(ip) = ip {
        state.services.gates.refused(ip);
    }
    (status, said).into_response()
}

/// The verification handshake: the challenge echoed as plain text, or 403.
async fn verify(
    State(state): State<AppState>,
    client: Option<Extension<ClientInfo>>,
    Path(channel): Path<String>,
    Query(request): Query<Verification>,
) -> Response {
    let ip = client_ip(&client);
    let channel = match admitted(&state, ip, &channel) {
        Ok(channel) => channel,
        Err(refused) => return refused.into_response(),
    };
    match state.services.meta.verify(channel, &request).await {
        Ok(challenge) => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            challenge,
        )
            .into_response(),
        Err(refusal) => refused(&state, ip, channel, refusal),
    }
}

/// An event post: kept, then 200.
async fn receive(
    State(state): State<AppState>,
    client: Option<Extension<ClientInfo>>,
    Path(channel): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let ip = client_ip(&client);
    let channel = match admitted(&state, ip, &channel) {
        Ok(channel) => channel,
        Err(refused) => return refused.into_response(),
    };
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            // Meta delivers a post again until it is taken: one too large for us is lost
            // to us until the limit is raised.
            tracing::error!(channel = channel.name(), ?ip, error = %rejection, "webhook post not read");
            return rejection.into_response();
        }
    };
    let signed = headers.get(signature::HEADER).map(|v| v.as_bytes());
    match state.services.meta.receive(channel, signed, &body).await {
        Ok(_) => (StatusCode::OK, "EVENT_RECEIVED").into_response(),
        Err(refusal) => refused(&state, ip, channel, refusal),
    }
}
