//! The Channels page's calls (SPEC F-1, F-3, D-2): administrators only, checked by the
//! server on each. No answer ever carries a secret.

use super::{ApiError, TestOutcome};
use crate::domain::channels::{MetaChannelAdmin, MetaChannelEdit};
use leptos::prelude::*;

/// Creates or changes a Messenger or WhatsApp channel, audited: every channel after.
#[server(prefix = "/api", endpoint = "admin/channel", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn save_meta_channel(edit: MetaChannelEdit) -> Result<Vec<MetaChannelAdmin>, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.save_meta_channel(&headers, edit).await
    }
    .await
    .map_err(super::fail)
}

/// Reads the channel's account through Meta's Graph API with what is typed (the stored
/// token where none is typed) and reports what Meta answered; nothing is saved.
#[server(prefix = "/api", endpoint = "admin/channel/test", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn test_meta_channel(edit: MetaChannelEdit) -> Result<TestOutcome, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.test_meta_channel(&headers, edit).await
    }
    .await
    .map_err(super::fail)
}
