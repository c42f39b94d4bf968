//! What a webhook post from Meta says, read into one shape for both channels: a customer's
//! message (text, a quick reply, media, a location, a choice), a message the business sent
//! (Messenger's echoes), and what happened to the business's messages (Messenger's delivery
//! and read watermarks, WhatsApp's statuses). Only the fields we use are read, and each
//! entry and event is read on its own: a field Meta adds later is ignored, and an event of a
//! shape we do not know is skipped (and logged) without losing the others. Shapes as in
//! Meta's webhook references (Messenger Platform "messages", "message_echoes",
//! "message_deliveries", "message_reads"; WhatsApp Cloud API "messages" and "statuses").

use app::domain::meta::MetaChannel;
use serde::{de::DeserializeOwned, Deserialize};

/// One event of a post.
#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    /// A customer's message.
    Message(InboundMessage),
    /// Messenger: a message the Page sent, through our app or another (the Page's own inbox
    /// included): `app_id` tells which, and `metadata` is what the sender attached (ours
    /// marks our own sends).
    Echo {
        id: String,
        /// The customer it went to.
        customer: String,
        /// Meta writes it as a number in some posts and a string in others.
        app_id: Option<String>,
        metadata: Option<String>,
        at_ms: i64,
        parts: Vec<Part>,
    },
    /// Messenger: the business's messages to `customer` were delivered: those listed, and
    /// every one sent before `watermark_ms`.
    Delivered {
        customer: String,
        ids: Vec<String>,
        watermark_ms: i64,
    },
    /// Messenger: `customer` read every message sent before `watermark_ms`.
    Read { customer: String, watermark_ms: i64 },
    /// WhatsApp: what happened to one of the business's messages (statuses may arrive out
    /// of order: `at_ms` tells which is the latest).
    Status {
        id: String,
        customer: String,
        status: DeliveryStatus,
        at_ms: i64,
        errors: Vec<MetaError>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct InboundMessage {
    /// Meta's id of the message (`mid`, `wamid`): a delivery made twice has the same one.
    pub id: String,
    /// The business's side: the Facebook Page's id, or the WhatsApp phone number id.
    pub account: String,
    pub customer: Customer,
    pub at_ms: i64,
    /// The message it answers, when the customer quoted one.
    pub reply_to: Option<String>,
    pub parts: Vec<Part>,
}

/// Who wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    /// Messenger: the page-scoped id (PSID). WhatsApp: the WhatsApp id (`wa_id`, a phone
    /// number), or the business-scoped user id when the customer's number is not shared.
    pub id: String,
    /// WhatsApp: the phone number, when given.
    pub phone: Option<String>,
    /// WhatsApp: the profile name.
    pub name: Option<String>,
}

/// A piece of a message, in the order it came.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Text(String),
    /// A quick reply or button tapped: what it said, and what the business set behind it.
    Choice {
        title: String,
        payload: String,
    },
    Media(Media),
    Location {
        latitude: f64,
        longitude: f64,
        name: Option<String>,
        address: Option<String>,
    },
    /// A kind we do not show (a reaction, a contact card, a template...): named, so the
    /// agent is told something came.
    Unsupported {
        kind: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Image,
    Video,
    Audio,
    File,
    Sticker,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    pub kind: MediaKind,
    pub source: MediaSource,
    pub caption: Option<String>,
    pub file_name: Option<String>,
    pub mime_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaSource {
    /// Messenger: a URL Meta's CDN serves for a while.
    Url(String),
    /// WhatsApp: a media id, fetched through the Graph API with the access token.
    MediaId(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Sent,
    Delivered,
    Read,
    Failed,
}

/// An error Meta reports about a message (WhatsApp statuses' `errors`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaError {
    pub code: i64,
    pub title: String,
    pub details: Option<String>,
}

/// A post that is not JSON of the channel's shape.
#[derive(Debug, thiserror::Error)]
#[error("not a {channel} webhook post: {reason}")]
pub struct NotAPost {
    pub channel: &'static str,
    pub reason: String,
}

/// The events of a post, in the order Meta listed them.
pub fn read(channel: MetaChannel, body: &[u8]) -> Result<Vec<Inbound>, NotAPost> {
    Ok(match channel {
        MetaChannel::Messenger => messenger::events(entries(channel, body)?),
        MetaChannel::WhatsApp => whatsapp::events(entries(channel, body)?),
    })
}

/// Every post: the channel's `object`, and its entries.
#[derive(Deserialize)]
struct Post {
    object: String,
    #[serde(default)]
    entry: Vec<serde_json::Value>,
}

/// The entries of a post of the channel's shape (each read on its own, see [`each`]).
fn entries<E: DeserializeOwned>(channel: MetaChannel, body: &[u8]) -> Result<Vec<E>, NotAPost> {
    let wrong = |reason: String| NotAPost {
        channel: channel.name(),
        reason,
    };
    let post: Post = serde_json::from_slice(body).map_err(|e| wrong(e.to_string()))?;
    if post.object != channel.webhook_object() {
        return Err(wrong(format!("object {:?}", post.object)));
    }
    Ok(each(post.entry, "entry").collect())
}

/// Each item read on its own: one of a shape we do not know is skipped and logged, and
/// the others are kept (a post is a batch; one odd event must not lose the rest).
fn each<T: DeserializeOwned>(
    items: Vec<serde_json::Value>,
    what: &'static str,
) -> impl Iterator<Item = T> {
    items
        .into_iter()
        .filter_map(move |item| match serde_json::from_value(item) {
            Ok(read) => Some(read),
            Err(e) => {
                tracing::warn!(what, error = %e, "webhook item of an unknown shape skipped");
                None
            }
        })
}

/// A value Meta writes as a number or as a string, as text.
fn number_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

mod messenger;
mod whatsapp;

#[cfg(test)]
mod tests;
