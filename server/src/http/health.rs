//! `/healthz` (is the database answering?) and `/metrics` (Prometheus text).

use super::AppState;
use axum::{extract::State, response::IntoResponse, Json};
use http::{header, StatusCode};
use serde_json::json;

pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let store = &state.services.store;
    match store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "database": store.backend() })),
        ),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": store.backend() })),
            )
        }
    }
}

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
        state.services.metrics.render(),
    )
}
