//! Issue 17: what the widget reads (its form, its session, its words, whether its button
//! shows, forgetting the browser, a transcript, its socket's opening) is open to anyone on
//! the internet, so each client address may ask only so often a minute
//! ([`crate::gates::Gates::widget_read`]); past that the answer is 429 with `Retry-After`
//! and the limit in the customer's words, and any site may read it (as it may read the
//! button's availability). What the widget starts (a chat, a left message) has its own,
//! stricter limit.

use super::{error::AppError, AppState};
use app::{api::ClientInfo, domain::refusal::Reason};
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use http::{header, HeaderValue};

/// The request, if its address is within its allowance.
pub async fn within_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let ip = req.extensions().get::<ClientInfo>().and_then(|c| c.ip);
    let Some(ip) = ip else {
        return next.run(req).await;
    };
    let gates = &state.services.gates;
    match gates.widget_read(ip) {
        Ok(()) => next.run(req).await,
        Err(retry_after) => {
            tracing::warn!(%ip, path = %req.uri().path(), "widget reads over the limit");
            let mut response = AppError::TooMany {
                reason: Reason::TooManyRequests {
                    per_minute: gates.widget_reads_per_minute,
                },
                retry_after,
            }
            .into_response();
            response.headers_mut().insert(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            );
            response
        }
    }
}
