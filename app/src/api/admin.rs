//! Administration (SPEC D-2): only administrators reach these, the server checks the role on
//! every call whatever the page shows.

use super::ApiError;
use crate::domain::{
    agent::Agent,
    csq::Csq,
    gadget_hosts::GadgetHosts,
    set_aside::UnreadableEmail,
    settings::ChatSettings,
    wrap_up::{WrapUpReasonAdmin, WrapUpReasonEdit},
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the administration page renders first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminView {
    /// The administrator, for the top bar.
    pub agent: Agent,
    pub chat_settings: ChatSettings,
    /// The CSQs, to assign wrap-up reasons to.
    pub csqs: Vec<Csq>,
    /// SPEC W-1: every wrap-up reason, retired ones last.
    pub wrap_up_reasons: Vec<WrapUpReasonAdmin>,
    /// Messages the mailboxes could not give or Switchboard could not read, set aside so
    /// the rest were taken; the newest first.
    pub unreadable_emails: Vec<UnreadableEmail>,
    /// The CSQs with their members and the pre-chat form's problem statements.
    pub queues: super::QueuesView,
    /// The pre-chat form's own fields, in its order.
    pub prechat_fields: Vec<crate::domain::prechat::PreChatField>,
    /// Every canned response, chat and email.
    pub canned: super::CannedView,
    /// Every mailbox, never a password.
    pub mailboxes: Vec<crate::domain::mailboxes::MailboxAdmin>,
    /// SPEC D-1: the host desktops that may embed the desktop as a gadget.
    #[serde(default)]
    pub gadget_hosts: GadgetHosts,
    /// SPEC F-1, F-3: Messenger and WhatsApp, set up or not, never a secret.
    #[serde(default)]
    pub meta_channels: Vec<crate::domain::channels::MetaChannelAdmin>,
}

#[server(prefix = "/api", endpoint = "admin", output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
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
#[server(prefix = "/api", endpoint = "admin/chat-settings", output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
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

/// SPEC D-1: stores the host desktops that may embed the desktop; returns them as stored.
/// Pages framed by a host read the list when they load.
#[server(prefix = "/api", endpoint = "admin/gadget-hosts", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn save_gadget_hosts(hosts: GadgetHosts) -> Result<GadgetHosts, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.save_gadget_hosts(&headers, hosts).await
    }
    .await
    .map_err(super::fail)
}

/// Creates or changes a wrap-up reason: its label, its CSQs, retired or not (SPEC W-1).
/// Contacts already assigned keep the list they had (SPEC W-2). Returns every reason.
#[server(prefix = "/api", endpoint = "admin/wrap-up-reason", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn save_wrap_up_reason(
    edit: WrapUpReasonEdit,
) -> Result<Vec<WrapUpReasonAdmin>, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.save_wrap_up_reason(&headers, edit).await
    }
    .await
    .map_err(super::fail)
}
