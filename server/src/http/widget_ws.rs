//! The widget's WebSocket (`/widget/ws`), opened with the chat cookie: the widget says
//! which line it has, receives the rest, then lines, the agent's typing and the end live.
//! Everything the server words on it (refusals, system lines, the reason it closes) is in
//! the customer's language: the widget's `?lang=`, else the upgrade request's.

use super::in_flight::InFlight;
use super::widget_queue::PlaceInLine;
use super::{
    error::AppError,
    frames::{Received, Version},
    locale::{self, Asked},
    widget::chat_from_cookie,
    AppState,
};
use crate::{
    chat::rooms::RoomEvent,
    contact::{ContactError, Flooding},
    metrics::DeliveredTo,
    services::Services,
};
use app::domain::{
    chat::ChatLine,
    ids::ContactId,
    limits::{MAX_WIDGET_SOCKETS_PER_CHAT, QUEUE_PLACE_EVERY_SECS},
    protocol::Seq,
    refusal::Reason,
    widget::{WidgetCommand, WidgetError, WidgetMessage, WIDGET_PROTOCOL_VERSION},
};
use app::i18n::Locale;
use axum::{
    extract::{
        ws::{Message, WebSocket},
        Query, State, WebSocketUpgrade,
    },
    response::{IntoResponse, Response},
};
use http::HeaderMap;
use std::{sync::Arc, time::Duration};
use tokio::sync::broadcast::error::RecvError;

const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
const PING_EVERY: Duration = Duration::from_secs(20);

pub async fn widget_socket(
    State(state): State<AppState>,
    Query(version): Query<Version>,
    Query(asked): Query<Asked>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let locale = asked.or_current();
    locale::within(locale, open(state, version, headers, upgrade, locale)).await
}

/// The upgrade, or its refusal in the customer's language.
async fn open(
    state: AppState,
    version: Version,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
    locale: Locale,
) -> Response {
    if version.other_than(WIDGET_PROTOCOL_VERSION) {
        return super::frames::close_other_version(upgrade, locale);
    }
    let Some(contact) = chat_from_cookie(&state, &headers) else {
        return AppError::NoChat.into_response();
    };
    let Some(slot) = state.services.chat.widget_slot(contact) else {
        return AppError::TooMany {
            reason: Reason::WidgetWindows {
                max: MAX_WIDGET_SOCKETS_PER_CHAT,
            },
            retry_after: Duration::from_secs(5),
        }
        .into_response();
    };
    let place = match state.socket_place() {
        Ok(place) => place,
        Err(e) => return e.into_response(),
    };
    let services = state.services.clone();
    super::frames::bounded(upgrade).on_upgrade(move |socket| async move {
        // Both places are given back when the socket ends (or if the upgrade never does).
        let _held = (slot, place);
        services.chat.widget_opened(contact);
        services.metrics.widget_opened();
        Widget {
            socket,
            contact,
            services: services.clone(),
            cursor: 0,
            heard: tokio::time::Instant::now(),
            locale,
            place: PlaceInLine::new(contact),
        }
        .run()
        .await;
        services.metrics.widget_closed();
        services.chat.widget_closed(contact).await;
    })
}

struct Widget {
    socket: WebSocket,
    contact: ContactId,
    services: Arc<Services>,
    /// The last line sent to this widget.
    cursor: Seq,
    /// When the widget last sent anything (a pong included).
    heard: tokio::time::Instant,
    /// The customer's language, taken at the upgrade (the socket outlives its request).
    locale: Locale,
    /// Issue 17: what the customer was told of their wait.
    place: PlaceInLine,
}

/// Why the loop stops: the widget left, or the chat is over and said so.
struct Stop;

enum Input {
    Command(Option<Result<WidgetCommand, WidgetError>>),
    /// The command in flight is done: what to tell the widget, if anything.
    Done(Option<WidgetMessage>),
    Room(Result<RoomEvent, RecvError>),
    Ping,
    /// Time to read the customer's place in line again.
    Place,
    /// This process may have missed other nodes' news.
    Resync,
}

impl Widget {
    async fn run(mut self) {
        let resume = match tokio::time::timeout(HELLO_TIMEOUT, self.next_command()).await {
            Ok(Some(Ok(WidgetCommand::Hello { resume_after }))) => resume_after,
            _ => return,
        };
        // Subscribe before reading the store, so no line falls in between.
        let mut room = self.services.chat.rooms.subscribe(self.contact);
        let mut resync = self.services.chat.rooms.watch_resync();
        resync.mark_unchanged();
        self.cursor = resume;
        if self.catch_up().await.is_err()
            || self
                .send(&WidgetMessage::Synced { seq: self.cursor })
                .await
                .is_err()
            || self.end_if_over().await.is_err()
        {
            return;
        }
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.tick().await;
        let mut place = tokio::time::interval(Duration::from_secs(QUEUE_PLACE_EVERY_SECS));
        let mut in_flight = InFlight::new();
        loop {
            let input = tokio::select! {
                command = self.next_command(), if in_flight.is_idle() => Input::Command(command),
                answer = in_flight.done(), if !in_flight.is_idle() => Input::Done(answer),
                event = room.recv() => Input::Room(event),
                _ = ping.tick() => Input::Ping,
                _ = place.tick() => Input::Place,
                Ok(()) = resync.changed() => Input::Resync,
            };
            let step = match input {
                Input::Command(None) => Err(Stop),
                Input::Command(Some(Ok(WidgetCommand::Hello { resume_after }))) => {
                    self.cursor = self.cursor.min(resume_after);
                    self.catch_up().await
                }
                Input::Command(Some(Ok(command))) => {
                    let services = self.services.clone();
                    in_flight.start(carry_out(services, self.contact, command, self.locale));
                    Ok(())
                }
                Input::Command(Some(Err(error))) => {
                    let refused = WidgetMessage::rejected(error, None, self.locale);
                    self.send(&refused).await
                }
                Input::Done(Some(message)) => self.send(&message).await,
                Input::Done(None) => Ok(()),
                Input::Room(Ok(RoomEvent::Line(line))) => self.forward(line).await,
                Input::Room(Ok(RoomEvent::AgentTyping(active))) => {
                    self.send(&WidgetMessage::Typing { active }).await
                }
                Input::Room(Ok(RoomEvent::Ended)) | Input::Room(Err(RecvError::Closed)) => {
                    let _ = self.catch_up().await;
                    let _ = self.send(&WidgetMessage::Ended).await;
                    Err(Stop)
                }
                Input::Room(Err(RecvError::Lagged(_))) => self.catch_up().await,
                // This process may have missed other nodes' news: lines and the chat's end
                // are read again from the store.
                Input::Resync => match self.catch_up().await {
                    Ok(()) => self.end_if_over().await,
                    Err(stop) => Err(stop),
                },
                Input::Place => match self.place.news(&self.services).await {
                    Some(news) => self.send(&news).await,
                    None => Ok(()),
                },
                Input::Ping if self.heard.elapsed() > super::frames::SILENT_LIMIT => Err(Stop),
                Input::Ping => self
                    .socket
                    .send(Message::Ping(Default::default()))
                    .await
                    .map_err(|_| Stop),
            };
            if step.is_err() {
                let _ = self.socket.send(Message::Close(None)).await;
                return;
            }
        }
    }

    /// Sends every stored line after the cursor, page by page until none is left.
    async fn catch_up(&mut self) -> Result<(), Stop> {
        loop {
            let page = self
                .services
                .chat
                .lines_page(self.contact, self.cursor)
                .await
                .map_err(|_| Stop)?;
            let done = page.len() < crate::chat::LINE_PAGE as usize;
            for line in page {
                self.send_line(line).await?;
            }
            if done {
                return Ok(());
            }
        }
    }

    async fn end_if_over(&mut self) -> Result<(), Stop> {
        let contact = self
            .services
            .store
            .contact(self.contact)
            .await
            .map_err(|_| Stop)?;
        if contact.status.is_ended() {
            self.send(&WidgetMessage::Ended).await?;
        }
        Ok(())
    }

    /// A live line: sent once and in order. One already sent is dropped; one past a gap
    /// (a line stored before it has not come through the room yet) brings the missing
    /// ones from the store first, where every line is before it is published.
    async fn forward(&mut self, line: ChatLine) -> Result<(), Stop> {
        if line.seq <= self.cursor {
            Ok(())
        } else if line.seq == self.cursor + 1 {
            let stored_at_ms = line.at_ms;
            self.send_line(line).await?;
            self.services.metrics.line_delivered(
                DeliveredTo::Customer,
                stored_at_ms,
                crate::clock::now_ms(),
            );
            Ok(())
        } else {
            self.catch_up().await
        }
    }

    async fn send_line(&mut self, line: ChatLine) -> Result<(), Stop> {
        self.cursor = line.seq;
        self.send(&WidgetMessage::line(line, self.locale)).await
    }

    /// The next command: `None` when the widget is gone (or sent too much and was closed).
    async fn next_command(&mut self) -> Option<Result<WidgetCommand, WidgetError>> {
        match super::frames::receive(&mut self.socket, &mut self.heard, self.locale).await {
            Received::Text(text) => {
                Some(serde_json::from_str(&text).map_err(|_| WidgetError::Malformed))
            }
            Received::TooLarge | Received::Gone => None,
        }
    }

    async fn send(&mut self, message: &WidgetMessage) -> Result<(), Stop> {
        let text = serde_json::to_string(message).map_err(|_| Stop)?;
        self.socket
            .send(Message::Text(text.into()))
            .await
            .map_err(|_| Stop)
    }
}

/// Carries out one command of the widget; returns the refusal to send back in the
/// customer's language, if any (what succeeded shows as the chat's lines).
async fn carry_out(
    services: Arc<Services>,
    contact: ContactId,
    command: WidgetCommand,
    locale: Locale,
) -> Option<WidgetMessage> {
    let chat = &services.chat;
    let mut refused_message = None;
    let result = match command {
        // Answered by the socket itself (it moves the cursor).
        WidgetCommand::Hello { .. } => Ok(()),
        WidgetCommand::Send { client_id, text } => {
            let sent = chat.customer_send(contact, &client_id, &text).await;
            refused_message = Some(client_id);
            sent.map(|_| ())
        }
        WidgetCommand::Typing { active } => chat.customer_typing(contact, active).await,
        WidgetCommand::End => chat.customer_end(contact).await,
    };
    let error = match result {
        Ok(()) => return None,
        Err(ContactError::Invalid(mut errors)) => match errors.pop() {
            Some(e) => WidgetError::Invalid(e),
            None => WidgetError::Malformed,
        },
        Err(ContactError::Ended) => WidgetError::ChatEnded,
        Err(ContactError::Flooding(Flooding::TooFast { per_sec, wait })) => WidgetError::TooFast {
            per_sec,
            wait_ms: wait.as_millis() as u64,
        },
        Err(ContactError::Flooding(Flooding::TooManyMessages { max })) => {
            WidgetError::TooManyMessages { max }
        }
        Err(e) => {
            tracing::error!(error = %e, "widget command failed");
            WidgetError::Internal
        }
    };
    Some(WidgetMessage::rejected(error, refused_message, locale))
}
