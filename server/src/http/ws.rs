//! The desktop WebSocket (`/ws`): one per page. The page says hello with the last sequence
//! number it saw; the server replays what it missed from the store, then forwards live
//! events of the agent's stream and applies the page's commands.

use super::in_flight::InFlight;
use super::{
    frames::{Received, Version},
    AppState,
};
use crate::{metrics::DeliveredTo, services::Services};
use app::{
    api::ApiError,
    domain::{
        chat::ChatLine,
        contact::ContactKind,
        ids::{AgentId, ContactId},
        protocol::{
            AgentEvent, ChatCursor, ClientCommand, CommandError, Envelope, Seq, ServerMessage,
            PROTOCOL_VERSION, SESSION_ENDED,
        },
        state::{AgentState, AgentStatus, StateEvent},
    },
    i18n::Locale,
};
use axum::{
    extract::{
        ws::{Message, WebSocket},
        Query, State, WebSocketUpgrade,
    },
    response::{IntoResponse, Response},
};
use http::HeaderMap;
use std::collections::HashMap;
use std::{sync::Arc, time::Duration};
use tokio::sync::broadcast::error::RecvError;

/// Events read from the store per query while replaying.
const REPLAY_BATCH: u32 = 500;
/// How long a new connection may take to say hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// Pings keep proxies from closing an idle connection and detect dead peers.
const PING_EVERY: Duration = Duration::from_secs(20);

pub async fn desktop_socket(
    State(state): State<AppState>,
    Query(version): Query<Version>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    // The page's language (its `sb_lang` cookie), for the reasons the socket closes with.
    let locale = super::locale::current();
    if version.other_than(PROTOCOL_VERSION) {
        return super::frames::close_other_version(upgrade, locale);
    }
    let services = state.services.clone();
    let place = match state.socket_place() {
        Ok(place) => place,
        Err(e) => return e.into_response(),
    };
    match services.authenticate(&headers).await {
        Ok(agent) => super::frames::bounded(upgrade).on_upgrade(move |socket| async move {
            // Given back when the socket ends (or if the upgrade never completes).
            let _place = place;
            services.metrics.ws_opened();
            services.page_opened(agent);
            let session = services
                .live_session(&headers)
                .await
                .map(|(_, hash)| hash)
                .unwrap_or_default();
            let end = Connection {
                socket,
                agent,
                session,
                services: services.clone(),
                cursor: 0,
                sent_lines: HashMap::new(),
                heard: tokio::time::Instant::now(),
                locale,
            }
            .run()
            .await;
            services.metrics.ws_closed();
            services.page_closed(agent);
            tracing::debug!(agent = %agent, ?end, "desktop socket closed");
        }),
        // A session that must first choose a password has no desktop yet.
        Err(ApiError::NotLoggedIn | ApiError::PasswordChangeRequired) => {
            super::error::AppError::NotSignedIn.into_response()
        }
        Err(e) => super::error::AppError::internal(e).into_response(),
    }
}

/// Why a connection ended.
#[derive(Debug)]
enum End {
    PeerGone,
    LoggedOut,
    /// The login session expired or was ended (a logout elsewhere, an administrator).
    SessionEnded,
    NoHello,
    Store,
}

/// One thing that woke the connection up.
enum Input {
    Command(Option<Result<ClientCommand, CommandError>>),
    /// The command in flight is done: what to tell the page, if anything.
    Done(Option<ServerMessage>),
    Event(Result<Envelope, RecvError>),
    Live(Result<ServerMessage, RecvError>),
    Ping,
    /// The login session's end time came.
    SessionDue,
    /// This process may have missed other nodes' news: read again from the store.
    Resync,
}

struct Connection {
    socket: WebSocket,
    agent: AgentId,
    /// The hash of the login session the page opened with: the connection lasts no
    /// longer than it.
    session: String,
    services: Arc<Services>,
    /// The last sequence number sent to this page.
    cursor: Seq,
    /// The last transcript line sent to this page, per chat.
    sent_lines: HashMap<ContactId, Seq>,
    /// When the page last sent anything (a pong included).
    heard: tokio::time::Instant,
    /// The page's language, taken at the upgrade (the socket outlives its request).
    locale: Locale,
}

impl Connection {
    async fn run(mut self) -> End {
        let (resume, chats) = match tokio::time::timeout(HELLO_TIMEOUT, self.next_command()).await {
            Ok(Some(Ok(ClientCommand::Hello {
                resume_after,
                chats,
            }))) => (resume_after, chats),
            Ok(Some(_)) => {
                let _ = self.reject(CommandError::HelloExpected).await;
                return End::NoHello;
            }
            Ok(None) | Err(_) => return End::NoHello,
        };
        // Subscribe before reading the store: an event stored meanwhile arrives twice at
        // worst, and the cursor drops the copy.
        let mut live = self.services.hub.subscribe(self.agent);
        let mut traffic = self.services.hub.subscribe_live(self.agent);
        let mut sessions = self.services.hub.watch_sessions(self.agent);
        sessions.mark_unchanged();
        let mut resync = self.services.hub.watch_resync();
        resync.mark_unchanged();
        if let Err(end) = self.sync(resume, chats).await {
            return end;
        }
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.tick().await;
        let mut session_ends = session_due(&self.services, &self.session).await;
        let mut in_flight = InFlight::new();
        loop {
            let input = tokio::select! {
                command = self.next_command(), if in_flight.is_idle() => Input::Command(command),
                answer = in_flight.done(), if !in_flight.is_idle() => Input::Done(answer),
                event = live.recv() => Input::Event(event),
                message = traffic.recv() => Input::Live(message),
                _ = ping.tick() => Input::Ping,
                _ = tokio::time::sleep_until(session_ends) => Input::SessionDue,
                Ok(()) = sessions.changed() => Input::SessionDue,
                Ok(()) = resync.changed() => Input::Resync,
            };
            let step = match input {
                Input::Command(None) => Err(End::PeerGone),
                // A page that saw a gap asks again from where it is.
                Input::Command(Some(Ok(ClientCommand::Hello {
                    resume_after,
                    chats,
                }))) => self.sync(resume_after, chats).await,
                Input::Command(Some(Ok(command))) => {
                    in_flight.start(carry_out(self.services.clone(), self.agent, command));
                    Ok(())
                }
                Input::Done(Some(message)) => self.send(&message).await,
                Input::Done(None) => Ok(()),
                Input::Command(Some(Err(error))) => self.reject(error).await,
                // Past a gap (another node's event not heard here yet, issue 14): read
                // from the store from where the page is.
                Input::Event(Ok(envelope)) if envelope.seq > self.cursor + 1 => self.replay().await,
                Input::Event(Ok(envelope)) => self.forward(envelope).await,
                // Too far behind the live channel: catch up from the store.
                Input::Event(Err(RecvError::Lagged(_))) => self.replay().await,
                Input::Event(Err(RecvError::Closed)) => Err(End::PeerGone),
                Input::Live(Ok(message)) => self.forward_live(message).await,
                // Chat traffic missed: send each held chat's lines from the store.
                Input::Live(Err(RecvError::Lagged(_))) => self.catch_up_all().await,
                Input::Live(Err(RecvError::Closed)) => Err(End::PeerGone),
                // Each ping also checks the session: one ended elsewhere ends this page too.
                // A page silent past the limit has lost its connection (S-5 grace follows).
                Input::Ping if self.heard.elapsed() > super::frames::SILENT_LIMIT => {
                    Err(End::PeerGone)
                }
                Input::Ping => match check_session(&self.services, &self.session, self.agent).await
                {
                    Ok(()) => self
                        .socket
                        .send(Message::Ping(Default::default()))
                        .await
                        .map_err(|_| End::PeerGone),
                    Err(end) => Err(end),
                },
                Input::Resync => match self.replay().await {
                    Ok(()) => self.catch_up_all().await,
                    Err(end) => Err(end),
                },
                Input::SessionDue => {
                    session_ends = session_due(&self.services, &self.session).await;
                    check_session(&self.services, &self.session, self.agent).await
                }
            };
            if let Err(End::SessionEnded) = step {
                let frame = axum::extract::ws::CloseFrame {
                    code: SESSION_ENDED,
                    reason: ApiError::NotLoggedIn.message(self.locale).into(),
                };
                let _ = self.socket.send(Message::Close(Some(frame))).await;
                return End::SessionEnded;
            }
            if let Err(end) = step {
                let _ = self.socket.send(Message::Close(None)).await;
                return end;
            }
        }
    }

    /// Brings the page up to date: missed events after `resume` (or a snapshot), then the
    /// transcript lines it lacks of every chat the agent holds.
    async fn sync(&mut self, resume: Option<Seq>, chats: Vec<ChatCursor>) -> Result<(), End> {
        for cursor in chats {
            self.sent_lines.insert(cursor.contact, cursor.seq);
        }
        match resume {
            Some(after) => {
                self.cursor = after;
                self.replay().await?;
            }
            None => self.snapshot().await?,
        }
        self.catch_up_all().await?;
        self.send(&ServerMessage::Synced { seq: self.cursor }).await
    }

    /// The agent's status and the number of their last event (`&mut`: the connection is
    /// not `Sync`).
    async fn status_now(&mut self) -> Result<(AgentStatus, Seq), End> {
        self.services
            .store
            .agent_status(self.agent)
            .await
            .map_err(|_| End::Store)
    }

    /// The chats the agent holds now.
    async fn held_now(&mut self) -> Result<Vec<ContactId>, End> {
        let held = self
            .services
            .chat
            .held_by(self.agent)
            .await
            .map_err(|_| End::Store)?;
        Ok(held.into_iter().map(|contact| contact.id).collect())
    }

    /// Events were removed where the page is: it starts again from the agent's state, and
    /// is sent the lines it lacks of every chat the agent holds now (one assigned among the
    /// events removed included; one no longer held is forgotten).
    async fn start_again(&mut self) -> Result<(), End> {
        self.snapshot().await?;
        let held = self.held_now().await?;
        self.sent_lines.retain(|contact, _| held.contains(contact));
        self.catch_up_each(held).await
    }

    /// The agent's state and work as they are now, in place of the events before.
    async fn snapshot(&mut self) -> Result<(), End> {
        let (status, seq) = self.status_now().await?;
        let work = self
            .services
            .chat
            .work_of(self.agent)
            .await
            .map_err(|_| End::Store)?;
        self.cursor = seq;
        self.send(&ServerMessage::Snapshot { status, seq, work })
            .await
    }

    /// Sends the lines the page lacks of every chat the agent holds.
    async fn catch_up_all(&mut self) -> Result<(), End> {
        let held = self.held_now().await?;
        self.catch_up_each(held).await
    }

    async fn catch_up_each(&mut self, held: Vec<ContactId>) -> Result<(), End> {
        for contact in held {
            self.catch_up(contact).await?;
        }
        Ok(())
    }

    /// Sends the page every stored line of the chat after the last one it has, page by
    /// page until none is left. A page that has none of the chat's lines starts at its
    /// last 100 messages (SPEC G-2).
    async fn catch_up(&mut self, contact: ContactId) -> Result<(), End> {
        let chat = self.services.chat.clone();
        let mut after = match self.sent_lines.get(&contact) {
            Some(sent) => *sent,
            None => chat.history_start(contact).await.map_err(|_| End::Store)?,
        };
        self.sent_lines.insert(contact, after);
        loop {
            let page = chat
                .lines_page(contact, after)
                .await
                .map_err(|_| End::Store)?;
            let done = page.len() < crate::chat::LINE_PAGE as usize;
            for line in page {
                after = line.seq;
                self.send_line(contact, line).await?;
            }
            if done {
                break;
            }
        }
        // A Messenger or WhatsApp chat's ticks, as they stand (none for a web chat).
        let statuses = self
            .services
            .store
            .meta_line_statuses(contact)
            .await
            .map_err(|_| End::Store)?;
        for (seq, status) in statuses {
            self.send(&ServerMessage::LineStatus {
                contact,
                seq,
                status,
            })
            .await?;
        }
        Ok(())
    }

    /// Sends chat traffic. Each chat's lines reach the page once and in order: a line
    /// already sent is dropped; a line past a gap (another line stored before it has not
    /// come through the live channel yet) brings the missing ones from the store first,
    /// where every line is before it is published. Lines of a chat the page does not have
    /// yet are left to the catch-up that comes with its assignment.
    async fn forward_live(&mut self, message: ServerMessage) -> Result<(), End> {
        let ServerMessage::ChatLine { contact, line } = message else {
            return self.send(&message).await;
        };
        match self.sent_lines.get(&contact) {
            None => Ok(()),
            Some(sent) if line.seq <= *sent => Ok(()),
            Some(sent) if line.seq == *sent + 1 => {
                let stored_at_ms = line.at_ms;
                self.send_line(contact, line).await?;
                self.services.metrics.line_delivered(
                    DeliveredTo::Agent,
                    stored_at_ms,
                    crate::clock::now_ms(),
                );
                Ok(())
            }
            Some(_) => self.catch_up(contact).await,
        }
    }

    async fn send_line(&mut self, contact: ContactId, line: ChatLine) -> Result<(), End> {
        self.sent_lines.insert(contact, line.seq);
        self.send(&ServerMessage::ChatLine { contact, line }).await
    }

    async fn replay(&mut self) -> Result<(), End> {
        // Read first: an event stored after this read is not taken for one removed.
        let (_, end) = self.status_now().await?;
        loop {
            let batch = self
                .services
                .store
                .events_after(self.agent, self.cursor, REPLAY_BATCH)
                .await
                .map_err(|_| End::Store)?;
            // Events are numbered without gaps: one missing was removed (kept a day, or
            // about a customer erased since, issue 17). The page starts again from the
            // agent's state now.
            if batch.is_empty() && end > self.cursor {
                return self.start_again().await;
            }
            let done = batch.len() < REPLAY_BATCH as usize;
            for envelope in batch {
                if envelope.seq > self.cursor + 1 {
                    return self.start_again().await;
                }
                self.forward(envelope).await?;
            }
            if done {
                return Ok(());
            }
        }
    }

    /// Sends an event the page has not seen yet; ends the connection after a logout.
    async fn forward(&mut self, envelope: Envelope) -> Result<(), End> {
        if envelope.seq <= self.cursor {
            return Ok(());
        }
        self.cursor = envelope.seq;
        let logged_out = matches!(
            &envelope.event,
            AgentEvent::StateChanged { status, .. } if status.state == AgentState::LoggedOut
        );
        // A chat the agent left: a later return (invited again) starts from its history.
        if let AgentEvent::ContactClosed { contact, .. } | AgentEvent::LeftChat { contact } =
            &envelope.event
        {
            self.sent_lines.remove(contact);
        }
        let assigned = match &envelope.event {
            AgentEvent::ContactAssigned { contact }
                if contact.channel.kind() == ContactKind::Chat =>
            {
                Some(contact.contact)
            }
            _ => None,
        };
        self.send(&ServerMessage::Event(envelope)).await?;
        // A chat just accepted or joined: its last 100 messages (SPEC G-2), the welcome
        // line and what the customer wrote while waiting among them.
        if let Some(contact) = assigned {
            if !self.sent_lines.contains_key(&contact) {
                self.catch_up(contact).await?;
            }
        }
        if logged_out {
            Err(End::LoggedOut)
        } else {
            Ok(())
        }
    }

    /// The next command from the page: `None` when the page is gone.
    async fn next_command(&mut self) -> Option<Result<ClientCommand, CommandError>> {
        match super::frames::receive(&mut self.socket, &mut self.heard, self.locale).await {
            Received::Text(text) => {
                Some(serde_json::from_str(&text).map_err(|_| CommandError::Malformed))
            }
            Received::TooLarge | Received::Gone => None,
        }
    }

    async fn reject(&mut self, error: CommandError) -> Result<(), End> {
        self.send(&ServerMessage::Rejected {
            error,
            client_id: None,
        })
        .await
    }

    async fn send(&mut self, message: &ServerMessage) -> Result<(), End> {
        let text = serde_json::to_string(message).map_err(|_| End::PeerGone)?;
        self.socket
            .send(Message::Text(text.into()))
            .await
            .map_err(|_| End::PeerGone)
    }
}

/// When the login session ends, on tokio's clock (soon, to look again, when unreadable).
async fn session_due(services: &Services, session: &str) -> tokio::time::Instant {
    let clock = crate::clock::TokioClock::start();
    match services.store.session_expiry(session).await {
        Ok(Some(at)) => clock.instant_at(at),
        _ => tokio::time::Instant::now() + PING_EVERY,
    }
}

/// The page's login session is still valid.
async fn check_session(services: &Services, session: &str, agent: AgentId) -> Result<(), End> {
    match services
        .store
        .session_agent(session, crate::clock::now_ms())
        .await
    {
        Ok(Some(holder)) if holder.agent == agent && !holder.must_change_password => Ok(()),
        Ok(_) => Err(End::SessionEnded),
        Err(e) => {
            tracing::warn!(error = %e, "session not checked");
            Ok(())
        }
    }
}

/// Carries out one command of the page; returns what to send back, if anything: a
/// refusal, or the invite list's figures. What succeeded shows through the agent's
/// events and the chats' lines.
async fn carry_out(
    services: Arc<Services>,
    agent: AgentId,
    command: ClientCommand,
) -> Option<ServerMessage> {
    let chat = &services.chat;
    // A refused message is named, so the page stops sending it.
    let message_id = match &command {
        ClientCommand::Send { client_id, .. } | ClientCommand::SendTemplate { client_id, .. } => {
            Some(client_id.clone())
        }
        _ => None,
    };
    let result = match command {
        // Answered by the socket itself (it resynchronises the page).
        ClientCommand::Hello { .. } => Ok(()),
        ClientCommand::Accept { contact } => chat.accept(agent, contact).await,
        ClientCommand::Send {
            contact,
            client_id,
            text,
        } => chat
            .agent_send(agent, contact, &client_id, &text)
            .await
            .map(|_| ()),
        ClientCommand::SendTemplate {
            contact,
            client_id,
            template,
        } => chat
            .agent_send_template(agent, contact, &client_id, &template)
            .await
            .map(|_| ()),
        ClientCommand::Typing { contact, active } => {
            chat.agent_typing(agent, contact, active).await
        }
        ClientCommand::EndChat { contact } => chat.agent_end(agent, contact).await,
        ClientCommand::Invite {
            contact,
            csq,
            notes,
        } => chat.invite(agent, contact, csq, &notes).await,
        ClientCommand::AnswerInvitation { contact, accept } => {
            chat.answer_invitation(agent, contact, accept).await
        }
        ClientCommand::Leave { contact } => chat.leave(agent, contact).await,
        ClientCommand::Availability { contact } => match chat.availability(agent, contact).await {
            Ok(csqs) => return Some(ServerMessage::Availability { contact, csqs }),
            Err(e) => Err(e),
        },
        ClientCommand::Requeue { contact, csq } => {
            services.email.requeue(agent, contact, csq).await
        }
        ClientCommand::Discard { contact } => services.email.discard(agent, contact).await,
        ClientCommand::FindCustomer { contact, address } => {
            match chat.find_customer(agent, contact, &address).await {
                Ok((address, found)) => {
                    return Some(ServerMessage::CustomerFound {
                        contact,
                        address,
                        found: found.map(Box::new),
                    })
                }
                Err(e) => Err(e),
            }
        }
        ClientCommand::LinkCustomer { contact, customer } => {
            chat.link_customer(agent, contact, customer).await
        }
        ClientCommand::AddCustomerNote { contact, text } => {
            chat.add_customer_note(agent, contact, &text).await
        }
        ClientCommand::SetCustomerTags { contact, tags } => {
            chat.set_customer_tags(agent, contact, &tags).await
        }
        ClientCommand::ReadPast { contact, past } => {
            match chat.read_past(agent, contact, past).await {
                Ok(read) => {
                    return Some(ServerMessage::PastRead {
                        contact,
                        past: Box::new(read),
                    })
                }
                Err(e) => Err(e),
            }
        }
        ClientCommand::SetWrapUp { contact, reasons } => {
            chat.set_wrap_up(agent, contact, &reasons).await
        }
        ClientCommand::SetState { ready } => {
            let event = if ready {
                StateEvent::SetReady
            } else {
                StateEvent::SetNotReady
            };
            // The resulting event reaches the page through the live channel.
            let error = match services.hub.apply(agent, event).await {
                Ok(_) => return None,
                Err(crate::hub::HubError::State(e)) => CommandError::State(e),
                Err(crate::hub::HubError::Store(e)) => {
                    tracing::error!(error = %e, "state change not stored");
                    CommandError::Internal
                }
            };
            return Some(ServerMessage::Rejected {
                error,
                client_id: None,
            });
        }
    };
    result.err().map(|e| {
        let error = e.for_desktop();
        // A failure of ours may pass: the page sends the message again on reconnection.
        let refused = !matches!(error, CommandError::Internal);
        ServerMessage::Rejected {
            error,
            client_id: message_id.filter(|_| refused),
        }
    })
}
