//! What every HTTP route of the server answers when it refuses a request, in one JSON shape
//! whoever asks (the widget, the reply editor, a program): a stable code for programs, a
//! sentence for people, and each field with its problem so a form marks the right input.

use super::{
    language::number,
    problem::format_bytes_in,
    validate::{Field, FieldError},
};
use crate::i18n::{td_string, Locale};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// A stable code: `invalid`, `too_large`, `malformed`, `not_signed_in`, `not_found`,
    /// `too_many_requests`, `queue_full`, `no_agent`, `closed`, `unavailable`, `internal`,
    /// `forbidden`, and the API's `invalid_token`, `insufficient_scope` and `conflict`.
    pub error: String,
    /// What a person reads (never the detail of an internal error).
    pub message: String,
    /// Each input at fault with its own message, in the order of the form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldRefusal>,
    /// Issue 17 (`closed`): when the queue opens again (Unix ms), for the reader to write in
    /// their own time zone; none when it does not open soon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens_at_ms: Option<i64>,
}

/// One input at fault: the form's name for it (`email`, `cc`, `attachment`...) and the
/// message naming the field and the limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldRefusal {
    pub field: String,
    pub message: String,
}

impl Field {
    /// The name a form gives this input: the serialised variant (`email`, `chat_message`,
    /// `attachment`...), or `answer-<id>` for an answer to a pre-chat question (one input
    /// per question).
    pub fn key(&self) -> String {
        if let Field::Answer { id, .. } = self {
            return format!("answer-{id}");
        }
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(name)) => name,
            // A variant with data (`{"attachment": "plan.pdf"}`): its name is the one key.
            Ok(serde_json::Value::Object(map)) => map.keys().next().cloned().unwrap_or_default(),
            _ => String::new(),
        }
    }
}

impl Refusal {
    pub fn new(error: &str, message: impl Into<String>) -> Self {
        Refusal {
            error: error.to_string(),
            message: message.into(),
            errors: Vec::new(),
            opens_at_ms: None,
        }
    }

    /// Field errors in the reader's language: every message in one sentence, and each
    /// field on its own.
    pub fn fields(error: &str, errors: &[FieldError], locale: Locale) -> Self {
        let messages: Vec<String> = errors.iter().map(|e| e.message(locale)).collect();
        Refusal {
            error: error.to_string(),
            message: messages.join(" "),
            errors: errors
                .iter()
                .zip(messages)
                .map(|(e, message)| FieldRefusal {
                    field: e.field.key(),
                    message,
                })
                .collect(),
            opens_at_ms: None,
        }
    }
}

/// Why a request is refused, when no field is at fault: kept as data until the refusal is
/// written, so each reader gets the sentence in their own language (`Display` is the
/// English, for the server's log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// No valid session: the page must log in again.
    NotSignedIn,
    /// A widget request without a valid chat cookie.
    ChatNotHere,
    /// The server failed; the detail is in its log, never here.
    Internal,
    /// A write or a WebSocket upgrade from a page of another site (CSRF).
    CrossSite,
    /// SPEC D-1: a framed session's write without its CSRF token.
    CsrfMissing,
    /// Nothing there for this client (or nothing it may see: the same answer).
    NotFound,
    /// The contact is not (or no longer) the agent's.
    NotYours,
    /// No chat is held by the widget's cookie.
    NoChat,
    /// A stored file is gone from the file store.
    FileMissing,
    /// An inline image's address is not valid, or not an image.
    NoSuchImage,
    /// The widget asked for the words of a language the product does not speak.
    NoSuchLanguage,
    /// The file store is out of reach for now.
    FileUnreadable,
    /// The chosen queue holds as many waiting chats as the administrator allows.
    QueueFull,
    /// Issue 17 (K-4): nobody of the chosen queue is logged in.
    NoAgent,
    /// Issue 17 (K-4): the chosen queue is outside its business hours.
    Closed,
    /// Issue 17 (K-4): no mailbox can take a message left in the widget.
    NoMailboxForMessages,
    /// More chats started from one address than allowed per minute.
    TooManyStarts {
        per_minute: u32,
    },
    /// More requests to what the widget reads from one address than allowed per minute.
    TooManyRequests {
        per_minute: u32,
    },
    /// Issue 17: an `/api/v1` call without a live token (none, unknown, or revoked).
    NoApiToken,
    /// Issue 17: more `/api/v1` calls with one token than allowed per minute.
    TooManyApiCalls {
        per_minute: u32,
    },
    /// Issue 17: a change asked of the API with a token that may only read.
    ReadOnlyToken,
    /// Issue 18 (D-3): what only supervisors and administrators may watch.
    SupervisorsOnly,
    /// Issue 17 (the API): an email address or a phone number another customer has.
    EmailTaken {
        customer: i64,
    },
    PhoneTaken {
        customer: i64,
    },
    /// Issue 17 (the API): a customer merged into themselves.
    SameCustomer,
    /// Issue 17 (the API): an email's `client_id` sent before with another customer, queue
    /// or subject.
    ClientIdUsed,
    /// Issue 17 (the API): two customers merged while both chat on one Messenger or
    /// WhatsApp account (the next message would not know its chat).
    BothChatting {
        channel: crate::domain::meta::MetaChannel,
    },
    /// A chat already open in as many widget windows as allowed.
    WidgetWindows {
        max: usize,
    },
    /// Every place for an open WebSocket is taken.
    SocketsFull {
        max: usize,
    },
    /// A file's upload stopped before its end.
    UploadInterrupted {
        name: String,
    },
    /// A file was received but could not be stored.
    UploadNotStored {
        name: String,
    },
    /// The mailbox an email came from is no longer configured.
    MailboxGone {
        mailbox: String,
    },
    /// The email's mailbox has no SMTP server, so no reply can leave.
    NoSmtp {
        mailbox: String,
    },
    /// The mailbox's own address is refused; `detail` is the library's, as it says it.
    AddressUnusable {
        detail: String,
    },
    /// A file of a reply cannot be read from the file store now.
    ReplyFileUnreadable,
    /// Issue 17 (the API): a request body over the limit, not read.
    BodyTooLarge {
        max_bytes: u64,
    },
    /// A WebSocket message over the limit (the socket closes with this reason, which must
    /// fit in 123 bytes).
    MessageTooLarge {
        max_bytes: u64,
    },
    /// A page or widget of another protocol version: it must load again (a close reason).
    OtherVersion,
}

impl Reason {
    /// The sentence a person reads, in `locale`.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            Reason::NotSignedIn => td_string!(locale, system.refusal.not_signed_in).to_string(),
            Reason::ChatNotHere => td_string!(locale, system.refusal.chat_not_here).to_string(),
            Reason::Internal => td_string!(locale, system.refusal.internal).to_string(),
            Reason::CrossSite => td_string!(locale, system.refusal.cross_site).to_string(),
            Reason::CsrfMissing => td_string!(locale, system.refusal.csrf_missing).to_string(),
            Reason::NotFound => td_string!(locale, system.refusal.not_found).to_string(),
            Reason::NotYours => td_string!(locale, system.refusal.not_yours).to_string(),
            Reason::NoChat => td_string!(locale, system.refusal.no_chat).to_string(),
            Reason::FileMissing => td_string!(locale, system.refusal.file_missing).to_string(),
            Reason::NoSuchImage => td_string!(locale, system.refusal.no_such_image).to_string(),
            Reason::NoSuchLanguage => {
                td_string!(locale, system.refusal.no_such_language).to_string()
            }
            Reason::FileUnreadable => {
                td_string!(locale, system.refusal.file_unreadable).to_string()
            }
            Reason::QueueFull => td_string!(locale, system.refusal.queue_full).to_string(),
            Reason::NoAgent => td_string!(locale, system.refusal.no_agent).to_string(),
            Reason::Closed => td_string!(locale, system.refusal.closed).to_string(),
            Reason::NoMailboxForMessages => {
                td_string!(locale, system.refusal.no_mailbox_for_messages).to_string()
            }
            Reason::TooManyStarts { per_minute } => td_string!(
                locale,
                system.refusal.too_many_starts,
                per_minute = number(locale, *per_minute)
            )
            .to_string(),
            Reason::TooManyRequests { per_minute } => td_string!(
                locale,
                system.refusal.too_many_requests,
                per_minute = number(locale, *per_minute)
            )
            .to_string(),
            Reason::NoApiToken => td_string!(locale, system.refusal.no_api_token).to_string(),
            Reason::TooManyApiCalls { per_minute } => td_string!(
                locale,
                system.refusal.too_many_api_calls,
                per_minute = number(locale, *per_minute)
            )
            .to_string(),
            Reason::ReadOnlyToken => td_string!(locale, system.refusal.read_only_token).to_string(),
            Reason::SupervisorsOnly => {
                td_string!(locale, system.refusal.supervisors_only).to_string()
            }
            Reason::EmailTaken { customer } => td_string!(
                locale,
                system.refusal.email_taken,
                customer = customer.to_string()
            )
            .to_string(),
            Reason::PhoneTaken { customer } => td_string!(
                locale,
                system.refusal.phone_taken,
                customer = customer.to_string()
            )
            .to_string(),
            Reason::SameCustomer => td_string!(locale, system.refusal.same_customer).to_string(),
            Reason::ClientIdUsed => td_string!(locale, system.refusal.client_id_used).to_string(),
            Reason::BothChatting { channel } => td_string!(
                locale,
                system.refusal.both_chatting,
                channel = channel.channel().label(locale)
            )
            .to_string(),
            Reason::WidgetWindows { max } => td_string!(
                locale,
                system.refusal.widget_windows,
                max = number(locale, *max as u64)
            )
            .to_string(),
            Reason::SocketsFull { max } => td_string!(
                locale,
                system.refusal.sockets_full,
                max = number(locale, *max as u64)
            )
            .to_string(),
            Reason::UploadInterrupted { name } => {
                td_string!(locale, system.refusal.upload_interrupted, name).to_string()
            }
            Reason::UploadNotStored { name } => {
                td_string!(locale, system.refusal.upload_not_stored, name).to_string()
            }
            Reason::MailboxGone { mailbox } => {
                td_string!(locale, system.refusal.mailbox_gone, mailbox).to_string()
            }
            Reason::NoSmtp { mailbox } => {
                td_string!(locale, system.refusal.no_smtp, mailbox).to_string()
            }
            Reason::AddressUnusable { detail } => {
                td_string!(locale, system.refusal.address_unusable, detail).to_string()
            }
            Reason::ReplyFileUnreadable => {
                td_string!(locale, system.refusal.reply_file_unreadable).to_string()
            }
            Reason::BodyTooLarge { max_bytes } => {
                let size = format_bytes_in(locale, *max_bytes);
                td_string!(locale, system.refusal.body_too_large, size).to_string()
            }
            Reason::MessageTooLarge { max_bytes } => {
                let size = format_bytes_in(locale, *max_bytes);
                td_string!(locale, system.socket.too_large, size).to_string()
            }
            Reason::OtherVersion => td_string!(locale, system.socket.other_version).to_string(),
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Locale::en))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::validate::Problem;

    #[test]
    fn field_errors_keep_each_field_and_join_their_messages() {
        let refusal = Refusal::fields(
            "invalid",
            &[
                FieldError::new(Field::Name, Problem::Required),
                FieldError::new(Field::Attachment("a.pdf".into()), Problem::Required),
            ],
            Locale::en,
        );
        let keys: Vec<_> = refusal.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(keys, ["name", "attachment"]);
        assert_eq!(
            refusal.message,
            format!(
                "{} {}",
                refusal.errors[0].message, refusal.errors[1].message
            )
        );
        let json = serde_json::to_value(Refusal::new("internal", "Something went wrong.")).unwrap();
        assert!(json.get("errors").is_none(), "no empty list: {json}");
    }

    /// Issue 15: a field refusal is worded in the reader's language, each field and the
    /// sentence that joins them alike.
    #[test]
    fn field_errors_are_worded_in_the_readers_language() {
        let errors = [FieldError::new(
            Field::ChatMessage,
            Problem::TooManyChars {
                max: 1500,
                given: 1501,
            },
        )];
        let english = Refusal::fields("invalid", &errors, Locale::en);
        assert_eq!(
            english.message,
            "Message: at most 1500 characters (1501 given)"
        );
        let french = Refusal::fields("invalid", &errors, Locale::fr);
        assert_eq!(
            french.message,
            "Message\u{a0}: 1500 caractères au maximum (saisis\u{a0}: 1501)"
        );
        assert_eq!(french.errors[0].message, french.message);
    }

    /// Every reason has its sentence in both languages, the English one as the log says it;
    /// a number over four digits is grouped as each language writes it.
    #[test]
    fn reasons_are_worded_in_each_language() {
        let full = Reason::SocketsFull { max: 10_000 };
        assert_eq!(
            full.to_string(),
            "The server has its limit of 10,000 open connections; try again in a moment."
        );
        assert_eq!(
            full.message(Locale::fr),
            "Le serveur a atteint sa limite de 10\u{202f}000 connexions ouvertes\u{a0}; \
             réessayez dans un instant."
        );
        let mailbox = Reason::NoSmtp {
            mailbox: "support".into(),
        };
        assert!(mailbox
            .message(Locale::fr)
            .contains("«\u{a0}support\u{a0}»"));
        assert_eq!(
            Reason::NotYours.message(Locale::en),
            "This contact is not in your hands."
        );
    }
}
