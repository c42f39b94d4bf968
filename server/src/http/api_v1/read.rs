//! What a token of either scope reads: itself, the queues and the agents. Each list has
//! the shape of every page (`{"data": [...]}`); these two are whole, never long.

use super::{
    super::{error::AppError, AppState},
    auth::Caller,
    paging::Page,
};
use app::domain::{
    api_tokens::TokenScope,
    ids::{AgentId, ApiTokenId, CsqId},
};
use axum::{extract::State, Extension, Json};
use serde::Serialize;
use utoipa::ToSchema;

/// A whole list, as one page.
fn whole<T>(data: Vec<T>) -> Json<Page<T>> {
    Json(Page {
        data,
        next_cursor: None,
    })
}

/// A contact service queue (CSQ).
#[derive(Debug, Serialize, ToSchema)]
pub struct Queue {
    #[schema(value_type = i64)]
    pub id: CsqId,
    pub name: String,
    /// The agents who take its contacts.
    #[schema(value_type = Vec<i64>)]
    pub agents: Vec<AgentId>,
}

/// A user of the desktop: an agent, a supervisor or an administrator.
#[derive(Debug, Serialize, ToSchema)]
pub struct Agent {
    #[schema(value_type = i64)]
    pub id: AgentId,
    pub username: String,
    /// Their full name.
    pub name: String,
    /// The name customers see.
    pub alias: String,
    /// agent, supervisor or admin.
    pub role: &'static str,
    /// A disabled user cannot log in; their history stays.
    pub disabled: bool,
}

#[utoipa::path(get, path = "/queues", operation_id = "list_queues", tag = "queues and agents",
    responses((status = 200, body = Page<Queue>)))]
/// Every queue with its agents, by name.
pub async fn queues(State(state): State<AppState>) -> Result<Json<Page<Queue>>, AppError> {
    let mut csqs = state.services.store.csqs().await?;
    csqs.sort_by_key(|c| c.name.to_lowercase());
    Ok(whole(
        csqs.into_iter()
            .map(|c| Queue {
                id: c.id,
                name: c.name,
                agents: c.members,
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/agents", operation_id = "list_agents", tag = "queues and agents",
    responses((status = 200, body = Page<Agent>)))]
/// Every user, by username.
pub async fn agents(State(state): State<AppState>) -> Result<Json<Page<Agent>>, AppError> {
    let mut agents = state.services.store.agents().await?;
    agents.sort_by(|a, b| a.username.cmp(&b.username));
    Ok(whole(
        agents
            .into_iter()
            .map(|a| Agent {
                id: a.id,
                username: a.username,
                name: a.display_name,
                alias: a.alias,
                role: a.role.as_str(),
                disabled: a.disabled,
            })
            .collect(),
    ))
}

/// The token a request came with.
#[derive(Debug, Serialize, ToSchema)]
pub struct Token {
    #[schema(value_type = i64)]
    pub id: ApiTokenId,
    /// read, or read_write.
    #[schema(value_type = String)]
    pub scope: TokenScope,
}

#[utoipa::path(get, path = "/token", operation_id = "get_token", tag = "token",
    responses((status = 200, body = Token), (status = 401, body = super::openapi::ErrorBody)))]
/// The token the request came with (a CRM checks its setup with it).
pub async fn token(Extension(Caller(token)): Extension<Caller>) -> Json<Token> {
    Json(Token {
        id: token.id,
        scope: token.scope,
    })
}
