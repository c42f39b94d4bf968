//! The signed-in agent of a request, as an extractor: every email route begins with it, and
//! a request without a live session is answered 401 (in the common refusal shape) before the
//! handler runs.

use super::{error::AppError, AppState};
use app::domain::ids::AgentId;
use axum::extract::FromRequestParts;
use http::request::Parts;

pub struct SignedIn(pub AgentId);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        state
            .services
            .authenticate(&parts.headers)
            .await
            .map(SignedIn)
            .map_err(|_| AppError::NotSignedIn)
    }
}
