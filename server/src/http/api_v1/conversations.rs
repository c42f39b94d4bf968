//! Conversations through the API: a page of them, newest first (every one, or the ones the
//! Conversations page's filters find, full-text words included), and one whole: its chat
//! lines, or its email with the replies sent. Erased contents read as empty, with the time
//! they went.

use super::{
    super::{
        error::{AppError, PathParam},
        AppState,
    },
    input::QueryParams,
    openapi::ErrorBody,
    paging::{Page, Paging},
};
use crate::{
    conversations::words::search_words,
    store::{
        privacy::{DossierEmail, DossierFile, DossierReply},
        records::ConversationRecord,
        search::{ConversationPage, SearchQuery},
    },
};
use app::domain::{
    chat::{Author, ChatLine, LineBody},
    contact::{Channel, Contact},
    conversations::ConversationFilter,
    email::EmailAddress,
    ids::{AgentId, ContactId, CsqId, WrapUpReasonId},
    prechat::Detail,
};
use axum::{extract::State, http::StatusCode, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A conversation as a list gives it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationSummary {
    pub id: i64,
    /// web, messenger, whatsapp or email.
    pub channel: &'static str,
    /// queued, offered, active or ended (an email being answered is active).
    pub status: &'static str,
    pub customer_id: i64,
    pub customer_name: String,
    pub queue_id: i64,
    /// The agent who holds it, or held it last.
    pub agent_id: Option<i64>,
    /// The problem statement the customer picked, or the email's subject.
    pub about: String,
    pub created_at_ms: i64,
}

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

/// Which conversations: each part optional, all given ones must hold.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConversationQuery {
    /// Words of the text (each the start of a word written): ended conversations only.
    pub q: Option<String>,
    pub customer: Option<i64>,
    pub queue: Option<i64>,
    pub agent: Option<i64>,
    /// web, messenger, whatsapp or email.
    pub channel: Option<String>,
    /// A wrap-up reason's id.
    pub reason: Option<i64>,
    /// One of the customer's tags.
    pub tag: Option<String>,
    /// Started on or after this UTC day (YYYY-MM-DD).
    pub from: Option<String>,
    /// Started on or before this UTC day (YYYY-MM-DD).
    pub to: Option<String>,
    /// `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// 1 to 200; 50 when absent.
    pub limit: Option<u32>,
}

fn summary((contact, customer_name): (Contact, String)) -> ConversationSummary {
    ConversationSummary {
        id: contact.id.0,
        channel: contact.channel.as_str(),
        status: contact.status.as_str(),
        customer_id: contact.customer.0,
        customer_name,
        queue_id: contact.csq.0,
        agent_id: contact.agent.map(|a| a.0),
        about: contact.problem,
        created_at_ms: contact.created_at_ms,
    }
}

#[utoipa::path(get, path = "/conversations", operation_id = "list_conversations", tag = "conversations", params(ConversationQuery),
    responses((status = 200, body = Page<ConversationSummary>), (status = 400, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
/// The conversations, newest first: every one, or the ones the filters find.
pub async fn list(
    State(state): State<AppState>,
    QueryParams(query): QueryParams<ConversationQuery>,
) -> Result<Json<Page<ConversationSummary>>, AppError> {
    let paging = Paging::of(query.cursor.as_deref(), query.limit)?;
    let channel = match query.channel.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(given) => Some(Channel::parse(given).ok_or_else(|| AppError::Malformed {
            status: StatusCode::BAD_REQUEST,
            message: format!(
                "channel must be web, messenger, whatsapp or email (it was \"{given}\")"
            ),
        })?),
    };
    let filter = ConversationFilter {
        text: query.q.unwrap_or_default(),
        csq: query.queue.map(CsqId),
        agent: query.agent.map(AgentId),
        channel,
        reason: query.reason.map(WrapUpReasonId),
        tag: query.tag.unwrap_or_default(),
        from: query.from.unwrap_or_default(),
        to: query.to.unwrap_or_default(),
        ..ConversationFilter::default()
    };
    filter.validate().map_err(AppError::Invalid)?;
    let tag = filter.tag.split_whitespace().collect::<Vec<_>>().join(" ");
    let page = ConversationPage {
        query: SearchQuery {
            reach: None,
            words: search_words(&filter.text),
            customer: None,
            csq: filter.csq,
            agent: filter.agent,
            channel: filter.channel,
            reason: filter.reason,
            tag: (!tag.is_empty()).then(|| tag.to_lowercase()),
            range: filter.range_ms(),
        },
        customer: query.customer.map(app::domain::ids::CustomerId),
        before: paging.after.map(ContactId),
        limit: paging.limit + 1,
    };
    let rows = state.services.store.conversation_page(&page).await?;
    let rows = rows.into_iter().map(summary).collect();
    Ok(Json(paging.page(rows, |c: &ConversationSummary| c.id)))
}

#[utoipa::path(get, path = "/conversations/{id}", operation_id = "get_conversation", tag = "conversations",
    params(("id" = i64, Path, description = "The conversation's id")),
    responses((status = 200, body = Conversation), (status = 404, body = ErrorBody)))]
/// One conversation whole: its lines, or its email and replies.
pub async fn one(
    State(state): State<AppState>,
    PathParam(id): PathParam<i64>,
) -> Result<Json<Conversation>, AppError> {
    let record = state
        .services
        .store
        .conversation_record(ContactId(id))
        .await?;
    Ok(Json(conversation(record)))
}

pub(super) fn conversation(record: ConversationRecord) -> Conversation {
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
fn line(stored: ChatLine) -> Line {
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
