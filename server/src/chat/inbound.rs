//! Chats whose customer writes from another app than our widget (Messenger, WhatsApp: SPEC
//! F-1, F-3): the customer's first message opens the chat, queued and offered like a web
//! chat, and each later message joins it until an agent ends it (F-2). The channel's own
//! service says which chat a message belongs to; this module only adds it.

use super::{recipients, ChatService};
use crate::{
    clock::now_ms,
    contact::ContactError,
    store::{cluster::Notice, NewChat, Sender, StoreError},
};
use app::domain::{
    chat::{Author, ChatLine, LineBody, LineFile, SystemNote},
    contact::Contact,
    ids::{AgentId, ContactId},
    meta::MessageStatus,
    protocol::{Seq, ServerMessage},
};
use std::sync::Arc;

/// A customer's message as the channel gave it: its id there (a message delivered twice
/// is stored once under it), its text and files (already in the files store), and when the
/// channel says it was written (the reply window runs from then, SPEC F-3).
#[derive(Debug, Clone, Copy)]
pub struct ChannelMessage<'a> {
    pub id: &'a str,
    pub text: &'a str,
    pub files: &'a [LineFile],
    pub sent_at_ms: i64,
}

/// What the customer of a chat without our widget is to see of the agent, through the
/// service that reaches them (the widget shows these itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentActivity {
    /// The agent started or stopped typing (SPEC F-2).
    Typing { contact: ContactId, active: bool },
    /// The agent took the chat: the customer's messages are read.
    Seen { contact: ContactId },
}

impl ChatService {
    /// A chat opened by a customer's first message on a channel without our widget: the
    /// welcome line, the message (as [`Self::inbound_line`]), then
    /// queued in its CSQ and offered as a web chat is, so whoever is offered it reads the
    /// message. Never refused for a full queue: the customer has already written, and the
    /// message must reach someone.
    pub async fn start_inbound(
        self: &Arc<Self>,
        chat: &NewChat,
        message: ChannelMessage<'_>,
    ) -> Result<Contact, ContactError> {
        debug_assert!(!chat.channel.has_widget());
        let settings = self.store.chat_settings().await?;
        let contact = self.store.create_chat(chat, now_ms()).await?;
        if self.store.waiting_chats(contact.csq).await? > settings.queue_limit {
            tracing::warn!(contact = %contact.id, csq = %contact.csq, "queue over its limit: chat queued all the same");
        }
        self.welcome(&contact, &settings).await?;
        self.inbound_line(&contact, message).await?;
        self.queue(&contact, &settings);
        Ok(contact)
    }

    /// A waiting chat the customer writes to again: whatever its start did not finish (a
    /// store error midway) is done now: the welcome if it has no line, its timers, and
    /// routing told (which ignores a chat it has already).
    pub async fn resume_inbound(&self, contact: &Contact) -> Result<(), ContactError> {
        if contact.status != app::domain::contact::ContactStatus::Queued {
            return Ok(());
        }
        let settings = self.store.chat_settings().await?;
        if self.store.lines_after(contact.id, 0, 1).await?.is_empty() {
            self.welcome(contact, &settings).await?;
        }
        self.queue(contact, &settings);
        Ok(())
    }

    /// A customer's message from the channel, stored once under the channel's own id for it:
    /// a message delivered twice is the same line, shown once. Its files are in the files
    /// store already (the caller holds the store's gate until this returns): the chat is
    /// recorded as referring to them before the line shows them.
    pub async fn inbound_line(
        &self,
        contact: &Contact,
        message: ChannelMessage<'_>,
    ) -> Result<ChatLine, ContactError> {
        let parties = self.store.chat_parties(contact.id).await?;
        if !message.files.is_empty() {
            self.store
                .record_chat_files(contact.id, message.files)
                .await?;
        }
        let body = LineBody::Message {
            author: Author::Customer {
                name: parties.customer_name.clone(),
            },
            text: message.text.to_string(),
            client_id: message.id.to_string(),
            files: message.files.to_vec(),
            sent_at_ms: Some(message.sent_at_ms),
            template: None,
        };
        let appended = self
            .add_line_for(
                &parties.contact,
                recipients(None, &parties.contact, parties.guest_agent()),
                Sender::Customer,
                Some(message.id),
                body,
            )
            .await?;
        Ok(appended.line)
    }
}

impl ChatService {
    /// A stored file of the chat, for an agent of it: the agent it was given to (after it
    /// ended too, as its transcript stays theirs) or the guest of a group chat. Anyone else
    /// is told it is not theirs, as for a file that does not exist.
    pub async fn file_for(
        &self,
        agent: AgentId,
        contact: ContactId,
        sha256: &str,
    ) -> Result<LineFile, ContactError> {
        let parties = self
            .store
            .chat_parties(contact)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => ContactError::NotYours,
                e => e.into(),
            })?;
        if parties.contact.agent != Some(agent) && parties.guest_agent() != Some(agent) {
            return Err(ContactError::NotYours);
        }
        self.store
            .chat_file(contact, sha256)
            .await?
            .ok_or(ContactError::NotYours)
    }
}

impl ChatService {
    /// Tells the agents of a Messenger or WhatsApp chat what became of one of its lines on
    /// Meta's side (the ticks it shows). Kept by the caller first: a page that connects
    /// later reads it from the store, so a failure here is only logged (it must not hold
    /// back the chat's next lines, nor a webhook post).
    pub async fn line_status(&self, contact: ContactId, seq: Seq, status: MessageStatus) {
        let parties = match self.store.chat_parties(contact).await {
            Ok(parties) => parties,
            Err(e) => {
                tracing::warn!(%contact, seq, error = %e, "line status not pushed: shown on the next connection");
                return;
            }
        };
        for agent in recipients(None, &parties.contact, parties.guest_agent()) {
            self.hub.publish_live(
                agent,
                ServerMessage::LineStatus {
                    contact,
                    seq,
                    status,
                },
            );
        }
        self.announce(Notice::LineStatus {
            chat: contact,
            seq,
            status,
        })
        .await;
    }
}

impl ChatService {
    /// A system line about something Meta reported (a message written in the Page inbox,
    /// a message Meta would not carry), added for the chat's agents once however often it
    /// is reported: `key` names the report (Meta's id of the message, or one of ours).
    pub async fn system_line_once(
        &self,
        contact: ContactId,
        key: &str,
        note: SystemNote,
    ) -> Result<ChatLine, ContactError> {
        let parties = self.store.chat_parties(contact).await?;
        let appended = self
            .add_line_for(
                &parties.contact,
                recipients(None, &parties.contact, parties.guest_agent()),
                Sender::System,
                Some(key),
                LineBody::System { note },
            )
            .await?;
        Ok(appended.line)
    }
}
