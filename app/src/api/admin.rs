//! Administration (SPEC D-2): only administrators reach these, the server checks the role on
//! every call whatever the page shows.

use super::ApiError;
use crate::domain::{agent::Agent, settings::ChatSettings};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the administration page renders first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminView {
    /// The administrator, for the top bar.
    pub agent: Agent,
    pub chat_settings: ChatSettings,
}

#[server(prefix = "/api", endpoint = "admin")]
pub async fn get_admin() -> Result<AdminView, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.admin(&headers).await
    }
    .await
    .map_err(super::fail)
}

/// Validates and stores the chat settings; returns them as stored. New values apply to
/// chats and offers that start after the change.
#[server(prefix = "/api", endpoint = "admin/chat-settings")]
pub async fn save_chat_settings(settings: ChatSettings) -> Result<ChatSettings, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?
            .save_chat_settings(&headers, settings)
            .await
    }
    .await
    .map_err(super::fail)
}
