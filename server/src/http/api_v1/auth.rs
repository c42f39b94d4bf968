//! Who calls the API: the live token in `Authorization: Bearer`, within its allowance a
//! minute. A request without a live token is refused (401) and counts against its address,
//! which is turned away for a while after too many (as from the webhooks): guessing
//! secrets (256 random bits each) gets nowhere, and costs the server little.

use super::super::{error::AppError, AppState};
use crate::{
    clock::now_ms,
    store::{api_tokens::LiveToken, AuditEntry},
};
use app::{
    api::ClientInfo,
    domain::{limits::API_CALLS_PER_MINUTE, refusal::Reason},
};
use axum::{
    extract::{FromRequestParts, Request, State},
    middleware::Next,
    response::Response,
};
use http::{header::AUTHORIZATION, request::Parts};

/// The token a request came with, for the routes that need its scope.
#[derive(Debug, Clone)]
pub struct Caller(pub LiveToken);

/// A caller whose token may change things. As a route's first argument it refuses a
/// token that may only read (403) before the body is read: a read token learns nothing
/// from a change it may not make.
#[derive(Debug, Clone)]
pub struct Writer(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for Writer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let caller = parts.extensions.get::<Caller>().cloned();
        let caller = caller.ok_or(AppError::NoApiToken)?;
        if !caller.0.scope.may_write() {
            return Err(AppError::ReadOnlyToken);
        }
        Ok(Writer(caller))
    }
}

impl Caller {
    /// The audit's line for a change made with this token: in the name of the
    /// administrator who created it, the token named.
    pub fn audit(&self, action: &str, detail: String) -> AuditEntry {
        AuditEntry {
            at_ms: now_ms(),
            agent: self.0.created_by,
            action: action.into(),
            detail: format!("API token \"{}\": {detail}", self.0.name),
        }
    }
}

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
