//! The kept webhook posts, turned into conversations (SPEC F-1, F-3): each customer's
//! message becomes a line of the customer's open chat on the channel, or opens one, queued
//! and offered as a web chat is. Posts are handled in the order they came, one node at a
//! time (with several nodes, the one holding the inbox's claim), and a post is marked done
//! only once all its events are stored: a post whose handling failed is read again, and
//! reading one again changes nothing (a message is tied to its chat by Meta's id the first
//! time it is seen: SPEC "no message lost or doubled").

use super::{
    events::{self, Inbound, InboundMessage, Part},
    graph::Account,
    media::Fetched,
    MetaService,
};
use crate::{
    chat::inbound::ChannelMessage,
    clock::now_ms,
    contact::ContactError,
    files::Staged,
    store::{
        cluster::Claim,
        meta::{StoredMetaChannel, WebhookPost},
        NewChat, NewCustomer, StoreError,
    },
};
use app::domain::{
    chat::LineFile,
    contact::Contact,
    meta::{MessageStatus, MetaChannel},
};
use std::{sync::Arc, time::Duration};

/// Posts read from the store at a time.
const BATCH: i64 = 50;
/// How often the inbox is looked at without being woken: posts another node kept (one
/// node handles them all), or handling that failed and is tried again.
const LOOK_AGAIN: Duration = Duration::from_secs(1);
/// How long after a failure the inbox is tried again.
const AFTER_FAILURE: Duration = Duration::from_secs(5);
/// How long a chat's opening waits for Messenger's profile of its customer.
const PROFILE_WAIT: Duration = Duration::from_secs(3);
/// The name of the inbox's claim among the nodes.
const CLAIM: &str = "meta inbox";

/// Why a post could not be handled now (it stays in the inbox and is tried again).
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// The channel has no queue for its conversations: the administrator must choose one.
    #[error("the {0} channel has no queue for its conversations")]
    NoQueue(&'static str),
    #[error(transparent)]
    Contact(#[from] ContactError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl MetaService {
    /// Handles the inbox for as long as the server runs: woken by each post this node
    /// keeps, and looking again every [`LOOK_AGAIN`].
    pub fn spawn_intake(self: &Arc<Self>) {
        let service = Arc::clone(self);
        tokio::spawn(async move {
            let mut claim: Option<Box<dyn Claim>> = None;
            loop {
                if let (Some(coordination), None) = (service.store.coordination(), &claim) {
                    match coordination.claim(CLAIM).await {
                        Ok(held) => claim = held,
                        Err(e) => tracing::warn!(error = %e, "webhook inbox claim not asked"),
                    }
                }
                let here = service.store.coordination().is_none() || claim.is_some();
                let pause = if here {
                    tokio::select! {
                        handled = service.handle_pending() => match handled {
                            Ok(()) => LOOK_AGAIN,
                            Err(e) => {
                                tracing::error!(error = %e, "webhook posts not handled: tried again shortly");
                                AFTER_FAILURE
                            }
                        },
                        () = lost(&mut claim) => {
                            tracing::warn!("webhook inbox claim lost");
                            claim = None;
                            LOOK_AGAIN
                        }
                    }
                } else {
                    LOOK_AGAIN
                };
                tokio::select! {
                    () = service.wake.notified() => {}
                    () = tokio::time::sleep(pause) => {}
                }
            }
        });
    }

    /// Handles every post waiting, oldest first. A post that fails holds back the later
    /// posts of its channel (a customer's messages keep their order) but not the other
    /// channel's: a Messenger set up without a queue does not stop WhatsApp. The first
    /// failure is answered after the rest is handled (and everything held is tried again).
    pub async fn handle_pending(&self) -> Result<(), IntakeError> {
        let mut held: Vec<MetaChannel> = Vec::new();
        let mut failed = None;
        let mut after = 0;
        loop {
            let posts = self.store.pending_webhooks_after(after, BATCH).await?;
            let Some(last) = posts.last().map(|p| p.id) else {
                return failed.map_or(Ok(()), Err);
            };
            for post in &posts {
                if held.contains(&post.channel) {
                    continue;
                }
                match self.handle_post(post).await {
                    Ok(()) => self.store.webhook_done(post.id, now_ms()).await?,
                    Err(e) => {
                        tracing::warn!(post = post.id, channel = post.channel.name(), error = %e, "webhook post held: its channel's later posts wait");
                        held.push(post.channel);
                        failed.get_or_insert(e);
                    }
                }
            }
            after = last;
        }
    }

    async fn handle_post(&self, post: &WebhookPost) -> Result<(), IntakeError> {
        let events = match events::read(post.channel, &post.body) {
            Ok(events) => events,
            Err(e) => {
                // Signed by Meta, yet not of the channel's shape: nothing in it to keep.
                tracing::warn!(post = post.id, error = %e, "webhook post not understood: set aside");
                return Ok(());
            }
        };
        let channel = post.channel;
        for event in events {
            match event {
                Inbound::Message(message) => self.customer_message(channel, &message).await?,
                Inbound::Echo {
                    id,
                    customer,
                    metadata,
                    at_ms,
                    parts,
                    ..
                } => {
                    self.echo(channel, &id, &customer, metadata.as_deref(), at_ms, &parts)
                        .await?
                }
                Inbound::Delivered {
                    customer,
                    ids,
                    watermark_ms,
                } => {
                    self.watermark(
                        channel,
                        &customer,
                        &ids,
                        watermark_ms,
                        MessageStatus::Delivered,
                    )
                    .await?
                }
                Inbound::Read {
                    customer,
                    watermark_ms,
                } => {
                    self.watermark(channel, &customer, &[], watermark_ms, MessageStatus::Read)
                        .await?
                }
                Inbound::Status {
                    id,
                    status,
                    at_ms,
                    errors,
                    ..
                } => self.status(channel, &id, status, at_ms, &errors).await?,
            }
        }
        Ok(())
    }

    /// A customer's message: into the chat it was tied to when first seen, else the
    /// customer's open chat on the channel, else a new chat.
    async fn customer_message(
        &self,
        channel: MetaChannel,
        message: &InboundMessage,
    ) -> Result<(), IntakeError> {
        let text = line_text(&message.parts);
        // Meta's time of the message (never ahead of ours: a clock a little off must not
        // hold the reply window open longer than Meta does).
        let sent_at = match message.at_ms {
            at if at > 0 => at.min(now_ms()),
            _ => now_ms(),
        };
        // One app may serve several Pages or numbers: only the one set up here is ours to
        // answer (its replies leave from that account).
        let stored = self.store.meta_channel(channel).await?;
        let account = stored
            .as_ref()
            .map(|stored| stored.settings.account_id.as_str())
            .unwrap_or_default();
        if !account.is_empty() && message.account != account {
            tracing::warn!(channel = channel.name(), to = %message.account, "message to another account than the one set up: skipped");
            return Ok(());
        }
        if self.store.meta_message_shown(channel, &message.id).await? {
            // Delivered again: its line is there already.
            return Ok(());
        }
        let known = match self.store.meta_message(channel, &message.id).await? {
            Some(id) => {
                let contact = self.store.contact(id).await?;
                if contact.status.is_ended() {
                    // Delivered again after its chat ended: the line is there already.
                    return Ok(());
                }
                Some(contact)
            }
            None => None,
        };
        // The files first (fetching takes a while), written to the store before the chat
        // refers to them; checked again once it does (see `kept_still`).
        let fetched = self.fetch_media(stored.as_ref(), &message.parts).await;
        for staged in fetched.iter().filter_map(|f| f.staged.as_ref()) {
            self.files.keep(staged).await.map_err(StoreError::from)?;
        }
        let files: Vec<LineFile> = fetched.iter().map(|f| f.file.clone()).collect();
        let contact = match known {
            Some(contact) => contact,
            None => {
                let said = ChannelMessage {
                    id: &message.id,
                    text: &text,
                    files: &files,
                    sent_at_ms: sent_at,
                };
                let contact = self.chat_for(channel, message, said).await?;
                let tied = self
                    .store
                    .record_meta_message(channel, &message.id, contact.id, true, Some(sent_at))
                    .await?;
                if tied == contact.id {
                    contact
                } else {
                    self.store.contact(tied).await?
                }
            }
        };
        // The chat's lines for the customer go back to whoever wrote (set with each message:
        // one handled again after a failure finds it set).
        self.store
            .open_meta_outbox(contact.id, channel, &message.customer.id, now_ms())
            .await?;
        self.outbound.notify_one();
        let line = self
            .chat
            .inbound_line(
                &contact,
                ChannelMessage {
                    id: &message.id,
                    text: &text,
                    files: &files,
                    sent_at_ms: sent_at,
                },
            )
            .await?;
        self.kept_still(&fetched).await?;
        tracing::info!(contact = %contact.id, seq = line.seq, channel = channel.name(), "customer message");
        Ok(())
    }

    /// The customer's open chat on the channel, or a new one in the channel's queue that
    /// `message` (read as `said`) opens.
    async fn chat_for(
        &self,
        channel: MetaChannel,
        message: &InboundMessage,
        said: ChannelMessage<'_>,
    ) -> Result<Contact, IntakeError> {
        let who = &message.customer;
        let name = who
            .name
            .clone()
            .or_else(|| who.phone.clone())
            .unwrap_or_else(|| who.id.clone());
        let customer = self
            .store
            .customer_for_handle(
                channel,
                &who.id,
                who.name.as_deref(),
                &NewCustomer {
                    name,
                    email: None,
                    phone: who.phone.clone(),
                },
            )
            .await?;
        if let Some(open) = self.store.open_chat_of(customer, channel.channel()).await? {
            self.chat.resume_inbound(&open).await?;
            return Ok(open);
        }
        let stored = self.store.meta_channel(channel).await?;
        // Messenger gives only an id: the person's name is asked for once, as a chat opens.
        if let (MetaChannel::Messenger, None, Some(stored)) = (channel, &who.name, &stored) {
            if let Some(name) = self.messenger_name(stored, &who.id).await {
                self.store.name_customer(customer, &who.id, &name).await?;
            }
        }
        let settings = stored.map(|stored| stored.settings).unwrap_or_default();
        let csq = settings.csq.ok_or(IntakeError::NoQueue(channel.name()))?;
        let chat = NewChat {
            channel: channel.channel(),
            csq,
            customer,
            problem: channel.channel().to_string(),
            details: Vec::new(),
        };
        Ok(self.chat.start_inbound(&chat, said).await?)
    }
}

impl MetaService {
    /// The files of a line, now that the chat refers to them (in use), checked under the
    /// files store's gate: bytes a draft's removal judged unused before that, and removed,
    /// are written again (as an email's attachments are, see `Files::gate`).
    async fn kept_still(&self, fetched: &[Fetched]) -> Result<(), IntakeError> {
        let staged: Vec<&Staged> = fetched.iter().filter_map(|f| f.staged.as_ref()).collect();
        if staged.is_empty() {
            return Ok(());
        }
        let _gate = self.files.gate().await?;
        for staged in staged {
            let upload = &staged.upload;
            let present = self
                .files
                .present(&upload.sha256, upload.size)
                .await
                .map_err(StoreError::from)?;
            if !present {
                self.files.keep(staged).await.map_err(StoreError::from)?;
            }
        }
        Ok(())
    }

    /// The name Messenger's User Profile API gives for a page-scoped id, if it answers in
    /// time: the chat opens without it otherwise (the agent reads the id).
    async fn messenger_name(&self, stored: &StoredMetaChannel, psid: &str) -> Option<String> {
        let token = self.access_token(stored)?;
        let account = Account::of(stored, &token);
        match tokio::time::timeout(PROFILE_WAIT, self.graph.profile_name(&account, psid)).await {
            Ok(Ok(name)) => name,
            Ok(Err(e)) => {
                tracing::info!(error = %e, "Messenger profile not read: the chat shows the id");
                None
            }
            Err(_) => {
                tracing::info!("Messenger profile not read in time: the chat shows the id");
                None
            }
        }
    }
}

/// What the agent reads of a message: its text, a choice's title, a location, and the
/// captions of its files (the files themselves follow the text, see [`super::media`]).
pub(super) fn line_text(parts: &[Part]) -> String {
    let mut lines = Vec::new();
    for part in parts {
        match part {
            Part::Text(text) => lines.push(text.clone()),
            Part::Choice { title, .. } => lines.push(title.clone()),
            Part::Media(media) => lines.extend(media.caption.clone()),
            Part::Location {
                latitude,
                longitude,
                name,
                address,
            } => {
                let place = [name.as_deref(), address.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", ");
                lines.push(format!("[location] {place} ({latitude}, {longitude})"));
            }
            Part::Unsupported { kind } => lines.push(format!("[{kind}]")),
        }
    }
    lines.join("\n")
}

/// Resolves when the claim is lost; never without one (a single process).
async fn lost(claim: &mut Option<Box<dyn Claim>>) {
    match claim {
        Some(claim) => claim.lost().await,
        None => std::future::pending().await,
    }
}
