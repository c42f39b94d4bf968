//! The business's side of Messenger and WhatsApp chats, carried to the customer through
//! Meta's Graph API (SPEC F-1, F-3). The transcript is the outbox: each chat's lines are
//! sent in order from where the last send stopped (`meta_outbox.sent_through`), so a line
//! stored is sent even after a restart, and Meta's id is kept the moment Meta answers, so a
//! line Meta took is never sent again. What goes is what [`for_customer`] says: the agents'
//! words under the business's name and the administrator's lines, never an agent's name
//! (F-2). A send Meta's side failed is tried again with a growing wait; one Meta refuses
//! is said in the transcript for the agents, and the next line goes on.

use super::{
    graph::{Account, GraphError, Outgoing},
    MetaService,
};
use crate::{
    clock::now_ms,
    contact::ContactError,
    store::{meta::MetaOutbox, StoreError},
};
use app::domain::{
    chat::{Author, LineBody, SystemNote},
    meta::{for_customer, MessageStatus, MetaRefusal, ReplyWindow, SendFailure},
    protocol::Seq,
};
use std::{sync::Arc, time::Duration};

/// Chats taken at a time.
const BATCH: u32 = 20;
/// How long a worker holds the chats it took (another node takes them after).
const LEASE_MS: i64 = 60_000;
/// Lines read at a time.
const LINES: u32 = 100;
/// How often the outboxes are looked at without being woken (lines stored on another node,
/// retries that came due).
const LOOK_AGAIN: Duration = Duration::from_secs(1);
/// The longest wait between two attempts at a line.
const RETRY_MAX_SECS: i64 = 300;
/// How often the outboxes of chats long ended are forgotten.
const SWEEP_EVERY_MS: i64 = 60_000;
/// Attempts at a line before the agent is told it did not go.
pub const MAX_ATTEMPTS: u32 = 10;

#[derive(Debug, thiserror::Error)]
enum OutboxError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Contact(#[from] ContactError),
}

/// What became of a line.
enum Line {
    /// Sent, or refused and said: the next one goes on.
    Handled,
    /// Not sent, and tried again later (why).
    Wait(String),
}

impl MetaService {
    /// Sends what waits, for as long as the server runs: woken by each line stored for a
    /// Messenger or WhatsApp customer on this node, and looking again every [`LOOK_AGAIN`].
    pub fn spawn_outbox(self: &Arc<Self>) {
        let service = Arc::clone(self);
        tokio::spawn(async move {
            let mut swept_at = now_ms();
            loop {
                if let Err(e) = service.send_due().await {
                    tracing::error!(error = %e, "Meta outbox not read: looked at again shortly");
                }
                if now_ms() - swept_at > SWEEP_EVERY_MS {
                    swept_at = now_ms();
                    if let Err(e) = service.store.forget_finished_meta_outboxes(swept_at).await {
                        tracing::warn!(error = %e, "finished Meta outboxes not forgotten");
                    }
                }
                tokio::select! {
                    () = service.outbound.notified() => {}
                    () = tokio::time::sleep(LOOK_AGAIN) => {}
                }
            }
        });
    }

    /// Sends every chat's waiting lines that are due.
    async fn send_due(&self) -> Result<(), OutboxError> {
        loop {
            let now = now_ms();
            let due = self
                .store
                .claim_meta_outboxes(now, BATCH, now + LEASE_MS)
                .await?;
            if due.is_empty() {
                return Ok(());
            }
            for outbox in due {
                let contact = outbox.contact;
                if let Err(e) = self.send_chat(&outbox).await {
                    // The lease runs out and the chat is taken again then.
                    tracing::warn!(%contact, error = %e, "Meta outbox: chat left for later");
                }
            }
        }
    }

    /// Sends a chat's waiting lines in order, until one must wait.
    async fn send_chat(&self, outbox: &MetaOutbox) -> Result<(), OutboxError> {
        let contact = outbox.contact;
        let Some(stored) = self.store.meta_channel(outbox.channel).await? else {
            return self.wait(outbox, "the channel is not set up").await;
        };
        let Some(token) = self.access_token(&stored) else {
            return self
                .wait(
                    outbox,
                    "the channel is off, or its access token missing or unreadable",
                )
                .await;
        };
        let account = Account::of(&stored, &token);
        // SPEC F-3: an agent's reply after Messenger's 24 hours goes with the human-agent tag
        // (the chat's rule read once: its lines go within moments).
        let chat = self.store.contact(contact).await?;
        let rule = crate::contact::views::reply_rule(self.store.as_ref(), &chat).await?;
        let mut after = outbox.sent_through;
        let mut leased_at = now_ms();
        loop {
            let lines = self.store.lines_after(contact, after, LINES).await?;
            let Some(last) = lines.last().map(|l| l.seq) else {
                // All sent: the chat is looked at again when a line comes.
                self.store.meta_outbox_retry(contact, 0, now_ms()).await?;
                return Ok(());
            };
            for line in &lines {
                if let Some(text) = for_customer(&line.body) {
                    let outgoing = match &line.body {
                        // SPEC F-3: an agent's WhatsApp template goes as one.
                        LineBody::Message {
                            template: Some(template),
                            ..
                        } => Some(Outgoing::Template(template)),
                        LineBody::Message {
                            author: Author::Agent { .. },
                            ..
                        } => Some(Outgoing::Text {
                            text,
                            human_agent: rule.is_some_and(|rule| {
                                matches!(rule.window(now_ms()), ReplyWindow::HumanAgent { .. })
                            }),
                        }),
                        // The product's own lines (welcome, no agent...) only in the
                        // standard window: past it (the human-agent tag is for an agent's
                        // own words), Meta would refuse them, and a chat opened by a message
                        // Meta handed over late would show only a refusal of its welcome.
                        _ if rule.is_some_and(|rule| {
                            !matches!(rule.window(now_ms()), ReplyWindow::Open { .. })
                        }) =>
                        {
                            tracing::info!(%contact, seq = line.seq, "line not sent: past Meta's reply window");
                            None
                        }
                        _ => Some(Outgoing::Text {
                            text,
                            human_agent: false,
                        }),
                    };
                    if let Some(outgoing) = outgoing {
                        if let Line::Wait(why) =
                            self.send_line(outbox, &account, line.seq, outgoing).await?
                        {
                            return self.retry(outbox, &why).await;
                        }
                    }
                }
                self.store
                    .meta_outbox_handled(contact, line.seq, now_ms())
                    .await?;
                // Each call may take a while: the lease is renewed before it runs out.
                if now_ms() - leased_at > LEASE_MS / 2 {
                    leased_at = now_ms();
                    self.store
                        .meta_outbox_retry(contact, 0, leased_at + LEASE_MS)
                        .await?;
                }
            }
            after = last;
        }
    }

    /// Sends one line unless Meta took it already.
    async fn send_line(
        &self,
        outbox: &MetaOutbox,
        account: &Account<'_>,
        seq: Seq,
        outgoing: Outgoing<'_>,
    ) -> Result<Line, OutboxError> {
        let contact = outbox.contact;
        if self.store.meta_line_message(contact, seq).await?.is_some() {
            return Ok(Line::Handled);
        }
        // Meta stamps the message between the call and its answer: our time before the call
        // is the nearest to Meta's we know (Messenger's echo brings Meta's own later, which
        // the delivery and read watermarks are compared with).
        let calling_at = now_ms();
        let sent = self.graph.send(account, &outbox.recipient, outgoing).await;
        let refusal = match sent {
            Ok(message_id) => {
                self.store
                    .record_meta_send(
                        outbox.channel,
                        &message_id,
                        contact,
                        seq,
                        MessageStatus::Sent,
                        calling_at,
                    )
                    .await?;
                tracing::info!(%contact, seq, channel = outbox.channel.name(), "line sent through Meta");
                self.chat
                    .line_status(contact, seq, MessageStatus::Sent)
                    .await;
                return Ok(Line::Handled);
            }
            // Meta took it but its answer cannot be read: sending again would double it.
            Err(GraphError::Unreadable { http_status }) if (200..300).contains(&http_status) => {
                tracing::error!(%contact, seq, "Meta took a line without a readable id: not sent again");
                return Ok(Line::Handled);
            }
            Err(e) => match e.failure() {
                SendFailure::Transient if outbox.attempts + 1 < MAX_ATTEMPTS => {
                    return Ok(Line::Wait(e.to_string()));
                }
                SendFailure::Transient => {
                    tracing::error!(%contact, seq, error = %e, "Meta never took the line: given up");
                    MetaRefusal::NoAnswer
                }
                SendFailure::Refused(refusal) => {
                    tracing::warn!(%contact, seq, error = %e, "Meta refused a line");
                    refusal
                }
            },
        };
        // The agents are told why (once, should this be done again after a failure), then
        // the line is kept as failed (under an id of ours: Meta gave none), so it shows so
        // and is never tried again.
        let refused_id = format!("refused.{contact}.{seq}");
        self.chat
            .system_line_once(contact, &refused_id, SystemNote::NotDelivered { refusal })
            .await?;
        self.store
            .record_meta_send(
                outbox.channel,
                &refused_id,
                contact,
                seq,
                MessageStatus::Failed,
                now_ms(),
            )
            .await?;
        self.chat
            .line_status(contact, seq, MessageStatus::Failed)
            .await;
        Ok(Line::Handled)
    }

    /// The channel cannot send now (not set up, off, its token unreadable): looked at again
    /// after the longest wait, without counting against Meta's tries.
    async fn wait(&self, outbox: &MetaOutbox, why: &str) -> Result<(), OutboxError> {
        tracing::warn!(contact = %outbox.contact, why, "Meta send waits for the channel");
        self.store
            .meta_outbox_retry(
                outbox.contact,
                outbox.attempts,
                now_ms() + RETRY_MAX_SECS * 1000,
            )
            .await?;
        Ok(())
    }

    /// The chat's next line waits: tried again after a wait that doubles with each attempt.
    async fn retry(&self, outbox: &MetaOutbox, why: &str) -> Result<(), OutboxError> {
        let attempts = outbox.attempts + 1;
        let wait_secs = (1i64 << attempts.min(9)).min(RETRY_MAX_SECS);
        tracing::warn!(contact = %outbox.contact, attempts, wait_secs, why, "Meta send tried again later");
        self.store
            .meta_outbox_retry(outbox.contact, attempts, now_ms() + wait_secs * 1000)
            .await?;
        Ok(())
    }
}
