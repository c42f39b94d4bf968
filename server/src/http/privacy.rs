//! Issue 17: a customer's export, downloaded from the administration's privacy section as a
//! JSON file. Administrators only: anyone else, logged in, gets "not found" as for a
//! customer who does not exist (or was erased).

use super::{
    error::{AppError, PathParam, Plain},
    AppState,
};
use app::{api::ApiError, domain::ids::CustomerId, domain::refusal::Reason};
use axum::{
    extract::State,
    response::{IntoResponse, Response},
};
use http::{header, HeaderMap, HeaderValue};

/// GET /admin/customers/{customer}/export.json
pub async fn export(
    State(state): State<AppState>,
    customer: Result<PathParam<i64>, AppError>,
    headers: HeaderMap,
) -> Result<Response, Plain> {
    let PathParam(customer) = customer?;
    let bytes = state
        .services
        .export_customer(&headers, CustomerId(customer))
        .await
        .map_err(|e| match e {
            ApiError::NotLoggedIn
            | ApiError::PasswordChangeRequired
            | ApiError::AccountDisabled => AppError::NotSignedIn,
            ApiError::NotFound | ApiError::Forbidden => AppError::NotFound(Reason::NotFound),
            e => AppError::internal(e),
        })?;
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        super::email::disposition(&format!("customer-{customer}.json"), "attachment"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}
