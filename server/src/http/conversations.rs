//! Issue 17: a past conversation's transcript as a text file, downloaded from the
//! Conversations page. For a reader within reach only (the same answer, "not found",
//! whether the conversation exists or is someone else's); the words are in the reader's
//! language.

use super::{
    error::{AppError, PathParam, Plain},
    locale, AppState,
};
use app::{api::ApiError, domain::ids::ContactId, domain::refusal::Reason};
use axum::{
    extract::State,
    response::{IntoResponse, Response},
};
use http::{header, HeaderMap, HeaderValue};

/// GET /conversations/{contact}/transcript.txt
pub async fn transcript_text(
    State(state): State<AppState>,
    contact: Result<PathParam<i64>, AppError>,
    headers: HeaderMap,
) -> Result<Response, Plain> {
    let PathParam(contact) = contact?;
    let transcript = state
        .services
        .transcript(&headers, ContactId(contact))
        .await
        .map_err(|e| match e {
            ApiError::NotLoggedIn
            | ApiError::PasswordChangeRequired
            | ApiError::AccountDisabled => AppError::NotSignedIn,
            ApiError::NotFound => AppError::NotFound(Reason::NotFound),
            e => AppError::internal(e),
        })?;
    let text = transcript.to_text(locale::of_headers(&headers));
    let mut response = text.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        super::email::disposition(&transcript.file_name(), "attachment"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}
