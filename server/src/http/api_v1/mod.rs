//! Issue 17: `/api/v1`, the versioned REST API a CRM calls with a token an administrator
//! created (`Authorization: Bearer sbt_…`). Every answer is JSON; a refusal has the shape
//! of every other route's ([`super::error`]): `{"error", "message", "errors"}`.
//!
//! - `auth`: the token a request carries (none, unknown or revoked: 401), its rate (429),
//!   and the address that keeps sending bad ones (turned away, as from the webhooks).
//! - `read`: what a token of either scope reads: itself, the queues and the agents.

mod auth;
mod read;

use super::AppState;
use axum::{middleware, routing::get, Router};

/// The API's routes, each behind the token check.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/api/v1/token", get(read::token))
        .route("/api/v1/queues", get(read::queues))
        .route("/api/v1/agents", get(read::agents))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authenticated,
        ))
}
