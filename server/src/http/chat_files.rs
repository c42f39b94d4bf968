//! GET /chat/files/{contact}/{sha256}: a file a chat message brought (a Messenger or
//! WhatsApp customer's photo or document), for the agents of that chat only. Images of the
//! types a transcript shows in place are sent as themselves; any other file as bytes to
//! download, never run.

use super::{
    agent::SignedIn,
    email::file_response,
    error::{AppError, PathParam, Plain},
    AppState,
};
use app::domain::ids::ContactId;
use axum::{extract::State, response::Response};

pub async fn chat_file(
    State(state): State<AppState>,
    path: Result<PathParam<(i64, String)>, AppError>,
    signed_in: Result<SignedIn, AppError>,
) -> Result<Response, Plain> {
    let (PathParam((contact, sha256)), SignedIn(agent)) = (path?, signed_in?);
    let file = state
        .services
        .chat
        .file_for(agent, ContactId(contact), &sha256)
        .await?;
    let kind = if file.shows_inline() {
        "inline"
    } else {
        "attachment"
    };
    file_response(&state, &file.name, &file.content_type, &sha256, kind).await
}
