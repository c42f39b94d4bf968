//! The Conversations page's calls (issue 17): any logged-in user, each reading within
//! their reach (checked by the server).

use super::ApiError;
use crate::domain::{
    conversations::{ConversationChoices, ConversationFilter, ConversationPage},
    customer::PastConversation,
    ids::ContactId,
};
use leptos::prelude::*;

/// What the filters' lists offer the reader.
#[server(prefix = "/api", endpoint = "conversations/choices", output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn get_conversation_choices() -> Result<ConversationChoices, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.conversation_choices(&headers).await
    }
    .await
    .map_err(super::fail)
}

/// One page of the past conversations the filter finds, newest first.
#[server(prefix = "/api", endpoint = "conversations/search", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn search_conversations(
    filter: ConversationFilter,
) -> Result<ConversationPage, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.conversations(&headers, filter).await
    }
    .await
    .map_err(super::fail)
}

/// One past conversation, read-only (SPEC P-5).
#[server(prefix = "/api", endpoint = "conversations/read", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn read_conversation(contact: ContactId) -> Result<PastConversation, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.conversation(&headers, contact).await
    }
    .await
    .map_err(super::fail)
}
