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
    Line {
        line: ChatLine,
        text: String,
    },
    /// Every missed line has been sent.
    Synced {
        seq: Seq,
    },
    /// SPEC K-2: the agent is typing (or stopped).
    Typing {
        active: bool,
    },
    /// The chat is over; the transcript can be downloaded.
    Ended,
    Rejected {
        error: WidgetError,
    },
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
