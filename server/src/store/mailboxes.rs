//! What the store keeps of the mailboxes (SPEC E-1, R-7, D-2): each one's settings as JSON
//! and its passwords sealed (the store never sees them in clear: see `crate::secrets`). A
//! separate trait, included by [`super::Store`].

use super::{AuditEntry, StoreResult};
use app::domain::{
    ids::{CsqId, MailboxId},
    mailboxes::Server,
};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// A mailbox's settings that are not secret, stored as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MailboxSettings {
    pub imap: Server,
    pub folder: String,
    pub smtp: Server,
    pub address: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub signature_html: String,
    /// Seconds between checks when the server does not offer IDLE.
    #[serde(default = "default_poll_secs")]
    pub poll_secs: u64,
    /// A PEM file of certificate authorities to trust besides the public ones (only from
    /// the import file).
    #[serde(default)]
    pub ca_file: Option<std::path::PathBuf>,
    #[serde(default)]
    pub smtp_ca_file: Option<std::path::PathBuf>,
}

fn default_poll_secs() -> u64 {
    60
}

/// A mailbox as stored: passwords sealed, or none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMailbox {
    /// None: not stored yet.
    pub id: Option<MailboxId>,
    pub name: String,
    pub csq: CsqId,
    pub enabled: bool,
    pub settings: MailboxSettings,
    pub imap_secret: Option<String>,
    pub smtp_secret: Option<String>,
}

#[async_trait]
pub trait MailboxStore: Send + Sync {
    /// Every mailbox, by name (ignoring case).
    async fn mailboxes(&self) -> StoreResult<Vec<StoredMailbox>>;

    /// Creates (`id` none) or replaces a mailbox, with the audit line when an administrator
    /// made the change, in one transaction. [`super::StoreError::Conflict`] when another
    /// mailbox has the name (ignoring case); [`super::StoreError::NotFound`] when the one
    /// to change is gone.
    async fn save_mailbox(
        &self,
        mailbox: &StoredMailbox,
        audit: Option<&AuditEntry>,
    ) -> StoreResult<MailboxId>;
}
