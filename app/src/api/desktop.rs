//! The data the desktop page renders first; live updates then come over the WebSocket.

use super::ApiError;
use crate::domain::{
    agent::Agent,
    canned::CannedResponse,
    csq::Csq,
    message_template::MessageTemplate,
    protocol::{Seq, Work},
    state::AgentStatus,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Who is logged in, their state, and the stream position that state reflects: the page
/// resumes its WebSocket from `seq`, so nothing between render and connect is missed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesktopView {
    pub agent: Agent,
    pub status: AgentStatus,
    pub seq: Seq,
    /// Offers, invitations and contacts in hand (SPEC O-2, G-2, C-1).
    pub work: Work,
    /// Every chat canned response (SPEC P-3, R-3): each contact offers the global ones and
    /// those of its own CSQ.
    pub canned: Vec<CannedResponse>,
    /// The server's time (Unix ms), so countdowns follow the server's clock.
    pub now_ms: i64,
    /// Every CSQ by name (members left out): where an email can be requeued (SPEC Q-1).
    #[serde(default)]
    pub csqs: Vec<Csq>,
    /// SPEC R-3: the email canned responses (HTML), appended to a reply.
    #[serde(default)]
    pub canned_email: Vec<CannedResponse>,
    /// SPEC R-4: seconds between automatic saves of a reply being written.
    #[serde(default)]
    pub draft_autosave_secs: u32,
    /// SPEC D-1: the host desktops whose messages the desktop answers when it is a gadget.
    #[serde(default)]
    pub gadget_hosts: Vec<String>,
    /// SPEC F-3: the WhatsApp templates an agent may send past the 24-hour window (none
    /// while the channel is off).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub whatsapp_templates: Vec<MessageTemplate>,
}

#[server(prefix = "/api", endpoint = "desktop", output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn get_desktop() -> Result<DesktopView, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.desktop(&headers).await
    }
    .await
    .map_err(super::fail)
}
