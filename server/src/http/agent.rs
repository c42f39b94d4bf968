//! The signed-in agent of a request, as an extractor: every email route begins with it, and
//! a request without a live session is answered 401 before the handler runs.

use super::AppState;
use app::domain::ids::AgentId;
use axum::extract::FromRequestParts;
use http::{request::Parts, StatusCode};

pub struct SignedIn(pub AgentId);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, StatusCode> {
        state
            .services
            .authenticate(&parts.headers)
            .await
            .map(SignedIn)
            .map_err(|_| StatusCode::UNAUTHORIZED)
    }
}
