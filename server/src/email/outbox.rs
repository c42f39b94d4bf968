//! The outbox (SPEC R-7): sent replies wait in the database until their mailbox's SMTP
//! server takes them. A temporary failure (the server unreachable, a 4xx answer) is tried
//! again with a growing delay; a permanent one (a 5xx answer, or a server without what the
//! settings need, such as a login) gives the email back to its agent with the reason and the
//! draft intact. A restart resumes where it stopped.

use super::{
    config::{Security, SmtpConfig},
    EmailService,
};
use crate::{
    accounts::chosen_language, clock::now_ms, contact::views::contact_view, routing::engine::Input,
    store::reply::OutboxItem,
};
use app::domain::{
    mailboxes::MailCheck, protocol::AgentEvent, reply::refused_by_mail_server, state::StateEvent,
};
use lettre::{
    address::Envelope,
    transport::smtp::{
        authentication::Credentials,
        client::{Certificate, Tls, TlsParameters},
        AsyncSmtpTransport,
    },
    AsyncTransport, Tokio1Executor,
};
use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::Duration,
};

/// What the outbox loop keeps in mind after an attempt.
enum Attempted {
    Done,
    /// The SMTP server has it, the database does not know yet.
    SentUnmarked,
    /// Not sent; the next try (at this Unix ms) could not be stored.
    RetryUnstored(i64),
}

/// First retry delay; each failure doubles it up to the service's maximum.
const FIRST_RETRY: Duration = Duration::from_secs(2);
/// After this many temporary failures the message counts as refused.
const MAX_ATTEMPTS: u32 = 200;
/// Longest an SMTP conversation may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a reply taken for an attempt is this worker's alone (issue 14: the workers of
/// every node share the outbox). Past it, should the worker have died mid-attempt, another
/// tries again (with the same Message-ID). Well above an attempt's longest (a few SMTP
/// commands of at most [`SMTP_TIMEOUT`] each), as replies are taken one at a time.
const OUTBOX_LEASE: Duration = Duration::from_secs(300);

/// Why one attempt failed.
#[derive(Debug)]
pub enum SendFailure {
    /// Try again later.
    Temporary(String),
    /// The server refused for good.
    Permanent(String),
}

/// The delay before attempt `attempts + 1`.
pub fn retry_delay(attempts: u32, max: Duration) -> Duration {
    let factor = 1u32 << attempts.saturating_sub(1).min(16);
    (FIRST_RETRY * factor).min(max)
}

fn transport(smtp: &SmtpConfig) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let tls = || -> Result<TlsParameters, String> {
        let mut builder = TlsParameters::builder(smtp.host.clone());
        if let Some(ca) = &smtp.ca_file {
            let pem = std::fs::read(ca).map_err(|e| format!("CA file {}: {e}", ca.display()))?;
            let cert = Certificate::from_pem(&pem).map_err(|e| format!("CA file: {e}"))?;
            builder = builder.add_root_certificate(cert);
        }
        builder.build_rustls().map_err(|e| e.to_string())
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.as_str())
        .port(smtp.port())
        .timeout(Some(SMTP_TIMEOUT));
    builder = match smtp.security {
        Security::Tls => builder.tls(Tls::Wrapper(tls()?)),
        Security::Starttls => builder.tls(Tls::Required(tls()?)),
        Security::None => builder.tls(Tls::None),
    };
    if let Some(user) = &smtp.username {
        builder = builder.credentials(Credentials::new(
            user.clone(),
            smtp.password.clone().unwrap_or_default(),
        ));
    }
    Ok(builder.build())
}

/// "Test connection" (SPEC D-2): connects, greets, upgrades to TLS and logs in as a reply
/// would; says what succeeded or what the server or TLS refused.
pub async fn smtp_check(smtp: &SmtpConfig) -> Result<MailCheck, MailCheck> {
    let (host, port) = (smtp.host.clone(), smtp.port());
    let transport = transport(smtp).map_err(MailCheck::Setup)?;
    match transport.test_connection().await {
        Ok(true) => Ok(match &smtp.username {
            Some(user) => MailCheck::SmtpLoggedIn {
                host,
                port,
                user: user.clone(),
            },
            None => MailCheck::SmtpNoLogin { host, port },
        }),
        Ok(false) => Err(MailCheck::NotSmtp { host, port }),
        Err(e) => {
            let detail = e.to_string();
            Err(if detail.contains("certificate") {
                MailCheck::CertificateRefused { host, detail }
            } else if detail.to_ascii_lowercase().contains("starttls") {
                MailCheck::NoStarttls { host, port, detail }
            } else if e.status().is_some_and(|c| c.to_string() == "535") || detail.contains("535") {
                MailCheck::LoginRefused { host, detail }
            } else {
                MailCheck::Failed { host, port, detail }
            })
        }
    }
}

/// One attempt to hand a message to the SMTP server.
pub async fn deliver(smtp: &SmtpConfig, item: &OutboxItem) -> Result<(), SendFailure> {
    let from = item
        .envelope_from
        .parse()
        .map_err(|e| SendFailure::Permanent(format!("sender address: {e}")))?;
    let to = item
        .recipients
        .iter()
        .map(|r| r.parse())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| SendFailure::Permanent(format!("recipient address: {e}")))?;
    let envelope =
        Envelope::new(Some(from), to).map_err(|e| SendFailure::Permanent(e.to_string()))?;
    let transport = transport(smtp).map_err(SendFailure::Temporary)?;
    match transport.send_raw(&envelope, &item.message).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() => Err(SendFailure::Permanent(e.to_string())),
        // The server lacks what the settings need (a login, STARTTLS, 8BITMIME): retrying
        // cannot help, the agent should know now.
        Err(e) if e.is_client() => Err(SendFailure::Permanent(format!(
            "{e} (check the mailbox's SMTP settings)"
        ))),
        Err(e) => Err(SendFailure::Temporary(e.to_string())),
    }
}

impl EmailService {
    /// Runs the outbox until the server stops: one worker per mailbox, so an SMTP server
    /// that is slow or unreachable delays only its own mailbox's replies.
    pub fn spawn_outbox(self: &Arc<Self>) {
        let service = Arc::clone(self);
        tokio::spawn(async move {
            // Replies queued just before a stop were never made due: they are now.
            if let Err(e) = service.store.held_replies_due(now_ms()).await {
                tracing::error!(error = %e, "outbox: held replies not resumed");
            }
            let mut names: Vec<String> = service.mailboxes.names();
            match service.store.outbox_mailboxes().await {
                Ok(waiting) => names.extend(waiting),
                Err(e) => tracing::error!(error = %e, "outbox: waiting mailboxes unreadable"),
            }
            names.sort();
            names.dedup();
            for name in names {
                service.ensure_outbox(&name);
            }
        });
    }

    /// Starts the outbox worker of a mailbox, unless it runs already (a mailbox added in
    /// the administration gets its worker at once).
    pub fn ensure_outbox(self: &Arc<Self>, name: &str) {
        if self.mailboxes.claim_outbox(name) {
            let service = Arc::clone(self);
            let name = name.to_string();
            tokio::spawn(async move { service.run_outbox(&name).await });
        }
    }

    async fn run_outbox(&self, mailbox: &str) {
        let mut stopping = self.stopping.subscribe();
        let mut wake = self.outbox_wake.subscribe();
        // Memory of this run: replies the SMTP server took whose row could not be marked
        // (never sent twice), and replies whose next try could not be stored (not hammered).
        let mut delivered: HashSet<i64> = HashSet::new();
        let mut not_before: HashMap<i64, i64> = HashMap::new();
        loop {
            if *stopping.borrow() {
                return;
            }
            let now = now_ms();
            // One process alone (SQLite) needs no lease: after a crash, a reply that was
            // being sent is tried again at once.
            let lease = match self.store.coordination() {
                Some(_) => now + OUTBOX_LEASE.as_millis() as i64,
                None => now,
            };
            let due = match self.store.claim_due_replies(mailbox, now, 1, lease).await {
                Ok(due) => due,
                Err(e) => {
                    tracing::error!(error = %e, mailbox, "outbox unreadable");
                    Vec::new()
                }
            };
            let mut busy = false;
            for item in due {
                if delivered.contains(&item.id) {
                    if self.store.reply_sent(item.id, now).await.is_ok() {
                        delivered.remove(&item.id);
                        busy = true;
                    }
                    continue;
                }
                if not_before.get(&item.id).is_some_and(|t| *t > now) {
                    continue;
                }
                busy = true;
                match self.attempt(&item).await {
                    Attempted::Done => {}
                    Attempted::SentUnmarked => {
                        delivered.insert(item.id);
                    }
                    Attempted::RetryUnstored(at) => {
                        not_before.insert(item.id, at);
                    }
                }
            }
            if busy {
                continue;
            }
            let remembered = !delivered.is_empty() || not_before.values().any(|t| *t > now);
            let wait = match self.store.next_reply_due(mailbox).await {
                _ if remembered => Duration::from_secs(2),
                Ok(Some(at)) => Duration::from_millis((at - now_ms()).clamp(0, 60_000) as u64),
                _ => Duration::from_secs(60),
            };
            tokio::select! {
                _ = wake.changed() => {}
                _ = tokio::time::sleep(wait) => {}
                _ = stopping.changed() => {}
            }
        }
    }

    /// Wakes the outbox workers (a reply was queued).
    pub(super) fn wake_outbox(&self) {
        self.outbox_wake.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// One attempt, and what the loop must remember of it.
    async fn attempt(&self, item: &OutboxItem) -> Attempted {
        let smtp = self.mailboxes.get(&item.mailbox).and_then(|m| m.smtp);
        let result = match &smtp {
            Some(smtp) => deliver(smtp, item).await,
            None => Err(SendFailure::Temporary(format!(
                "the mailbox \"{}\" has no SMTP server configured",
                item.mailbox
            ))),
        };
        let now = now_ms();
        match result {
            Ok(()) => {
                tracing::info!(contact = %item.contact, attempts = item.attempts + 1, "reply sent");
                if let Err(e) = self.store.reply_sent(item.id, now).await {
                    // Sent but not marked: remembered, so it is not sent twice.
                    tracing::error!(error = %e, contact = %item.contact, "reply sent but not marked as sent yet");
                    return Attempted::SentUnmarked;
                }
                // An acknowledgement (no agent) leaves the draft an agent may be writing.
                if item.agent.is_some() {
                    self.delete_draft(item.contact).await;
                }
                Attempted::Done
            }
            Err(SendFailure::Temporary(error)) if item.attempts + 1 < MAX_ATTEMPTS => {
                let attempts = item.attempts + 1;
                let next = now + retry_delay(attempts, self.retry_max).as_millis() as i64;
                tracing::warn!(contact = %item.contact, attempts, error = %error, "reply not sent yet: will retry");
                if let Err(e) = self
                    .store
                    .reply_retry(item.id, attempts, next, &error)
                    .await
                {
                    tracing::error!(error = %e, "outbox retry not stored");
                    return Attempted::RetryUnstored(next);
                }
                Attempted::Done
            }
            Err(SendFailure::Temporary(error) | SendFailure::Permanent(error)) => {
                tracing::warn!(contact = %item.contact, error = %error, "reply refused: back to its agent");
                self.give_back(item, &error, now).await;
                Attempted::Done
            }
        }
    }

    /// SPEC R-7: the mail server refused: the email is the agent's again, with the error
    /// (in the language the agent chose; the server's own words as they are) and the draft
    /// as it was sent.
    async fn give_back(&self, item: &OutboxItem, error: &str, now: i64) {
        let Some(agent) = item.agent else {
            // Issue 17 (K-4): the acknowledgement of a left message: nobody's to give
            // back; the message itself is in the queue whatever became of it.
            tracing::warn!(contact = %item.contact, error = %error, "acknowledgement refused by the mail server");
            if let Err(e) = self.store.reply_failed(item.id, error, now).await {
                tracing::error!(error = %e, contact = %item.contact, "refused acknowledgement not marked");
            }
            return;
        };
        let locale = chosen_language(self.store.as_ref(), agent).await;
        let message = refused_by_mail_server(locale, error);
        if let Err(e) = self.store.reply_failed(item.id, &message, now).await {
            tracing::error!(error = %e, contact = %item.contact, "refused reply not given back");
            return;
        }
        self.routing.send(Input::EmailHeld {
            agent,
            contact: item.contact,
        });
        if let Err(e) = self.hub.apply(agent, StateEvent::ContactAccepted).await {
            tracing::info!(agent = %agent, error = %e, "state unchanged by the returned email");
        }
        let view = match self.store.contact(item.contact).await {
            Ok(contact) => contact_view(self.store.as_ref(), &contact, agent).await,
            Err(e) => Err(e),
        };
        match view {
            Ok(view) => {
                let event = AgentEvent::ContactAssigned { contact: view };
                if let Err(e) = self.hub.record(agent, event).await {
                    tracing::error!(error = %e, "returned email not shown");
                }
            }
            Err(e) => tracing::error!(error = %e, "returned email unreadable"),
        }
        // The agent's desktop is gone (closed, logged out): the email, its draft and the
        // error go to the queue rather than wait for nobody (SPEC S-5).
        if self.hub.presence(agent).pages == 0 {
            if let Ok(contact) = self.store.contact(item.contact).await {
                if let Err(e) = self.put_back(agent, contact).await {
                    tracing::error!(error = %e, contact = %item.contact, "refused reply not put back");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_slow_down_up_to_the_maximum() {
        let max = Duration::from_secs(600);
        assert_eq!(retry_delay(1, max), Duration::from_secs(2));
        assert_eq!(retry_delay(2, max), Duration::from_secs(4));
        assert_eq!(retry_delay(5, max), Duration::from_secs(32));
        assert_eq!(retry_delay(40, max), max);
    }
}
