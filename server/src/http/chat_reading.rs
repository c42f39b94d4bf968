//! Issue 18 (D-3): a chat read live by a supervisor. `GET /supervision/chats/{id}/live`
//! answers with a stream of server-sent events (see [`super::supervision::stream`]): a
//! `reading` at once with the whole transcript, then one whenever lines came or the people
//! in it changed, and a last one when the chat ends. The customer is not told; opening a
//! reading is audited.

use super::{
    error::AppError,
    supervision::{json_event, refused, stream, Source, Step},
    AppState,
};
use crate::services::Services;
use app::{
    api::ApiError,
    domain::{ids::ContactId, protocol::Seq, supervision::ChatReading},
};
use axum::{
    extract::{Path, State},
    response::Response,
};
use http::HeaderMap;
use std::sync::Arc;

/// GET /supervision/chats/{id}/live
pub async fn live(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let place = state.socket_place()?;
    let services = state.services.clone();
    let id = ContactId(id);
    // A browser connecting again says the last line it has (each reading's id): it gets
    // what came since, and the reading is not audited again.
    let resumed: Option<Seq> = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    // Refusals answer with their status, which the page reads, before the stream starts.
    services
        .open_chat_reading(&headers, id, resumed.is_none())
        .await
        .map_err(refused)?;
    let reading = Reading {
        services: services.clone(),
        headers,
        id,
        after: resumed.unwrap_or(0),
        said: None,
    };
    Ok(stream(&services, reading, place))
}

/// One reader of one chat.
struct Reading {
    services: Arc<Services>,
    headers: HeaderMap,
    id: ContactId,
    /// The last line sent.
    after: Seq,
    /// Who was in the chat and whether it had ended, as last sent.
    said: Option<(Vec<String>, bool, bool)>,
}

impl Source for Reading {
    async fn read(&mut self) -> Result<Step, ApiError> {
        let reading: ChatReading = self
            .services
            .read_chat(&self.headers, self.id, self.after)
            .await?;
        let said = Some((reading.agents.clone(), reading.joined, reading.ended));
        // An ended chat whose every line is sent: the last reading, and the stream ends.
        let last = reading.ended && reading.complete;
        if reading.lines.is_empty() && said == self.said && !last {
            return Ok(Step::Nothing);
        }
        if let Some(line) = reading.lines.last() {
            self.after = line.seq;
        }
        self.said = said;
        let event = json_event("reading", &reading)?.id(self.after.to_string());
        Ok(if last {
            Step::Last(event)
        } else {
            Step::Send(event)
        })
    }
}
