//! The messages between the desktop and the host desktop that embeds it as a gadget
//! (SPEC D-1), sent with `postMessage`. Every message is a JSON object with
//! `"switchboard": <version>` and a `"type"`; the desktop answers only its host's origins
//! (see [`super::gadget_hosts`]) and a version it speaks. README "Gadget API" documents
//! them for host developers; `public/gadget/host.js` wraps them.

use super::{
    contact::{Channel, EndReason},
    ids::ContactId,
    state::AgentState,
};
use serde::{Deserialize, Serialize};

/// The version this desktop speaks. A host's message with another is answered with an
/// `unsupported_version` error naming this one.
pub const API_VERSION: u32 = 1;

/// What a host asks. `id` comes back in the answer so a host can match them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HostRequest {
    /// Start receiving events (the desktop's `event` messages); answered with the state.
    Subscribe {
        id: Option<u64>,
    },
    GetState {
        id: Option<u64>,
    },
    GetContacts {
        id: Option<u64>,
    },
    /// Ready or Not Ready, as the agent's own buttons would (SPEC S-2, S-3: Not Ready while
    /// holding contacts takes effect when the last ends).
    SetState {
        id: Option<u64>,
        state: WantedState,
    },
}

impl HostRequest {
    pub fn id(&self) -> Option<u64> {
        match self {
            HostRequest::Subscribe { id }
            | HostRequest::GetState { id }
            | HostRequest::GetContacts { id }
            | HostRequest::SetState { id, .. } => *id,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WantedState {
    Ready,
    NotReady,
}

/// What the desktop sends its host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DeskMessage {
    /// The desktop is loaded and listening (sent once to each allowed origin: only the
    /// parent's receives it).
    Loaded,
    /// The agent's state: the answer to `subscribe` and `get_state`, and an event when it
    /// changes.
    State {
        id: Option<u64>,
        #[serde(flatten)]
        state: StateInfo,
    },
    /// The answer to `get_contacts`.
    Contacts {
        id: Option<u64>,
        contacts: Vec<ContactInfo>,
    },
    /// A `set_state` was passed on to the server; the `state` event says when it applies.
    Done { id: Option<u64> },
    /// A request the desktop cannot answer.
    Error {
        id: Option<u64>,
        code: ErrorCode,
        message: String,
        /// The version this desktop speaks.
        version: u32,
    },
    /// SPEC O-1: a chat or email is offered to the agent.
    Offer { contact: ContactInfo },
    /// An offer went before the agent answered it (its time ran out, or it was withdrawn).
    Withdrawn { contact: ContactId },
    /// The agent accepted a contact (or an email was assigned).
    Accepted { contact: ContactInfo },
    /// The agent left a chat shared with another agent, who goes on with it (SPEC G-6).
    Left { contact: ContactId },
    /// A contact left the agent's hands, with the wrap-up reasons chosen (SPEC W-1).
    Ended {
        contact: ContactId,
        reason: EndReason,
        wrap_up: Vec<String>,
    },
    /// Messages unread in the agent's contacts.
    Unread { count: usize },
    /// The height the desktop's content wants, in CSS pixels (OpenSocial dynamic height).
    Resize { height: u32 },
    /// Draw the agent's eye (flash the title or the gadget): an offer arrived.
    Attention { reason: AttentionReason },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    UnsupportedVersion,
    /// Not a request this version knows, or its fields are wrong.
    BadRequest,
    /// The desktop is not connected or the agent is logged out.
    Unavailable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttentionReason {
    Offer,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateInfo {
    pub state: AgentState,
    /// The state as the agent reads it, in the desktop's language.
    pub label: String,
    /// Not Ready asked while holding contacts (SPEC S-3).
    pub not_ready_pending: bool,
    pub contacts_in_hand: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactInfo {
    pub id: ContactId,
    pub channel: Channel,
    pub csq: String,
    pub customer: String,
    /// The email's subject, or the chat's problem statement.
    pub topic: String,
    /// `offered` or `active`.
    pub status: ContactStatus,
    pub unread: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactStatus {
    Offered,
    Active,
}

/// A message as sent: the version beside the body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    pub switchboard: u32,
    #[serde(flatten)]
    pub body: T,
}

impl<T> Envelope<T> {
    pub fn new(body: T) -> Self {
        Envelope {
            switchboard: API_VERSION,
            body,
        }
    }
}

/// A host's message read: the request, or the error to answer. `None` for a message that
/// is not for Switchboard at all (no `switchboard` key): other scripts of the host post
/// their own messages, which are none of ours.
pub fn read_request(value: &serde_json::Value) -> Option<Result<HostRequest, DeskMessage>> {
    let version = value.get("switchboard")?;
    let id = value.get("id").and_then(serde_json::Value::as_u64);
    let error = |code, message: String| DeskMessage::Error {
        id,
        code,
        message,
        version: API_VERSION,
    };
    if version.as_u64() != Some(u64::from(API_VERSION)) {
        return Some(Err(error(
            ErrorCode::UnsupportedVersion,
            format!("this desktop speaks version {API_VERSION}, the message is {version}"),
        )));
    }
    Some(
        serde_json::from_value::<HostRequest>(value.clone())
            .map_err(|e| error(ErrorCode::BadRequest, e.to_string())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The wire format README "Gadget API" documents.
    #[test]
    fn messages_read_as_documented() {
        let set = json!({"switchboard": 1, "type": "set_state", "id": 3, "state": "ready"});
        assert_eq!(
            read_request(&set),
            Some(Ok(HostRequest::SetState {
                id: Some(3),
                state: WantedState::Ready
            }))
        );
        let ended = Envelope::new(DeskMessage::Ended {
            contact: ContactId(9),
            reason: EndReason::EndedByAgent,
            wrap_up: vec!["Resolved".into()],
        });
        assert_eq!(
            serde_json::to_value(&ended).unwrap(),
            json!({"switchboard": 1, "type": "ended", "contact": 9,
                   "reason": "ended_by_agent", "wrap_up": ["Resolved"]})
        );
        let state = Envelope::new(DeskMessage::State {
            id: None,
            state: StateInfo {
                state: AgentState::Ready,
                label: "Ready".into(),
                not_ready_pending: false,
                contacts_in_hand: 0,
            },
        });
        assert_eq!(
            serde_json::to_value(&state).unwrap(),
            json!({"switchboard": 1, "type": "state", "id": null, "state": "ready",
                   "label": "Ready", "not_ready_pending": false, "contacts_in_hand": 0})
        );
    }

    /// Another script's messages are not ours; ours in another version or shape get an
    /// error that says why.
    #[test]
    fn other_messages_are_ignored_or_refused_with_a_reason() {
        assert_eq!(read_request(&json!({"type": "set_state"})), None);
        assert_eq!(read_request(&json!("hello")), None);
        let Some(Err(DeskMessage::Error { code, id, .. })) =
            read_request(&json!({"switchboard": 2, "type": "get_state", "id": 5}))
        else {
            panic!("an error expected")
        };
        assert_eq!((code, id), (ErrorCode::UnsupportedVersion, Some(5)));
        let Some(Err(DeskMessage::Error { code, .. })) =
            read_request(&json!({"switchboard": 1, "type": "set_state", "state": "asleep"}))
        else {
            panic!("an error expected")
        };
        assert_eq!(code, ErrorCode::BadRequest);
    }
}
