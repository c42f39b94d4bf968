//! Who calls the API: the live token in `Authorization: Bearer`, within its allowance a
//! minute. A request without a live token is refused (401) and counts against its address,
//! which is turned away for a while after too many (as from the webhooks): guessing
//! secrets (256 random bits each) gets nowhere, and costs the server little.

use super::super::{error::AppError, AppState};
use crate::store::api_tokens::LiveToken;
use app::{
    api::ClientInfo,
    domain::{limits::API_CALLS_PER_MINUTE, refusal::Reason},
};
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use http::header::AUTHORIZATION;

/// The token a request came with, for the routes that need its scope.
#[derive(Debug, Clone, Copy)]
pub struct Caller(pub LiveToken);

pub async fn authenticated(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, AppError> {
    let ip = request
        .extensions()
        .get::<ClientInfo>()
        .and_then(|client| client.ip);
    let gates = &state.services.gates;
    if let Some(wait) = ip.and_then(|ip| gates.turned_away(ip)) {
        return Err(AppError::TooMany {
            reason: Reason::NoApiToken,
            retry_after: wait,
        });
    }
    let secret = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        // The scheme's name is read in any case (RFC 9110).
        .and_then(|value| value.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, secret)| secret.trim())
        .unwrap_or_default();
    let token = state
        .services
        .api_caller(secret)
        .await
        .map_err(AppError::internal)?;
    let Some(token) = token else {
        tracing::warn!(?ip, "API request without a live token");
        if let Some(ip) = ip {
            gates.refused(ip);
        }
        return Err(AppError::NoApiToken);
    };
    if let Err(wait) = gates.api_call(token.id.0) {
        return Err(AppError::TooMany {
            reason: Reason::TooManyApiCalls {
                per_minute: API_CALLS_PER_MINUTE,
            },
            retry_after: wait,
        });
    }
    if let Err(e) = state.services.api_call_made(&token).await {
        // The call is answered all the same: only its time is lost.
        tracing::warn!(error = %e, "an API call's use not noted");
    }
    request.extensions_mut().insert(Caller(token));
    Ok(next.run(request).await)
}
