//! The customer widget's HTTP side (SPEC K-1, K-2): its configuration, starting a chat
//! from the pre-chat form, the session the cookie holds, the transcript download, and the
//! demo shop page that embeds the widget with one script tag.

use super::AppState;
use crate::chat::{
    token::{chat_cookie, CHAT_COOKIE},
    ChatError,
};
use app::api::ClientInfo;
use app::domain::{
    contact::ContactStatus,
    ids::ContactId,
    validate::{FieldError, PreChatForm},
    widget::{too_many_starts, WidgetConfig, WidgetLimits, WidgetProblem, QUEUE_FULL},
};
use axum::{
    extract::{Extension, State},
    response::{Html, IntoResponse, Response},
    Json,
};
use http::{header, HeaderMap, StatusCode};
use serde::Serialize;
use serde_json::json;

/// The chat a request's widget cookie opens, if its signature holds.
pub fn chat_from_cookie(state: &AppState, headers: &HeaderMap) -> Option<ContactId> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == CHAT_COOKIE)
        .and_then(|(_, token)| state.services.token_key.verify(token))
}

#[derive(Serialize)]
struct FieldMessage {
    field: String,
    message: String,
}

/// Per-field errors as the widget shows them: which field, and the message naming the limit.
fn field_errors(errors: &[FieldError]) -> Response {
    let errors: Vec<FieldMessage> = errors
        .iter()
        .map(|e| FieldMessage {
            field: serde_json::to_value(&e.field)
                .ok()
                .and_then(|v| v.get("field").and_then(|f| f.as_str()).map(String::from))
                .unwrap_or_default(),
            message: e.to_string(),
        })
        .collect();
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({ "errors": errors })),
    )
        .into_response()
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "widget request failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(json!({ "error": "Something went wrong; please try again." })),
    )
        .into_response()
}

/// The pre-chat form's choices, and the limits the widget checks with their wording.
pub async fn config(State(state): State<AppState>) -> Response {
    match state.services.store.problem_statements().await {
        Ok(problems) => Json(WidgetConfig {
            problems: problems
                .into_iter()
                .map(|p| WidgetProblem {
                    id: p.id,
                    label: p.label,
                })
                .collect(),
            limits: WidgetLimits::current(),
        })
        .into_response(),
        Err(e) => internal(e),
    }
}

/// A refusal the widget shows above its form, with when to try again.
fn refused(
    status: StatusCode,
    message: &str,
    retry_after: Option<std::time::Duration>,
) -> Response {
    let mut response = (status, Json(json!({ "error": message }))).into_response();
    if let Some(wait) = retry_after {
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        if let Ok(value) = http::HeaderValue::from_str(&secs.max(1).to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }
    response
}

/// SPEC K-2: starts a chat and gives the customer its signed, HttpOnly token. At most a few
/// a minute from one address; none when the queue is full.
pub async fn start(
    State(state): State<AppState>,
    client: Option<Extension<ClientInfo>>,
    Json(form): Json<PreChatForm>,
) -> Response {
    if let Some(ip) = client.and_then(|c| c.0.ip) {
        if let Err(wait) = state.services.gates.chat_start(ip) {
            tracing::warn!(%ip, "chat starts over the limit");
            let message = too_many_starts(state.services.gates.chat_starts_per_minute);
            return refused(StatusCode::TOO_MANY_REQUESTS, &message, Some(wait));
        }
    }
    match state.services.chat.start(&form).await {
        Ok(contact) => {
            let token = state.services.token_key.sign(contact.id);
            let cookie = chat_cookie(&token, state.services.secure_cookies);
            (
                [(header::SET_COOKIE, cookie)],
                Json(json!({ "contact": contact.id })),
            )
                .into_response()
        }
        Err(ChatError::Invalid(errors)) => field_errors(&errors),
        Err(ChatError::QueueFull) => refused(StatusCode::SERVICE_UNAVAILABLE, QUEUE_FULL, None),
        Err(e) => internal(e),
    }
}

/// The chat the cookie holds, so a reloaded widget resumes it.
pub async fn session(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(id) = chat_from_cookie(&state, &headers) else {
        return (StatusCode::NOT_FOUND, Json(json!({ "chat": null }))).into_response();
    };
    match state.services.store.contact(id).await {
        Ok(contact) => Json(json!({
            "chat": contact.id,
            "ended": matches!(contact.status, ContactStatus::Ended(_)),
        }))
        .into_response(),
        Err(_) => (StatusCode::NOT_FOUND, Json(json!({ "chat": null }))).into_response(),
    }
}

/// SPEC K-2: the transcript as a text file.
pub async fn transcript(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(id) = chat_from_cookie(&state, &headers) else {
        return (StatusCode::NOT_FOUND, "No chat.").into_response();
    };
    match state.services.chat.all_lines_after(id, 0).await {
        Ok(lines) => (
            [
                (
                    header::CONTENT_TYPE,
                    "text/plain; charset=utf-8".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"chat-{id}.txt\""),
                ),
            ],
            app::domain::chat::transcript_text(&lines),
        )
            .into_response(),
        Err(e) => internal(e),
    }
}

/// A demo shop page embedding the widget with its one script tag.
pub async fn demo() -> Html<&'static str> {
    Html(include_str!("../../../public/demo.html"))
}
