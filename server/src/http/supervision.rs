//! Issue 18 (D-3): the supervisors' live view, pushed. `GET /supervision/live?tz=Europe/Paris`
//! answers with a stream of server-sent events: the board at once, then again whenever it
//! has changed. The board is read from the database every [`READ_EVERY`], so a change made
//! on any node (an agent of another node, the leader's routing) reaches every supervisor
//! within a second, and the figures are never one node's memory. Each read checks the
//! session and the role again: a supervisor logged out, disabled or made an agent stops
//! receiving at once (the stream ends with an `ended` event).
//!
//! Server-sent events rather than a WebSocket: the page only listens, and the browser's
//! `EventSource` reconnects by itself, and stops for good on a refusal (401, 403). A chat
//! read live ([`super::chat_reading`]) is streamed the same way, by [`stream`].

use super::{error::AppError, AppState};
use crate::services::Services;
use app::{
    api::ApiError,
    domain::{refusal::Reason, supervision::Board},
};
use axum::{
    extract::{Query, State},
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
};
use http::HeaderMap;
use std::{future::Future, sync::Arc, time::Duration};

/// How often a watched board is read again: changes show within a second, reads included.
pub const READ_EVERY: Duration = Duration::from_millis(500);

/// Reads failed in a row (the database away) before the stream ends, so the page says it
/// is reconnecting rather than show old figures as live.
const FAILURES_BEFORE_END: u32 = 10;

/// Said between boards so that proxies keep the connection open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

#[derive(serde::Deserialize)]
pub struct LiveQuery {
    /// The viewer's IANA time zone, where "today" begins.
    tz: String,
}

/// The refusal a page can read before the stream starts.
pub(super) fn refused(e: ApiError) -> AppError {
    match e {
        ApiError::NotLoggedIn | ApiError::PasswordChangeRequired | ApiError::AccountDisabled => {
            AppError::NotSignedIn
        }
        ApiError::Forbidden => AppError::Forbidden(Reason::SupervisorsOnly),
        ApiError::Invalid(errors) => AppError::Invalid(errors),
        ApiError::NotFound => AppError::NotFound(Reason::NotFound),
        e => AppError::internal(e),
    }
}

/// GET /supervision/live
pub async fn live(
    State(state): State<AppState>,
    Query(query): Query<LiveQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    // Each stream holds a connection as a socket does: counted with them.
    let place = state.socket_place()?;
    let services = state.services.clone();
    // The first read answers refusals with their status, which the page reads.
    let first = services.board(&headers, &query.tz).await.map_err(refused)?;
    let boards = Boards {
        services: services.clone(),
        headers,
        time_zone: query.tz,
        last: None,
        pending: Some(first),
    };
    Ok(stream(&services, boards, place))
}

/// What a stream sends after a read.
pub(super) enum Step {
    /// Nothing changed.
    Nothing,
    Send(Event),
    /// The last event: the stream ends after it.
    Last(Event),
}

/// What a stream reads again every [`READ_EVERY`].
pub(super) trait Source: Send + 'static {
    fn read(&mut self) -> impl Future<Output = Result<Step, ApiError>> + Send;
}

/// The stream of `source`'s events, read at once and then every [`READ_EVERY`], holding
/// `place` while it lasts. It ends after [`FAILURES_BEFORE_END`] failed reads in a row
/// (the browser connects again by itself), when the server begins to stop, and with an
/// `ended` event (`forbidden`, `not_found` or `not_signed_in`) once the viewer may no
/// longer read.
pub(super) fn stream(
    services: &Services,
    source: impl Source,
    place: tokio::sync::OwnedSemaphorePermit,
) -> Response {
    let watch = Watch {
        stopping: services.stopping.subscribe(),
        source,
        first: true,
        ended: false,
        failures: 0,
        _place: place,
    };
    let stream = futures_util::stream::unfold(watch, |mut watch| async move {
        let event = watch.next().await?;
        Some((Ok::<_, std::convert::Infallible>(event), watch))
    });
    let mut response = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response();
    // A proxy that buffers responses (nginx does by default) would hold events back.
    response.headers_mut().insert(
        http::HeaderName::from_static("x-accel-buffering"),
        http::HeaderValue::from_static("no"),
    );
    response
}

/// One viewer's stream.
struct Watch<S> {
    source: S,
    /// The first read is made at once.
    first: bool,
    ended: bool,
    /// Reads failed in a row.
    failures: u32,
    /// The server is stopping: the stream ends (the browser reconnects, to another node).
    stopping: tokio::sync::watch::Receiver<bool>,
    _place: tokio::sync::OwnedSemaphorePermit,
}

impl<S: Source> Watch<S> {
    /// The next event, once the source has one.
    async fn next(&mut self) -> Option<Event> {
        if self.ended {
            return None;
        }
        loop {
            if !std::mem::take(&mut self.first) {
                tokio::select! {
                    _ = tokio::time::sleep(READ_EVERY) => {}
                    _ = self.stopping.wait_for(|stopping| *stopping) => {
                        self.ended = true;
                        return None;
                    }
                }
            }
            match self.source.read().await {
                Ok(Step::Nothing) => self.failures = 0,
                Ok(Step::Send(event)) => {
                    self.failures = 0;
                    return Some(event);
                }
                Ok(Step::Last(event)) => {
                    self.ended = true;
                    return Some(event);
                }
                Err(ApiError::Internal) => {
                    // The database is away a moment: read again at the next turn, then
                    // give up (the browser connects again by itself).
                    self.failures += 1;
                    if self.failures >= FAILURES_BEFORE_END {
                        self.ended = true;
                        return None;
                    }
                }
                Err(e) => {
                    tracing::debug!(error = %e, "supervision stream ended");
                    self.ended = true;
                    let why = match e {
                        ApiError::Forbidden => "forbidden",
                        ApiError::NotFound => "not_found",
                        _ => "not_signed_in",
                    };
                    return Some(Event::default().event("ended").data(why));
                }
            }
        }
    }
}

/// An event of `kind` carrying `value`, or the error that ends the stream.
pub(super) fn json_event(kind: &str, value: &impl serde::Serialize) -> Result<Event, ApiError> {
    Event::default()
        .json_data(value)
        .map(|e| e.event(kind))
        .map_err(|e| {
            tracing::error!(error = %e, "an event could not be written");
            ApiError::Internal
        })
}

/// The board of one supervisor, sent whenever it changed.
struct Boards {
    services: Arc<Services>,
    headers: HeaderMap,
    time_zone: String,
    /// The board last sent, its time left out (a board differs from the last only when
    /// something on it changed).
    last: Option<Board>,
    /// The board read before the stream began.
    pending: Option<Board>,
}

impl Source for Boards {
    async fn read(&mut self) -> Result<Step, ApiError> {
        let mut board = match self.pending.take() {
            Some(board) => board,
            None => self.services.board(&self.headers, &self.time_zone).await?,
        };
        let at_ms = std::mem::take(&mut board.at_ms);
        if self.last.as_ref() == Some(&board) {
            return Ok(Step::Nothing);
        }
        board.at_ms = at_ms;
        let event = json_event("board", &board)?;
        board.at_ms = 0;
        self.last = Some(board);
        Ok(Step::Send(event))
    }
}
