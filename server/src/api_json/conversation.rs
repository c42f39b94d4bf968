//! A conversation as the API answers it and the webhooks send it (issue 17): its chat
//! lines, or its email with the replies sent. Erased contents read as empty, with the time
//! they went.

use crate::store::{
    privacy::{DossierEmail, DossierFile, DossierReply},
    records::ConversationRecord,
};
use app::domain::{
    chat::{Author, ChatLine, LineBody},
    email::EmailAddress,
    prechat::Detail,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A conversation whole.
#[derive(Debug, Serialize, ToSchema)]
pub struct Conversation {
    pub id: i64,
    pub channel: String,
    pub status: String,
    pub customer_id: i64,
    pub queue_id: i64,
    pub queue: String,
    pub agent_id: Option<i64>,
    /// The agent's alias, as the customer saw it.
    pub agent: Option<String>,
    pub about: String,
    /// The pre-chat form's own questions and the customer's answers.
    pub details: Vec<Answer>,
    pub created_at_ms: i64,
    pub accepted_at_ms: Option<i64>,
    pub ended_at_ms: Option<i64>,
    /// The wrap-up reasons the agents chose, by label.
    pub wrap_up: Vec<String>,
    /// Set when the retention or an erasure removed what was written (then the lines,
    /// email and replies are empty).
    pub contents_erased_at_ms: Option<i64>,
    /// A chat's lines, in order.
    pub lines: Vec<Line>,
    /// An email's message from the customer.
    pub email: Option<Email>,
    /// The replies sent (or being sent) to it.
    pub replies: Vec<Reply>,
}

/// One pre-chat answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Answer {
    pub label: String,
    pub value: String,
}

/// One line of a chat: a message, or what happened (joined, left, ended...).
#[derive(Debug, Serialize, ToSchema)]
pub struct Line {
    pub at_ms: i64,
    /// customer, agent or system.
    pub author: &'static str,
    /// The agent who wrote it.
    pub agent_id: Option<i64>,
    /// The customer's name or the agent's alias, as shown in the chat.
    pub name: Option<String>,
    /// The message, or what happened in English.
    pub text: String,
    /// Files the message brought.
    pub files: Vec<File>,
}

/// A file with a message or an email.
#[derive(Debug, Serialize, ToSchema)]
pub struct File {
    pub name: String,
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// The hex SHA-256 of its bytes; none for a file that could not be received.
    pub sha256: Option<String>,
}

/// An email address with its name.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Mailbox {
    pub name: Option<String>,
    pub address: String,
}

/// A customer's email.
#[derive(Debug, Serialize, ToSchema)]
pub struct Email {
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub subject: String,
    /// The Date header, when it had one.
    pub sent_at_ms: Option<i64>,
    pub received_at_ms: i64,
    pub text: String,
    /// Sanitized when it came in.
    pub html: Option<String>,
    pub attachments: Vec<File>,
}

/// A reply sent to an email (or the acknowledgement of a message left).
#[derive(Debug, Serialize, ToSchema)]
pub struct Reply {
    /// Every address it goes to.
    pub to: Vec<String>,
    /// None for a message the mailbox sent by itself (a left message's acknowledgement; an
    /// email started through the API, whose text is the conversation's email).
    pub text: Option<String>,
    /// pending, sent or failed.
    pub state: String,
    pub created_at_ms: i64,
    pub done_at_ms: Option<i64>,
}

pub fn conversation(record: ConversationRecord) -> Conversation {
    let c = record.conversation;
    Conversation {
        id: c.id,
        channel: c.channel,
        status: c.status,
        customer_id: record.customer.0,
        queue_id: record.queue.0,
        queue: c.queue,
        agent_id: record.agent.map(|a| a.0),
        agent: c.agent,
        about: c.about,
        details: serde_json::from_value::<Vec<Detail>>(c.details)
            .unwrap_or_default()
            .into_iter()
            .map(|d| Answer {
                label: d.label,
                value: d.value,
            })
            .collect(),
        created_at_ms: c.created_at_ms,
        accepted_at_ms: c.accepted_at_ms,
        ended_at_ms: c.ended_at_ms,
        wrap_up: c.wrap_up,
        contents_erased_at_ms: c.contents_erased_at_ms,
        lines: record.lines.into_iter().map(line).collect(),
        email: c.email.map(email),
        replies: c.replies.into_iter().map(reply).collect(),
    }
}

/// A line of the transcript as the API gives it.
pub fn line(stored: ChatLine) -> Line {
    match stored.body {
        LineBody::Message {
            author,
            text,
            files,
            ..
        } => {
            let (kind, agent_id, name) = match author {
                Author::Customer { name } => ("customer", None, name),
                Author::Agent { agent, alias } => ("agent", Some(agent.0), alias),
            };
            Line {
                at_ms: stored.at_ms,
                author: kind,
                agent_id,
                name: Some(name),
                text,
                files: files
                    .into_iter()
                    .map(|f| File {
                        name: f.name,
                        content_type: f.content_type,
                        size: f.size as i64,
                        sha256: f.sha256,
                    })
                    .collect(),
            }
        }
        LineBody::System { note } => Line {
            at_ms: stored.at_ms,
            author: "system",
            agent_id: None,
            name: None,
            text: note.text(),
            files: Vec::new(),
        },
    }
}

fn file(f: DossierFile) -> File {
    File {
        name: f.name,
        content_type: f.content_type,
        size: f.size,
        sha256: Some(f.sha256),
    }
}

fn mailboxes(stored: serde_json::Value) -> Vec<Mailbox> {
    serde_json::from_value::<Vec<EmailAddress>>(stored)
        .unwrap_or_default()
        .into_iter()
        .map(|a| Mailbox {
            name: a.name,
            address: a.address,
        })
        .collect()
}

fn email(e: DossierEmail) -> Email {
    Email {
        from: Mailbox {
            name: e.from_name,
            address: e.from_address,
        },
        to: mailboxes(e.to),
        cc: mailboxes(e.cc),
        subject: e.subject,
        sent_at_ms: e.sent_at_ms,
        received_at_ms: e.received_at_ms,
        text: e.text,
        html: e.html,
        attachments: e.attachments.into_iter().map(file).collect(),
    }
}

fn reply(r: DossierReply) -> Reply {
    Reply {
        to: serde_json::from_value(r.to).unwrap_or_default(),
        text: r.text,
        state: r.state,
        created_at_ms: r.created_at_ms,
        done_at_ms: r.done_at_ms,
    }
}
