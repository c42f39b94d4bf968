//! One error for every HTTP route: each refusal, a malformed body included, answers the same
//! JSON shape ([`Refusal`]), and an internal error is logged with its detail and shown as a
//! plain apology. Handlers return `Result<_, AppError>` and read JSON with [`JsonBody`] and
//! paths with [`PathParam`], whose rejections are [`AppError`]s too.

use crate::{contact::ContactError, store::StoreError};
use app::domain::{
    refusal::{Reason, Refusal},
    validate::{Field, FieldError, Problem},
};
use axum::{
    extract::{FromRequest, FromRequestParts, Path, Request},
    response::{IntoResponse, Response},
    Json,
};
use http::{header, request::Parts, HeaderValue, StatusCode};
use serde::de::DeserializeOwned;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not signed in")]
    NotSignedIn,
    /// Issue 17: an `/api/v1` call without a live token.
    #[error("no API token")]
    NoApiToken,
    /// Issue 17: an `/api/v1` change asked with a token that may only read.
    #[error("read-only token")]
    ReadOnlyToken,
    /// Signed in, but this is not for the user's role (issue 18: an agent asking for the
    /// supervisors' view).
    #[error("{0}")]
    Forbidden(Reason),
    /// Issue 17 (the API): what is asked contradicts what is stored (an address another
    /// customer has, say).
    #[error("{0}")]
    Conflict(Reason),
    /// A widget request without a valid chat cookie.
    #[error("no chat")]
    NoChat,
    /// Nothing there for this client (or nothing it may see: the same answer).
    #[error("{0}")]
    NotFound(Reason),
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// The body or the path could not be read (not JSON, a field missing, too large...):
    /// the extractor's own words, for the program that sent it.
    #[error("{message}")]
    Malformed { status: StatusCode, message: String },
    /// A body over its limit, not read (413 `too_large`).
    #[error("{0}")]
    TooLarge(Reason),
    #[error("{reason}")]
    TooMany {
        reason: Reason,
        retry_after: Duration,
    },
    #[error("the queue is full")]
    QueueFull,
    /// Issue 17 (K-4): nobody of the chosen queue is logged in.
    #[error("no agent is logged in")]
    NoAgent,
    /// Issue 17 (K-4): the chosen queue is outside its business hours.
    #[error("the queue is closed")]
    Closed { opens_at_ms: Option<i64> },
    /// Something the client cannot fix now (a mailbox without an SMTP server, say).
    #[error("{0}")]
    Unavailable(Reason),
    /// Logged with its detail; the client reads [`Reason::Internal`].
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::Internal(e.to_string())
    }

    /// An extractor's rejection, as the common refusal: `status` and what axum says.
    pub fn malformed(status: StatusCode, message: String) -> Self {
        AppError::Malformed { status, message }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound(Reason::NotFound),
            e => AppError::internal(e),
        }
    }
}

impl From<ContactError> for AppError {
    fn from(e: ContactError) -> Self {
        match e {
            ContactError::Invalid(errors) => AppError::Invalid(errors),
            ContactError::NotYours | ContactError::Ended | ContactError::OfferGone => {
                AppError::NotFound(Reason::NotYours)
            }
            ContactError::CustomerGone => AppError::NotFound(Reason::NotFound),
            ContactError::OpenChatElsewhere(channel) => {
                AppError::Conflict(Reason::BothChatting { channel })
            }
            ContactError::ClientIdUsed => AppError::Conflict(Reason::ClientIdUsed),
            ContactError::QueueFull => AppError::QueueFull,
            ContactError::NoAgent => AppError::NoAgent,
            ContactError::Closed { opens_at_ms } => AppError::Closed { opens_at_ms },
            ContactError::Unavailable(reason) => AppError::Unavailable(reason),
            ContactError::Store(e) => e.into(),
            e => AppError::internal(e),
        }
    }
}

/// A file over a size limit is "too large" (413); other field problems are 422.
fn too_large(errors: &[FieldError]) -> bool {
    errors.iter().any(|e| {
        matches!(
            e.problem,
            Problem::TooLarge { .. } | Problem::TooLargeTogether { .. }
        ) && matches!(e.field, Field::Attachment(_))
    })
}

impl AppError {
    /// The status and the refusal a client reads, in the request's language
    /// ([`super::locale`]); an internal error is logged here.
    fn refusal(&self) -> (StatusCode, Refusal) {
        let locale = super::locale::current();
        let said = |code: &str, reason: &Reason| Refusal::new(code, reason.message(locale));
        match self {
            AppError::NotSignedIn => (
                StatusCode::UNAUTHORIZED,
                said("not_signed_in", &Reason::NotSignedIn),
            ),
            AppError::NoApiToken => (
                StatusCode::UNAUTHORIZED,
                said("invalid_token", &Reason::NoApiToken),
            ),
            AppError::ReadOnlyToken => (
                StatusCode::FORBIDDEN,
                said("insufficient_scope", &Reason::ReadOnlyToken),
            ),
            AppError::Forbidden(reason) => (StatusCode::FORBIDDEN, said("forbidden", reason)),
            AppError::Conflict(reason) => (StatusCode::CONFLICT, said("conflict", reason)),
            AppError::NoChat => (
                StatusCode::UNAUTHORIZED,
                said("no_chat", &Reason::ChatNotHere),
            ),
            AppError::NotFound(reason) => (StatusCode::NOT_FOUND, said("not_found", reason)),
            AppError::Invalid(errors) if too_large(errors) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                Refusal::fields("too_large", errors, locale),
            ),
            AppError::Invalid(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                Refusal::fields("invalid", errors, locale),
            ),
            AppError::Malformed { status, message } => {
                (*status, Refusal::new("malformed", message.clone()))
            }
            AppError::TooLarge(reason) => {
                (StatusCode::PAYLOAD_TOO_LARGE, said("too_large", reason))
            }
            AppError::TooMany { reason, .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                said("too_many_requests", reason),
            ),
            AppError::QueueFull => (
                StatusCode::SERVICE_UNAVAILABLE,
                said("queue_full", &Reason::QueueFull),
            ),
            AppError::NoAgent => (
                StatusCode::SERVICE_UNAVAILABLE,
                said("no_agent", &Reason::NoAgent),
            ),
            AppError::Closed { opens_at_ms } => (
                StatusCode::SERVICE_UNAVAILABLE,
                Refusal {
                    opens_at_ms: *opens_at_ms,
                    ..said("closed", &Reason::Closed)
                },
            ),
            AppError::Unavailable(reason) => {
                (StatusCode::SERVICE_UNAVAILABLE, said("unavailable", reason))
            }
            AppError::Internal(detail) => {
                tracing::error!(error = %detail, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    said("internal", &Reason::Internal),
                )
            }
        }
    }

    /// Retry-After on a 429.
    fn retry_after(&self, response: &mut Response) {
        if let AppError::TooMany { retry_after, .. } = self {
            if let Ok(value) = HeaderValue::from_str(&retry_after_secs(*retry_after).to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
    }
}

/// A wait as `Retry-After` says it: whole seconds, rounded up, at least one.
pub(super) fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, refusal) = self.refusal();
        let mut response = (status, Json(refusal)).into_response();
        self.retry_after(&mut response);
        response
    }
}

/// A refusal for a route the browser opens itself (the email's frame, a download, an inline
/// image): the same status and sentence as plain text, since no script reads it and a
/// person may see it in the frame or as the downloaded file.
pub struct Plain(pub AppError);

impl<E: Into<AppError>> From<E> for Plain {
    fn from(e: E) -> Self {
        Plain(e.into())
    }
}

impl IntoResponse for Plain {
    fn into_response(self) -> Response {
        let (status, refusal) = self.0.refusal();
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            refusal.message,
        )
            .into_response();
        self.0.retry_after(&mut response);
        response
    }
}

/// A JSON body whose rejection (not JSON, a field missing or mistyped, over the size
/// limit, no JSON content type) is an [`AppError::Malformed`] in the common shape.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(JsonBody(value)),
            Err(rejection) => Err(AppError::malformed(
                rejection.status(),
                rejection.body_text(),
            )),
        }
    }
}

/// A path parameter whose rejection (`/email/abc/body`) is an [`AppError::Malformed`].
pub struct PathParam<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for PathParam<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(PathParam(value)),
            Err(rejection) => Err(AppError::malformed(
                rejection.status(),
                rejection.body_text(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::i18n::Locale;

    async fn body_of(error: AppError) -> (StatusCode, serde_json::Value) {
        let response = error.into_response();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    /// An internal error is logged, never shown: the client reads an apology.
    #[tokio::test]
    async fn internal_errors_are_not_shown() {
        let (status, body) =
            body_of(AppError::internal("pool timed out on host db-7 as admin")).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["error"], "internal");
        assert!(!body.to_string().contains("db-7"), "{body}");
    }

    /// A file over its limit is 413, other field problems 422, both with each field.
    #[tokio::test]
    async fn field_errors_name_each_field() {
        let big = FieldError::new(
            Field::Attachment("a.pdf".into()),
            Problem::TooLarge {
                max_bytes: 10,
                given_bytes: 11,
            },
        );
        let (status, body) = body_of(AppError::Invalid(vec![big])).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(body["error"], "too_large");
        assert_eq!(body["errors"][0]["field"], "attachment");
        let (status, body) = body_of(AppError::TooMany {
            reason: Reason::TooManyStarts { per_minute: 5 },
            retry_after: Duration::from_millis(1500),
        })
        .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            body["message"],
            "Too many chats started from your address: at most 5 a minute. Please wait a \
             minute and try again."
        );
    }

    /// Issue 15: a refusal is worded in the language of the request it answers (English
    /// outside one), its code the same for programs.
    #[tokio::test]
    async fn refusals_are_worded_in_the_requests_language() {
        let (_, english) = body_of(AppError::NotFound(Reason::NotYours)).await;
        assert_eq!(english["message"], "This contact is not in your hands.");
        let (status, french) =
            super::super::locale::within(Locale::fr, body_of(AppError::NotFound(Reason::NotYours)))
                .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(french["error"], "not_found");
        assert_eq!(french["message"], "Ce contact ne vous est pas attribué.");
        let invalid = AppError::Invalid(vec![FieldError::new(Field::Name, Problem::Required)]);
        let (_, french) = super::super::locale::within(Locale::fr, body_of(invalid)).await;
        assert_eq!(french["errors"][0]["message"], "Nom\u{a0}: obligatoire");
    }
}
