//! Issue 18 (D-3): the supervisors' calls, checked by the server (supervisors and
//! administrators only; a supervisor sees the CSQs given them).

use super::ApiError;
use crate::domain::{
    ids::AgentId,
    supervision::{Board, SupervisorAction},
};
use leptos::prelude::*;

/// The team and the queues now; "today" from midnight in `time_zone` (the viewer's IANA
/// name, such as "Europe/Paris").
#[server(prefix = "/api", endpoint = "supervision/board", output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn get_board(time_zone: String) -> Result<Board, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?
            .supervision_board(&headers, time_zone)
            .await
    }
    .await
    .map_err(super::fail)
}

/// Sets `agent` Not Ready or logs them out (see [`SupervisorAction`]); refused unless the
/// agent takes contacts from a CSQ the user supervises (administrators: any agent).
#[server(prefix = "/api", endpoint = "supervision/act", output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn supervise_agent(agent: AgentId, action: SupervisorAction) -> Result<(), ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?
            .supervise_agent(&headers, agent, action)
            .await
    }
    .await
    .map_err(super::fail)
}
