//! `/healthz` (is the database answering?) and `/metrics` (Prometheus text).

use super::AppState;
use axum::{extract::State, response::IntoResponse, Json};
use http::{header, StatusCode};
use serde_json::json;

/// Whether the database answers; with several nodes, this node's role and the nodes it
/// sees (issue 14).
pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let store = &state.services.store;
    match store.ping().await {
        Ok(()) => {
            let mut report = json!({ "status": "ok", "database": store.backend() });
            if let Some(cluster) = &state.services.cluster {
                report["node"] = json!(cluster.node());
                report["role"] = match cluster.role() {
                    crate::cluster::Role::Leader { epoch } => {
                        report["epoch"] = json!(epoch);
                        json!("leader")
                    }
                    crate::cluster::Role::Follower => json!("follower"),
                };
                report["nodes"] = match cluster.nodes().await {
                    Ok(nodes) => json!(nodes),
                    Err(e) => {
                        tracing::warn!(error = %e, "health check: nodes not read");
                        json!(null)
                    }
                };
            }
            (StatusCode::OK, Json(report))
        }
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
