//! Issue 17: a past conversation's transcript as a file, downloaded from the Conversations
//! page: text, or the same text laid out as a PDF. For a reader within reach only (the same
//! answer, "not found", whether the conversation exists or is someone else's); the words
//! are in the reader's language.

use super::{
    error::{AppError, PathParam, Plain},
    locale, AppState,
};
use crate::conversations::pdf::transcript_pdf;
use app::{api::ApiError, domain::ids::ContactId, domain::refusal::Reason};
use axum::{
    extract::State,
    response::{IntoResponse, Response},
};
use http::{header, HeaderMap, HeaderValue};

/// GET /conversations/{contact}/transcript.txt
pub async fn transcript_text(
    state: State<AppState>,
    contact: Result<PathParam<i64>, AppError>,
    headers: HeaderMap,
) -> Result<Response, Plain> {
    download(state, contact, headers, Kind::Text).await
}

/// GET /conversations/{contact}/transcript.pdf
pub async fn transcript_pdf_file(
    state: State<AppState>,
    contact: Result<PathParam<i64>, AppError>,
    headers: HeaderMap,
) -> Result<Response, Plain> {
    download(state, contact, headers, Kind::Pdf).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Pdf,
}

async fn download(
    State(state): State<AppState>,
    contact: Result<PathParam<i64>, AppError>,
    headers: HeaderMap,
    kind: Kind,
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
    let name = transcript.file_name();
    let (mut response, content_type, name) = match kind {
        Kind::Text => (
            text.into_response(),
            "text/plain; charset=utf-8",
            format!("{name}.txt"),
        ),
        Kind::Pdf => (
            transcript_pdf(&name, &text).into_response(),
            "application/pdf",
            format!("{name}.pdf"),
        ),
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_DISPOSITION,
        super::email::disposition(&name, "attachment"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}
