//! A chat's transcript: numbered lines (customer, agent and system lines, each with its
//! time), shared by the desktop and the widget, and kept with the contact (SPEC P-5).

use super::{contact::EndReason, ids::AgentId, protocol::Seq};
use crate::i18n::{td_string, Locale};
use serde::{Deserialize, Serialize};

crate::tag_first_enum! {
    /// Who wrote a message.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Author (tag = "kind") {
        Customer {
            name: String,
        },
        /// The customer sees the alias, never the agent's full name.
        Agent {
            agent: AgentId,
            alias: String,
        },
    }
}

crate::tag_first_enum! {
    /// A line the system adds to a transcript (SPEC K-2, K-5).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum SystemNote (tag = "note") {
        Welcome {
            text: String,
        },
        Joined {
            alias: String,
        },
        Left {
            alias: String,
        },
        /// Nobody joined before the join timeout: the administrator's message.
        NoAgent {
            text: String,
        },
        /// The customer has been silent; the chat ends soon.
        InactivityWarning,
        /// Nobody took the chat within the queue timeout: the administrator's message.
        QueueTimeout {
            text: String,
        },
        Ended {
            reason: EndReason,
        },
        /// A line Meta would not carry to a Messenger or WhatsApp customer (SPEC F-1, F-3):
        /// for the agents, saying why.
        NotDelivered {
            refusal: super::meta::MetaRefusal,
        },
        /// Messenger: what the business wrote to the customer in Meta's own Page inbox,
        /// outside the desktop (the customer has it already: never sent again).
        PageInbox {
            text: String,
        },
    }
}

impl SystemNote {
    /// The text both sides read, in English (logs, tests, the English transcript).
    pub fn text(&self) -> String {
        self.text_in(Locale::en)
    }

    /// The text in a language: the product's own lines translated, the administrator's
    /// (welcome, no agent, queue timeout) as written.
    pub fn text_in(&self, locale: Locale) -> String {
        match self {
            SystemNote::Welcome { text }
            | SystemNote::NoAgent { text }
            | SystemNote::QueueTimeout { text } => text.clone(),
            SystemNote::Joined { alias } => {
                td_string!(locale, system.chat.joined, alias = alias.as_str()).to_string()
            }
            SystemNote::Left { alias } => {
                td_string!(locale, system.chat.left, alias = alias.as_str()).to_string()
            }
            SystemNote::InactivityWarning => {
                td_string!(locale, system.chat.inactivity_warning).to_string()
            }
            SystemNote::NotDelivered { refusal } => refusal.text_in(locale),
            SystemNote::PageInbox { text } => {
                td_string!(locale, system.meta.page_inbox, text = text.as_str()).to_string()
            }
            SystemNote::Ended { reason } => match reason {
                EndReason::EndedByCustomer => td_string!(locale, system.chat.ended_by_customer),
                EndReason::TimedOut => td_string!(locale, system.chat.timed_out),
                EndReason::PageClosed => td_string!(locale, system.chat.page_closed),
                EndReason::QueueTimeout => td_string!(locale, system.chat.queue_timeout),
                EndReason::WindowClosed => td_string!(locale, system.chat.window_closed),
                _ => td_string!(locale, system.chat.ended),
            }
            .to_string(),
        }
    }
}

crate::tag_first_enum! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum LineBody (tag = "type") {
        Message {
            author: Author,
            text: String,
            /// The sender's id for this message, so a resend is stored once (SPEC K-3).
            client_id: String,
            /// Files the message brought (a Messenger or WhatsApp customer's photo,
            /// document...), after its text; absent from the JSON when there are none.
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            files: Vec<LineFile>,
            /// When the channel says the customer wrote it (Meta's time of a Messenger or
            /// WhatsApp message), which may be well before it reached us: the reply window
            /// runs from it (SPEC F-3). Absent from the JSON for other lines.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            sent_at_ms: Option<i64>,
            /// The WhatsApp template an agent sent (SPEC F-3), with the values it was
            /// filled with: the line's text is how the customer reads it, and the template
            /// is what goes to Meta. Absent from the JSON for other lines (boxed: lines are
            /// passed around by value, and few carry one).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            template: Option<Box<crate::domain::message_template::TemplateUse>>,
        },
        System {
            note: SystemNote,
        },
    }
}

impl LineBody {
    /// Issue 17: the line with what anyone wrote or sent taken out (a customer erased, or
    /// the retention reached the chat): a message keeps who sent it (an agent by alias, a
    /// customer by no name) and loses its text, files and template; a note keeps what
    /// happened and loses a text written to the customer. The product's own notes (joined,
    /// ended, the administrator's messages) stay as they are.
    pub fn without_contents(&self) -> LineBody {
        match self {
            LineBody::Message {
                author, sent_at_ms, ..
            } => LineBody::Message {
                author: match author {
                    Author::Customer { .. } => Author::Customer {
                        name: String::new(),
                    },
                    agent => agent.clone(),
                },
                text: String::new(),
                client_id: String::new(),
                files: Vec::new(),
                sent_at_ms: *sent_at_ms,
                template: None,
            },
            LineBody::System {
                note: SystemNote::PageInbox { .. },
            } => LineBody::System {
                note: SystemNote::PageInbox {
                    text: String::new(),
                },
            },
            other => other.clone(),
        }
    }

    /// What a line that cannot be read becomes once erased: an empty customer message.
    pub fn erased() -> LineBody {
        LineBody::Message {
            author: Author::Customer {
                name: String::new(),
            },
            text: String::new(),
            client_id: String::new(),
            files: Vec::new(),
            sent_at_ms: None,
            template: None,
        }
    }
}

/// A file of a chat message, as the transcript shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineFile {
    /// The name the sender gave it, or one made from its kind.
    pub name: String,
    pub content_type: String,
    pub size: u64,
    /// The hex SHA-256 of the stored bytes (the file's name in the store); `None` when the
    /// file could not be received (too large, or no longer offered by the channel): the
    /// line still says a file came.
    pub sha256: Option<String>,
}

impl LineFile {
    /// Shown in place in the transcript: a stored image of a type every browser draws
    /// safely (never SVG, which can carry script).
    pub fn shows_inline(&self) -> bool {
        self.sha256.is_some() && INLINE_IMAGE_TYPES.contains(&self.content_type.as_str())
    }
}

/// Image types a transcript shows in place.
pub const INLINE_IMAGE_TYPES: [&str; 4] = ["image/jpeg", "image/png", "image/gif", "image/webp"];

/// One line of a transcript, numbered in the chat's own stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatLine {
    pub seq: Seq,
    /// Unix milliseconds when the server stored it.
    pub at_ms: i64,
    pub body: LineBody,
}

/// `HH:MM:SS` (UTC) of a Unix-millisecond time, for transcripts.
pub fn clock_time(at_ms: i64) -> String {
    let secs = at_ms.div_euclid(1000).rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// The plain-text transcript a customer can download at the end (SPEC K-2): the people's
/// own words as written, the system lines in the customer's language.
pub fn transcript_text(lines: &[ChatLine], locale: Locale) -> String {
    let mut out = String::new();
    for line in lines {
        let time = clock_time(line.at_ms);
        match &line.body {
            LineBody::Message {
                author,
                text,
                files,
                ..
            } => {
                let who = match author {
                    Author::Customer { name } => name.as_str(),
                    Author::Agent { alias, .. } => alias.as_str(),
                };
                let named = files.iter().map(|file| format!("[{}]", file.name));
                let text = [text.clone()]
                    .into_iter()
                    .filter(|text| !text.is_empty())
                    .chain(named)
                    .collect::<Vec<_>>()
                    .join("\n");
                let said = td_string!(locale, system.transcript.message, time, who, text);
                out.push_str(&format!("{said}\n"));
            }
            LineBody::System { note } => {
                out.push_str(&format!("[{time}] {}\n", note.text_in(locale)))
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(seq: Seq, at_ms: i64, body: LineBody) -> ChatLine {
        ChatLine { seq, at_ms, body }
    }

    /// The JSON the database holds and the widget reads (`public/widget/protocol.js`), to
    /// the byte and the key order: written so, and read back (the tag first).
    #[test]
    fn lines_keep_their_stored_and_widget_json() {
        let cases = [
            (
                LineBody::Message {
                    author: Author::Agent {
                        agent: AgentId(3),
                        alias: "Dave".into(),
                    },
                    text: "Hi".into(),
                    client_id: "c1".into(),
                    files: Vec::new(),
                    sent_at_ms: None,
                    template: None,
                },
                r#"{"type":"message","author":{"kind":"agent","agent":3,"alias":"Dave"},"text":"Hi","client_id":"c1"}"#,
            ),
            (
                LineBody::Message {
                    author: Author::Customer {
                        name: "Zoé".into()
                    },
                    text: "Bonjour".into(),
                    client_id: "k1".into(),
                    files: Vec::new(),
                    sent_at_ms: None,
                    template: None,
                },
                r#"{"type":"message","author":{"kind":"customer","name":"Zoé"},"text":"Bonjour","client_id":"k1"}"#,
            ),
            (
                LineBody::System {
                    note: SystemNote::Joined {
                        alias: "Dave".into(),
                    },
                },
                r#"{"type":"system","note":{"note":"joined","alias":"Dave"}}"#,
            ),
            (
                LineBody::System {
                    note: SystemNote::InactivityWarning,
                },
                r#"{"type":"system","note":{"note":"inactivity_warning"}}"#,
            ),
            (
                LineBody::System {
                    note: SystemNote::Ended {
                        reason: EndReason::EndedByCustomer,
                    },
                },
                r#"{"type":"system","note":{"note":"ended","reason":"ended_by_customer"}}"#,
            ),
        ];
        let photo = LineFile {
            name: "image".into(),
            content_type: "image/png".into(),
            size: 70,
            sha256: Some("ab".repeat(32)),
        };
        let with_file = (
            LineBody::Message {
                author: Author::Customer {
                    name: "Sheena".into(),
                },
                text: String::new(),
                client_id: "wamid.1".into(),
                files: vec![photo],
                sent_at_ms: None,
                template: None,
            },
            format!(
                r#"{{"type":"message","author":{{"kind":"customer","name":"Sheena"}},"text":"","client_id":"wamid.1","files":[{{"name":"image","content_type":"image/png","size":70,"sha256":"{}"}}]}}"#,
                "ab".repeat(32)
            ),
        );
        let cases = cases
            .into_iter()
            .map(|(body, json)| (body, json.to_string()))
            .chain([with_file]);
        for (body, json) in cases {
            let json = json.as_str();
            assert_eq!(serde_json::to_string(&body).unwrap(), json);
            assert_eq!(serde_json::from_str::<LineBody>(json).unwrap(), body);
        }
    }

    /// Issue 16: only stored images of the types every browser draws safely show in place.
    #[test]
    fn only_stored_safe_images_show_in_place() {
        let file = |content_type: &str, stored: bool| LineFile {
            name: "f".into(),
            content_type: content_type.into(),
            size: 1,
            sha256: stored.then(|| "ab".repeat(32)),
        };
        assert!(file("image/jpeg", true).shows_inline());
        assert!(file("image/webp", true).shows_inline());
        assert!(!file("image/svg+xml", true).shows_inline());
        assert!(!file("application/pdf", true).shows_inline());
        assert!(!file("image/jpeg", false).shows_inline(), "not received");
    }

    /// SPEC K-2: joins and leaves read as the customer expects.
    #[test]
    fn system_notes_read_naturally() {
        assert_eq!(
            SystemNote::Joined {
                alias: "Alice".into()
            }
            .text(),
            "Alice has joined the chat."
        );
        assert_eq!(
            SystemNote::Left {
                alias: "Alice".into()
            }
            .text(),
            "Alice has left the chat."
        );
    }

    /// SPEC K-2: the downloadable transcript has every line with its time.
    #[test]
    fn transcript_lists_every_line_with_time() {
        let lines = vec![
            line(
                1,
                3_600_000 + 61_000,
                LineBody::System {
                    note: SystemNote::Joined {
                        alias: "Alice".into(),
                    },
                },
            ),
            line(
                2,
                3_600_000 + 62_000,
                LineBody::Message {
                    author: Author::Customer {
                        name: "Zoé".into()
                    },
                    text: "Bonjour 😀".into(),
                    client_id: "c1".into(),
                    files: Vec::new(),
                    sent_at_ms: None,
                    template: None,
                },
            ),
            line(
                3,
                3_600_000 + 63_000,
                LineBody::Message {
                    author: Author::Agent {
                        agent: AgentId(1),
                        alias: "Alice".into(),
                    },
                    text: "Hello!".into(),
                    client_id: "a1".into(),
                    files: Vec::new(),
                    sent_at_ms: None,
                    template: None,
                },
            ),
            line(
                4,
                3_600_000 + 64_000,
                LineBody::Message {
                    author: Author::Customer {
                        name: "Zoé".into()
                    },
                    text: String::new(),
                    client_id: "c2".into(),
                    files: vec![LineFile {
                        name: "receipt.pdf".into(),
                        content_type: "application/pdf".into(),
                        size: 10,
                        sha256: None,
                    }],
                    sent_at_ms: None,
                    template: None,
                },
            ),
        ];
        assert_eq!(
            transcript_text(&lines, Locale::en),
            "[01:01:01] Alice has joined the chat.\n[01:01:02] Zoé: Bonjour 😀\n[01:01:03] Alice: Hello!\n[01:01:04] Zoé: [receipt.pdf]\n"
        );
        // Issue 15: the system lines in the customer's language, their words as written.
        assert_eq!(
            transcript_text(&lines, Locale::fr),
            "[01:01:01] Alice a rejoint la conversation.\n[01:01:02] Zoé\u{a0}: Bonjour 😀\n[01:01:03] Alice\u{a0}: Hello!\n[01:01:04] Zoé\u{a0}: [receipt.pdf]\n"
        );
    }
}
