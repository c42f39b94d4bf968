//! The Audit page's calls (SPEC D-2, S-6): administrators only, checked by the server.

use super::ApiError;
use crate::domain::audit::{AuditFilter, AuditPage, StateHistory};
use leptos::prelude::*;

/// One page of the administrators' audit, newest first, filtered.
#[server(prefix = "/api", endpoint = "admin/audit", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn get_audit(filter: AuditFilter) -> Result<AuditPage, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.audit(&headers, filter).await
    }
    .await
    .map_err(super::fail)
}

/// SPEC S-6: a user's state changes on a UTC day ("YYYY-MM-DD").
#[server(prefix = "/api", endpoint = "admin/state-history", output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn get_state_history(username: String, day: String) -> Result<StateHistory, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?
            .state_history(&headers, username, day)
            .await
    }
    .await
    .map_err(super::fail)
}
