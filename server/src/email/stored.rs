//! Mailboxes kept in the database (SPEC E-1, D-2): turned into the settings the connector
//! and the outbox use (passwords opened with the key kept outside the database), imported
//! once from `SWITCHBOARD_MAILBOXES` when the database has none, and started at once when
//! saved.

use super::{
    config::{MailboxConfig, SmtpConfig},
    imap, EmailService,
};
use crate::{
    secrets::SecretError,
    store::{
        mailboxes::{MailboxSettings, StoredMailbox},
        StoreError,
    },
};
use app::domain::mailboxes::Server;
use std::sync::Arc;

/// What a mailbox's sealed IMAP password is bound to: its name (unique, fixed once made).
pub fn imap_secret(mailbox: &str) -> String {
    format!("mailbox:{mailbox}:imap")
}

/// What a mailbox's sealed SMTP password is bound to.
pub fn smtp_secret(mailbox: &str) -> String {
    format!("mailbox:{mailbox}:smtp")
}

/// What the administration shows for a mailbox whose stored settings cannot be used.
fn not_started(e: SecretError) -> app::domain::mailboxes::ConnectorStatus {
    use app::domain::mailboxes::ConnectorStatus;
    match e {
        SecretError::Undecryptable => ConnectorStatus::PasswordUndecryptable,
        other => ConnectorStatus::NotStarted {
            detail: other.to_string(),
        },
    }
}

impl EmailService {
    /// The settings the connector and the outbox use, passwords opened.
    pub fn runtime_config(&self, stored: &StoredMailbox) -> Result<MailboxConfig, SecretError> {
        let open =
            |context: &str, sealed: &Option<String>| -> Result<Option<String>, SecretError> {
                sealed
                    .as_deref()
                    .map(|s| self.secrets.open(context, s))
                    .transpose()
            };
        let s = &stored.settings;
        let smtp_password = open(&smtp_secret(&stored.name), &stored.smtp_secret)?;
        let smtp = (!s.smtp.host.is_empty()).then(|| SmtpConfig {
            host: s.smtp.host.clone(),
            port: s.smtp.port,
            security: s.smtp.security,
            username: (!s.smtp.username.is_empty()).then(|| s.smtp.username.clone()),
            password: smtp_password,
            ca_file: s.smtp_ca_file.clone(),
        });
        Ok(MailboxConfig {
            name: stored.name.clone(),
            csq: String::new(),
            csq_id: Some(stored.csq),
            host: s.imap.host.clone(),
            port: s.imap.port,
            security: s.imap.security,
            username: s.imap.username.clone(),
            password: open(&imap_secret(&stored.name), &stored.imap_secret)?.unwrap_or_default(),
            folder: s.folder.clone(),
            poll_secs: s.poll_secs,
            ca_file: s.ca_file.clone(),
            address: Some(s.address.clone()),
            display_name: (!s.display_name.is_empty()).then(|| s.display_name.clone()),
            signature_html: (!s.signature_html.is_empty()).then(|| s.signature_html.clone()),
            smtp,
        })
    }

    /// Keeps the mailbox's settings in force and (re)starts its connector when enabled, or
    /// stops it; its outbox worker runs either way (replies to its emails still leave).
    pub fn apply(self: &Arc<Self>, config: MailboxConfig, enabled: bool) {
        let name = config.name.clone();
        if let Some(stop) = self.mailboxes.put(config.clone(), enabled) {
            tracing::info!(mailbox = ?config, "reading mailbox");
            imap::spawn(config, Arc::clone(self), stop);
        } else {
            tracing::info!(mailbox = %name, "mailbox disabled: not read");
        }
        self.ensure_outbox(&name);
    }

    /// Another node saved mailbox `id` (issue 14): applied here too.
    pub async fn mailbox_saved_elsewhere(self: &Arc<Self>, id: i64) -> Result<(), StoreError> {
        let stored = self.store.mailboxes().await?;
        let Some(stored) = stored.iter().find(|m| m.id.is_some_and(|i| i.0 == id)) else {
            return Ok(());
        };
        match self.runtime_config(stored) {
            Ok(config) => self.apply(config, stored.enabled),
            Err(e) => {
                tracing::error!(mailbox = %stored.name, error = %e, "mailbox not applied");
                self.mailboxes.set_status(&stored.name, not_started(e));
            }
        }
        Ok(())
    }

    /// Applies every stored mailbox whose settings differ from those in force here: after
    /// this node's listening connection was lost, a mailbox saved on another node
    /// meanwhile was never announced here (issue 14).
    pub async fn reread_mailboxes(self: &Arc<Self>) -> Result<(), StoreError> {
        for stored in self.store.mailboxes().await? {
            match self.runtime_config(&stored) {
                Ok(config) if !self.mailboxes.in_force(&config, stored.enabled) => {
                    tracing::info!(mailbox = %stored.name, "mailbox saved elsewhere meanwhile: applied");
                    self.apply(config, stored.enabled);
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(mailbox = %stored.name, error = %e, "mailbox not applied")
                }
            }
        }
        Ok(())
    }

    /// With several nodes: what this node reports of the mailboxes it reads is stored, in
    /// order, so every node's page shows it (issue 14).
    pub fn share_mailbox_reports(
        self: &Arc<Self>,
        coordination: Arc<dyn crate::store::cluster::Coordination>,
    ) {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        self.mailboxes.share_reports(tx);
        tokio::spawn(async move {
            while let Some((name, status)) = rx.recv().await {
                let status = serde_json::to_string(&status).expect("a status is JSON");
                let written = coordination
                    .set_mailbox_status(&name, &status, crate::clock::now_ms())
                    .await;
                if let Err(e) = written {
                    tracing::warn!(mailbox = %name, error = %e, "mailbox report not shared");
                }
            }
        });
    }

    /// Starts every stored mailbox (at server start).
    pub async fn start_mailboxes(self: &Arc<Self>) -> Result<(), StoreError> {
        for stored in self.store.mailboxes().await? {
            match self.runtime_config(&stored) {
                Ok(config) => self.apply(config, stored.enabled),
                Err(e) => {
                    tracing::error!(mailbox = %stored.name, error = %e, "mailbox not started");
                    self.mailboxes.set_status(&stored.name, not_started(e));
                }
            }
        }
        Ok(())
    }

    /// `SWITCHBOARD_MAILBOXES` on a database without mailboxes: each is stored (passwords
    /// sealed) under the CSQ it names, made if missing. Once mailboxes are stored the file
    /// is not read again: they are managed in the administration.
    pub async fn import_mailboxes(&self, file: &[MailboxConfig]) -> Result<(), StoreError> {
        if file.is_empty() {
            return Ok(());
        }
        if !self.store.mailboxes().await?.is_empty() {
            tracing::warn!(
                "SWITCHBOARD_MAILBOXES is set but mailboxes are already stored: the file is \
                 ignored (mailboxes are managed in the administration)"
            );
            return Ok(());
        }
        for m in file {
            let csqs = self.store.csqs().await?;
            let csq = match csqs.iter().find(|c| c.name.eq_ignore_ascii_case(&m.csq)) {
                Some(c) => c.id,
                None => {
                    tracing::info!(csq = %m.csq, mailbox = %m.name, "CSQ named by the mailbox file created");
                    self.store.create_csq(m.csq.trim()).await?
                }
            };
            let smtp = m.smtp.clone();
            let stored = StoredMailbox {
                id: None,
                name: m.name.clone(),
                csq,
                enabled: true,
                settings: MailboxSettings {
                    imap: Server {
                        host: m.host.clone(),
                        port: m.port,
                        security: m.security,
                        username: m.username.clone(),
                    },
                    folder: m.folder.clone(),
                    smtp: smtp
                        .as_ref()
                        .map(|s| Server {
                            host: s.host.clone(),
                            port: s.port,
                            security: s.security,
                            username: s.username.clone().unwrap_or_default(),
                        })
                        .unwrap_or_default(),
                    address: m.address(),
                    display_name: m.display_name.clone().unwrap_or_default(),
                    signature_html: m.signature_html.clone().unwrap_or_default(),
                    poll_secs: m.poll_secs,
                    ca_file: m.ca_file.clone(),
                    smtp_ca_file: smtp.as_ref().and_then(|s| s.ca_file.clone()),
                },
                imap_secret: Some(self.secrets.seal(&imap_secret(&m.name), &m.password)),
                smtp_secret: smtp
                    .and_then(|s| s.password)
                    .map(|p| self.secrets.seal(&smtp_secret(&m.name), &p)),
            };
            self.store.save_mailbox(&stored, None).await?;
            tracing::info!(mailbox = %m.name, "mailbox imported from SWITCHBOARD_MAILBOXES");
        }
        Ok(())
    }
}
