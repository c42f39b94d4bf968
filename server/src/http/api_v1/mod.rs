//! Issue 17: `/api/v1`, the versioned REST API a CRM calls with a token an administrator
//! created (`Authorization: Bearer sbt_…`). Every answer is JSON; a refusal has the shape
//! of every other route's ([`super::error`]): `{"error", "message", "errors"}`.
//!
//! - `auth`: the token a request carries (none, unknown or revoked: 401), its rate (429),
//!   and the address that keeps sending bad ones (turned away, as from the webhooks).
//! - `read`: what a token of either scope reads: itself, the queues and the agents.

mod auth;
mod read;

use super::{error::AppError, AppState};
use app::domain::refusal::Reason;
use axum::{middleware, routing::get, Router};
use http::StatusCode;

/// The API's routes, each behind the token check; any other path or method under
/// `/api/v1` answers in JSON too.
pub fn routes(state: &AppState) -> Router<AppState> {
    let api = Router::new()
        .route("/token", get(read::token))
        .route("/queues", get(read::queues))
        .route("/agents", get(read::agents))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authenticated,
        ))
        .method_not_allowed_fallback(not_allowed)
        .fallback(no_such_route);
    Router::new().nest("/api/v1", api)
}

async fn no_such_route() -> AppError {
    AppError::NotFound(Reason::NotFound)
}

async fn not_allowed() -> AppError {
    AppError::Malformed {
        status: StatusCode::METHOD_NOT_ALLOWED,
        message: "this route does not take this method".into(),
    }
}
