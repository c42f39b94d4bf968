//! The desktop's live view of the agent: signals fed by the WebSocket. The stream rules
//! (order, duplicates, gaps) are the domain's [`StreamCursor`]; this only applies them.

use crate::domain::{
    protocol::{AgentEvent, ClientCommand, Delivery, Seq, ServerMessage, StreamCursor},
    state::{AgentState, AgentStatus},
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
    pub status: RwSignal<AgentStatus>,
    pub connection: RwSignal<ConnectionState>,
    /// The latest refusal or problem to show in the notification area.
    pub notice: RwSignal<Option<String>>,
    cursor: StoredValue<StreamCursor>,
    #[cfg(feature = "hydrate")]
    socket: StoredValue<Option<std::rc::Rc<super::socket::Socket>>, LocalStorage>,
}

impl Live {
    pub fn new(status: AgentStatus, seq: Seq) -> Self {
        Live {
            status: RwSignal::new(status),
            connection: RwSignal::new(ConnectionState::Connecting),
            notice: RwSignal::new(None),
            cursor: StoredValue::new(StreamCursor::new(seq)),
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

    /// The stream position to resume from after a reconnect.
    pub fn last_seq(&self) -> Seq {
        self.cursor.with_value(|c| c.last_seq)
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

    /// Applies one message from the server; returns a command to send back (a resync).
    pub fn handle(&self, message: ServerMessage) -> Option<ClientCommand> {
        match message {
            ServerMessage::Snapshot { status, seq } => {
                self.cursor.set_value(StreamCursor::new(seq));
                self.status.set(status);
            }
            ServerMessage::Event(envelope) => {
                let delivery = self.cursor.try_update_value(|c| c.deliver(envelope.seq))?;
                match delivery {
                    Delivery::Apply => match envelope.event {
                        AgentEvent::StateChanged { status, .. } => self.status.set(status),
                    },
                    Delivery::Duplicate => {}
                    Delivery::Gap => {
                        return Some(ClientCommand::Hello {
                            resume_after: Some(self.last_seq()),
                        })
                    }
                }
            }
            ServerMessage::Synced { .. } => self.connection.set(ConnectionState::Live),
            ServerMessage::Rejected { error } => self.notice.set(Some(error.to_string())),
        }
        None
    }

    /// True once the agent has been logged out (here or in another tab).
    pub fn logged_out(&self) -> bool {
        self.status.with(|s| s.state == AgentState::LoggedOut)
    }
}
