//! WhatsApp Cloud API posts (`object: "whatsapp_business_account"`): each entry's
//! `changes` of the `messages` field.

use super::*;

#[derive(Deserialize)]
pub struct Entry {
    #[serde(default)]
    changes: Vec<serde_json::Value>,
}

/// A change: only a `messages` one's value is read (other fields have other shapes).
#[derive(Deserialize)]
struct Change {
    field: String,
    value: serde_json::Value,
}

#[derive(Deserialize)]
struct Value {
    metadata: Option<Metadata>,
    #[serde(default)]
    contacts: Vec<serde_json::Value>,
    #[serde(default)]
    messages: Vec<serde_json::Value>,
    #[serde(default)]
    statuses: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Metadata {
    phone_number_id: String,
}

#[derive(Deserialize)]
struct Contact {
    profile: Option<Profile>,
    wa_id: Option<String>,
    /// The business-scoped user id (a customer who does not share their number).
    user_id: Option<String>,
}

#[derive(Deserialize)]
struct Profile {
    name: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    from: Option<String>,
    from_user_id: Option<String>,
    id: String,
    timestamp: String,
    #[serde(rename = "type")]
    kind: String,
    text: Option<Text>,
    image: Option<MediaObject>,
    video: Option<MediaObject>,
    audio: Option<MediaObject>,
    document: Option<MediaObject>,
    sticker: Option<MediaObject>,
    location: Option<Location>,
    interactive: Option<Interactive>,
    button: Option<Button>,
    context: Option<Context>,
}

#[derive(Deserialize)]
struct Text {
    body: String,
}

#[derive(Deserialize)]
struct MediaObject {
    id: String,
    mime_type: Option<String>,
    caption: Option<String>,
    filename: Option<String>,
}

#[derive(Deserialize)]
struct Location {
    latitude: f64,
    longitude: f64,
    name: Option<String>,
    address: Option<String>,
}

#[derive(Deserialize)]
struct Interactive {
    button_reply: Option<Reply>,
    list_reply: Option<Reply>,
}

#[derive(Deserialize)]
struct Reply {
    id: String,
    title: String,
}

#[derive(Deserialize)]
struct Button {
    text: String,
    payload: Option<String>,
}

#[derive(Deserialize)]
struct Context {
    id: Option<String>,
}

#[derive(Deserialize)]
struct Status {
    id: String,
    status: String,
    timestamp: String,
    recipient_id: Option<String>,
    recipient_user_id: Option<String>,
    #[serde(default)]
    errors: Vec<ErrorObject>,
}

#[derive(Deserialize)]
struct ErrorObject {
    code: i64,
    #[serde(default)]
    title: String,
    error_data: Option<ErrorData>,
}

#[derive(Deserialize)]
struct ErrorData {
    details: Option<String>,
}

/// WhatsApp's timestamps are seconds, as text.
fn ms(seconds: &str) -> i64 {
    seconds
        .trim()
        .parse::<i64>()
        .unwrap_or(0)
        .saturating_mul(1000)
}

fn media(kind: MediaKind, object: &MediaObject) -> Part {
    Part::Media(Media {
        kind,
        source: MediaSource::MediaId(object.id.clone()),
        caption: object.caption.clone(),
        file_name: object.filename.clone(),
        mime_type: object.mime_type.clone(),
    })
}

fn part(message: &Message) -> Part {
    let unsupported = || Part::Unsupported {
        kind: message.kind.clone(),
    };
    let media_object = match message.kind.as_str() {
        "image" => Some((MediaKind::Image, &message.image)),
        "video" => Some((MediaKind::Video, &message.video)),
        "audio" => Some((MediaKind::Audio, &message.audio)),
        "document" => Some((MediaKind::File, &message.document)),
        "sticker" => Some((MediaKind::Sticker, &message.sticker)),
        _ => None,
    };
    if let Some((kind, object)) = media_object {
        return object.as_ref().map_or_else(unsupported, |m| media(kind, m));
    }
    match message.kind.as_str() {
        "text" => message
            .text
            .as_ref()
            .map_or_else(unsupported, |t| Part::Text(t.body.clone())),
        "location" => message
            .location
            .as_ref()
            .map_or_else(unsupported, |l| Part::Location {
                latitude: l.latitude,
                longitude: l.longitude,
                name: l.name.clone(),
                address: l.address.clone(),
            }),
        "interactive" => message
            .interactive
            .as_ref()
            .and_then(|i| i.button_reply.as_ref().or(i.list_reply.as_ref()))
            .map_or_else(unsupported, |r| Part::Choice {
                title: r.title.clone(),
                payload: r.id.clone(),
            }),
        "button" => message
            .button
            .as_ref()
            .map_or_else(unsupported, |b| Part::Choice {
                title: b.text.clone(),
                payload: b.payload.clone().unwrap_or_default(),
            }),
        _ => unsupported(),
    }
}

pub fn events(entries: Vec<Entry>) -> Vec<Inbound> {
    let mut events = Vec::new();
    let changes = entries
        .into_iter()
        .flat_map(|e| each::<Change>(e.changes, "change"))
        .filter(|c| c.field == "messages");
    for change in changes {
        let Some(value) = each::<Value>(vec![change.value], "value").next() else {
            continue;
        };
        let account = value
            .metadata
            .map(|m| m.phone_number_id)
            .unwrap_or_default();
        let contacts: Vec<Contact> = each(value.contacts, "contact").collect();
        for message in each::<Message>(value.messages, "message") {
            let Some(id) = message
                .from
                .clone()
                .or_else(|| message.from_user_id.clone())
            else {
                continue;
            };
            // The profile is the contact's whose id the message is from.
            let contact = contacts.iter().find(|c| {
                c.wa_id.as_deref() == Some(id.as_str()) || c.user_id.as_deref() == Some(id.as_str())
            });
            events.push(Inbound::Message(InboundMessage {
                id: message.id.clone(),
                account: account.clone(),
                customer: Customer {
                    phone: message.from.clone(),
                    name: contact
                        .and_then(|c| c.profile.as_ref())
                        .and_then(|p| p.name.clone()),
                    id,
                },
                at_ms: ms(&message.timestamp),
                reply_to: message.context.as_ref().and_then(|c| c.id.clone()),
                parts: vec![part(&message)],
            }));
        }
        for status in each::<Status>(value.statuses, "status") {
            let state = match status.status.as_str() {
                "sent" => DeliveryStatus::Sent,
                "delivered" => DeliveryStatus::Delivered,
                "read" => DeliveryStatus::Read,
                "failed" => DeliveryStatus::Failed,
                // "deleted", "played" and kinds to come change nothing we show.
                _ => continue,
            };
            events.push(Inbound::Status {
                id: status.id,
                customer: status
                    .recipient_id
                    .or(status.recipient_user_id)
                    .unwrap_or_default(),
                status: state,
                at_ms: ms(&status.timestamp),
                errors: status
                    .errors
                    .into_iter()
                    .map(|e| MetaError {
                        code: e.code,
                        title: e.title,
                        details: e.error_data.and_then(|d| d.details),
                    })
                    .collect(),
            });
        }
    }
    events
}
