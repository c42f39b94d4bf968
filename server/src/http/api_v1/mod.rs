//! Issue 17: `/api/v1`, the versioned REST API a CRM calls with a token an administrator
//! created (`Authorization: Bearer sbt_…`). Every answer is JSON; a refusal has the shape
//! of every other route's ([`super::error`]): `{"error", "message", "errors"}`.
//!
//! - `auth`: the token a request carries (none, unknown or revoked: 401), its rate (429),
//!   and the address that keeps sending bad ones (turned away, as from the webhooks).
//! - `read`: what a token of either scope reads: itself, the queues and the agents.
//! - `customers`: customers read, and added, changed and merged with a read-write token.
//! - `conversations`: conversations listed, searched and read whole.
//! - `emails`: an email started to a customer, from a queue's mailbox.
//! - `paging`: the cursor every list pages by.
//! - `input`: the query and the JSON body, whatever cannot be read one refusal (400).
//! - `openapi`: the OpenAPI document, generated from the routes (read without a token).

mod auth;
mod conversations;
mod customers;
mod emails;
mod input;
mod openapi;
mod paging;
mod read;

use super::{error::AppError, AppState};
use app::domain::{limits::MAX_API_BODY_BYTES, refusal::Reason};
use axum::{
    extract::DefaultBodyLimit,
    middleware,
    routing::{get, post},
    Router,
};
use http::StatusCode;

/// The API's routes, each behind the token check; any other path or method under
/// `/api/v1` answers in JSON too.
pub fn routes(state: &AppState) -> Router<AppState> {
    let api = Router::new()
        .route("/token", get(read::token))
        .route("/queues", get(read::queues))
        .route("/agents", get(read::agents))
        .route("/customers", get(customers::list).post(customers::add))
        .route(
            "/customers/{id}",
            get(customers::one).patch(customers::change),
        )
        .route("/customers/{id}/merge", post(customers::merge))
        .route("/conversations", get(conversations::list))
        .route("/conversations/{id}", get(conversations::one))
        .route("/emails", post(emails::start))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authenticated,
        ))
        .route("/openapi.json", get(openapi::document))
        .layer(DefaultBodyLimit::max(MAX_API_BODY_BYTES))
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
