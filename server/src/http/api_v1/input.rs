//! What a request gives the API, read so that anything unreadable is one refusal: 400
//! `malformed` saying what is wrong (a body that is not JSON, a field unknown, missing or
//! of the wrong type; a query value that is not a number), 413 `too_large` for a body over
//! [`MAX_API_BODY_BYTES`] saying so, 415 for a body not sent as JSON. A value read but not allowed is the route's own 422.

use super::super::error::AppError;
use app::domain::{limits::MAX_API_BODY_BYTES, refusal::Reason};
use axum::{
    extract::{rejection::JsonRejection, FromRequest, FromRequestParts, Query, Request},
    http::{request::Parts, StatusCode},
    Json,
};
use serde::de::DeserializeOwned;

/// A query string; a value that cannot be read (a number that is not one) is 400.
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(QueryParams(value)),
            Err(rejection) => Err(AppError::malformed(
                StatusCode::BAD_REQUEST,
                rejection.body_text(),
            )),
        }
    }
}

/// A JSON body; one that cannot be read is 400 (axum would say 422 for a field of the
/// wrong type, 400 for broken JSON: one status for one fault, here).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::BytesRejection(r))
                if r.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(AppError::TooLarge(Reason::BodyTooLarge {
                    max_bytes: MAX_API_BODY_BYTES as u64,
                }))
            }
            Err(rejection) => {
                let status = match &rejection {
                    JsonRejection::JsonDataError(_) | JsonRejection::JsonSyntaxError(_) => {
                        StatusCode::BAD_REQUEST
                    }
                    other => other.status(),
                };
                Err(AppError::malformed(status, rejection.body_text()))
            }
        }
    }
}
