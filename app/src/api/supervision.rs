//! Issue 18 (D-3): the supervisors' calls, checked by the server (supervisors and
//! administrators only; a supervisor sees the CSQs given them).

use super::ApiError;
use crate::domain::supervision::Board;
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
