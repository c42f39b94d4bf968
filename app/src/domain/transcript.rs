//! A past conversation written out as plain text (issue 17: "a transcript exports as
//! text"): a head (channel, queue, customer, agent, start, wrap-up reasons) then a chat's
//! every line with its time (as the customer's own download writes them), or an email's text
//! and the reply sent. Times are UTC, said
//! so, as on the Conversations page; the words are in the reader's language.

use super::{
    chat::{transcript_text, ChatLine},
    contact::Channel,
    ids::ContactId,
    time::date_time_utc,
};
use crate::i18n::{td_string, Locale};
use std::fmt::Write as _;

/// What a transcript says, gathered by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    pub contact: ContactId,
    pub channel: Channel,
    pub csq: String,
    /// "Name <address>", or the name alone.
    pub customer: String,
    pub agent: Option<String>,
    pub started_at_ms: i64,
    pub about: String,
    pub wrap_up: Vec<String>,
    /// A chat's lines, in order.
    pub lines: Vec<ChatLine>,
    pub email: Option<TranscriptEmail>,
}

/// An email contact's message and the reply sent, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptEmail {
    pub from: String,
    /// Its recipients, "Name <address>, ...".
    pub to: String,
    pub subject: String,
    pub received_at_ms: i64,
    pub text: String,
    pub reply: Option<String>,
}

impl Transcript {
    /// The file's name, without its extension (a text file's or a PDF's).
    pub fn file_name(&self) -> String {
        format!("conversation-{}", self.contact.0)
    }

    /// The text, in `locale`.
    pub fn to_text(&self, locale: Locale) -> String {
        let mut out = String::new();
        let write = |out: &mut String, heads: &[(&str, &str)]| {
            for (label, value) in heads {
                if !value.is_empty() {
                    let said = td_string!(locale, conversations.export.head, label, value);
                    let _ = writeln!(out, "{said}");
                }
            }
        };
        let id = self.contact.0.to_string();
        let started = date_time_utc(locale, self.started_at_ms);
        let wrap_up = self.wrap_up.join(", ");
        write(
            &mut out,
            &[
                (td_string!(locale, conversations.export.conversation), &id),
                (
                    td_string!(locale, conversations.export.channel),
                    self.channel.label(locale),
                ),
                (td_string!(locale, conversations.export.queue), &self.csq),
                (
                    td_string!(locale, conversations.export.customer),
                    &self.customer,
                ),
                (
                    td_string!(locale, conversations.export.agent),
                    self.agent.as_deref().unwrap_or_default(),
                ),
                (td_string!(locale, conversations.export.started), &started),
                (td_string!(locale, conversations.export.about), &self.about),
                (td_string!(locale, conversations.export.wrap_up), &wrap_up),
            ],
        );
        out.push('\n');
        if let Some(email) = &self.email {
            let received = date_time_utc(locale, email.received_at_ms);
            write(
                &mut out,
                &[
                    (td_string!(locale, conversations.export.from), &email.from),
                    (td_string!(locale, conversations.export.to), &email.to),
                    (
                        td_string!(locale, conversations.export.subject),
                        &email.subject,
                    ),
                    (td_string!(locale, conversations.export.received), &received),
                ],
            );
            let _ = writeln!(out, "\n{}", email.text.trim_end());
            if let Some(reply) = &email.reply {
                let _ = writeln!(
                    out,
                    "\n--- {} ---\n\n{}",
                    td_string!(locale, conversations.export.reply),
                    reply.trim_end()
                );
            }
        }
        out.push_str(&transcript_text(&self.lines, locale));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        chat::{Author, LineBody, SystemNote},
        ids::AgentId,
    };

    fn line(seq: u64, at_ms: i64, body: LineBody) -> ChatLine {
        ChatLine { seq, at_ms, body }
    }

    #[test]
    fn a_chat_reads_as_its_head_then_every_line_with_its_time() {
        let start = 1_796_169_600_000 + 9 * 3_600_000; // 2026-12-02 09:00 UTC
        let transcript = Transcript {
            contact: ContactId(42),
            channel: Channel::Web,
            csq: "Billing".into(),
            customer: "Zoé Martin <zoe@example.com>".into(),
            agent: Some("Dave".into()),
            started_at_ms: start,
            about: "Refund".into(),
            wrap_up: vec!["Refunded".into()],
            lines: vec![
                line(
                    1,
                    start + 5_000,
                    LineBody::Message {
                        author: Author::Customer {
                            name: "Zoé Martin".into(),
                        },
                        text: "Where is my refund?".into(),
                        client_id: "c1".into(),
                        files: Vec::new(),
                        sent_at_ms: None,
                        template: None,
                    },
                ),
                line(
                    2,
                    start + 65_000,
                    LineBody::Message {
                        author: Author::Agent {
                            agent: AgentId(3),
                            alias: "Dave".into(),
                        },
                        text: "On its way.".into(),
                        client_id: "a1".into(),
                        files: Vec::new(),
                        sent_at_ms: None,
                        template: None,
                    },
                ),
                line(
                    3,
                    start + 70_000,
                    LineBody::System {
                        note: SystemNote::Welcome {
                            text: "Thanks for waiting".into(),
                        },
                    },
                ),
            ],
            email: None,
        };
        assert_eq!(transcript.file_name(), "conversation-42");
        assert_eq!(
            transcript.to_text(Locale::en),
            "Conversation: 42\nChannel: Web chat\nQueue: Billing\n\
             Customer: Zoé Martin <zoe@example.com>\nAgent: Dave\n\
             Started: 12/02/2026, 09:00 AM UTC\nAbout: Refund\nWrap-up reasons: Refunded\n\n\
             [09:00:05] Zoé Martin: Where is my refund?\n\
             [09:01:05] Dave: On its way.\n\
             [09:01:10] Thanks for waiting\n"
        );
        assert!(transcript
            .to_text(Locale::fr)
            .starts_with("Conversation\u{a0}: 42\nCanal\u{a0}: Conversation Web\n"));
    }

    #[test]
    fn an_email_reads_as_its_message_then_the_reply_sent() {
        let transcript = Transcript {
            contact: ContactId(7),
            channel: Channel::Email,
            csq: "Support".into(),
            customer: "Zoé Martin <zoe@example.com>".into(),
            agent: None,
            started_at_ms: 0,
            about: "Late parcel".into(),
            wrap_up: Vec::new(),
            lines: Vec::new(),
            email: Some(TranscriptEmail {
                from: "Zoé Martin <zoe@example.com>".into(),
                to: "Shop Support <support@shop.test>".into(),
                subject: "Late parcel".into(),
                received_at_ms: 0,
                text: "Where is it?\n".into(),
                reply: Some("On its way.".into()),
            }),
        };
        let text = transcript.to_text(Locale::en);
        assert!(!text.contains("Agent:"), "no agent, no line: {text}");
        assert!(
            text.contains(
                "From: Zoé Martin <zoe@example.com>\nTo: Shop Support <support@shop.test>\n"
            ),
            "{text}"
        );
        assert!(
            text.ends_with(
                "Subject: Late parcel\nReceived: 01/01/1970, 12:00 AM UTC\n\nWhere is it?\n\n\
                 --- Reply sent ---\n\nOn its way.\n"
            ),
            "{text}"
        );
    }
}
