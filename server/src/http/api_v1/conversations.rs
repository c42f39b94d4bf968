//! Conversations through the API: a page of them, newest first (every one, or the ones the
//! Conversations page's filters find, full-text words included), and one whole (its shape
//! in [`crate::api_json::conversation`]).

use super::{
    super::{
        error::{AppError, PathParam},
        AppState,
    },
    input::QueryParams,
    openapi::ErrorBody,
    paging::{Page, Paging},
};
pub use crate::api_json::conversation::{conversation, Conversation};
use crate::{
    conversations::words::search_words,
    store::search::{ConversationPage, SearchQuery},
};
use app::domain::{
    contact::{Channel, Contact},
    conversations::ConversationFilter,
    ids::{AgentId, ContactId, CsqId, WrapUpReasonId},
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
