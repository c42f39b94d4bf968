//! The desktop's live state: a [`DesktopModel`] fed by the WebSocket. The stream rules
//! (order, duplicates, gaps) are the domain's [`StreamCursor`]; the model's rules are in
//! [`super::model`]; this only connects them to signals.

use super::model::{Cue, DesktopModel, Pending};
use crate::domain::{
    gadget_api::DeskMessage,
    ids::{ContactId, WrapUpReasonId},
    message_template::TemplateUse,
    protocol::{
        AgentEvent, ClientCommand, CsqAvailability, Delivery, Seq, ServerMessage, StreamCursor,
        Work,
    },
    state::{AgentState, AgentStatus, StateReason},
};
use leptos::prelude::*;

/// Whether the page's WebSocket is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    Connecting,
    Live,
    Reconnecting,
}

/// Shared by every component of the desktop through the context.
#[derive(Clone, Copy)]
pub struct Live {
    pub model: RwSignal<DesktopModel>,
    pub status: Memo<AgentStatus>,
    pub connection: RwSignal<ConnectionState>,
    /// The latest refusal or problem to show in the notification area.
    pub notice: RwSignal<Option<String>>,
    /// The latest cue with a counter, so that the same cue twice still triggers effects.
    pub cue: RwSignal<Option<(u32, Cue)>>,
    /// What a screen reader says of a customer's new message ("Zoé: hello"), in a live
    /// region of the page: lines shown anywhere on the page are otherwise silent.
    pub announcement: RwSignal<String>,
    /// SPEC G-1: the invite list's figures, for the chat whose pane asked.
    pub availability: RwSignal<(Option<ContactId>, Vec<CsqAvailability>)>,
    /// Issue 17: the earlier conversation opened from a contact's history, read-only.
    pub past: RwSignal<Option<(ContactId, crate::domain::customer::PastConversation)>>,
    /// The page's language, for the refusals the server sends as codes.
    locale: crate::i18n::Locale,
    /// SPEC D-1: messages for the host desktop, in order, while a host listens
    /// ([`super::host`]); nothing is kept when none does.
    host_outbox: RwSignal<Vec<DeskMessage>>,
    host_listens: StoredValue<bool>,
    cursor: StoredValue<StreamCursor>,
    next_id: StoredValue<u32>,
    #[cfg(feature = "hydrate")]
    socket: StoredValue<Option<std::rc::Rc<super::socket::Socket>>, LocalStorage>,
}

impl Live {
    pub fn new(status: AgentStatus, seq: Seq, work: Work) -> Self {
        let model = RwSignal::new(DesktopModel::new(status, work));
        Live {
            model,
            status: Memo::new(move |_| model.with(|m| m.status)),
            connection: RwSignal::new(ConnectionState::Connecting),
            notice: RwSignal::new(None),
            cue: RwSignal::new(None),
            availability: RwSignal::new((None, Vec::new())),
            past: RwSignal::new(None),
            announcement: RwSignal::new(String::new()),
            locale: crate::i18n::use_i18n().get_locale_untracked(),
            host_outbox: RwSignal::new(Vec::new()),
            host_listens: StoredValue::new(false),
            cursor: StoredValue::new(StreamCursor::new(seq)),
            next_id: StoredValue::new(0),
            #[cfg(feature = "hydrate")]
            socket: StoredValue::new_local(None),
        }
    }

    /// Opens the WebSocket once the page runs in the browser (no-op on the server).
    pub fn connect(self) {
        #[cfg(feature = "hydrate")]
        Effect::new(move |_| {
            if self.socket.with_value(Option::is_none) {
                self.socket
                    .set_value(Some(super::socket::Socket::open(self)));
            }
        });
    }

    /// The first message of every connection: where the page is in each stream.
    pub fn hello(&self) -> ClientCommand {
        ClientCommand::Hello {
            resume_after: Some(self.cursor.with_value(|c| c.last_seq)),
            chats: self.model.with_untracked(|m| m.cursors()),
        }
    }

    /// Messages not confirmed yet, to send again after a reconnect.
    pub fn unconfirmed(&self) -> Vec<ClientCommand> {
        self.model.with_untracked(|m| {
            m.pending
                .iter()
                .filter(|p| !p.refused)
                .map(|p| match &p.template {
                    Some(template) => ClientCommand::SendTemplate {
                        contact: p.contact,
                        client_id: p.client_id.clone(),
                        template: template.clone(),
                    },
                    None => ClientCommand::Send {
                        contact: p.contact,
                        client_id: p.client_id.clone(),
                        text: p.text.clone(),
                    },
                })
                .collect()
        })
    }

    /// Sends a command, queued until the connection is back if it is down.
    pub fn send(&self, command: ClientCommand) {
        #[cfg(feature = "hydrate")]
        self.socket.with_value(|s| {
            if let Some(s) = s {
                s.send(&command);
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = command;
    }

    pub fn set_ready(&self, ready: bool) {
        self.notice.set(None);
        self.send(ClientCommand::SetState { ready });
    }

    pub fn accept(&self, contact: ContactId) {
        self.send(ClientCommand::Accept { contact });
    }

    pub fn end_chat(&self, contact: ContactId) {
        self.send(ClientCommand::EndChat { contact });
    }

    /// SPEC W-1: shows the new choice at once and sends it; the server's stored choice
    /// comes back as an event (the same, unless the server refused it).
    pub fn set_wrap_up(&self, contact: ContactId, reasons: Vec<WrapUpReasonId>) {
        self.model.update(|m| {
            m.apply_event(AgentEvent::WrapUpChanged {
                contact,
                reasons: reasons.clone(),
            });
        });
        self.send(ClientCommand::SetWrapUp { contact, reasons });
    }

    pub fn typing(&self, contact: ContactId, active: bool) {
        self.send(ClientCommand::Typing { contact, active });
    }

    /// SPEC P-1, K-3: sends a message with an id of its own; it shows as sending until
    /// the server's copy comes back.
    pub fn send_message(&self, contact: ContactId, text: String) {
        let client_id = self.message_id();
        self.model.update(|m| {
            m.pending.push(Pending {
                contact,
                client_id: client_id.clone(),
                text: text.clone(),
                template: None,
                refused: false,
            })
        });
        self.send(ClientCommand::Send {
            contact,
            client_id,
            text,
        });
    }

    /// SPEC F-3: sends a WhatsApp template with its values (`text`: as the customer will
    /// read it), shown as sending as a message is.
    pub fn send_template(&self, contact: ContactId, template: TemplateUse, text: String) {
        let client_id = self.message_id();
        self.model.update(|m| {
            m.pending.push(Pending {
                contact,
                client_id: client_id.clone(),
                text,
                template: Some(template.clone()),
                refused: false,
            })
        });
        self.send(ClientCommand::SendTemplate {
            contact,
            client_id,
            template,
        });
    }

    /// Issue 16: asks which known customer `address` belongs to, for a chat's details.
    pub fn find_customer(
        &self,
        contact: ContactId,
        address: &crate::domain::customer::CustomerAddress,
    ) {
        self.model.update(|m| m.asking(contact, address.clone()));
        self.send(ClientCommand::FindCustomer {
            contact,
            address: address.shown(),
        });
    }

    /// Issue 17: opens one of the customer's earlier conversations, read-only.
    pub fn read_past(&self, contact: ContactId, past: ContactId) {
        self.send(ClientCommand::ReadPast { contact, past });
    }

    /// A message refused and kept on the page is put away by the agent.
    pub fn dismiss(&self, client_id: &str) {
        self.model
            .update(|m| m.pending.retain(|p| p.client_id != client_id));
    }

    /// An id of its own for the page's next message.
    fn message_id(&self) -> String {
        let n = self.next_id.try_update_value(|n| {
            *n += 1;
            *n
        });
        format!("a{}-{}", session_nonce(), n.unwrap_or_default())
    }

    /// Issue 18: what the agent is told when a supervisor set them Not Ready (at once, or
    /// after the contacts in hand). A logout by a supervisor closes the page instead.
    fn by_supervisor(&self, event: &AgentEvent) -> Option<String> {
        use crate::i18n::td_string;
        let AgentEvent::StateChanged {
            status,
            reason: StateReason::Supervisor,
        } = event
        else {
            return None;
        };
        let text = match status.state {
            AgentState::LoggedOut => return None,
            AgentState::Reserved if status.not_ready_pending => {
                td_string!(self.locale, desktop.top_bar.not_ready_next_by_supervisor)
            }
            _ => td_string!(self.locale, desktop.top_bar.set_not_ready_by_supervisor),
        };
        Some(text.to_string())
    }

    fn raise(&self, cue: Cue) {
        self.cue
            .update(|c| *c = Some((c.map_or(0, |(n, _)| n.wrapping_add(1)), cue)));
    }

    /// Applies one message from the server; returns a command to send back (a resync).
    pub fn handle(&self, message: ServerMessage, now_ms: i64) -> Option<ClientCommand> {
        match message {
            ServerMessage::Snapshot { status, seq, work } => {
                self.cursor.set_value(StreamCursor::new(seq));
                self.model.update(|m| m.reset(status, work));
            }
            ServerMessage::Event(envelope) => {
                let delivery = self.cursor.try_update_value(|c| c.deliver(envelope.seq))?;
                match delivery {
                    Delivery::Apply => {
                        if let AgentEvent::InviteResult {
                            outcome,
                            message,
                            who,
                            csq,
                            ..
                        } = &envelope.event
                        {
                            // Worded in the page's language; an event recorded before the
                            // names were carried has none: the server's words then.
                            let text = if csq.is_empty() {
                                message.clone()
                            } else {
                                outcome.message(self.locale, who, csq)
                            };
                            self.notice.set(Some(text));
                        }
                        if let Some(text) = self.by_supervisor(&envelope.event) {
                            self.notice.set(Some(text));
                        }
                        if self.host_listens.get_value() {
                            let told = self
                                .model
                                .with_untracked(|m| super::host::events_for(&envelope.event, m));
                            if !told.is_empty() {
                                self.host_outbox.update(|q| q.extend(told));
                            }
                        }
                        let mut cue = None;
                        self.model.update(|m| cue = m.apply_event(envelope.event));
                        if let Some(cue) = cue {
                            self.raise(cue);
                        }
                    }
                    Delivery::Duplicate => {}
                    Delivery::Gap => return Some(self.hello()),
                }
            }
            ServerMessage::Synced { .. } => self.connection.set(ConnectionState::Live),
            ServerMessage::Rejected { error, client_id } => {
                if let Some(id) = client_id {
                    self.model.update(|m| m.refuse(&id));
                }
                // A known customer linked away meanwhile: what was found is asked again.
                if error == crate::domain::protocol::CommandError::CustomerGone {
                    self.model.update(|m| m.forget_lookups());
                }
                self.notice.set(Some(error.message(self.locale)));
            }
            ServerMessage::ChatLine { contact, line } => {
                // Lines that arrive live; those a (re)connection brings before it is in
                // sync are history, not news.
                let live_now = self.connection.get_untracked() == ConnectionState::Live;
                let spoken = self.model.with_untracked(|m| {
                    m.tab(contact)
                        .filter(|t| live_now && !t.lines.contains_key(&line.seq))
                        .and_then(|_| announced(&line))
                });
                if let Some(text) = spoken {
                    // The same words twice are still a new message: a screen reader says a
                    // live region again only when its text changes.
                    self.announcement.update(|said| {
                        *said = if *said == text {
                            format!("{text}\u{a0}")
                        } else {
                            text
                        }
                    });
                }
                let mut added = Ok(None);
                self.model
                    .update(|m| added = m.add_line(contact, line, now_ms));
                match added {
                    Ok(Some(cue)) => self.raise(cue),
                    Ok(None) => {}
                    // Lines missing before this one: resume from the last one held.
                    Err(_) => return Some(self.hello()),
                }
            }
            ServerMessage::Typing {
                contact,
                active,
                who,
            } => {
                self.model.update(|m| m.set_typing(contact, active, who));
            }
            ServerMessage::LineStatus {
                contact,
                seq,
                status,
            } => {
                self.model
                    .update(|m| m.set_line_status(contact, seq, status));
            }
            // The invite list asks for these while it is open (next: its view).
            ServerMessage::Availability { contact, csqs } => {
                self.availability.set((Some(contact), csqs));
            }
            ServerMessage::PastRead { contact, past } => {
                self.past.set(Some((contact, *past)));
            }
            ServerMessage::CustomerFound {
                contact,
                address,
                found,
            } => {
                self.model
                    .update(|m| m.found_customer(contact, address, found.map(|f| *f)));
            }
        }
        None
    }

    /// From now on, stream events are told to a host desktop too.
    pub fn open_host_outbox(&self) {
        self.host_listens.set_value(true);
    }

    /// Tracks the host's messages (in an effect that then takes them).
    pub fn host_outbox_changed(&self) {
        self.host_outbox.track();
    }

    /// The host's messages not yet sent, oldest first.
    pub fn take_host_messages(&self) -> Vec<DeskMessage> {
        let mut taken = Vec::new();
        self.host_outbox
            .update_untracked(|q| taken = std::mem::take(q));
        taken
    }

    /// True once the agent has been logged out (here or in another tab).
    pub fn logged_out(&self) -> bool {
        self.model
            .with_untracked(|m| m.status.state == AgentState::LoggedOut)
    }
}

/// What is said of a new line: a customer's message.
fn announced(line: &crate::domain::chat::ChatLine) -> Option<String> {
    use crate::domain::chat::{Author, LineBody};
    match &line.body {
        LineBody::Message {
            author: Author::Customer { name },
            text,
            files,
            ..
        } => {
            // A photo or document alone is announced by its name.
            let said = [text.as_str()]
                .into_iter()
                .chain(files.iter().map(|f| f.name.as_str()))
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            Some(format!("{name}: {said}"))
        }
        _ => None,
    }
}

/// A random word per page, so message ids from two tabs never collide.
fn session_nonce() -> u32 {
    #[cfg(feature = "hydrate")]
    {
        use std::sync::OnceLock;
        static NONCE: OnceLock<u32> = OnceLock::new();
        *NONCE.get_or_init(|| (js_sys::Math::random() * f64::from(u32::MAX)) as u32)
    }
    #[cfg(not(feature = "hydrate"))]
    0
}
