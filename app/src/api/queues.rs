//! The Queues page's calls (SPEC D-2, K-2, O-2): administrators only, checked by the server
//! on each. Each save answers with the page's new state.

use super::ApiError;
use crate::domain::{
    hours::{BusinessHours, HoursNow},
    ids::CsqId,
    queues::{CsqAdmin, CsqEdit, ProblemStatementAdmin, ProblemStatementEdit},
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The CSQs with their members and the problem statements in the pre-chat form's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuesView {
    pub csqs: Vec<CsqAdmin>,
    pub problem_statements: Vec<ProblemStatementAdmin>,
    /// Issue 17: whether each CSQ with business hours takes chats as the page is read.
    #[serde(default)]
    pub hours_now: Vec<(CsqId, HoursNow)>,
}

/// Issue 17 (K-4): sets a CSQ's business hours (none: always open).
#[server(prefix = "/api", endpoint = "admin/csq/hours", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn save_business_hours(
    csq: CsqId,
    hours: Option<BusinessHours>,
) -> Result<QueuesView, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?
            .save_business_hours(&headers, csq, hours)
            .await
    }
    .await
    .map_err(super::fail)
}

/// Issue 17: every time zone the server knows, for the business hours' list.
#[server(prefix = "/api", endpoint = "admin/time-zones", output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn time_zones() -> Result<Vec<String>, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.time_zones(&headers).await
    }
    .await
    .map_err(super::fail)
}

/// Creates or changes a CSQ: name, retired, members (who learn it at once).
#[server(prefix = "/api", endpoint = "admin/csq", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn save_csq(edit: CsqEdit) -> Result<QueuesView, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.save_csq(&headers, edit).await
    }
    .await
    .map_err(super::fail)
}

/// Creates or changes a problem statement of the pre-chat form.
#[server(prefix = "/api", endpoint = "admin/problem-statement", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn save_problem_statement(edit: ProblemStatementEdit) -> Result<QueuesView, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?
            .save_problem_statement(&headers, edit)
            .await
    }
    .await
    .map_err(super::fail)
}

/// Moves a problem statement one place up or down the pre-chat form.
#[server(prefix = "/api", endpoint = "admin/problem-statement/move", output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn move_problem_statement(id: i64, up: bool) -> Result<QueuesView, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?
            .move_problem_statement(&headers, id, up)
            .await
    }
    .await
    .map_err(super::fail)
}
