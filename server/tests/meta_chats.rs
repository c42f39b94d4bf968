//! Messenger and WhatsApp conversations (SPEC F-1, F-2, F-3, issue 16) against the real
//! server: a customer's message posted by Meta (signed, in Meta's documented shape) becomes
//! a chat in the channel's queue, offered to a Ready agent like a web chat; later messages
//! join it, a message Meta delivers twice is shown once, and after the agent ends the chat
//! the customer's next message opens a new one for the same customer.

mod common;

use app::domain::{
    chat::{Author, ChatLine, LineBody},
    contact::{Channel, ContactStatus, EndReason},
    ids::{ContactId, CsqId},
    meta::MetaChannel,
    protocol::ServerMessage,
    settings::ChatSettings,
};
use common::{desk, next_offer, send_json, wait_for, TestServer, Ws};
use serde_json::json;
use server::{
    meta::signature::sign,
    store::meta::{app_secret_context, MetaChannelSettings, StoredMetaChannel},
};

const APP_SECRET: &str = "test-app-secret-6f1d";
const PAGE_ID: &str = "1234567890";
const PHONE_NUMBER_ID: &str = "106540352242922";

/// The channel set up as an administrator would, its conversations routed to `csq`.
async fn set_up(server: &TestServer, channel: MetaChannel, csq: CsqId) {
    let meta = &server.services.meta;
    let account_id = match channel {
        MetaChannel::Messenger => PAGE_ID,
        MetaChannel::WhatsApp => PHONE_NUMBER_ID,
    };
    meta.store
        .save_meta_channel(&StoredMetaChannel {
            channel,
            enabled: true,
            settings: MetaChannelSettings {
                csq: Some(csq),
                business_name: "Shop".into(),
                account_id: account_id.into(),
                verify_token: "verify".into(),
                human_agent_tag: false,
            },
            app_secret: Some(meta.secrets.seal(&app_secret_context(channel), APP_SECRET)),
            access_token: None,
        })
        .await
        .unwrap();
}

/// A Messenger `messages` webhook post, as the Messenger Platform documents it.
fn messenger_text(psid: &str, mid: &str, text: &str) -> Vec<u8> {
    let now = chrono_ms();
    serde_json::to_vec(&json!({
        "object": "page",
        "entry": [{
            "id": PAGE_ID,
            "time": now,
            "messaging": [{
                "sender": {"id": psid},
                "recipient": {"id": PAGE_ID},
                "timestamp": now,
                "message": {"mid": mid, "text": text}
            }]
        }]
    }))
    .unwrap()
}

/// A WhatsApp Cloud API `messages` webhook post, as Meta documents it.
fn whatsapp_text(wa_id: &str, name: &str, id: &str, text: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": "102290129340398",
            "changes": [{
                "value": {
                    "messaging_product": "whatsapp",
                    "metadata": {
                        "display_phone_number": "15550783881",
                        "phone_number_id": PHONE_NUMBER_ID
                    },
                    "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
                    "messages": [{
                        "from": wa_id,
                        "id": id,
                        "timestamp": (chrono_ms() / 1000).to_string(),
                        "type": "text",
                        "text": {"body": text}
                    }]
                },
                "field": "messages"
            }]
        }]
    }))
    .unwrap()
}

fn chrono_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Posts as Meta does, signed with the app secret; Meta is answered 200.
async fn deliver(server: &TestServer, channel: MetaChannel, body: &[u8]) {
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
async fn customer_lines(server: &TestServer, contact: ContactId) -> Vec<String> {
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

/// Waits for the desktop to show the customer's message `text` in `contact` (after the
/// lines an accept catches up with).
async fn shows_customer_line(desk: &mut Ws, contact: ContactId, text: &str) {
    wait_for(desk, |m| {
        matches!(m, ServerMessage::ChatLine { contact: c, line } if *c == contact
            && matches!(&line.body, LineBody::Message { text: t, author: Author::Customer { .. }, .. } if t == text))
    })
    .await;
}

async fn support(server: &TestServer, agent: app::domain::ids::AgentId) -> CsqId {
    server.queue("Support", &[agent]).await;
    let csqs = server.services.store.csqs().await.unwrap();
    csqs.iter().find(|c| c.name == "Support").unwrap().id
}

/// SPEC F-1: a Messenger customer's message is offered to a Ready agent as a Messenger chat
/// of the channel's queue; a delivery Meta makes again adds nothing; the next message
/// reaches the agent live in the same chat; once the agent ended it, the customer's next
/// message is a new chat of the same customer.
#[tokio::test]
async fn f1_a_messenger_message_opens_a_chat_and_the_next_ones_join_it() {
    let server = TestServer::start().await;
    let alice = server.create_agent("alice", "agent-pass-1").await;
    let csq = support(&server, alice).await;
    set_up(&server, MetaChannel::Messenger, csq).await;
    let mut desk = server.desktop_ready("alice").await;

    let first = messenger_text("7012345678901234", "m_first", "My order has not arrived");
    deliver(&server, MetaChannel::Messenger, &first).await;
    let offer = next_offer(&mut desk).await;
    assert_eq!(offer.channel, Channel::Messenger);
    assert_eq!(offer.csq, "Support");
    // Meta delivers at least once: the same message again.
    deliver(&server, MetaChannel::Messenger, &first).await;

    send_json(
        &mut desk,
        json!({"type": "accept", "contact": offer.contact}),
    )
    .await;
    let chat = desk::accepted(&mut desk).await;
    assert_eq!(chat.contact, offer.contact);
    let second = messenger_text("7012345678901234", "m_second", "Order 5521");
    deliver(&server, MetaChannel::Messenger, &second).await;
    shows_customer_line(&mut desk, chat.contact, "Order 5521").await;
    assert_eq!(
        customer_lines(&server, chat.contact).await,
        ["My order has not arrived", "Order 5521"],
        "each message once, in order"
    );

    send_json(
        &mut desk,
        json!({"type": "end_chat", "contact": chat.contact}),
    )
    .await;
    assert_eq!(
        desk::closed(&mut desk).await,
        (chat.contact.0, EndReason::EndedByAgent)
    );
    // A late redelivery of a message of the ended chat opens nothing.
    deliver(&server, MetaChannel::Messenger, &second).await;
    let third = messenger_text("7012345678901234", "m_third", "Hello again");
    deliver(&server, MetaChannel::Messenger, &third).await;
    let again = next_offer(&mut desk).await;
    assert_ne!(again.contact, chat.contact, "a new chat");
    assert_eq!(again.customer.id, chat.customer.id, "the same customer");
    assert_eq!(
        customer_lines(&server, again.contact).await,
        ["Hello again"]
    );
    assert_eq!(
        customer_lines(&server, chat.contact).await,
        ["My order has not arrived", "Order 5521"]
    );
}

/// SPEC F-3, F-2: a WhatsApp customer is named by their profile, with their number; a web
/// chat's silent customer is timed out (K-5), while the WhatsApp customer, who answers when
/// they will, is not: only the agent ends that chat.
#[tokio::test]
async fn f3_f2_a_whatsapp_chat_names_its_customer_and_never_times_out_on_silence() {
    let server = TestServer::start().await;
    server
        .set_chat_settings(ChatSettings {
            inactivity_timeout_secs: 1,
            ..Default::default()
        })
        .await;
    let alice = server.create_agent("alice", "agent-pass-1").await;
    let csq = support(&server, alice).await;
    let problem = server.queue("Support", &[]).await;
    set_up(&server, MetaChannel::WhatsApp, csq).await;
    let mut desk = server.desktop_ready("alice").await;

    let body = whatsapp_text(
        "16505551234",
        "Sheena Nelson",
        "wamid.one",
        "Another color?",
    );
    deliver(&server, MetaChannel::WhatsApp, &body).await;
    let offer = next_offer(&mut desk).await;
    assert_eq!(offer.channel, Channel::WhatsApp);
    assert_eq!(offer.customer.name, "Sheena Nelson");
    assert_eq!(offer.customer.phone.as_deref(), Some("16505551234"));
    send_json(
        &mut desk,
        json!({"type": "accept", "contact": offer.contact}),
    )
    .await;
    desk::accepted(&mut desk).await;

    let web = server.start_chat("Kim", problem).await;
    let _widget = server.widget(&web, 0).await;
    let web_offer = next_offer(&mut desk).await;
    send_json(
        &mut desk,
        json!({"type": "accept", "contact": web_offer.contact}),
    )
    .await;
    desk::accepted(&mut desk).await;
    assert_eq!(
        desk::closed(&mut desk).await,
        (web_offer.contact.0, EndReason::TimedOut),
        "the web chat's silent customer"
    );
    let whatsapp = server.services.store.contact(offer.contact).await.unwrap();
    assert_eq!(whatsapp.status, ContactStatus::Active);
}
