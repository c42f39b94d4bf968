//! The email panel's HTTP side (SPEC E-2): the frame document of a customer's email, its
//! attachments as downloads, and its inline images. Downloads and the frame are for the
//! agent who holds the email; inline images are reached through signed addresses because
//! the sandboxed frame sends no cookie.

use super::{
    agent::SignedIn,
    error::{AppError, PathParam, Plain},
    AppState,
};
use crate::email::reader;
use app::domain::{
    ids::{AttachmentId, ContactId},
    refusal::Reason,
};
use axum::{
    body::Body,
    extract::{Query, State},
    response::{IntoResponse, Response},
};
use http::{header, HeaderValue};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct BodyQuery {
    /// "1" after the agent clicked "Show images".
    #[serde(default)]
    images: Option<String>,
}

/// GET /email/{contact}/body: the email as the frame shows it.
pub async fn body(
    State(state): State<AppState>,
    contact: Result<PathParam<i64>, AppError>,
    Query(query): Query<BodyQuery>,
    signed_in: Result<SignedIn, AppError>,
) -> Result<Response, Plain> {
    let (PathParam(contact), SignedIn(agent)) = (contact?, signed_in?);
    let service = &state.services.email;
    let email = service.readable(agent, ContactId(contact)).await?;
    let remote = query.images.as_deref() == Some("1");
    let document = reader::document(&email, &|id| service.inline_path(id), remote);
    let mut response = document.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(csp) = HeaderValue::from_str(&reader::content_security_policy(remote)) {
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}

/// `attachment; filename="..."; filename*=UTF-8''...`: the ASCII fallback and the exact name.
pub(super) fn disposition(name: &str, kind: &str) -> HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    HeaderValue::from_str(&format!(
        "{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// A stored file as a response: shown in place (`inline`, its own type) or downloaded
/// (`attachment`, always as bytes), never run.
pub(super) async fn file_response(
    state: &AppState,
    name: &str,
    content_type: &str,
    sha256: &str,
    kind: &str,
) -> Result<Response, Plain> {
    let (size, bytes) = state
        .services
        .email
        .files
        .stream(sha256)
        .await
        .map_err(|e| match e {
            crate::files::FileError::Missing(_) => {
                tracing::error!(sha256, "attachment file missing");
                AppError::NotFound(Reason::FileMissing)
            }
            e => {
                tracing::error!(error = %e, sha256, "attachment file not read");
                AppError::Unavailable(Reason::FileUnreadable)
            }
        })?;
    let mut response = Body::from_stream(bytes).into_response();
    let h = response.headers_mut();
    // The download's progress and end are known to the browser.
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    let content_type = if kind == "inline" {
        content_type
    } else {
        "application/octet-stream"
    };
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(header::CONTENT_DISPOSITION, disposition(name, kind));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(response)
}

/// GET /email/attachments/{id}: a download, for the agent holding its email only.
pub async fn attachment(
    State(state): State<AppState>,
    id: Result<PathParam<i64>, AppError>,
    signed_in: Result<SignedIn, AppError>,
) -> Result<Response, Plain> {
    let (PathParam(id), SignedIn(agent)) = (id?, signed_in?);
    let attachment = state.services.store.attachment(AttachmentId(id)).await?;
    state
        .services
        .email
        .held_email(agent, attachment.contact)
        .await?;
    file_response(
        &state,
        &attachment.name,
        &attachment.content_type,
        &attachment.sha256,
        "attachment",
    )
    .await
}

/// GET /email/inline/{token}: an image the email shows in place (images only).
pub async fn inline(
    State(state): State<AppState>,
    PathParam(token): PathParam<String>,
) -> Result<Response, Plain> {
    let not_found = || AppError::NotFound(Reason::NoSuchImage);
    let id = state
        .services
        .email
        .verify_inline(&token)
        .ok_or_else(not_found)?;
    match state.services.store.attachment(id).await {
        Ok(a) if a.content_type.starts_with("image/") && a.content_type != "image/svg+xml" => {
            file_response(&state, &a.name, &a.content_type, &a.sha256, "inline").await
        }
        _ => Err(not_found().into()),
    }
}
