//! Mailboxes as the administrators manage them (SPEC E-1, R-5, R-7, D-2): listed with what
//! each connector last reported, created and changed (the connector starts, restarts or
//! stops at once), and tested. Passwords go one way: typed in the page, sealed at rest
//! (see `crate::secrets`), opened only for the connector and the outbox; no answer and no
//! audit line ever carries one. Every call is refused to anyone but an administrator.

use crate::{
    clock::now_ms,
    email::{
        compose::clean_saved_html,
        imap,
        outbox::smtp_check,
        stored::{imap_secret, smtp_secret},
    },
    services::{internal, invalid, Services},
    store::{
        mailboxes::{MailboxSettings, StoredMailbox},
        AuditEntry, StoreError,
    },
};
use app::{
    api::{ApiError, MailboxTest, TestOutcome},
    domain::{
        ids::CsqId,
        limits::{MAIL_TEST_TIMEOUT_SECS, MAX_MAILBOXES},
        mailboxes::{ConnectorStatus, MailCheck, MailboxAdmin, MailboxEdit},
        validate::{Field, Problem},
    },
    i18n::Locale,
};
use http::HeaderMap;
use std::time::Duration;

impl Services {
    /// Every mailbox as the page shows it: no password, only whether each is set.
    pub(crate) async fn mailboxes_now(&self) -> Result<Vec<MailboxAdmin>, ApiError> {
        let stored = self.store.mailboxes().await.map_err(internal)?;
        // With several nodes, a mailbox read by another node shows that node's report.
        let reports = match self.store.coordination() {
            Some(coordination) => {
                let since = crate::clock::now_ms() - crate::cluster::NODE_SILENT.as_millis() as i64;
                coordination
                    .mailbox_statuses(since)
                    .await
                    .unwrap_or_else(|e| {
                        tracing::warn!(error = %e, "other nodes' mailbox reports not read");
                        Vec::new()
                    })
            }
            None => Vec::new(),
        };
        Ok(stored
            .iter()
            .map(|m| self.admin_view(m, &reports))
            .collect())
    }

    /// `reports`: (mailbox, node, status) as the node reading each stored it (a
    /// [`ConnectorStatus`] in JSON).
    fn admin_view(&self, m: &StoredMailbox, reports: &[(String, String, String)]) -> MailboxAdmin {
        let s = &m.settings;
        let mut status = self.email.mailboxes.status(&m.name);
        let read_elsewhere = status == Some(ConnectorStatus::ReadElsewhere);
        if read_elsewhere {
            let here = self.cluster.as_ref().map(|c| c.node().to_string());
            let by_other = |node: &String| Some(node) != here.as_ref();
            if let Some(reported) = reports
                .iter()
                .filter(|(name, node, _)| *name == m.name && by_other(node))
                .find_map(|(_, _, reported)| serde_json::from_str(reported).ok())
            {
                status = Some(reported);
            }
        }
        MailboxAdmin {
            id: m.id.expect("a stored mailbox has its id"),
            name: m.name.clone(),
            csq: m.csq,
            enabled: m.enabled,
            imap: s.imap.clone(),
            folder: s.folder.clone(),
            imap_password_set: m.imap_secret.is_some(),
            smtp: s.smtp.clone(),
            smtp_password_set: m.smtp_secret.is_some(),
            address: s.address.clone(),
            display_name: s.display_name.clone(),
            signature_html: s.signature_html.clone(),
            status,
            read_elsewhere,
        }
    }

    /// The administration's list of mailboxes.
    pub async fn mailboxes(&self, headers: &HeaderMap) -> Result<Vec<MailboxAdmin>, ApiError> {
        self.administrator(headers).await?;
        self.mailboxes_now().await
    }

    /// Checks an edit against what is stored; returns it as it would be stored (passwords
    /// typed sealed, others kept) and the mailbox before, if any.
    async fn stored_form(
        &self,
        edit: MailboxEdit,
    ) -> Result<(StoredMailbox, Option<MailboxAdmin>), ApiError> {
        let edit = MailboxEdit {
            signature_html: clean_saved_html(&edit.signature_html),
            ..edit.normalized()
        };
        let all = self.store.mailboxes().await.map_err(internal)?;
        let views: Vec<MailboxAdmin> = all.iter().map(|m| self.admin_view(m, &[])).collect();
        let before = match edit.id {
            None if all.len() >= MAX_MAILBOXES => {
                return Err(invalid(
                    Field::MailboxName,
                    Problem::TooManyItems {
                        max: MAX_MAILBOXES,
                        given: all.len() + 1,
                    },
                ))
            }
            None => None,
            Some(id) => Some(
                all.iter()
                    .find(|m| m.id == Some(id))
                    .ok_or_else(|| invalid(Field::MailboxName, Problem::UnknownId { id: id.0 }))?,
            ),
        };
        let before_view = before.map(|b| self.admin_view(b, &[]));
        let csqs = self.csq_choices().await?;
        edit.validate(&views, &csqs, before_view.as_ref())
            .map_err(ApiError::Invalid)?;
        // Its emails and its progress in the mailbox are kept under its name.
        if let Some(b) = before.filter(|b| b.name != edit.name) {
            return Err(invalid(
                Field::MailboxName,
                Problem::FixedOnceCreated {
                    value: b.name.clone(),
                },
            ));
        }
        let seal = |context: &str, typed: &str, kept: Option<&String>| {
            if typed.is_empty() {
                kept.cloned()
            } else {
                Some(self.email.secrets.seal(context, typed))
            }
        };
        let smtp_auth = !edit.smtp.username.is_empty();
        let kept = before.map(|b| &b.settings);
        let stored = StoredMailbox {
            id: edit.id,
            name: edit.name.clone(),
            csq: edit.csq.unwrap_or(CsqId(0)),
            enabled: edit.enabled,
            settings: MailboxSettings {
                imap: edit.imap.clone(),
                folder: edit.folder.clone(),
                smtp: edit.smtp.clone(),
                address: edit.address.clone(),
                display_name: edit.display_name.clone(),
                signature_html: edit.signature_html.clone(),
                poll_secs: kept.map_or(60, |k| k.poll_secs),
                ca_file: kept.and_then(|k| k.ca_file.clone()),
                smtp_ca_file: kept.and_then(|k| k.smtp_ca_file.clone()),
            },
            imap_secret: seal(
                &imap_secret(&edit.name),
                &edit.imap_password,
                before.and_then(|b| b.imap_secret.as_ref()),
            ),
            smtp_secret: if smtp_auth {
                seal(
                    &smtp_secret(&edit.name),
                    &edit.smtp_password,
                    before.and_then(|b| b.smtp_secret.as_ref()),
                )
            } else {
                None
            },
        };
        let opens = |context: String, sealed: &Option<String>| {
            sealed
                .as_deref()
                .is_none_or(|s| self.email.secrets.open(&context, s).is_ok())
        };
        if !opens(imap_secret(&stored.name), &stored.imap_secret) {
            return Err(invalid(Field::ImapPassword, Problem::Required));
        }
        if !opens(smtp_secret(&stored.name), &stored.smtp_secret) {
            return Err(invalid(Field::SmtpPassword, Problem::Required));
        }
        Ok((stored, before_view))
    }

    /// Creates or changes a mailbox and applies it at once; returns every mailbox.
    pub async fn save_mailbox(
        &self,
        headers: &HeaderMap,
        edit: MailboxEdit,
    ) -> Result<Vec<MailboxAdmin>, ApiError> {
        let admin = self.administrator(headers).await?;
        let typed = edit.clone().normalized();
        let (mut stored, before) = self.stored_form(edit).await?;
        let audit = AuditEntry {
            at_ms: now_ms(),
            agent: admin.id,
            action: "mailbox.save".into(),
            detail: typed.describe(before.as_ref()),
        };
        let id = self
            .store
            .save_mailbox(&stored, Some(&audit))
            .await
            .map_err(|e| match e {
                StoreError::Conflict => invalid(
                    Field::MailboxName,
                    Problem::Duplicate {
                        value: stored.name.clone(),
                    },
                ),
                StoreError::NotFound => invalid(
                    Field::MailboxName,
                    Problem::UnknownId {
                        id: stored.id.map_or(0, |i| i.0),
                    },
                ),
                e => internal(e),
            })?;
        stored.id = Some(id);
        let config = self.email.runtime_config(&stored).map_err(internal)?;
        self.email.apply(config, stored.enabled);
        if let Some(coordination) = self.store.coordination() {
            let notice = crate::store::cluster::Notice::MailboxSaved { id: id.0 };
            if let Err(e) = coordination.announce(notice).await {
                tracing::error!(error = %e, "the other nodes were not told of the saved mailbox");
            }
        }
        tracing::info!(agent = %admin.id, change = %audit.detail, "mailbox saved");
        self.mailboxes_now().await
    }

    /// Logs in to both servers with the settings given; saves nothing.
    pub async fn test_mailbox(
        &self,
        headers: &HeaderMap,
        edit: MailboxEdit,
    ) -> Result<MailboxTest, ApiError> {
        self.administrator(headers).await?;
        let (stored, _) = self.stored_form(edit).await?;
        let config = self.email.runtime_config(&stored).map_err(internal)?;
        let wait = Duration::from_secs(MAIL_TEST_TIMEOUT_SECS);
        let no_answer = |host: &str, port: u16| MailCheck::NoAnswer {
            host: host.to_string(),
            port,
            secs: wait.as_secs(),
        };
        let imap = match tokio::time::timeout(wait, imap::check(&config)).await {
            Ok(found) => found,
            Err(_) => Err(no_answer(&config.host, config.port())),
        };
        let smtp = match &config.smtp {
            None => Err(MailCheck::NoSmtp),
            Some(smtp) => match tokio::time::timeout(wait, smtp_check(smtp)).await {
                Ok(found) => found,
                Err(_) => Err(no_answer(&smtp.host, smtp.port())),
            },
        };
        // The administrator's language: their page's cookie, else their browser's.
        let locale = crate::http::locale::of_headers(headers);
        Ok(MailboxTest {
            imap: outcome(imap, locale),
            smtp: outcome(smtp, locale),
        })
    }
}

/// One line of the test report, worded in `locale`.
fn outcome(found: Result<MailCheck, MailCheck>, locale: Locale) -> TestOutcome {
    let (ok, check) = match found {
        Ok(check) => (true, check),
        Err(check) => (false, check),
    };
    TestOutcome {
        ok,
        message: check.message(locale),
    }
}
