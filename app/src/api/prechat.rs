//! The pre-chat form's own fields' calls (SPEC K-2, O-2, D-2): administrators only, checked
//! by the server on each. Each answers with every field as stored now, in the form's order.

use super::ApiError;
use crate::domain::prechat::{PreChatField, PreChatFieldEdit};
use leptos::prelude::*;

/// Creates (added last) or changes a field of the pre-chat form.
#[server(prefix = "/api", endpoint = "admin/prechat-field", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn save_prechat_field(edit: PreChatFieldEdit) -> Result<Vec<PreChatField>, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.save_prechat_field(&headers, edit).await
    }
    .await
    .map_err(super::fail)
}

/// Deletes a field; chats that started with an answer to it keep the answer.
#[server(prefix = "/api", endpoint = "admin/prechat-field/delete", output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn delete_prechat_field(id: i64) -> Result<Vec<PreChatField>, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.delete_prechat_field(&headers, id).await
    }
    .await
    .map_err(super::fail)
}

/// Moves a field one place up or down the form.
#[server(prefix = "/api", endpoint = "admin/prechat-field/move", output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn move_prechat_field(id: i64, up: bool) -> Result<Vec<PreChatField>, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.move_prechat_field(&headers, id, up).await
    }
    .await
    .map_err(super::fail)
}
