//! The customer widget's HTTP side (SPEC K-1, K-2): its configuration, its words in each
//! language, starting a chat from the pre-chat form, the session the cookie holds, the
//! transcript download, and the demo shop page that embeds the widget with one script tag.

use super::{
    error::{AppError, JsonBody},
    locale::{self, Asked},
    AppState,
};
use crate::{
    chat::cookie::{
        chat_cookie, customer_cookie, forget_chat_cookie, forget_customer_cookie, CHAT_COOKIE,
        CUSTOMER_COOKIE,
    },
    clock::now_ms,
    hours::Availability,
};
use app::domain::{
    contact::ContactStatus,
    csq::ProblemStatement,
    ids::{ContactId, CsqId, CustomerId},
    language::widget_translations,
    limits::CUSTOMER_COOKIE_DAYS,
    prechat::PreChatForm,
    refusal::Reason,
    widget::{WidgetAvailability, WidgetConfig, WidgetLimits, WidgetProblem},
};
use app::{api::ClientInfo, i18n::Locale};
use axum::{
    extract::{Extension, Path, Query, State},
    response::{Html, IntoResponse, Response},
    Json,
};
use http::{header, HeaderMap};
use serde_json::json;
use std::collections::HashMap;

/// The value of a request's cookie `name`, if it has one (the first sent).
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    crate::auth::cookie_values(headers, name).into_iter().next()
}

/// The chat a request's widget cookie opens, if its signature holds.
pub fn chat_from_cookie(state: &AppState, headers: &HeaderMap) -> Option<ContactId> {
    cookie(headers, CHAT_COOKIE).and_then(|token| state.services.token_key.verify(&token))
}

/// Issue 17: the customer the widget's browser is remembered as, if its cookie's signature
/// holds.
fn remembered_customer(state: &AppState, headers: &HeaderMap) -> Option<CustomerId> {
    let now_secs = now_ms() / 1000;
    cookie(headers, CUSTOMER_COOKIE)
        .and_then(|token| state.services.token_key.verify_customer(&token, now_secs))
}

/// The pre-chat form's problem statements, and whether each one's CSQ is open now (issue
/// 17: by its business hours).
async fn problems_now(
    store: &dyn crate::store::Store,
) -> Result<(Vec<ProblemStatement>, HashMap<CsqId, Availability>), AppError> {
    let problems = store.problem_statements().await?;
    let hours = store.business_hours().await?;
    let each = crate::hours::of_csqs(&hours, problems.iter().map(|p| p.csq), now_ms());
    Ok((problems, each))
}

/// The pre-chat form's choices (each with whether its queue is open now, and when it opens
/// again), its fields, and the limits the widget checks with their wording in the
/// customer's language (the widget says it as `Accept-Language`). Never kept by a cache:
/// the hours it tells change with the time.
pub async fn config(State(state): State<AppState>) -> Result<Response, AppError> {
    let store = &state.services.store;
    let (problems, each) = problems_now(store.as_ref()).await?;
    let config = WidgetConfig {
        problems: problems
            .into_iter()
            .map(|p| {
                let availability = each[&p.csq];
                WidgetProblem {
                    id: p.id,
                    label: p.label,
                    open: availability.is_open(),
                    opens_at_ms: availability.opens_at_ms(),
                }
            })
            .collect(),
        fields: store.prechat_fields().await?,
        limits: WidgetLimits::current(locale::current()),
        leave_message: state.services.email.takes_left_messages(),
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(config)).into_response())
}

/// Issue 17: whether the widget's button is drawn (`/widget.js` asks from any site, so any
/// origin may read it; it tells nothing a visitor of the site could not see). Open when a
/// queue of the pre-chat form is within its business hours; otherwise the earliest
/// opening, and whether the administrator hides the button until then.
pub async fn availability(State(state): State<AppState>) -> Result<Response, AppError> {
    let store = &state.services.store;
    let (_, each) = problems_now(store.as_ref()).await?;
    let settings = store.chat_settings().await?;
    let open = each.values().any(|a| a.is_open());
    let answer = WidgetAvailability {
        open,
        opens_at_ms: if open {
            None
        } else {
            each.values().filter_map(|a| a.opens_at_ms()).min()
        },
        hide_when_closed: settings.hide_launcher_when_closed,
    };
    Ok((
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        Json(answer),
    )
        .into_response())
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

/// What a stranger may start from one address (chats and left messages together): a few a
/// minute, on every node (`gates.chat_start_anywhere`).
pub(super) async fn within_start_limit(
    state: &AppState,
    client: Option<Extension<ClientInfo>>,
    over: &'static str,
) -> Result<(), AppError> {
    let Some(ip) = client.and_then(|c| c.0.ip) else {
        return Ok(());
    };
    match state.services.gates.chat_start_anywhere(ip).await {
        Ok(()) => Ok(()),
        Err(retry_after) => {
            tracing::warn!(%ip, "{over}");
            Err(AppError::TooMany {
                reason: Reason::TooManyStarts {
                    per_minute: state.services.gates.chat_starts_per_minute,
                },
                retry_after,
            })
        }
    }
}

/// SPEC K-2: starts a chat and gives the customer its signed, HttpOnly token. At most a few
/// a minute from one address; none when the queue is full. Issue 17: the browser is
/// remembered as the chat's customer (a year, renewed at each chat), so their next chat
/// from it, with the same address, is the same customer's.
pub async fn start(
    State(state): State<AppState>,
    client: Option<Extension<ClientInfo>>,
    headers: HeaderMap,
    JsonBody(form): JsonBody<PreChatForm>,
) -> Result<Response, AppError> {
    within_start_limit(&state, client, "chat starts over the limit").await?;
    // K-4: with somewhere to leave a message, a customer is not kept waiting for nobody.
    let unstaffed_refused = state.services.email.takes_left_messages();
    let remembered = remembered_customer(&state, &headers);
    let contact = state
        .services
        .chat
        .start(&form, unstaffed_refused, remembered)
        .await?;
    let keys = &state.services.token_key;
    let secure = state.services.secure_cookies;
    let mut response = Json(json!({ "contact": contact.id })).into_response();
    let cookies = response.headers_mut();
    for value in [
        chat_cookie(&keys.sign(contact.id), secure),
        remembered_as(&state, contact.customer),
    ] {
        cookies.append(
            header::SET_COOKIE,
            value.parse().map_err(AppError::internal)?,
        );
    }
    Ok(response)
}

/// Issue 17: the cookie that remembers the widget's browser as `customer`'s for a year
/// (renewed each time they chat or leave a message).
pub(super) fn remembered_as(state: &AppState, customer: CustomerId) -> String {
    let until = now_ms() / 1000 + CUSTOMER_COOKIE_DAYS * 86_400;
    customer_cookie(
        &state.services.token_key.sign_customer(customer, until),
        state.services.secure_cookies,
    )
}

/// Issue 17: the widget's "Forget this browser": it is no longer remembered as a customer
/// (their history stays with the business; the next chat from here starts a new customer),
/// and a chat of theirs that has ended no longer shows when the widget opens again.
pub async fn forget(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let secure = state.services.secure_cookies;
    let mut response = Json(json!({ "forgotten": true })).into_response();
    let mut cookies = vec![forget_customer_cookie(secure)];
    if let Some(chat) = chat_from_cookie(&state, &headers) {
        let over = match state.services.store.contact(chat).await {
            Ok(contact) => contact.status.is_ended(),
            Err(_) => true,
        };
        if over {
            cookies.push(forget_chat_cookie(secure));
        }
    }
    for cookie in cookies {
        if let Ok(value) = cookie.parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// The chat the cookie holds, so a reloaded widget resumes it; and (issue 17) whether the
/// browser is remembered as a customer, so the form offers to forget it.
pub async fn session(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, AppError> {
    let remembered = remembered_customer(&state, &headers).is_some();
    let no_chat = || Json(json!({ "chat": null, "remembered": remembered }));
    let Some(id) = chat_from_cookie(&state, &headers) else {
        return Ok(no_chat());
    };
    let contact = match state.services.store.contact(id).await {
        Err(crate::store::StoreError::NotFound) => return Ok(no_chat()),
        found => found?,
    };
    Ok(Json(json!({
        "chat": contact.id,
        "ended": matches!(contact.status, ContactStatus::Ended(_)),
        "remembered": remembered,
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
