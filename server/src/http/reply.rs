//! The reply's HTTP side (SPEC ): the draft saved, files streamed in and
//! removed, the reply sent. JSON in and out; refusals ([`AppError`]) carry every field error
//! with its message, so the page marks the right field. Writes pass the request guard (CSRF).

use super::{
    agent::SignedIn,
    email::file_response,
    error::{AppError, JsonBody, PathParam, Plain},
    AppState,
};
use app::domain::{
    ids::{ContactId, DraftFileId},
    reply::ReplyInput,
};
use axum::{
    body::Body,
    extract::{Query, State},
    response::{IntoResponse, Response},
    Json,
};
use http::{header, HeaderMap, StatusCode};
use serde::Deserialize;

/// PUT /email/{contact}/draft: SPEC R-4, the autosave (and the save on leaving a contact).
pub async fn save_draft(
    State(state): State<AppState>,
    PathParam(contact): PathParam<i64>,
    SignedIn(agent): SignedIn,
    JsonBody(input): JsonBody<ReplyInput>,
) -> Result<Response, AppError> {
    let draft = state
        .services
        .email
        .save_draft(agent, ContactId(contact), &input)
        .await?;
    Ok(Json(draft).into_response())
}

#[derive(Deserialize)]
pub struct FileQuery {
    name: String,
    /// "1" for an image pasted into the body.
    #[serde(default)]
    inline: Option<String>,
}

/// POST /email/{contact}/files?name=…: SPEC, one file as the request body (its
/// type in Content-Type), read as it streams and refused as soon as it passes a limit.
pub async fn add_file(
    State(state): State<AppState>,
    PathParam(contact): PathParam<i64>,
    Query(query): Query<FileQuery>,
    SignedIn(agent): SignedIn,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .split(';')
        .next()
        .unwrap_or_default()
        .to_string();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let result = state
        .services
        .email
        .add_file(
            agent,
            ContactId(contact),
            crate::email::reply::FileHeader {
                name: &query.name,
                content_type: &content_type,
                inline: query.inline.as_deref() == Some("1"),
                declared,
            },
            body.into_data_stream(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(result)).into_response())
}

/// GET /email/{contact}/files/{id}: a file of the draft (a pasted image in the editor).
pub async fn draft_file(
    State(state): State<AppState>,
    ids: Result<PathParam<(i64, i64)>, AppError>,
    signed_in: Result<SignedIn, AppError>,
) -> Result<Response, Plain> {
    let (PathParam((contact, id)), SignedIn(agent)) = (ids?, signed_in?);
    let stored = state
        .services
        .email
        .draft_file(agent, ContactId(contact), DraftFileId(id))
        .await?;
    let f = &stored.file;
    let kind = if f.inline && f.content_type.starts_with("image/") {
        "inline"
    } else {
        "attachment"
    };
    file_response(&state, &f.name, &f.content_type, &stored.sha256, kind).await
}

/// DELETE /email/{contact}/files/{id}: SPEC A-2, the X beside a file.
pub async fn remove_file(
    State(state): State<AppState>,
    PathParam((contact, id)): PathParam<(i64, i64)>,
    SignedIn(agent): SignedIn,
) -> Result<StatusCode, AppError> {
    state
        .services
        .email
        .remove_file(agent, ContactId(contact), DraftFileId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /email/{contact}/send: SPEC R-7, the contact closes and the reply enters the outbox.
pub async fn send(
    State(state): State<AppState>,
    PathParam(contact): PathParam<i64>,
    SignedIn(agent): SignedIn,
    JsonBody(input): JsonBody<ReplyInput>,
) -> Result<StatusCode, AppError> {
    state
        .services
        .email
        .send(agent, ContactId(contact), &input)
        .await?;
    Ok(StatusCode::ACCEPTED)
}
