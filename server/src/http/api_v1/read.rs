//! What a token of either scope reads: itself, the queues and the agents. Each list answers `{"data": [...]}`; the lists that
//! can grow long page by cursor (`next`), these two are whole.

use super::{
    super::{error::AppError, AppState},
    auth::Caller,
};
use app::domain::{
    api_tokens::TokenScope,
    ids::{AgentId, ApiTokenId, CsqId},
};
use axum::{extract::State, Extension, Json};
use serde::Serialize;

/// A list's answer.
#[derive(Debug, Serialize)]
pub struct List<T> {
    pub data: Vec<T>,
}

/// A contact service queue (CSQ).
#[derive(Debug, Serialize)]
pub struct Queue {
    pub id: CsqId,
    pub name: String,
    /// The agents who take its contacts.
    pub agents: Vec<AgentId>,
}

/// A user of the desktop: an agent, a supervisor or an administrator.
#[derive(Debug, Serialize)]
pub struct Agent {
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

/// GET /api/v1/queues: every queue with its agents, by name.
pub async fn queues(State(state): State<AppState>) -> Result<Json<List<Queue>>, AppError> {
    let mut csqs = state.services.store.csqs().await?;
    csqs.sort_by_key(|c| c.name.to_lowercase());
    Ok(Json(List {
        data: csqs
            .into_iter()
            .map(|c| Queue {
                id: c.id,
                name: c.name,
                agents: c.members,
            })
            .collect(),
    }))
}

/// GET /api/v1/agents: every user, by username.
pub async fn agents(State(state): State<AppState>) -> Result<Json<List<Agent>>, AppError> {
    let mut agents = state.services.store.agents().await?;
    agents.sort_by(|a, b| a.username.cmp(&b.username));
    Ok(Json(List {
        data: agents
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
    }))
}

/// The token a request came with.
#[derive(Debug, Serialize)]
pub struct Token {
    pub id: ApiTokenId,
    /// read, or read_write.
    pub scope: TokenScope,
}

/// GET /api/v1/token: the token the request came with (a CRM checks its setup with it).
pub async fn token(Extension(Caller(token)): Extension<Caller>) -> Json<Token> {
    Json(Token {
        id: token.id,
        scope: token.scope,
    })
}
