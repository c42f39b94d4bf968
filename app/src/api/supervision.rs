//! Issue 18 (D-3): the supervisors' calls, checked by the server (supervisors and
//! administrators only; a supervisor sees the CSQs given them).

use super::ApiError;
use crate::domain::{
    ids::{AgentId, ContactId},
    reports::{Report, ReportRequest},
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

/// Joins chat `contact` as its second agent (G-3: three people at most), from a reading of
/// it; the chat opens in the user's desktop and everyone in it reads that they joined.
/// Refused unless the chat is of a CSQ the user supervises (administrators: any chat).
#[server(prefix = "/api", endpoint = "supervision/join", output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn join_chat(contact: ContactId) -> Result<(), ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.join_chat(&headers, contact).await
    }
    .await
    .map_err(super::fail)
}

/// A report over a period of days on the viewer's clock (see [`ReportRequest`]), of the
/// CSQs the user supervises (administrators: all), counted by the database.
#[server(prefix = "/api", endpoint = "supervision/report", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn get_report(request: ReportRequest) -> Result<Report, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.report(&headers, request).await
    }
    .await
    .map_err(super::fail)
}
