//! The customer widget's realtime protocol over its WebSocket (`/widget/ws`). The widget is
//! plain JavaScript (no Wasm: it runs on other people's sites), so these types define the
//! JSON it speaks; the server holds the rules.

use super::{
    chat::{ChatLine, LineBody},
    protocol::Seq,
    validate::FieldError,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WidgetCommand {
    /// First message: the widget has every line up to `resume_after` (SPEC K-3).
    Hello { resume_after: Seq },
    /// A message; `client_id` makes a resend after a reconnect harmless.
    Send { client_id: String, text: String },
    /// SPEC K-2: the customer is typing (or stopped). Shown to the agent.
    Typing { active: bool },
    /// SPEC K-2: the customer ends the chat.
    End,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WidgetMessage {
    /// A transcript line; `text` is what the customer reads (system lines are worded by
    /// the server, so the widget holds no wording of its own).
    Line { line: ChatLine, text: String },
    /// Every missed line has been sent.
    Synced { seq: Seq },
    /// SPEC K-2: the agent is typing (or stopped).
    Typing { active: bool },
    /// The chat is over; the transcript can be downloaded.
    Ended,
    /// A command refused. `message` is what the customer reads (the server's wording,
    /// naming the limit); `client_id` names the refused message, which the widget gives
    /// back to the message box so nothing typed is lost.
    Rejected {
        error: WidgetError,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
    },
}

impl WidgetMessage {
    pub fn rejected(error: WidgetError, client_id: Option<String>) -> Self {
        WidgetMessage::Rejected {
            message: error.to_string(),
            error,
            client_id,
        }
    }
}

/// The widget protocol's version, said by every widget as `/widget/ws?v=` (its copy is
/// `version` in `public/widget/protocol.js`). Bump it whenever a message changes shape or
/// meaning: a widget of another version is closed with
/// [`super::protocol::OTHER_VERSION`] and its frame loads again, the chat kept by its cookie.
pub const WIDGET_PROTOCOL_VERSION: u32 = 1;

/// What a customer reads when the chosen queue holds as many waiting chats as allowed.
pub const QUEUE_FULL: &str =
    "All our agents are busy and the queue is full right now. Please try again in a few minutes.";

/// What a customer reads after starting more than `per_minute` chats from one address.
pub fn too_many_starts(per_minute: u32) -> String {
    format!(
        "Too many chats started from your address: at most {per_minute} a minute. Please wait a minute and try again."
    )
}

/// What the widget reads before the customer types (`/widget/api/config`): the pre-chat
/// form's choices and fields, and the limits it checks as the server will, with the server's wording,
/// so the widget holds no copy of either.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetConfig {
    pub problems: Vec<WidgetProblem>,
    /// SPEC K-2: the administrator's own fields, in the form's order.
    #[serde(default)]
    pub fields: Vec<super::prechat::PreChatField>,
    pub limits: WidgetLimits,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetProblem {
    pub id: i64,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetLimits {
    /// SPEC P-1: characters (Unicode scalar values, as `Array.from` counts them) in one
    /// message.
    pub message_chars: usize,
    /// What the customer reads when a message is longer, before `({given} given)`.
    pub message_too_long: String,
    /// SPEC K-2: characters in an answer to a text question (the input stops there).
    #[serde(default)]
    pub answer_chars: usize,
}

impl WidgetLimits {
    pub fn current() -> Self {
        let max = super::limits::MAX_CHAT_MESSAGE_CHARS;
        WidgetLimits {
            message_chars: max,
            message_too_long: format!(
                "{}: at most {max} characters",
                super::validate::Field::ChatMessage
            ),
            answer_chars: super::limits::MAX_PRECHAT_ANSWER_CHARS,
        }
    }
}

impl WidgetMessage {
    pub fn line(line: ChatLine) -> Self {
        let text = match &line.body {
            LineBody::Message { text, .. } => text.clone(),
            LineBody::System { note } => note.text(),
        };
        WidgetMessage::Line { line, text }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum WidgetError {
    #[error("{0}")]
    Invalid(FieldError),
    #[error("This chat has ended.")]
    ChatEnded,
    #[error("The message could not be read.")]
    Malformed,
    /// Too many messages too fast: the customer may send again after `wait_ms`.
    #[error(
        "You are sending messages faster than {per_sec} a second; wait a moment and send again."
    )]
    TooFast { per_sec: u32, wait_ms: u64 },
    /// The chat holds as many customer messages as one chat may.
    #[error("This chat has reached its limit of {max} messages; start a new chat to go on.")]
    TooManyMessages { max: u32 },
    #[error("Something went wrong; please try again.")]
    Internal,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_widget_json_is_plain() {
        let send: WidgetCommand =
            serde_json::from_str(r#"{"type":"send","client_id":"k1","text":"Hi"}"#).unwrap();
        assert_eq!(
            send,
            WidgetCommand::Send {
                client_id: "k1".into(),
                text: "Hi".into()
            }
        );
        assert_eq!(
            serde_json::to_string(&WidgetMessage::Typing { active: true }).unwrap(),
            r#"{"type":"typing","active":true}"#
        );
    }
}
