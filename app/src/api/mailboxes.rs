//! The Mailboxes page's calls (SPEC E-1, R-5, R-7, D-2): administrators only, checked by
//! the server on each. No answer ever carries a password.

use super::ApiError;
use crate::domain::mailboxes::{MailboxAdmin, MailboxEdit};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What "Test connection" found on each server, in words an administrator can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxTest {
    pub imap: TestOutcome,
    pub smtp: TestOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestOutcome {
    pub ok: bool,
    /// "Logged in to imap.example.com and opened INBOX", or what went wrong.
    pub message: String,
}

/// Every mailbox with its connector's last report.
#[server(prefix = "/api", endpoint = "admin/mailboxes", output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn get_mailboxes() -> Result<Vec<MailboxAdmin>, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.mailboxes(&headers).await
    }
    .await
    .map_err(super::fail)
}

/// Creates or changes a mailbox; its connector starts, restarts or stops at once.
#[server(prefix = "/api", endpoint = "admin/mailbox", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn save_mailbox(edit: MailboxEdit) -> Result<Vec<MailboxAdmin>, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.save_mailbox(&headers, edit).await
    }
    .await
    .map_err(super::fail)
}

/// Logs in to the IMAP and SMTP servers with these settings (the stored passwords where
/// none is typed) and reports each outcome; nothing is saved.
#[server(prefix = "/api", endpoint = "admin/mailbox/test", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn test_mailbox(edit: MailboxEdit) -> Result<MailboxTest, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.test_mailbox(&headers, edit).await
    }
    .await
    .map_err(super::fail)
}
