//! The canned responses' calls (SPEC P-3, R-3, D-2): administrators only, checked by the
//! server on each. Each answers with every canned response as stored now.

use super::ApiError;
use crate::domain::{
    canned::{CannedEdit, CannedResponse},
    ids::CannedResponseId,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Every canned response, chat and email, each list by title.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CannedView {
    pub chat: Vec<CannedResponse>,
    pub email: Vec<CannedResponse>,
}

impl CannedView {
    /// Both lists together, as the validators compare them.
    pub fn all(&self) -> Vec<CannedResponse> {
        self.chat.iter().chain(&self.email).cloned().collect()
    }
}

/// Creates or changes a canned response (an email one's HTML is sanitized as stored).
#[server(prefix = "/api", endpoint = "admin/canned", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn save_canned(edit: CannedEdit) -> Result<CannedView, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.save_canned(&headers, edit).await
    }
    .await
    .map_err(super::fail)
}

/// Deletes a canned response; what agents already sent with it keeps its text.
#[server(prefix = "/api", endpoint = "admin/canned/delete", output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn delete_canned(id: CannedResponseId) -> Result<CannedView, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.delete_canned(&headers, id).await
    }
    .await
    .map_err(super::fail)
}
