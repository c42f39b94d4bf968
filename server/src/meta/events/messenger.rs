//! Messenger Platform posts (`object: "page"`): each entry's `messaging` events.

use super::*;

#[derive(Deserialize)]
pub struct Entry {
    #[serde(default)]
    messaging: Vec<Messaging>,
}

#[derive(Deserialize)]
struct Id {
    id: String,
}

#[derive(Deserialize)]
struct Messaging {
    sender: Id,
    recipient: Id,
    #[serde(default)]
    timestamp: i64,
    message: Option<Message>,
    delivery: Option<Delivery>,
    read: Option<Watermark>,
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
    app_id: Option<u64>,
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
    for messaging in entries.into_iter().flat_map(|e| e.messaging) {
        if let Some(message) = &messaging.message {
            if message.is_echo {
                events.push(Inbound::Echo {
                    id: message.mid.clone(),
                    customer: messaging.recipient.id.clone(),
                    app_id: message.app_id,
                    at_ms: messaging.timestamp,
                    parts: parts(message),
                });
            } else {
                events.push(Inbound::Message(InboundMessage {
                    id: message.mid.clone(),
                    account: messaging.recipient.id.clone(),
                    customer: Customer {
                        id: messaging.sender.id.clone(),
                        phone: None,
                        name: None,
                    },
                    at_ms: messaging.timestamp,
                    reply_to: message.reply_to.as_ref().map(|r| r.mid.clone()),
                    parts: parts(message),
                }));
            }
        } else if let Some(delivery) = messaging.delivery {
            events.push(Inbound::Delivered {
                customer: messaging.sender.id,
                ids: delivery.mids,
                watermark_ms: delivery.watermark,
            });
        } else if let Some(read) = messaging.read {
            events.push(Inbound::Read {
                customer: messaging.sender.id,
                watermark_ms: read.watermark,
            });
        }
    }
    events
}
