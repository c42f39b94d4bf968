//! Facebook Messenger and WhatsApp Business (SPEC F-1, F-2, F-3, issue 16): customers write
//! to the business's Facebook Page or WhatsApp number; Meta posts each event to our webhook
//! and carries our replies through its Graph API.
//!
//! So far: each channel's settings (secrets sealed, [`crate::store::meta`]) and its webhook.
//! A webhook post is checked against the channel's app secret on its raw bytes, then kept in
//! the store before Meta is answered (Meta delivers again when not answered in time), so
//! nothing Meta was told we have is ever lost. [`events`] reads a kept post into events of
//! one shape for both channels, and [`intake`] turns the customers' messages into chats
//! (through [`crate::chat::inbound`]), with the files they bring fetched and kept by
//! [`media`]. [`outbox`] carries each chat's lines for the
//! customer through the Graph API ([`graph`]), in order, from the transcript itself;
//! `receipts` turns what Meta reports of them into ticks (and Messenger's echoes of the
//! Page inbox into lines); `activity` shows the customer the agent typing and their
//! messages read.

mod activity;
pub mod events;
pub mod graph;
pub mod intake;
mod media;
pub mod outbox;
mod receipts;
pub mod signature;

use crate::{
    chat::ChatService,
    secrets::SecretBox,
    store::{
        meta::{access_token_context, app_secret_context, StoredMetaChannel},
        Store, StoreError,
    },
};
use app::domain::{limits::MAX_HUB_CHALLENGE_CHARS, meta::MetaChannel};
use std::sync::Arc;
use subtle::ConstantTimeEq;

pub struct MetaService {
    pub store: Arc<dyn Store>,
    pub secrets: SecretBox,
    /// Where the customers' messages become chats.
    pub chat: Arc<ChatService>,
    /// Rung for each post kept, so the inbox is handled at once ([`intake`]).
    pub wake: tokio::sync::Notify,
    /// Rung by the chat service for each line stored in a Messenger or WhatsApp chat, so
    /// it is sent at once ([`outbox`]).
    pub outbound: Arc<tokio::sync::Notify>,
    pub graph: graph::Graph,
    /// Where the files customers send are kept ([`media`]).
    pub files: crate::files::Files,
}

/// Why a webhook request was not taken.
#[derive(Debug, thiserror::Error)]
pub enum WebhookRefusal {
    /// The channel is not set up here, or is disabled.
    #[error("the channel is not set up")]
    NotSetUp,
    /// The verification handshake named another verify token, or asked something else.
    #[error("the verification request does not match the channel's verify token")]
    NotVerified,
    /// A post without a valid signature of the channel's app secret.
    #[error("the post is not signed with the channel's app secret")]
    BadSignature,
    /// The channel's app secret cannot be opened with this server's key.
    #[error("the channel's app secret cannot be decrypted with this key")]
    Undecryptable,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The query of Meta's verification request: `hub.mode`, `hub.verify_token`,
/// `hub.challenge`.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Verification {
    #[serde(rename = "hub.mode")]
    pub mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    pub verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    pub challenge: Option<String>,
}

impl MetaService {
    /// The channel, when set up and enabled.
    async fn enabled(&self, channel: MetaChannel) -> Result<StoredMetaChannel, WebhookRefusal> {
        match self.store.meta_channel(channel).await? {
            Some(stored) if stored.enabled => Ok(stored),
            _ => Err(WebhookRefusal::NotSetUp),
        }
    }

    /// Meta's verification handshake, made when the administrator subscribes the webhook:
    /// the challenge to echo back when the mode is `subscribe` and the verify token is the
    /// channel's.
    pub async fn verify(
        &self,
        channel: MetaChannel,
        request: &Verification,
    ) -> Result<String, WebhookRefusal> {
        let stored = self.enabled(channel).await?;
        let expected = stored.settings.verify_token.as_bytes();
        let token_matches = request.verify_token.as_deref().is_some_and(|given| {
            !expected.is_empty() && bool::from(given.as_bytes().ct_eq(expected))
        });
        match (&request.mode, &request.challenge) {
            (Some(mode), Some(challenge))
                if mode == "subscribe"
                    && token_matches
                    && challenge.chars().count() <= MAX_HUB_CHALLENGE_CHARS =>
            {
                Ok(challenge.clone())
            }
            _ => Err(WebhookRefusal::NotVerified),
        }
    }

    /// The channel's access token in clear, when it is on and its token opens with this
    /// server's key.
    fn access_token(&self, stored: &StoredMetaChannel) -> Option<String> {
        let sealed = stored.access_token.as_ref().filter(|_| stored.enabled)?;
        self.secrets
            .open(&access_token_context(stored.channel), sealed)
            .ok()
            .map(|token| token.to_string())
    }

    /// A webhook post: checked against the channel's app secret on its raw bytes, then kept;
    /// its id in the inbox.
    pub async fn receive(
        &self,
        channel: MetaChannel,
        signature: Option<&[u8]>,
        body: &[u8],
    ) -> Result<i64, WebhookRefusal> {
        let stored = self.enabled(channel).await?;
        let Some(sealed) = &stored.app_secret else {
            return Err(WebhookRefusal::NotSetUp);
        };
        let app_secret = self
            .secrets
            .open(&app_secret_context(channel), sealed)
            .map_err(|_| WebhookRefusal::Undecryptable)?;
        if !signature::signed_by(app_secret.as_bytes(), body, signature) {
            return Err(WebhookRefusal::BadSignature);
        }
        let id = self
            .store
            .receive_webhook(channel, body, crate::clock::now_ms())
            .await?;
        self.wake.notify_one();
        Ok(id)
    }
}
