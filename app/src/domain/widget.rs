//! The customer widget's realtime protocol over its WebSocket (`/widget/ws`). The widget is
//! plain JavaScript (no Wasm: it runs on other people's sites), so these types define the
//! JSON it speaks; the server holds the rules.

use super::{
    chat::{ChatLine, LineBody},
    language::number,
    protocol::Seq,
    validate::{Field, FieldError},
};
use crate::i18n::{td_string, Locale};
use serde::{Deserialize, Serialize};
use std::fmt;

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
    /// Issue 17: the customer's place among the chats waiting in their CSQ (1: next), and
    /// how long chats there usually wait (none until enough were answered lately). Sent
    /// when it changes, until an agent takes the chat.
    Queue {
        position: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        usual_wait_secs: Option<u32>,
    },
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
    /// A refusal worded in the customer's language (the widget's `?lang=`).
    pub fn rejected(error: WidgetError, client_id: Option<String>, locale: Locale) -> Self {
        WidgetMessage::Rejected {
            message: error.message(locale),
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
    /// Issue 17 (K-4): a message can be left when no agent can take the chat (a mailbox
    /// can take it).
    #[serde(default)]
    pub leave_message: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetProblem {
    pub id: i64,
    pub label: String,
    /// Issue 17: whether its CSQ is within its business hours now (a chat about it would
    /// be refused as `closed` otherwise).
    #[serde(default = "open")]
    pub open: bool,
    /// Issue 17: when a closed CSQ opens again (Unix ms), none when it does not open soon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens_at_ms: Option<i64>,
}

fn open() -> bool {
    true
}

/// Issue 17: whether the widget's button is drawn on a host page
/// (`/widget/api/availability`): open when a queue of the pre-chat form is within its
/// business hours; else the earliest opening, and whether the administrator hides the button
/// until then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetAvailability {
    pub open: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens_at_ms: Option<i64>,
    #[serde(default)]
    pub hide_when_closed: bool,
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
    /// Issue 17 (K-4): characters in a message left when no agent can take the chat.
    #[serde(default)]
    pub left_message_chars: usize,
    /// Issue 17 (K-4): files sent with a left message, as with a reply (SPEC A-1): how
    /// many, bytes each, bytes together. The widget checks them before sending.
    #[serde(default)]
    pub files: usize,
    #[serde(default)]
    pub file_bytes: u64,
    #[serde(default)]
    pub files_bytes: u64,
}

impl WidgetLimits {
    /// The limits, their wording in the customer's language.
    pub fn current(locale: Locale) -> Self {
        let max = super::limits::MAX_CHAT_MESSAGE_CHARS;
        WidgetLimits {
            message_chars: max,
            message_too_long: td_string!(
                locale,
                system.widget.message_too_long,
                field = Field::ChatMessage.label(locale),
                max = number(locale, max as u64)
            )
            .to_string(),
            answer_chars: super::limits::MAX_PRECHAT_ANSWER_CHARS,
            left_message_chars: super::limits::MAX_LEFT_MESSAGE_CHARS,
            files: super::limits::MAX_ATTACHMENTS,
            file_bytes: super::limits::MAX_ATTACHMENT_BYTES,
            files_bytes: super::limits::MAX_TOTAL_ATTACHMENT_BYTES,
        }
    }
}

impl WidgetMessage {
    /// A transcript line; a system line in the customer's language (the widget words the
    /// notes it knows itself, and shows this text for the others).
    pub fn line(line: ChatLine, locale: Locale) -> Self {
        let text = match &line.body {
            LineBody::Message { text, .. } => text.clone(),
            LineBody::System { note } => note.text_in(locale),
        };
        WidgetMessage::Line { line, text }
    }
}

/// A widget command refused. `Display` is the English, for the server's log; the customer
/// reads [`WidgetError::message`] in their language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum WidgetError {
    Invalid(FieldError),
    ChatEnded,
    Malformed,
    /// Too many messages too fast: the customer may send again after `wait_ms`.
    TooFast {
        per_sec: u32,
        wait_ms: u64,
    },
    /// The chat holds as many customer messages as one chat may.
    TooManyMessages {
        max: u32,
    },
    Internal,
}

impl WidgetError {
    /// What the customer reads, naming the limit, in `locale`.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            WidgetError::Invalid(e) => e.message(locale),
            WidgetError::ChatEnded => td_string!(locale, system.widget.chat_ended).to_string(),
            WidgetError::Malformed => td_string!(locale, system.widget.malformed).to_string(),
            WidgetError::TooFast { per_sec, .. } => td_string!(
                locale,
                system.widget.too_fast,
                per_sec = number(locale, *per_sec)
            )
            .to_string(),
            WidgetError::TooManyMessages { max } => td_string!(
                locale,
                system.widget.too_many_messages,
                max = number(locale, *max)
            )
            .to_string(),
            WidgetError::Internal => td_string!(locale, system.refusal.internal).to_string(),
        }
    }
}

impl fmt::Display for WidgetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Locale::en))
    }
}

impl std::error::Error for WidgetError {}

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

    /// Issue 15: the customer reads a refusal and the message limit in the widget's
    /// language (SPEC P-1: naming the limit).
    #[test]
    fn refusals_and_limits_are_worded_in_the_customers_language() {
        let fast = WidgetError::TooFast {
            per_sec: 5,
            wait_ms: 200,
        };
        assert_eq!(
            fast.to_string(),
            "You are sending messages faster than 5 a second; wait a moment and send again."
        );
        match WidgetMessage::rejected(fast, Some("k1".into()), Locale::fr) {
            WidgetMessage::Rejected { message, .. } => assert_eq!(
                message,
                "Vous envoyez des messages plus vite que la limite (5 par seconde)\u{a0}; \
                 patientez un instant, puis envoyez à nouveau."
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            WidgetLimits::current(Locale::en).message_too_long,
            "Message: at most 1500 characters"
        );
        assert_eq!(
            WidgetLimits::current(Locale::fr).message_too_long,
            "Message\u{a0}: 1500 caractères au maximum"
        );
    }
}
