//! The email panel's HTTP side (SPEC E-2): the frame document of a customer's email, its
//! attachments as downloads, and its inline images. Downloads and the frame are for the
//! agent who holds the email; inline images are reached through signed addresses because
//! the sandboxed frame sends no cookie.

use super::{agent::SignedIn, AppState};
use crate::{chat::ChatError, email::reader, store::StoreError};
use app::domain::ids::{AttachmentId, ContactId};
use axum::{
    body::Body,
    extract::{Path, Query, State},
    response::{IntoResponse, Response},
};
use http::{header, HeaderValue, StatusCode};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct BodyQuery {
    /// "1" after the agent clicked "Show images".
    #[serde(default)]
    images: Option<String>,
}

pub(super) fn refused(e: ChatError) -> Response {
    match e {
        ChatError::NotYours | ChatError::Ended => {
            (StatusCode::NOT_FOUND, "This email is not in your hands.").into_response()
        }
        e => {
            tracing::error!(error = %e, "email request failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong.").into_response()
        }
    }
}

/// GET /email/{contact}/body: the email as the frame shows it.
pub async fn body(
    State(state): State<AppState>,
    Path(contact): Path<i64>,
    Query(query): Query<BodyQuery>,
    SignedIn(agent): SignedIn,
) -> Response {
    let service = &state.services.email;
    let email = match service.readable(agent, ContactId(contact)).await {
        Ok(email) => email,
        Err(e) => return refused(e),
    };
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
    response
}

/// `attachment; filename="..."; filename*=UTF-8''...`: the ASCII fallback and the exact name.
fn disposition(name: &str, kind: &str) -> HeaderValue {
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
) -> Response {
    let Some(path) = state.services.email.files.path(sha256) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let bytes = match tokio::fs::read(&path).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, sha256, "attachment file missing");
            return (StatusCode::NOT_FOUND, "The file is missing.").into_response();
        }
    };
    let mut response = Body::from(bytes).into_response();
    let h = response.headers_mut();
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
    response
}

/// GET /email/attachments/{id}: a download, for the agent holding its email only.
pub async fn attachment(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    SignedIn(agent): SignedIn,
) -> Response {
    let attachment = match state.services.store.attachment(AttachmentId(id)).await {
        Ok(a) => a,
        Err(StoreError::NotFound) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return refused(e.into()),
    };
    if let Err(e) = state
        .services
        .email
        .held_email(agent, attachment.contact)
        .await
    {
        return refused(e);
    }
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
pub async fn inline(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let Some(id) = state.services.email.verify_inline(&token) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match state.services.store.attachment(id).await {
        Ok(a) if a.content_type.starts_with("image/") && a.content_type != "image/svg+xml" => {
            file_response(&state, &a.name, &a.content_type, &a.sha256, "inline").await
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}
