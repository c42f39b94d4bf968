//! Issue 17 (SPEC K-4, K-5): the widget's "Leave a message", as JSON (the message alone)
//! or as multipart (the message, then its files, limits as for a reply's, SPEC A-1). The
//! message is checked before any file is read; each file is refused by name and limit as
//! soon as it passes one, and the files reach the store with the message, or not at all.

use super::{
    error::{AppError, JsonBody},
    locale,
    widget::{chat_from_cookie, remembered_as, within_start_limit},
    AppState,
};
use crate::{
    contact::ContactError,
    email::{
        left::{LeftBy, LeftFile},
        reply::clean_name,
    },
};
use app::api::ClientInfo;
use app::domain::{
    contact::ContactStatus, ids::ContactId, left_message::LeftMessage,
    limits::MAX_WIDGET_FORM_BYTES, refusal::Reason, validate::FileSize,
};
use axum::{
    extract::{multipart::Field, Extension, Multipart, State},
    response::{IntoResponse, Response},
    Json,
};
use http::{header, HeaderMap, StatusCode};
use serde_json::json;

/// A message left instead of a chat, from the pre-chat form (no agent logged in, the queue
/// full, the queue closed), or from the chat the cookie holds when no agent has it (past
/// the join timeout), which then ends if it still waits. Bounded like a chat's start, and
/// stored once whatever the widget posts again. A message from the form whose address was
/// nobody's makes its customer, and the browser is remembered as theirs: their next chat
/// from it has the message in its history.
pub async fn leave_message(
    State(state): State<AppState>,
    client: Option<Extension<ClientInfo>>,
    headers: HeaderMap,
    JsonBody(left): JsonBody<LeftMessage>,
) -> Result<Response, AppError> {
    within_start_limit(&state, client, "left messages over the limit").await?;
    let (by, waiting) = who_left(&state, &headers, &left).await?;
    take(&state, &left, by, waiting, Vec::new()).await
}

/// The same with files: a multipart body whose first part, `left`, is the JSON of
/// [`LeftMessage`], and whose other parts, each `file`, are the files in order.
pub async fn leave_message_with_files(
    State(state): State<AppState>,
    client: Option<Extension<ClientInfo>>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    within_start_limit(&state, client, "left messages over the limit").await?;
    let mut multipart = multipart.map_err(|r| AppError::Malformed {
        status: r.status(),
        message: r.body_text(),
    })?;
    let left = match next_part(&mut multipart).await? {
        Some(part) if part.name() == Some("left") => read_left(part).await?,
        _ => return Err(malformed("the first part must be \"left\", the message")),
    };
    let (by, waiting) = who_left(&state, &headers, &left).await?;
    let mut files: Vec<LeftFile> = Vec::new();
    while let Some(part) = next_part(&mut multipart).await? {
        if part.name() != Some("file") {
            return Err(malformed("each part after the message must be a \"file\""));
        }
        let name = clean_name(part.file_name().unwrap_or_default());
        let content_type = part
            .content_type()
            .and_then(|t| t.split(';').next())
            .map(|t| t.trim().to_ascii_lowercase())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "application/octet-stream".into());
        let existing: Vec<FileSize> = files
            .iter()
            .map(|f| FileSize {
                name: f.name.clone(),
                bytes: f.staged.upload.size,
            })
            .collect();
        let staged = state
            .services
            .email
            .stage_file(&name, &existing, None, Box::pin(part))
            .await?;
        files.push(LeftFile {
            name,
            content_type,
            staged,
        });
    }
    take(&state, &left, by, waiting, files).await
}

fn malformed(message: &str) -> AppError {
    AppError::Malformed {
        status: StatusCode::BAD_REQUEST,
        message: message.into(),
    }
}

async fn next_part(multipart: &mut Multipart) -> Result<Option<Field<'_>>, AppError> {
    multipart
        .next_field()
        .await
        .map_err(|e| AppError::Malformed {
            status: e.status(),
            message: e.body_text(),
        })
}

/// The message part, read up to the widget's form limit.
async fn read_left(mut part: Field<'_>) -> Result<LeftMessage, AppError> {
    let mut bytes = Vec::new();
    loop {
        let chunk = part.chunk().await.map_err(|e| AppError::Malformed {
            status: e.status(),
            message: e.body_text(),
        })?;
        let Some(chunk) = chunk else { break };
        if bytes.len() + chunk.len() > MAX_WIDGET_FORM_BYTES {
            return Err(AppError::Malformed {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                message: format!("the message part is over {MAX_WIDGET_FORM_BYTES} bytes"),
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&bytes).map_err(|e| AppError::Malformed {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        message: format!("the message part: {e}"),
    })
}

/// Who leaves the message and about what, every field at fault refused at once; and the
/// waiting chat it is left from, if any.
async fn who_left(
    state: &AppState,
    headers: &HeaderMap,
    left: &LeftMessage,
) -> Result<(LeftBy, Option<ContactId>), AppError> {
    let chat = &state.services.chat;
    match &left.form {
        Some(form) => {
            // Every field at fault at once: the form's and the message's.
            let checked = chat.checked_form(form).await;
            let mut errors = match &checked {
                Err(ContactError::Invalid(errors)) => errors.clone(),
                _ => Vec::new(),
            };
            errors.extend(left.check().err().unwrap_or_default());
            if !errors.is_empty() {
                return Err(ContactError::Invalid(errors).into());
            }
            let (details, problem) = checked?;
            let optional = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
            let by = LeftBy {
                name: form.name.trim().to_string(),
                email: form.email.trim().to_string(),
                phone: optional(&form.phone),
                csq: problem.csq,
                problem: problem.label,
                details,
            };
            Ok((by, None))
        }
        None => {
            left.check().map_err(ContactError::Invalid)?;
            let no_chat = || AppError::NotFound(Reason::NoChat);
            let id = chat_from_cookie(state, headers).ok_or_else(no_chat)?;
            let contact = state.services.store.contact(id).await?;
            // Taken by an agent meanwhile: the customer goes back to the chat. A chat over
            // (its queue timeout came, or this is the same message again after a lost
            // answer) still gives its details: the message is stored once.
            if contact.status == ContactStatus::Active {
                return Err(no_chat());
            }
            let customer = state.services.store.customer(contact.customer).await?;
            let Some(email) = customer.email else {
                return Err(no_chat());
            };
            let by = LeftBy {
                name: customer.name,
                email,
                phone: customer.phone,
                csq: contact.csq,
                problem: contact.problem,
                details: contact.details,
            };
            Ok((by, Some(id)))
        }
    }
}

/// Stores the message with its files, ends the chat it was left from if it still waits,
/// and remembers the browser as the customer the message made.
async fn take(
    state: &AppState,
    left: &LeftMessage,
    by: LeftBy,
    waiting: Option<ContactId>,
    files: Vec<LeftFile>,
) -> Result<Response, AppError> {
    let made = state
        .services
        .email
        .leave_message(
            &by,
            &left.message,
            &left.client_id,
            locale::current(),
            &files,
        )
        .await?;
    if let Some(id) = waiting {
        // Left for a message: the chat no longer waits (a chat an agent took meanwhile
        // goes on as it is).
        let still_waiting = state
            .services
            .store
            .contact(id)
            .await
            .is_ok_and(|c| matches!(c.status, ContactStatus::Queued | ContactStatus::Offered));
        if still_waiting {
            if let Err(e) = state.services.chat.customer_end(id).await {
                tracing::info!(contact = %id, error = %e, "chat not ended after its message was left");
            }
        }
    }
    let mut response = Json(json!({ "left": true })).into_response();
    if let (Some(customer), None) = (made, waiting) {
        let cookie = remembered_as(state, customer);
        response.headers_mut().append(
            header::SET_COOKIE,
            cookie.parse().map_err(AppError::internal)?,
        );
    }
    Ok(response)
}
