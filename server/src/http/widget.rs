//! The customer widget's HTTP side (SPEC K-1, K-2): its configuration, its words in each
//! language, starting a chat from the pre-chat form, the session the cookie holds, the
//! transcript download, and the demo shop page that embeds the widget with one script tag.

use super::{
    error::{AppError, JsonBody},
    locale::{self, Asked},
    AppState,
};
use crate::chat::cookie::{chat_cookie, CHAT_COOKIE};
use app::domain::{
    contact::ContactStatus,
    ids::ContactId,
    language::widget_translations,
    prechat::PreChatForm,
    refusal::Reason,
    widget::{WidgetConfig, WidgetLimits, WidgetProblem},
};
use app::{api::ClientInfo, i18n::Locale};
use axum::{
    extract::{Extension, Path, Query, State},
    response::{Html, IntoResponse, Response},
    Json,
};
use http::{header, HeaderMap};
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

/// The pre-chat form's choices and fields, and the limits the widget checks with their
/// wording in the customer's language (the widget says it as `Accept-Language`).
pub async fn config(State(state): State<AppState>) -> Result<Json<WidgetConfig>, AppError> {
    let problems = state.services.store.problem_statements().await?;
    Ok(Json(WidgetConfig {
        problems: problems
            .into_iter()
            .map(|p| WidgetProblem {
                id: p.id,
                label: p.label,
            })
            .collect(),
        fields: state.services.store.prechat_fields().await?,
        limits: WidgetLimits::current(locale::current()),
    }))
}

/// The widget's words in one language, `/widget/i18n/en.json` or `fr.json` (the app's own
/// `locales/<lang>/widget.json`, compiled in); any other language is not found. Kept a few
/// minutes by the browser: they change only with a new version.
pub async fn translations(Path(file): Path<String>) -> Result<Response, AppError> {
    let locale = match file.as_str() {
        "en.json" => app::i18n::Locale::en,
        "fr.json" => app::i18n::Locale::fr,
        _ => return Err(AppError::NotFound(Reason::NoSuchLanguage)),
    };
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        widget_translations(locale),
    )
        .into_response())
}

/// SPEC K-2: starts a chat and gives the customer its signed, HttpOnly token. At most a few
/// a minute from one address; none when the queue is full.
pub async fn start(
    State(state): State<AppState>,
    client: Option<Extension<ClientInfo>>,
    JsonBody(form): JsonBody<PreChatForm>,
) -> Result<Response, AppError> {
    if let Some(ip) = client.and_then(|c| c.0.ip) {
        if let Err(retry_after) = state.services.gates.chat_start_anywhere(ip).await {
            tracing::warn!(%ip, "chat starts over the limit");
            return Err(AppError::TooMany {
                reason: Reason::TooManyStarts {
                    per_minute: state.services.gates.chat_starts_per_minute,
                },
                retry_after,
            });
        }
    }
    let contact = state.services.chat.start(&form).await?;
    let token = state.services.token_key.sign(contact.id);
    let cookie = chat_cookie(&token, state.services.secure_cookies);
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(json!({ "contact": contact.id })),
    )
        .into_response())
}

/// The chat the cookie holds, so a reloaded widget resumes it.
pub async fn session(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, AppError> {
    let no_chat = || AppError::NotFound(Reason::NoChat);
    let id = chat_from_cookie(&state, &headers).ok_or_else(no_chat)?;
    let contact = state.services.store.contact(id).await?;
    Ok(Json(json!({
        "chat": contact.id,
        "ended": matches!(contact.status, ContactStatus::Ended(_)),
    })))
}

/// SPEC K-2: the transcript as a text file, its system lines in the widget's language
/// (the download link names it as `?lang=`; the browser's languages otherwise).
pub async fn transcript(
    State(state): State<AppState>,
    Query(asked): Query<Asked>,
    headers: HeaderMap,
) -> Response {
    let locale = asked.or_current();
    let answer = async {
        transcript_in(&state, &headers, locale)
            .await
            .into_response()
    };
    locale::within(locale, answer).await
}

async fn transcript_in(
    state: &AppState,
    headers: &HeaderMap,
    locale: Locale,
) -> Result<Response, AppError> {
    let no_chat = || AppError::NotFound(Reason::NoChat);
    let id = chat_from_cookie(state, headers).ok_or_else(no_chat)?;
    let lines = state.services.chat.all_lines_after(id, 0).await?;
    Ok((
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
        app::domain::chat::transcript_text(&lines, locale),
    )
        .into_response())
}

/// A demo shop page embedding the widget with its one script tag.
pub async fn demo() -> Html<&'static str> {
    Html(include_str!("../../../public/demo.html"))
}
