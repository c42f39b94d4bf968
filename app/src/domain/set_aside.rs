//! Incoming messages set aside: a message the mail server would not give, or Switchboard
//! could not read, after [`super::limits::MAX_INTAKE_ATTEMPTS`] tries is flagged in its
//! mailbox and listed for the administrators, so one bad message never blocks a mailbox.
//! Why is kept as a fact ([`SetAsideReason`]) and worded on the page in the reader's
//! language; what the mail server or the parser said stays as said.

use crate::i18n::{td_string, Locale};
use serde::{Deserialize, Serialize};

/// A message set aside, as the administration lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnreadableEmail {
    pub mailbox: String,
    pub uid: u32,
    /// From and Subject when the server could give them, empty otherwise.
    pub from: String,
    pub subject: String,
    /// What went wrong at the last try.
    pub reason: SetAsideReason,
    /// Unix ms when the message was set aside.
    pub set_aside_at_ms: i64,
}

/// What went wrong at the last try at reading a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SetAsideReason {
    /// The mail server closed the connection when asked for the message.
    ConnectionLost,
    /// The mail server answered NO when asked for it; `detail` is its answer.
    Refused { detail: String },
    /// The mail server lists the message but gave nothing when asked for it.
    NotGiven,
    /// The message came but could not be read (the parser gave up); `detail` says where.
    CannotParse { detail: String },
    /// The server process stopped while reading it, each time: no error was recorded.
    ServerStopped,
    /// Anything else, as the system says it; also a reason stored as plain text by an
    /// earlier version.
    Other { detail: String },
}

impl SetAsideReason {
    /// The sentence the administration shows.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            SetAsideReason::ConnectionLost => {
                td_string!(locale, system.set_aside.connection_lost).to_string()
            }
            SetAsideReason::Refused { detail } => {
                td_string!(locale, system.set_aside.refused, detail).to_string()
            }
            SetAsideReason::NotGiven => td_string!(locale, system.set_aside.not_given).to_string(),
            SetAsideReason::CannotParse { detail } => {
                td_string!(locale, system.set_aside.cannot_parse, detail).to_string()
            }
            SetAsideReason::ServerStopped => {
                td_string!(locale, system.set_aside.server_stopped).to_string()
            }
            SetAsideReason::Other { detail } => detail.clone(),
        }
    }

    /// As the store keeps it: JSON.
    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).expect("a reason is JSON")
    }

    /// From the store. Text that is not a reason (written before reasons were typed) is
    /// shown as it was written.
    pub fn from_stored(stored: &str) -> Self {
        serde_json::from_str(stored).unwrap_or_else(|_| SetAsideReason::Other {
            detail: stored.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_worded_in_each_language() {
        let refused = SetAsideReason::Refused {
            detail: "[UNAVAILABLE] Internal error".into(),
        };
        assert_eq!(
            refused.message(Locale::en),
            "the mail server refused to give this message: [UNAVAILABLE] Internal error"
        );
        assert_eq!(
            refused.message(Locale::fr),
            "le serveur de messagerie a refus\u{e9} de fournir ce message\u{a0}: \
             [UNAVAILABLE] Internal error"
        );
        assert_eq!(
            SetAsideReason::ConnectionLost.message(Locale::fr),
            "le serveur de messagerie a ferm\u{e9} la connexion quand ce message lui a \
             \u{e9}t\u{e9} demand\u{e9}"
        );
        assert_eq!(
            SetAsideReason::ServerStopped.message(Locale::en),
            "Switchboard stopped while reading it, each time"
        );
    }

    #[test]
    fn a_reason_is_stored_as_json_and_old_text_reads_as_written() {
        let reason = SetAsideReason::CannotParse {
            detail: "MIME nested too deep".into(),
        };
        assert_eq!(SetAsideReason::from_stored(&reason.to_stored()), reason);
        assert_eq!(
            SetAsideReason::from_stored("the server stopped while reading it"),
            SetAsideReason::Other {
                detail: "the server stopped while reading it".into()
            }
        );
    }
}
