//! Messenger and WhatsApp as Meta drives them, for the tests: a channel set up as an
//! administrator would (its Graph API calls made to a [`FakeGraph`]), webhook posts in the
//! shapes Meta documents, signed with the channel's app secret, and the scene every
//! conversation test starts from.

use super::{desk, graph::FakeGraph, next_offer, send_json, TestServer, Ws};
use app::domain::{
    chat::{Author, ChatLine, LineBody},
    ids::{AgentId, ContactId, CsqId},
    meta::MetaChannel,
};
use serde_json::{json, Value};
use server::{
    meta::signature::sign,
    store::meta::{
        access_token_context, app_secret_context, MetaChannelSettings, StoredMetaChannel,
    },
};

pub const APP_SECRET: &str = "test-app-secret-6f1d";
pub const ACCESS_TOKEN: &str = "EAAG-test-page-token";
pub const PAGE_ID: &str = "1234567890";
pub const PHONE_NUMBER_ID: &str = "106540352242922";

/// The channel set up as an administrator would, its conversations routed to `csq`, its
/// calls to the Graph API made to `graph`.
pub async fn set_up(server: &TestServer, channel: MetaChannel, csq: CsqId, graph: &FakeGraph) {
    let meta = &server.services.meta;
    let account_id = match channel {
        MetaChannel::Messenger => PAGE_ID,
        MetaChannel::WhatsApp => PHONE_NUMBER_ID,
    };
    meta.store
        .save_meta_channel(
            &StoredMetaChannel {
                channel,
                enabled: true,
                settings: MetaChannelSettings {
                    csq: Some(csq),
                    business_name: "Shop".into(),
                    account_id: account_id.into(),
                    verify_token: "verify".into(),
                    human_agent_tag: false,
                    templates: match channel {
                        MetaChannel::WhatsApp => vec![order_update()],
                        MetaChannel::Messenger => Vec::new(),
                    },
                    graph_api_base: graph.url.clone(),
                    graph_api_version: "v25.0".into(),
                },
                app_secret: Some(meta.secrets.seal(&app_secret_context(channel), APP_SECRET)),
                access_token: Some(
                    meta.secrets
                        .seal(&access_token_context(channel), ACCESS_TOKEN),
                ),
            },
            None,
        )
        .await
        .unwrap();
}

/// The approved WhatsApp template a channel [`set_up`] offers.
pub fn order_update() -> app::domain::message_template::MessageTemplate {
    app::domain::message_template::MessageTemplate {
        name: "order_update".into(),
        language: "en_US".into(),
        text: "Hello {{1}}, your order {{2}} has shipped.".into(),
    }
}

/// A Messenger `messages` webhook post of a text, as the Messenger Platform documents it.
pub fn messenger_text(psid: &str, mid: &str, text: &str) -> Vec<u8> {
    messenger_message(psid, json!({"mid": mid, "text": text}))
}

/// A Messenger `messages` webhook post of `message` (its `mid`, `text`, `attachments`...).
pub fn messenger_message(psid: &str, message: Value) -> Vec<u8> {
    messenger_message_at(psid, message, chrono_ms())
}

/// [`messenger_message`] as the customer sent it at `now` (Meta's time of it).
pub fn messenger_message_at(psid: &str, message: Value, now: i64) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "object": "page",
        "entry": [{
            "id": PAGE_ID,
            "time": now,
            "messaging": [{
                "sender": {"id": psid},
                "recipient": {"id": PAGE_ID},
                "timestamp": now,
                "message": message
            }]
        }]
    }))
    .unwrap()
}

/// A WhatsApp Cloud API `messages` webhook post of a text, as Meta documents it.
pub fn whatsapp_text(wa_id: &str, name: &str, id: &str, text: &str) -> Vec<u8> {
    let text = json!({"type": "text", "text": {"body": text}});
    whatsapp_message(wa_id, name, id, text)
}

/// A WhatsApp Cloud API `messages` webhook post of a message whose `type` and content are
/// `content` (`{"type": "image", "image": {...}}`).
pub fn whatsapp_message(wa_id: &str, name: &str, id: &str, content: Value) -> Vec<u8> {
    let mut message = json!({
        "from": wa_id,
        "id": id,
        "timestamp": (chrono_ms() / 1000).to_string(),
    });
    for (key, value) in content.as_object().unwrap() {
        message[key] = value.clone();
    }
    whatsapp_post(json!({
        "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
        "messages": [message]
    }))
}

/// A WhatsApp Cloud API webhook post of a `value` (its `messages`, `statuses`...), for the
/// phone number set up.
pub fn whatsapp_post(value: Value) -> Vec<u8> {
    let mut full = json!({
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": "15550783881",
            "phone_number_id": PHONE_NUMBER_ID
        }
    });
    for (key, item) in value.as_object().unwrap() {
        full[key] = item.clone();
    }
    serde_json::to_vec(&json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": "102290129340398",
            "changes": [{"value": full, "field": "messages"}]
        }]
    }))
    .unwrap()
}

pub fn chrono_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Posts as Meta does, signed with the app secret; Meta is answered 200.
pub async fn deliver(server: &TestServer, channel: MetaChannel, body: &[u8]) {
    let response = reqwest::Client::new()
        .post(server.url(&format!("/webhooks/{}", channel.name())))
        .header("content-type", "application/json")
        .header(
            "X-Hub-Signature-256",
            sign(APP_SECRET.as_bytes(), body).as_str(),
        )
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

/// The customer's messages of a chat, in order.
pub async fn customer_lines(server: &TestServer, contact: ContactId) -> Vec<String> {
    let lines: Vec<ChatLine> = server
        .services
        .store
        .lines_after(contact, 0, 1000)
        .await
        .unwrap();
    lines
        .into_iter()
        .filter_map(|line| match line.body {
            LineBody::Message {
                author: Author::Customer { .. },
                text,
                ..
            } => Some(text),
            _ => None,
        })
        .collect()
}

/// The server with the channel set up, its conversations routed to the CSQ "Support"
/// whose member alice is Ready at her desktop, its Graph API calls made to a fake.
pub async fn scene(channel: MetaChannel) -> (TestServer, AgentId, FakeGraph, Ws) {
    let server = TestServer::start().await;
    let alice = server.create_agent("alice", "agent-pass-1").await;
    server.queue("Support", &[alice]).await;
    let csqs = server.services.store.csqs().await.unwrap();
    let csq = csqs.iter().find(|c| c.name == "Support").unwrap().id;
    let graph = FakeGraph::start(ACCESS_TOKEN).await;
    set_up(&server, channel, csq, &graph).await;
    let desk = server.desktop_ready("alice").await;
    (server, alice, graph, desk)
}

/// Accepts the next offer: the offer.
pub async fn accept_offer(desk: &mut Ws) -> app::domain::protocol::OfferView {
    accept_offer_with_view(desk).await.0
}

/// Accepts the next offer: the offer, and the tab the desktop was given for it.
pub async fn accept_offer_with_view(
    desk: &mut Ws,
) -> (
    app::domain::protocol::OfferView,
    app::domain::protocol::ContactView,
) {
    let offer = next_offer(desk).await;
    send_json(desk, json!({"type": "accept", "contact": offer.contact})).await;
    let view = desk::accepted(desk).await;
    (offer, view)
}
