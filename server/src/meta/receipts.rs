//! What Meta reports of the business's messages (issue 16): WhatsApp's statuses and
//! Messenger's delivery and read watermarks become the ticks on the agents' lines (kept in
//! the store, so a page that connects later shows them too); a WhatsApp message that failed
//! after Meta took it is said in the transcript, as a refused send is. And Messenger's
//! echoes: the business's own messages coming back, dropped when they are ours (marked
//! with [`ECHO_MARK`], or already known by their id), added for the agents when someone
//! wrote them in Meta's Page inbox.

use super::{
    events::{DeliveryStatus, MetaError, Part},
    intake::{line_text, IntakeError},
    MetaService,
};
use crate::clock::now_ms;
use app::domain::{
    chat::SystemNote,
    meta::{MessageStatus, MetaChannel, MetaRefusal, SendFailure, ECHO_MARK},
};

impl From<DeliveryStatus> for MessageStatus {
    fn from(status: DeliveryStatus) -> MessageStatus {
        match status {
            DeliveryStatus::Sent => MessageStatus::Sent,
            DeliveryStatus::Delivered => MessageStatus::Delivered,
            DeliveryStatus::Read => MessageStatus::Read,
            DeliveryStatus::Failed => MessageStatus::Failed,
        }
    }
}

/// Why Meta failed a message it had taken, from the first of its `errors`.
fn refusal(errors: &[MetaError]) -> MetaRefusal {
    let Some(error) = errors.first() else {
        return MetaRefusal::Other {
            code: 0,
            message: "no reason given".into(),
        };
    };
    let words = error.details.as_deref().unwrap_or(&error.title);
    match SendFailure::from_error(400, error.code, None, words) {
        SendFailure::Refused(refusal) => refusal,
        // Meta gave up on its side: nothing for us to try again.
        SendFailure::Transient => MetaRefusal::Other {
            code: error.code,
            message: words.chars().take(300).collect(),
        },
    }
}

impl MetaService {
    /// WhatsApp: a status of one of the business's messages. A failure is said to the
    /// agents first (once, however often Meta reports it), then kept: a post handled again
    /// after a failure midway still says it.
    pub(super) async fn status(
        &self,
        channel: MetaChannel,
        id: &str,
        status: DeliveryStatus,
        at_ms: i64,
        errors: &[MetaError],
    ) -> Result<(), IntakeError> {
        let status = MessageStatus::from(status);
        if status == MessageStatus::Failed {
            if let Some(contact) = self.store.meta_message(channel, id).await? {
                let refusal = refusal(errors);
                tracing::warn!(%contact, message = id, ?refusal, "Meta failed a message it had taken");
                let key = format!("failed.{id}");
                self.chat
                    .system_line_once(contact, &key, SystemNote::NotDelivered { refusal })
                    .await?;
            }
        }
        // Not ours, or not news (a late or repeated status): nothing moves.
        if let Some((contact, seq)) = self
            .store
            .mark_meta_message(channel, id, status, at_ms)
            .await?
        {
            self.chat.line_status(contact, seq, status).await;
        }
        Ok(())
    }

    /// Messenger: the customer's app received (`Delivered`) or read (`Read`) the business's
    /// messages: those named, and every one sent before the watermark.
    pub(super) async fn watermark(
        &self,
        channel: MetaChannel,
        customer: &str,
        ids: &[String],
        watermark_ms: i64,
        status: MessageStatus,
    ) -> Result<(), IntakeError> {
        let now = now_ms();
        let mut moved = Vec::new();
        for id in ids {
            moved.extend(
                self.store
                    .mark_meta_message(channel, id, status, now)
                    .await?,
            );
        }
        moved.extend(
            self.store
                .mark_meta_messages_before(channel, customer, watermark_ms, status, now)
                .await?,
        );
        for (contact, seq) in moved {
            self.chat.line_status(contact, seq, status).await;
        }
        Ok(())
    }

    /// Messenger: a message the Page sent, coming back (at `at_ms`, Meta's time of it).
    /// Ours is in the transcript already: its time is kept, the one Messenger's watermarks
    /// are compared with. One written in the Page inbox joins the customer's open chat for
    /// its agents (none open: nobody to tell), once.
    pub(super) async fn echo(
        &self,
        channel: MetaChannel,
        id: &str,
        customer: &str,
        metadata: Option<&str>,
        at_ms: i64,
        parts: &[Part],
    ) -> Result<(), IntakeError> {
        let known = self.store.meta_message(channel, id).await?;
        if metadata == Some(ECHO_MARK) || known.is_some() {
            self.store.meta_sent_at(channel, id, at_ms).await?;
            return Ok(());
        }
        let text = line_text(parts);
        if text.trim().is_empty() {
            return Ok(());
        }
        let Some(who) = self.store.customer_of_handle(channel, customer).await? else {
            return Ok(());
        };
        let Some(chat) = self.store.open_chat_of(who, channel.channel()).await? else {
            return Ok(());
        };
        let note = SystemNote::PageInbox { text };
        let line = self.chat.system_line_once(chat.id, id, note).await?;
        // Known from now on: delivered again, even once this chat is over, it adds nothing.
        self.store
            .record_meta_message(channel, id, chat.id, false, None)
            .await?;
        tracing::info!(contact = %chat.id, seq = line.seq, "Page inbox message added");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WhatsApp failure after Meta took the message reads as a refused send does.
    #[test]
    fn a_failed_status_says_why_with_metas_reason() {
        let error = |code: i64| MetaError {
            code,
            title: "Re-engagement message".into(),
            details: None,
        };
        assert_eq!(refusal(&[error(131047)]), MetaRefusal::ReEngagement);
        assert_eq!(
            refusal(&[MetaError {
                code: 131026,
                title: "Message undeliverable".into(),
                details: Some("Receiver is incapable of receiving this message".into()),
            }]),
            MetaRefusal::Other {
                code: 131026,
                message: "Receiver is incapable of receiving this message".into()
            }
        );
        assert!(matches!(
            refusal(&[error(131000)]),
            MetaRefusal::Other { code: 131000, .. }
        ));
    }
}
