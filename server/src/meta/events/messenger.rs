//! Messenger Platform posts (`object: "page"`): each entry's `messaging` events.

use super::*;

#[derive(Deserialize)]
pub struct Entry {
    #[serde(default)]
    messaging: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Id {
    id: String,
}

#[derive(Deserialize)]
struct Messaging {
    /// Absent in some events (a plugin's opt-in): those are not ours to show.
    sender: Option<Id>,
    recipient: Id,
    #[serde(default)]
    timestamp: i64,
    message: Option<Message>,
    postback: Option<Postback>,
    delivery: Option<Delivery>,
    read: Option<Watermark>,
}

/// A button of the business's tapped (a template's, the persistent menu's, Get Started).
#[derive(Deserialize)]
struct Postback {
    mid: Option<String>,
    title: Option<String>,
    #[serde(default)]
    payload: String,
}

#[derive(Deserialize)]
struct Message {
    mid: String,
    text: Option<String>,
    quick_reply: Option<QuickReply>,
    #[serde(default)]
    attachments: Vec<Attachment>,
    reply_to: Option<ReplyTo>,
    #[serde(default)]
    is_echo: bool,
    #[serde(default, deserialize_with = "number_or_text")]
    app_id: Option<String>,
    metadata: Option<String>,
}

#[derive(Deserialize)]
struct QuickReply {
    payload: String,
}

#[derive(Deserialize)]
struct ReplyTo {
    mid: String,
}

#[derive(Deserialize)]
struct Attachment {
    #[serde(rename = "type")]
    kind: String,
    payload: Option<AttachmentPayload>,
}

#[derive(Deserialize)]
struct AttachmentPayload {
    url: Option<String>,
    title: Option<String>,
    coordinates: Option<Coordinates>,
}

#[derive(Deserialize)]
struct Coordinates {
    lat: f64,
    long: f64,
}

#[derive(Deserialize)]
struct Delivery {
    #[serde(default)]
    mids: Vec<String>,
    watermark: i64,
}

#[derive(Deserialize)]
struct Watermark {
    watermark: i64,
}

fn parts(message: &Message) -> Vec<Part> {
    let mut parts = Vec::new();
    match (&message.text, &message.quick_reply) {
        (Some(text), Some(quick)) => parts.push(Part::Choice {
            title: text.clone(),
            payload: quick.payload.clone(),
        }),
        (Some(text), None) => parts.push(Part::Text(text.clone())),
        _ => {}
    }
    for attachment in &message.attachments {
        let payload = attachment.payload.as_ref();
        let url = payload.and_then(|p| p.url.clone());
        let kind = match attachment.kind.as_str() {
            "image" => Some(MediaKind::Image),
            "video" => Some(MediaKind::Video),
            "audio" => Some(MediaKind::Audio),
            "file" => Some(MediaKind::File),
            _ => None,
        };
        let part = match (kind, url) {
            (Some(kind), Some(url)) => Part::Media(Media {
                kind,
                source: MediaSource::Url(url),
                caption: None,
                file_name: None,
                mime_type: None,
            }),
            _ => match payload.and_then(|p| p.coordinates.as_ref()) {
                Some(at) if attachment.kind == "location" => Part::Location {
                    latitude: at.lat,
                    longitude: at.long,
                    name: payload.and_then(|p| p.title.clone()),
                    address: None,
                },
                _ => Part::Unsupported {
                    kind: attachment.kind.clone(),
                },
            },
        };
        parts.push(part);
    }
    parts
}

pub fn events(entries: Vec<Entry>) -> Vec<Inbound> {
    let mut events = Vec::new();
    let all = entries
        .into_iter()
        .flat_map(|e| each(e.messaging, "messaging"));
    for messaging in all {
        let Messaging {
            sender,
            recipient,
            timestamp: at_ms,
            ..
        } = &messaging;
        let at_ms = *at_ms;
        let customer = |id: &str| Customer {
            id: id.to_string(),
            phone: None,
            name: None,
        };
        if let Some(message) = messaging.message.as_ref().filter(|m| m.is_echo) {
            events.push(Inbound::Echo {
                id: message.mid.clone(),
                customer: recipient.id.clone(),
                app_id: message.app_id.clone(),
                metadata: message.metadata.clone(),
                at_ms,
                parts: parts(message),
            });
            continue;
        }
        let Some(sender) = sender else {
            continue;
        };
        if let Some(message) = &messaging.message {
            events.push(Inbound::Message(InboundMessage {
                id: message.mid.clone(),
                account: recipient.id.clone(),
                customer: customer(&sender.id),
                at_ms,
                reply_to: message.reply_to.as_ref().map(|r| r.mid.clone()),
                parts: parts(message),
            }));
        } else if let Some(postback) = &messaging.postback {
            events.push(Inbound::Message(InboundMessage {
                // Older postbacks carry no id: the tap is named by who and when.
                id: postback
                    .mid
                    .clone()
                    .unwrap_or_else(|| format!("postback:{}:{at_ms}", sender.id)),
                account: recipient.id.clone(),
                customer: customer(&sender.id),
                at_ms,
                reply_to: None,
                parts: vec![Part::Choice {
                    title: postback.title.clone().unwrap_or_default(),
                    payload: postback.payload.clone(),
                }],
            }));
        } else if let Some(delivery) = &messaging.delivery {
            events.push(Inbound::Delivered {
                customer: sender.id.clone(),
                ids: delivery.mids.clone(),
                watermark_ms: delivery.watermark,
            });
        } else if let Some(read) = &messaging.read {
            events.push(Inbound::Read {
                customer: sender.id.clone(),
                watermark_ms: read.watermark,
            });
        }
    }
    events
}
