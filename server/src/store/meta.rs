//! What the store keeps of Messenger and WhatsApp (SPEC F-1, F-2, F-3): each channel's
//! settings as JSON with its secrets sealed (the store never sees them in clear: see
//! `crate::secrets`), and the inbox of webhook posts, each kept before Meta is answered
//! (and marked once its events are handled). A separate trait, included by
//! [`super::Store`].

use super::{NewCustomer, StoreResult};
use app::domain::{
    contact::{Channel, Contact},
    customer::ChannelProfile,
    ids::{ContactId, CsqId, CustomerId},
    meta::{MessageStatus, MetaChannel},
    protocol::Seq,
};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// A channel's settings that are not secret, stored as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaChannelSettings {
    /// The queue its conversations are routed to.
    pub csq: Option<CsqId>,
    /// What customers see as the sender (F-2: never an agent's name).
    pub business_name: String,
    /// Messenger: the Facebook Page's id; WhatsApp: the phone number id.
    pub account_id: String,
    /// What Meta sends back in the webhook verification handshake. Not a secret: the
    /// administrator copies it into Meta's dashboard.
    pub verify_token: String,
    /// Messenger: an agent's reply after the 24-hour window goes with the human-agent tag,
    /// for up to 7 days after the customer's last message (SPEC F-3).
    #[serde(default)]
    pub human_agent_tag: bool,
    /// WhatsApp: the approved templates agents may send past the 24-hour window (F-3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub templates: Vec<app::domain::message_template::MessageTemplate>,
    /// Where the Graph API answers (Meta's, or a test's fake).
    #[serde(default = "default_graph_api_base")]
    pub graph_api_base: String,
    /// The Graph API version requests name (`v25.0`).
    #[serde(default = "default_graph_api_version")]
    pub graph_api_version: String,
}

fn default_graph_api_base() -> String {
    app::domain::meta::DEFAULT_GRAPH_API_BASE.into()
}

fn default_graph_api_version() -> String {
    app::domain::meta::DEFAULT_GRAPH_API_VERSION.into()
}

impl Default for MetaChannelSettings {
    fn default() -> Self {
        MetaChannelSettings {
            csq: None,
            business_name: String::new(),
            account_id: String::new(),
            verify_token: String::new(),
            human_agent_tag: false,
            templates: Vec::new(),
            graph_api_base: default_graph_api_base(),
            graph_api_version: default_graph_api_version(),
        }
    }
}

/// A channel as stored: secrets sealed, or none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMetaChannel {
    pub channel: MetaChannel,
    pub enabled: bool,
    pub settings: MetaChannelSettings,
    /// Sealed with the context [`app_secret_context`].
    pub app_secret: Option<String>,
    /// Sealed with the context [`access_token_context`].
    pub access_token: Option<String>,
}

/// What a channel's sealed app secret is bound to.
pub fn app_secret_context(channel: MetaChannel) -> String {
    format!("meta:{}:app_secret", channel.name())
}

/// What a channel's sealed access token is bound to.
pub fn access_token_context(channel: MetaChannel) -> String {
    format!("meta:{}:access_token", channel.name())
}

/// A webhook post as Meta made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookPost {
    pub id: i64,
    pub channel: MetaChannel,
    /// The body exactly as received (and signed).
    pub body: Vec<u8>,
    pub received_at_ms: i64,
}

/// A Messenger or WhatsApp chat whose lines wait to go to its customer, taken by a worker
/// until its lease ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaOutbox {
    pub contact: ContactId,
    pub channel: MetaChannel,
    /// The customer's page-scoped id or WhatsApp id.
    pub recipient: String,
    /// Every line up to this one is handled.
    pub sent_through: Seq,
    /// Failed attempts at the next line.
    pub attempts: u32,
}

/// See [`MetaStore::meta_activity_target`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityTarget {
    pub channel: MetaChannel,
    pub recipient: String,
    pub last_message: Option<String>,
}

#[async_trait]
pub trait MetaStore: Send + Sync {
    /// The channel's settings, if the administrator set it up.
    async fn meta_channel(&self, channel: MetaChannel) -> StoreResult<Option<StoredMetaChannel>>;
    /// Creates or replaces the channel's settings, with the administrator's audit line
    /// when one made the change.
    async fn save_meta_channel(
        &self,
        channel: &StoredMetaChannel,
        audit: Option<&super::AuditEntry>,
    ) -> StoreResult<()>;
    /// Keeps a webhook post before Meta is answered: its id.
    async fn receive_webhook(
        &self,
        channel: MetaChannel,
        body: &[u8],
        now_ms: i64,
    ) -> StoreResult<i64>;
    /// Posts not handled yet, oldest first.
    async fn pending_webhooks(&self, limit: i64) -> StoreResult<Vec<WebhookPost>> {
        self.pending_webhooks_after(0, limit).await
    }
    /// Posts not handled yet kept after post `after`, oldest first.
    async fn pending_webhooks_after(&self, after: i64, limit: i64)
        -> StoreResult<Vec<WebhookPost>>;
    /// The post's events are handled.
    async fn webhook_done(&self, id: i64, now_ms: i64) -> StoreResult<()>;

    /// The customer known on `channel` by `handle` (a page-scoped id, a WhatsApp id), with
    /// the name on their `profile` there kept (updated when it changes). The first time, a
    /// WhatsApp number is the customer who gave the same phone number before (the first
    /// such), else a customer is created from `new`.
    async fn customer_for_handle(
        &self,
        channel: MetaChannel,
        handle: &str,
        profile: Option<&str>,
        new: &NewCustomer,
    ) -> StoreResult<CustomerId>;

    /// Who the customer of a Messenger or WhatsApp chat is on its channel: their id there
    /// (the one the chat's lines go to) and their profile's name (none for another chat).
    async fn chat_profile(&self, contact: ContactId) -> StoreResult<Option<ChannelProfile>>;

    /// Names a customer known so far only by `unnamed` (their handle), and keeps the name
    /// as that handle's profile name: false when the customer's name is no longer that
    /// (someone named them meanwhile).
    async fn name_customer(
        &self,
        customer: CustomerId,
        unnamed: &str,
        name: &str,
    ) -> StoreResult<bool>;

    /// The customer's latest chat on `channel` not ended, if any.
    async fn open_chat_of(
        &self,
        customer: CustomerId,
        channel: Channel,
    ) -> StoreResult<Option<Contact>>;

    /// The customer behind a page-scoped id or WhatsApp id, if one wrote before.
    async fn customer_of_handle(
        &self,
        channel: MetaChannel,
        handle: &str,
    ) -> StoreResult<Option<CustomerId>>;

    /// The chat a message Meta carried (`message_id`) went to, if it was seen before.
    async fn meta_message(
        &self,
        channel: MetaChannel,
        message_id: &str,
    ) -> StoreResult<Option<ContactId>>;

    /// Whether a customer's message Meta carried is a line of its chat already (a delivery
    /// made again then has nothing to add, nor files to fetch).
    async fn meta_message_shown(&self, channel: MetaChannel, message_id: &str)
        -> StoreResult<bool>;

    /// Ties a message Meta carried to its chat, the first time it is seen: the chat it is
    /// tied to (the first one, when it was seen before). `sent_at_ms` is Meta's time of it:
    /// a customer's message's opens the reply window ([`Self::meta_last_customer_at`]).
    async fn record_meta_message(
        &self,
        channel: MetaChannel,
        message_id: &str,
        contact: ContactId,
        inbound: bool,
        sent_at_ms: Option<i64>,
    ) -> StoreResult<ContactId>;

    /// Meta's time of the customer's last message in the chat: the reply window runs from
    /// it (SPEC F-3). None before the first is recorded.
    async fn meta_last_customer_at(&self, contact: ContactId) -> StoreResult<Option<i64>>;

    /// Keeps what became of a line sent at `now_ms` (`seq` of `contact`): Meta's id of it
    /// and "sent" when Meta took it, or an id of ours and "failed" when Meta refused it.
    /// Either way the line is never sent again.
    async fn record_meta_send(
        &self,
        channel: MetaChannel,
        message_id: &str,
        contact: ContactId,
        seq: Seq,
        status: MessageStatus,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// Meta's own time of one of the business's messages (its echo's), which Messenger's
    /// watermarks are compared with (nothing for a message not ours).
    async fn meta_sent_at(
        &self,
        channel: MetaChannel,
        message_id: &str,
        at_ms: i64,
    ) -> StoreResult<()>;

    /// A status Meta reported of one of the business's messages, kept when it moves the
    /// message forward (a late one never undoes a later one): the line it is, if it moved.
    async fn mark_meta_message(
        &self,
        channel: MetaChannel,
        message_id: &str,
        status: MessageStatus,
        at_ms: i64,
    ) -> StoreResult<Option<(ContactId, Seq)>>;

    /// Messenger's watermarks: every message sent to the customer `handle` at or before
    /// `watermark_ms` is at least `status`. The lines that moved.
    async fn mark_meta_messages_before(
        &self,
        channel: MetaChannel,
        handle: &str,
        watermark_ms: i64,
        status: MessageStatus,
        at_ms: i64,
    ) -> StoreResult<Vec<(ContactId, Seq)>>;

    /// The ticks of a chat's lines, in order: what a page catching up is told.
    async fn meta_line_statuses(
        &self,
        contact: ContactId,
    ) -> StoreResult<Vec<(Seq, MessageStatus)>>;

    /// Whom a chat's sender actions go to: its channel, the customer's handle, and Meta's id
    /// of the customer's last message (what WhatsApp marks read); none for a chat that is
    /// not a Messenger or WhatsApp one.
    async fn meta_activity_target(&self, contact: ContactId)
        -> StoreResult<Option<ActivityTarget>>;

    /// The chat's lines go to `recipient` from now on (once: a second call changes nothing).
    async fn open_meta_outbox(
        &self,
        contact: ContactId,
        channel: MetaChannel,
        recipient: &str,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// Takes up to `limit` chats with lines waiting and due at `now_ms`, until
    /// `lease_until_ms` (rows another node holds are passed over).
    async fn claim_meta_outboxes(
        &self,
        now_ms: i64,
        limit: u32,
        lease_until_ms: i64,
    ) -> StoreResult<Vec<MetaOutbox>>;

    /// Meta's id of the chat's line `seq` if Meta took it already (it is never sent again).
    async fn meta_line_message(&self, contact: ContactId, seq: Seq) -> StoreResult<Option<String>>;

    /// Every line through `seq` is handled (the worker keeps its lease: another node must
    /// not take the chat while it sends the rest), or the chat is forgotten when it ended a
    /// while before `now_ms` with nothing left.
    async fn meta_outbox_handled(
        &self,
        contact: ContactId,
        seq: Seq,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// Forgets the outboxes of chats that ended a while before `now_ms` with every line
    /// handled (those [`Self::meta_outbox_handled`] found still ending).
    async fn forget_finished_meta_outboxes(&self, now_ms: i64) -> StoreResult<u64>;

    /// The chat is looked at again at `due_at_ms`, its next line tried for the
    /// `attempts + 1`th time then: a retry, the lease given back (`attempts` 0, now) or
    /// renewed while a worker still sends.
    async fn meta_outbox_retry(
        &self,
        contact: ContactId,
        attempts: u32,
        due_at_ms: i64,
    ) -> StoreResult<()>;
}
