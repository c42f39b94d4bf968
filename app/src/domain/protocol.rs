//! The desktop's realtime protocol over one WebSocket per page (`/ws`).
//!
//! Each agent has one event stream; every event in it carries the next sequence number of
//! that stream. A page that reconnects says the last number it saw and receives exactly the
//! events it missed, in order, then [`ServerMessage::Synced`].

use super::state::{AgentStatus, StateError, StateReason};
use serde::{Deserialize, Serialize};

/// Position in an agent's event stream. 0 means "before the first event".
pub type Seq = u64;

/// What a desktop page sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientCommand {
    /// First message on every connection. With `resume_after`, the server replays the
    /// events after that number; without it, the server sends a [`ServerMessage::Snapshot`].
    Hello { resume_after: Option<Seq> },
    /// The agent picks Ready or Not Ready (SPEC S-2).
    SetState { ready: bool },
}

/// Something that happened in an agent's stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentEvent {
    /// The agent's state changed (SPEC S-6: with its reason and time).
    StateChanged {
        status: AgentStatus,
        reason: StateReason,
    },
}

/// One event with its place in the stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    pub seq: Seq,
    /// Unix milliseconds when the server recorded it.
    pub at_ms: i64,
    pub event: AgentEvent,
}

/// Why the server refused a command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum CommandError {
    #[error("{0}")]
    State(StateError),
    #[error("The first message must be hello.")]
    HelloExpected,
    #[error("The command could not be read.")]
    Malformed,
    #[error("Something went wrong on the server; try again.")]
    Internal,
}

/// What the server sends to a desktop page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The current state and the stream position it reflects.
    Snapshot {
        status: AgentStatus,
        seq: Seq,
    },
    Event(Envelope),
    /// All missed events have been replayed; live events follow.
    Synced {
        seq: Seq,
    },
    Rejected {
        error: CommandError,
    },
}

/// A page's position in its agent's stream: which events to apply, skip or ask for again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StreamCursor {
    pub last_seq: Seq,
}

/// What to do with an incoming event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The next event: apply it.
    Apply,
    /// Already seen (a replay overlapping a live event): ignore it.
    Duplicate,
    /// Events are missing before it: ask the server to resume after `last_seq`.
    Gap,
}

impl StreamCursor {
    pub fn new(last_seq: Seq) -> Self {
        StreamCursor { last_seq }
    }

    /// Classifies an event and advances past it when it is the next one.
    pub fn deliver(&mut self, seq: Seq) -> Delivery {
        if seq <= self.last_seq {
            Delivery::Duplicate
        } else if seq == self.last_seq + 1 {
            self.last_seq = seq;
            Delivery::Apply
        } else {
            Delivery::Gap
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::state::AgentState;

    #[test]
    fn commands_are_tagged_json() {
        let json = serde_json::to_string(&ClientCommand::SetState { ready: true }).unwrap();
        assert_eq!(json, r#"{"type":"set_state","ready":true}"#);
        let hello: ClientCommand =
            serde_json::from_str(r#"{"type":"hello","resume_after":4}"#).unwrap();
        assert_eq!(
            hello,
            ClientCommand::Hello {
                resume_after: Some(4)
            }
        );
    }

    #[test]
    fn every_event_carries_its_sequence_number() {
        let msg = ServerMessage::Event(Envelope {
            seq: 9,
            at_ms: 1,
            event: AgentEvent::StateChanged {
                status: AgentStatus {
                    state: AgentState::Ready,
                    ..AgentStatus::default()
                },
                reason: StateReason::AgentRequest,
            },
        });
        let json = serde_json::to_value(&msg).unwrap();
        assert_eq!(json["seq"], 9);
        assert_eq!(json["event"]["status"]["state"], "ready");
        let back: ServerMessage = serde_json::from_value(json).unwrap();
        assert_eq!(back, msg);
    }

    #[test]
    fn cursor_applies_in_order_skips_duplicates_and_spots_gaps() {
        let mut c = StreamCursor::new(3);
        assert_eq!(c.deliver(3), Delivery::Duplicate);
        assert_eq!(c.deliver(4), Delivery::Apply);
        assert_eq!(c.deliver(6), Delivery::Gap);
        assert_eq!(c.last_seq, 4, "a gap does not advance the cursor");
        assert_eq!(c.deliver(5), Delivery::Apply);
        assert_eq!(c.deliver(6), Delivery::Apply);
    }

    #[test]
    fn rejections_carry_the_state_error() {
        let msg = ServerMessage::Rejected {
            error: CommandError::State(StateError::LogoutNotAllowed(AgentState::Ready)),
        };
        let back: ServerMessage =
            serde_json::from_str(&serde_json::to_string(&msg).unwrap()).unwrap();
        assert_eq!(back, msg);
    }
}
