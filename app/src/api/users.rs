//! The Users page's calls (SPEC D-2): administrators only, checked by the server on each.

use super::ApiError;
use crate::domain::{
    ids::AgentId,
    users::{UserEdit, UserPage, UserSaved},
};
use leptos::prelude::*;

/// One page (from 0) of the users whose username, full name or alias holds `search`.
#[server(prefix = "/api", endpoint = "admin/users", output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn list_users(search: String, page: u32) -> Result<UserPage, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.users(&headers, search, page).await
    }
    .await
    .map_err(super::fail)
}

/// Creates a user (with a temporary password they must change) or changes one; a change of
/// CSQs or capacity applies to routing at once, a user disabled loses their sessions.
#[server(prefix = "/api", endpoint = "admin/user", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn save_user(edit: UserEdit) -> Result<UserSaved, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.save_user(&headers, edit).await
    }
    .await
    .map_err(super::fail)
}

/// Gives the user a one-time password (returned once) and ends their sessions.
#[server(prefix = "/api", endpoint = "admin/user/reset-password", output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn reset_user_password(user: AgentId) -> Result<String, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.reset_user_password(&headers, user).await
    }
    .await
    .map_err(super::fail)
}
