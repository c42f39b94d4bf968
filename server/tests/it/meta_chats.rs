//! Messenger and WhatsApp conversations (SPEC F-1, F-2, F-3, issue 16) against the real
//! server: a customer's message posted by Meta (signed, in Meta's documented shape) becomes
//! a chat in the channel's queue, offered to a Ready agent like a web chat; later messages
//! join it, a message Meta delivers twice is shown once, and after the agent ends the chat
//! the customer's next message opens a new one for the same customer.

use crate::common;

use app::domain::{
    chat::{Author, LineBody, SystemNote},
    contact::{Channel, ContactStatus, EndReason},
    customer::{ChannelProfile, PastConversation},
    ids::ContactId,
    meta::{MessageStatus, MetaChannel, MetaRefusal, ReplyRule},
    protocol::{CommandError, ServerMessage},
    settings::ChatSettings,
    validate::{Field, FieldError, Problem},
};
use common::{
    desk,
    graph::{meta_error, meta_error_sub},
    meta::{
        accept_offer, accept_offer_with_view, chrono_ms, customer_lines, deliver,
        messenger_message_at, messenger_text, scene, set_up, whatsapp_message, whatsapp_text,
        ACCESS_TOKEN, PAGE_ID, PHONE_NUMBER_ID,
    },
    next_offer, send_json, wait_for, TestServer, Ws,
};
use serde_json::{json, Value};

/// Waits for the desktop to show the customer's message `text` in `contact` (after the
/// lines an accept catches up with).
async fn shows_customer_line(desk: &mut Ws, contact: ContactId, text: &str) {
    wait_for(desk, |m| {
        matches!(m, ServerMessage::ChatLine { contact: c, line } if *c == contact
            && matches!(&line.body, LineBody::Message { text: t, author: Author::Customer { .. }, .. } if t == text))
    })
    .await;
}

/// A web chat the customer (name, email, phone) starts about `problem`, accepted and ended
/// by the agent at `desk`: its offer.
async fn web_chat_ended(
    server: &TestServer,
    desk: &mut Ws,
    problem: i64,
    (name, email, phone): (&str, &str, &str),
) -> app::domain::protocol::OfferView {
    let started = reqwest::Client::new()
        .post(server.url("/widget/api/start"))
        .json(&json!({"name": name, "email": email, "phone": phone, "problem": problem}))
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), 200);
    let web = accept_offer(desk).await;
    send_json(desk, json!({"type": "end_chat", "contact": web.contact})).await;
    desk::closed(desk).await;
    web
}

/// SPEC F-1: a Messenger customer's message is offered to a Ready agent as a Messenger chat
/// of the channel's queue; a delivery Meta makes again adds nothing; the next message
/// reaches the agent live in the same chat; once the agent ended it, the customer's next
/// message is a new chat of the same customer.
#[tokio::test]
async fn f1_a_messenger_message_opens_a_chat_and_the_next_ones_join_it() {
    let (server, _, _graph, mut desk) = scene(MetaChannel::Messenger).await;

    // The app also serves another Page: its customers are not this channel's.
    let elsewhere = String::from_utf8(messenger_text("7099", "m_other", "Wrong page"))
        .unwrap()
        .replace(PAGE_ID, "5550001111");
    deliver(&server, MetaChannel::Messenger, elsewhere.as_bytes()).await;
    let first = messenger_text("7012345678901234", "m_first", "My order has not arrived");
    deliver(&server, MetaChannel::Messenger, &first).await;
    let offer = next_offer(&mut desk).await;
    assert_eq!(offer.channel, Channel::Messenger);
    assert_eq!(offer.csq, "Support");
    assert_eq!(
        offer.customer.name, "Jamie Rivera",
        "named by Messenger's profile"
    );
    // Posts are handled in order: the other Page's came first and opened nothing.
    assert_eq!(
        server.services.store.open_contacts().await.unwrap().len(),
        1
    );
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
    let (server, _, _graph, mut desk) = scene(MetaChannel::WhatsApp).await;
    server
        .set_chat_settings(ChatSettings {
            inactivity_timeout_secs: 1,
            ..Default::default()
        })
        .await;
    let problem = server.queue("Support", &[]).await;

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
    let web_offer = accept_offer(&mut desk).await;
    assert_eq!(
        desk::closed(&mut desk).await,
        (web_offer.contact.0, EndReason::TimedOut),
        "the web chat's silent customer"
    );
    let whatsapp = server.services.store.contact(offer.contact).await.unwrap();
    assert_eq!(whatsapp.status, ContactStatus::Active);
}

/// The agent sends `text` in the chat from the desktop.
async fn agent_says(desk: &mut Ws, contact: ContactId, client_id: &str, text: &str) {
    let send = json!({"type": "send", "contact": contact, "client_id": client_id, "text": text});
    send_json(desk, send).await;
}

/// Waits until the desktop shows a line Meta would not carry, for this reason.
async fn shows_not_delivered(desk: &mut Ws, contact: ContactId, refusal: MetaRefusal) {
    let wanted = SystemNote::NotDelivered { refusal };
    wait_for(desk, |m| {
        matches!(m, ServerMessage::ChatLine { contact: c, line } if *c == contact
            && matches!(&line.body, LineBody::System { note } if *note == wanted))
    })
    .await;
}

/// SPEC F-1, F-2: the agent's reply reaches the Messenger customer through the Send API,
/// exactly as Meta documents the call (`POST /v25.0/{page-id}/messages` with the page's
/// token as a bearer token, `messaging_type: RESPONSE`), under the business's name: no
/// agent's name is ever sent. Meta's id is kept, and after a restart the line is not sent
/// again (the next line goes, alone). A send Meta's side failed is tried again and goes
/// once; one Meta refuses (code 10, outside the window) is said to the agent.
#[tokio::test]
async fn f1_f2_replies_go_through_the_send_api_once_under_the_business_name() {
    let (server, alice, graph, mut desk) = scene(MetaChannel::Messenger).await;
    let psid = "7012345678901234";

    deliver(
        &server,
        MetaChannel::Messenger,
        &messenger_text(psid, "m_1", "Hello?"),
    )
    .await;
    let offer = accept_offer(&mut desk).await;
    agent_says(&mut desk, offer.contact, "a1", "Hello from Shop").await;
    let (reply, calls) = graph.call_carrying("Hello from Shop").await;
    assert_eq!(reply.path, format!("/v25.0/{PAGE_ID}/messages"));
    assert_eq!(
        reply.authorization.as_deref(),
        Some(format!("Bearer {ACCESS_TOKEN}").as_str())
    );
    assert_eq!(
        reply.body,
        json!({"recipient": {"id": psid}, "messaging_type": "RESPONSE", "message": {"text": "Hello from Shop", "metadata": "switchboard"}})
    );
    // The customer's name was asked for first (Messenger's User Profile API), then the
    // administrator's welcome went; nothing names the agent (F-2).
    assert_eq!(calls[0].path, format!("/v25.0/{psid}"));
    let texts: Vec<&Value> = calls
        .iter()
        .map(|r| &r.body["message"]["text"])
        .filter(|text| !text.is_null())
        .collect();
    assert_eq!(
        texts,
        [
            &json!(ChatSettings::default().welcome_message),
            &json!("Hello from Shop")
        ]
    );
    assert!(
        calls.iter().all(|r| !r.body.to_string().contains("alice")),
        "{calls:#?}"
    );
    let lines = server
        .services
        .store
        .lines_after(offer.contact, 0, 100)
        .await
        .unwrap();
    let sent_seq = lines
        .iter()
        .find(|l| matches!(&l.body, LineBody::Message { text, .. } if text == "Hello from Shop"))
        .unwrap()
        .seq;
    // Kept as Meta answers (the fake records the call before it answers).
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    let kept = loop {
        let kept = server
            .services
            .store
            .meta_line_message(offer.contact, sent_seq)
            .await
            .unwrap();
        if kept.is_some() || tokio::time::Instant::now() > deadline {
            break kept;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(kept.as_deref(), Some("m_fake2"), "Meta's id kept");

    // F-2: the customer saw their message read when Alice took the chat, and sees her
    // typing (under the Page's name).
    let action = |name: &'static str| {
        move |r: &common::graph::Recorded| {
            r.body == json!({"recipient": {"id": psid}, "sender_action": name})
        }
    };
    graph.wait_for(action("mark_seen")).await;
    send_json(
        &mut desk,
        json!({"type": "typing", "contact": offer.contact, "active": true}),
    )
    .await;
    graph.wait_for(action("typing_on")).await;

    // Meta's side fails once: the line is tried again and goes once.
    graph.answer_next(500, meta_error(2, "Service temporarily unavailable"));
    agent_says(&mut desk, offer.contact, "a2", "Your parcel left today").await;
    graph
        .wait_for(|_| graph.carrying("Your parcel left today").len() == 2)
        .await;

    // Meta refuses: the agent is told why, and the next line still goes.
    graph.answer_next(
        400,
        meta_error_sub(
            10,
            2018278,
            "This message is sent outside of allowed window.",
        ),
    );
    agent_says(&mut desk, offer.contact, "a3", "Too late?").await;
    shows_not_delivered(&mut desk, offer.contact, MetaRefusal::OutsideWindow).await;

    // A restart: what Meta took is not sent again; the next line goes alone (the agent's
    // chat is still in hand: the grace period for the desktop to come back runs).
    drop(desk);
    let server = server.restart().await;
    let before = graph.requests().len();
    server
        .services
        .chat
        .agent_send(alice, offer.contact, "a4", "After the restart")
        .await
        .unwrap();
    graph
        .wait_for(|r| r.body["message"]["text"] == "After the restart")
        .await;
    let after: Vec<Value> = graph.requests()[before..]
        .iter()
        .map(|r| r.body["message"]["text"].clone())
        .collect();
    assert!(
        !after.contains(&json!("Hello from Shop"))
            && !after.contains(&json!("Your parcel left today")),
        "nothing Meta took is sent again: {after:?}"
    );
    assert_eq!(graph.carrying("Hello from Shop").len(), 1);
    assert_eq!(
        graph.carrying("Your parcel left today").len(),
        2,
        "one failed, one taken"
    );
}

/// SPEC F-3: the agent's reply reaches the WhatsApp customer through the Cloud API, as
/// Meta documents the call (`messaging_product: whatsapp`, `to` the customer's number);
/// error 131047 (more than 24 hours since the customer wrote) is said to the agent.
#[tokio::test]
async fn f3_replies_go_through_the_cloud_api_and_a_re_engagement_refusal_is_said() {
    let (server, _, graph, mut desk) = scene(MetaChannel::WhatsApp).await;

    let body = whatsapp_text(
        "16505551234",
        "Sheena Nelson",
        "wamid.q1",
        "Is it in stock?",
    );
    deliver(&server, MetaChannel::WhatsApp, &body).await;
    let offer = accept_offer(&mut desk).await;
    agent_says(&mut desk, offer.contact, "a1", "Yes, in blue").await;
    let (reply, _) = graph.call_carrying("Yes, in blue").await;
    assert_eq!(reply.path, format!("/v25.0/{PHONE_NUMBER_ID}/messages"));
    assert_eq!(
        reply.body,
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "16505551234",
            "type": "text",
            "text": {"preview_url": false, "body": "Yes, in blue"}
        })
    );

    // The agent typing: the customer's last message marked read, with the typing
    // indicator (WhatsApp's way).
    send_json(
        &mut desk,
        json!({"type": "typing", "contact": offer.contact, "active": true}),
    )
    .await;
    graph
        .wait_for(|r| {
            r.body
                == json!({
                    "messaging_product": "whatsapp",
                    "status": "read",
                    "message_id": "wamid.q1",
                    "typing_indicator": {"type": "text"}
                })
        })
        .await;
    graph.answer_next(400, meta_error(131047, "Re-engagement message"));
    agent_says(&mut desk, offer.contact, "a2", "Anything else?").await;
    shows_not_delivered(&mut desk, offer.contact, MetaRefusal::ReEngagement).await;
}

/// A channel that cannot take its posts (set up without a queue) holds back only its own:
/// the other channel's customers still reach agents, and once the administrator chose a
/// queue the held messages open their chat, in order, none lost.
#[tokio::test]
async fn f1_f3_a_channel_without_a_queue_holds_back_only_its_own_posts() {
    let (server, _, graph, mut desk) = scene(MetaChannel::WhatsApp).await;
    let support = server.services.store.csqs().await.unwrap()[0].id;
    set_up(&server, MetaChannel::Messenger, support, &graph).await;
    let meta = &server.services.meta;
    let mut messenger = meta
        .store
        .meta_channel(MetaChannel::Messenger)
        .await
        .unwrap()
        .unwrap();
    messenger.settings.csq = None;
    meta.store
        .save_meta_channel(&messenger, None)
        .await
        .unwrap();

    let psid = "7012345678901234";
    let held = messenger_text(psid, "m_held", "Anyone there?");
    deliver(&server, MetaChannel::Messenger, &held).await;
    let body = whatsapp_text("16505551234", "Sheena Nelson", "wamid.go", "Hello");
    deliver(&server, MetaChannel::WhatsApp, &body).await;
    let offer = accept_offer(&mut desk).await;
    assert_eq!(
        offer.channel,
        Channel::WhatsApp,
        "WhatsApp is not held back"
    );

    messenger.settings.csq = Some(support);
    meta.store
        .save_meta_channel(&messenger, None)
        .await
        .unwrap();
    let next = messenger_text(psid, "m_next", "Still waiting");
    deliver(&server, MetaChannel::Messenger, &next).await;
    let offer = next_offer(&mut desk).await;
    assert_eq!(offer.channel, Channel::Messenger);
    // The held message opened the chat; the next one joins it.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let lines = customer_lines(&server, offer.contact).await;
        if lines == ["Anyone there?", "Still waiting"] {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{lines:?}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Waits for the desktop to be told its reply was refused for the reply window.
async fn refused_for_the_window(desk: &mut Ws) {
    wait_for(desk, |m| {
        matches!(
            m,
            ServerMessage::Rejected {
                error: CommandError::ReplyWindowClosed,
                ..
            }
        )
    })
    .await;
}

/// SPEC F-3: a WhatsApp customer who last wrote 25 hours ago (Meta's time of the message)
/// gets no reply: the desktop knows the window from the tab, the agent is told why, and
/// nothing reaches Meta; once the customer writes again, the reply goes.
#[tokio::test]
async fn f3_no_reply_after_the_24_hour_window_until_the_customer_writes_again() {
    let (server, _, graph, mut desk) = scene(MetaChannel::WhatsApp).await;
    let written = chrono_ms() / 1000 - 25 * 3600;
    let old =
        json!({"type": "text", "text": {"body": "Still open?"}, "timestamp": written.to_string()});
    let body = whatsapp_message("16505551234", "Sheena Nelson", "wamid.old", old);
    deliver(&server, MetaChannel::WhatsApp, &body).await;
    let (offer, view) = accept_offer_with_view(&mut desk).await;
    assert_eq!(
        view.reply_rule,
        Some(ReplyRule {
            channel: MetaChannel::WhatsApp,
            last_customer_at_ms: written * 1000,
            human_agent_tag: false,
        })
    );
    agent_says(&mut desk, offer.contact, "a1", "Yes, until 6 pm").await;
    refused_for_the_window(&mut desk).await;

    let again = whatsapp_text("16505551234", "Sheena Nelson", "wamid.new", "Hello again");
    deliver(&server, MetaChannel::WhatsApp, &again).await;
    shows_customer_line(&mut desk, offer.contact, "Hello again").await;
    agent_says(&mut desk, offer.contact, "a2", "Welcome back").await;
    graph.call_carrying("Welcome back").await;
    assert!(
        graph.carrying("Yes, until 6 pm").is_empty(),
        "the refused reply never reached Meta"
    );
    assert_eq!(
        customer_lines(&server, offer.contact).await,
        ["Still open?", "Hello again"]
    );
}

/// SPEC F-3 and Messenger's policy: with the channel's human-agent tag on, an agent's
/// reply two days after the customer's last message goes with the tag
/// (`messaging_type: MESSAGE_TAG`, `tag: HUMAN_AGENT`); with it off, it is refused.
#[tokio::test]
async fn f3_messenger_replies_after_24_hours_go_with_the_human_agent_tag_when_on() {
    let (server, _, graph, mut desk) = scene(MetaChannel::Messenger).await;
    let store = &server.services.meta.store;
    let mut channel = store
        .meta_channel(MetaChannel::Messenger)
        .await
        .unwrap()
        .unwrap();
    channel.settings.human_agent_tag = true;
    store.save_meta_channel(&channel, None).await.unwrap();

    let psid = "7012345678901234";
    let written = chrono_ms() - 2 * 86_400_000;
    let old = json!({"mid": "m_old", "text": "Any news of my parcel?"});
    deliver(
        &server,
        MetaChannel::Messenger,
        &messenger_message_at(psid, old, written),
    )
    .await;
    let (offer, view) = accept_offer_with_view(&mut desk).await;
    assert_eq!(
        view.reply_rule
            .map(|r| (r.last_customer_at_ms, r.human_agent_tag)),
        Some((written, true))
    );
    agent_says(&mut desk, offer.contact, "a1", "It left today").await;
    let (reply, _) = graph.call_carrying("It left today").await;
    assert_eq!(
        reply.body,
        json!({
            "recipient": {"id": psid},
            "messaging_type": "MESSAGE_TAG",
            "tag": "HUMAN_AGENT",
            "message": {"text": "It left today", "metadata": "switchboard"}
        })
    );

    channel.settings.human_agent_tag = false;
    store.save_meta_channel(&channel, None).await.unwrap();
    agent_says(&mut desk, offer.contact, "a2", "One more thing").await;
    refused_for_the_window(&mut desk).await;
    assert!(graph.carrying("One more thing").is_empty());
}

/// The agent sends the channel's template `name` with `values` from the desktop.
async fn agent_sends_template(
    desk: &mut Ws,
    contact: ContactId,
    client_id: &str,
    name: &str,
    values: &[&str],
) {
    let template = json!({"name": name, "language": "en_US", "parameters": values});
    let send = json!({"type": "send_template", "contact": contact, "client_id": client_id, "template": template});
    send_json(desk, send).await;
}

/// Waits for the desktop to be told its message `client_id` was refused: why.
async fn refusal_of(desk: &mut Ws, client_id: &str) -> CommandError {
    let wanted = Some(client_id.to_string());
    match wait_for(
        desk,
        |m| matches!(m, ServerMessage::Rejected { client_id: c, .. } if *c == wanted),
    )
    .await
    {
        ServerMessage::Rejected { error, .. } => error,
        _ => unreachable!(),
    }
}

/// Waits for an earlier conversation the desktop asked to read: for which contact, and it.
async fn past_read(desk: &mut Ws) -> (ContactId, PastConversation) {
    match wait_for(desk, |m| matches!(m, ServerMessage::PastRead { .. })).await {
        ServerMessage::PastRead { contact, past } => (contact, *past),
        _ => unreachable!(),
    }
}

/// Waits for the desktop to be told a command was refused: why.
async fn refused(desk: &mut Ws) -> CommandError {
    match wait_for(desk, |m| matches!(m, ServerMessage::Rejected { .. })).await {
        ServerMessage::Rejected { error, .. } => error,
        _ => unreachable!(),
    }
}

/// SPEC F-3: past WhatsApp's 24-hour window, free text is refused but one of the channel's
/// approved templates goes, filled with the agent's values: checked first (each value
/// named when missing or on several lines, a template the channel does not offer
/// refused), shown in the transcript as the customer reads it, and sent once as Meta's
/// documented `type: template` message, its values as the body's text parameters. A
/// Messenger chat offers no template.
#[tokio::test]
async fn f3_past_the_whatsapp_window_an_approved_template_goes_with_its_values() {
    let (server, _, graph, mut desk) = scene(MetaChannel::WhatsApp).await;
    let written = chrono_ms() / 1000 - 2 * 86_400;
    let old = json!({"type": "text", "text": {"body": "Where is my order?"}, "timestamp": written.to_string()});
    let body = whatsapp_message("16505551234", "Sheena Nelson", "wamid.late", old);
    deliver(&server, MetaChannel::WhatsApp, &body).await;
    let offer = accept_offer(&mut desk).await;
    agent_says(&mut desk, offer.contact, "a1", "It ships today").await;
    refused_for_the_window(&mut desk).await;

    // Each refused with the field at fault, named by the message's id.
    let refusals = [
        (
            "t1",
            "order_update",
            &["Sheena"][..],
            Field::TemplateParameter(2),
            Problem::Required,
        ),
        (
            "t2",
            "order_update",
            &["Sheena", "#45\n21"],
            Field::TemplateParameter(2),
            Problem::OneLine,
        ),
        (
            "t3",
            "winback",
            &["Sheena", "#4521"],
            Field::Template,
            Problem::NoLongerOffered,
        ),
    ];
    for (id, name, values, field, problem) in refusals {
        agent_sends_template(&mut desk, offer.contact, id, name, values).await;
        assert_eq!(
            refusal_of(&mut desk, id).await,
            CommandError::Invalid(FieldError::new(field, problem))
        );
    }

    // Sent twice (again after a reconnect): one line, sent once.
    for _ in 0..2 {
        agent_sends_template(
            &mut desk,
            offer.contact,
            "t4",
            "order_update",
            &["Sheena", "#4521"],
        )
        .await;
    }
    let shown = wait_for(&mut desk, |m| {
        matches!(m, ServerMessage::ChatLine { contact, line } if *contact == offer.contact
            && matches!(&line.body, LineBody::Message { client_id, .. } if client_id == "t4"))
    })
    .await;
    let ServerMessage::ChatLine { line, .. } = shown else {
        unreachable!()
    };
    let LineBody::Message { text, template, .. } = line.body else {
        unreachable!()
    };
    assert_eq!(text, "Hello Sheena, your order #4521 has shipped.");
    assert_eq!(template.map(|t| t.name), Some("order_update".to_string()));
    let (sent, _) = graph.call_carrying("#4521").await;
    assert_eq!(sent.path, format!("/v25.0/{PHONE_NUMBER_ID}/messages"));
    assert_eq!(
        sent.body,
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "16505551234",
            "type": "template",
            "template": {
                "name": "order_update",
                "language": {"policy": "deterministic", "code": "en_US"},
                "components": [{"type": "body", "parameters": [
                    {"type": "text", "text": "Sheena"},
                    {"type": "text", "text": "#4521"}
                ]}]
            }
        })
    );
    wait_for(&mut desk, |m| {
        matches!(m, ServerMessage::LineStatus { seq, status: MessageStatus::Sent, .. } if *seq == line.seq)
    })
    .await;
    assert_eq!(graph.carrying("#4521").len(), 1, "sent once");
    // The welcome of a chat opened past the window is not sent: Meta would refuse it.
    let welcome = server
        .services
        .store
        .chat_settings()
        .await
        .unwrap()
        .welcome_message;
    assert!(!welcome.is_empty() && graph.carrying(&welcome).is_empty());
    assert!(graph.carrying("It ships today").is_empty());
    assert!(graph.carrying("#45\n21").is_empty());

    // A Messenger chat has no template to send.
    let csq = server
        .services
        .store
        .contact(offer.contact)
        .await
        .unwrap()
        .csq;
    set_up(&server, MetaChannel::Messenger, csq, &graph).await;
    deliver(
        &server,
        MetaChannel::Messenger,
        &messenger_text("7012345678901234", "m_t", "Hi"),
    )
    .await;
    let messenger = accept_offer(&mut desk).await;
    agent_sends_template(
        &mut desk,
        messenger.contact,
        "t5",
        "order_update",
        &["Sheena", "#1"],
    )
    .await;
    assert_eq!(
        refusal_of(&mut desk, "t5").await,
        CommandError::Invalid(FieldError::new(Field::Template, Problem::NoLongerOffered))
    );
}

/// Issue 16 (one customer across channels): a WhatsApp number the customer gave in a web
/// chat's form (written any way: "+1 (650) 555-1234") is the same customer when they write
/// on WhatsApp. The agent sees their WhatsApp profile (name and number) and their earlier
/// conversations on every channel, newest first, each with its queue, agent and what it was
/// about (the web chat's problem, a WhatsApp chat's first message).
#[tokio::test]
async fn a_whatsapp_number_known_from_a_web_chat_is_the_same_customer_with_one_history() {
    let server = TestServer::start().await;
    let alice = server.create_agent("alice", "agent-pass-1").await;
    let problem = server.queue("Support", &[alice]).await;
    let csq = server.services.store.csqs().await.unwrap()[0].id;
    let graph = common::graph::FakeGraph::start(ACCESS_TOKEN).await;
    set_up(&server, MetaChannel::WhatsApp, csq, &graph).await;
    let mut desk = server.desktop_ready("alice").await;
    let alias = server.services.store.agent(alice).await.unwrap().alias;

    let web = web_chat_ended(
        &server,
        &mut desk,
        problem,
        ("Sheena", "sheena@example.com", "+1 (650) 555-1234"),
    )
    .await;
    let end = |contact: ContactId| json!({"type": "end_chat", "contact": contact});

    let first = whatsapp_text(
        "16505551234",
        "Sheena Nelson",
        "wamid.h1",
        "Is it in stock?",
    );
    deliver(&server, MetaChannel::WhatsApp, &first).await;
    let (whatsapp, view) = accept_offer_with_view(&mut desk).await;
    assert_eq!(whatsapp.customer.id, web.customer.id, "the same customer");
    assert_eq!(
        view.profile.as_deref().cloned(),
        Some(ChannelProfile {
            channel: MetaChannel::WhatsApp,
            handle: "16505551234".into(),
            name: Some("Sheena Nelson".into()),
        })
    );
    let web_problem = server
        .services
        .store
        .contact(web.contact)
        .await
        .unwrap()
        .problem;
    let past = |view: &app::domain::protocol::ContactView| -> Vec<(ContactId, Channel, String, Option<String>, String)> {
        view.history
            .iter()
            .map(|p| (p.contact, p.channel, p.csq.clone(), p.agent.clone(), p.about.clone()))
            .collect()
    };
    let web_line = (
        web.contact,
        Channel::Web,
        "Support".to_string(),
        Some(alias.clone()),
        web_problem,
    );
    assert_eq!(past(&view), std::slice::from_ref(&web_line));

    // Another conversation later: both earlier ones, newest first.
    send_json(&mut desk, end(whatsapp.contact)).await;
    desk::closed(&mut desk).await;
    let again = whatsapp_text("16505551234", "Sheena N.", "wamid.h2", "Me again");
    deliver(&server, MetaChannel::WhatsApp, &again).await;
    let (latest, view) = accept_offer_with_view(&mut desk).await;
    assert_eq!(latest.customer.id, web.customer.id);
    assert_eq!(
        view.profile.as_ref().and_then(|p| p.name.as_deref()),
        Some("Sheena N."),
        "the profile's name as it is now"
    );
    assert_eq!(
        past(&view),
        [
            (
                whatsapp.contact,
                Channel::WhatsApp,
                "Support".to_string(),
                Some(alias),
                "Is it in stock?".to_string()
            ),
            web_line,
        ]
    );
}

/// Waits for the desktop's answer to a lookup in `contact`.
async fn found_customer(
    desk: &mut Ws,
    contact: ContactId,
) -> (
    app::domain::customer::CustomerAddress,
    Option<app::domain::customer::CustomerMatch>,
) {
    match wait_for(
        desk,
        |m| matches!(m, ServerMessage::CustomerFound { contact: c, .. } if *c == contact),
    )
    .await
    {
        ServerMessage::CustomerFound { address, found, .. } => (address, found.map(|f| *f)),
        _ => unreachable!(),
    }
}

/// Issue 16: a Messenger customer who says who they are is linked by the agent to the
/// customer they were on the web chat: the agent looks the address up (a malformed one is
/// refused by name, an unknown one finds nobody), reads who it is, and links; the tab then
/// shows that customer and their earlier web chat, the Messenger id is theirs from now on
/// (their next Messenger chat starts with both conversations in its history), an agent
/// outside the chat can do neither, and the link is audited.
#[tokio::test]
async fn a_messenger_customer_linked_by_the_agent_is_the_known_customer_with_both_histories() {
    use app::domain::customer::CustomerAddress;
    let (server, alice, _graph, mut desk) = scene(MetaChannel::Messenger).await;
    let problem = server.services.store.problem_statements().await.unwrap()[0].id;
    let web = web_chat_ended(
        &server,
        &mut desk,
        problem,
        ("Ravi Patel", "ravi@example.com", "+44 20 7946 0958"),
    )
    .await;
    let end = |contact: ContactId| json!({"type": "end_chat", "contact": contact});

    let psid = "7012345678901234";
    let says = "Hi, I'm Ravi: RAVI@example.com";
    deliver(
        &server,
        MetaChannel::Messenger,
        &messenger_text(psid, "m.l1", says),
    )
    .await;
    let (chat, view) = accept_offer_with_view(&mut desk).await;
    assert_ne!(chat.customer.id, web.customer.id, "not linked by itself");
    assert!(view.history.is_empty());
    let contact = chat.contact;

    let find =
        |address: &str| json!({"type": "find_customer", "contact": contact, "address": address});
    send_json(&mut desk, find("Ravi")).await;
    assert_eq!(
        refused(&mut desk).await,
        CommandError::Invalid(FieldError::new(
            Field::SameCustomer,
            Problem::EmailOrPhone { min: 8, max: 15 }
        ))
    );
    send_json(&mut desk, find("+1 202 555 0199")).await;
    assert_eq!(
        found_customer(&mut desk, contact).await,
        (CustomerAddress::Phone("12025550199".into()), None)
    );
    send_json(&mut desk, find("ravi@example.com")).await;
    let (address, found) = found_customer(&mut desk, contact).await;
    assert_eq!(address, CustomerAddress::Email("ravi@example.com".into()));
    let found = found.expect("the web chat's customer");
    assert_eq!(
        (
            found.customer.id,
            found.customer.name.as_str(),
            found.conversations
        ),
        (web.customer.id, "Ravi Patel", 1)
    );

    // Another agent, not in the chat, can neither look up nor link from it.
    server.create_agent("bob", "agent-pass-1").await;
    let mut other = server.desktop_ready("bob").await;
    send_json(&mut other, find("ravi@example.com")).await;
    let link = json!({"type": "link_customer", "contact": contact, "customer": web.customer.id});
    send_json(&mut other, link.clone()).await;
    for _ in 0..2 {
        assert_eq!(refused(&mut other).await, CommandError::NotYours);
    }
    assert_ne!(
        server
            .services
            .store
            .contact(contact)
            .await
            .unwrap()
            .customer,
        web.customer.id
    );

    send_json(&mut desk, link).await;
    let linked = wait_for(&mut desk, |m| {
        matches!(m, ServerMessage::Event(e) if matches!(e.event, app::domain::protocol::AgentEvent::CustomerLinked { .. }))
    })
    .await;
    let ServerMessage::Event(envelope) = linked else {
        unreachable!()
    };
    let app::domain::protocol::AgentEvent::CustomerLinked {
        contact: c,
        customer,
        history,
        ..
    } = envelope.event
    else {
        unreachable!()
    };
    assert_eq!(c, contact);
    assert_eq!(
        (
            customer.id,
            customer.name.as_str(),
            customer.email.as_deref()
        ),
        (web.customer.id, "Ravi Patel", Some("ravi@example.com"))
    );
    assert_eq!(
        history
            .iter()
            .map(|p| (p.contact, p.channel))
            .collect::<Vec<_>>(),
        [(web.contact, Channel::Web)]
    );
    let lines = server
        .services
        .store
        .audit_page(server::store::audit::AuditQuery::default(), 0, 10)
        .await
        .unwrap()
        .0;
    let audit = lines
        .iter()
        .find(|l| l.action == "customer.link")
        .expect("audited");
    assert!(audit.detail.contains("Ravi Patel"), "{}", audit.detail);
    let alias = server.services.store.agent(alice).await.unwrap().username;
    assert_eq!(audit.username, alias);

    // Their next Messenger conversation is the known customer's, with both before it.
    send_json(&mut desk, end(contact)).await;
    desk::closed(&mut desk).await;
    deliver(
        &server,
        MetaChannel::Messenger,
        &messenger_text(psid, "m.l2", "Me again"),
    )
    .await;
    let (next, view) = accept_offer_with_view(&mut desk).await;
    assert_eq!(next.customer.id, web.customer.id);
    assert_eq!(
        view.history.iter().map(|p| p.contact).collect::<Vec<_>>(),
        [contact, web.contact]
    );
    assert_eq!(
        view.profile.as_ref().map(|p| p.handle.as_str()),
        Some(psid),
        "the Messenger profile stays"
    );
}

/// Issue 16: two Messenger chats of the same person going on at once cannot become one
/// customer's (the person's next message would not know which chat it belongs to): the link
/// is refused by name until one has ended, then done; linking again tells the page again.
#[tokio::test]
async fn a_link_waits_until_the_person_has_one_chat_going_on_per_channel() {
    use app::domain::protocol::AgentEvent;
    let (server, _, _graph, mut desk) = scene(MetaChannel::Messenger).await;
    deliver(
        &server,
        MetaChannel::Messenger,
        &messenger_text("7011111111111111", "m.o1", "Hi from my phone"),
    )
    .await;
    let first = accept_offer(&mut desk).await;
    deliver(
        &server,
        MetaChannel::Messenger,
        &messenger_text("7022222222222222", "m.o2", "Hi from my tablet"),
    )
    .await;
    let second = accept_offer(&mut desk).await;
    let link =
        json!({"type": "link_customer", "contact": second.contact, "customer": first.customer.id});
    send_json(&mut desk, link.clone()).await;
    assert_eq!(
        refused(&mut desk).await,
        CommandError::OpenChatElsewhere(MetaChannel::Messenger)
    );
    assert_eq!(
        server
            .services
            .store
            .contact(second.contact)
            .await
            .unwrap()
            .customer,
        second.customer.id
    );

    send_json(
        &mut desk,
        json!({"type": "end_chat", "contact": first.contact}),
    )
    .await;
    desk::closed(&mut desk).await;
    let linked = |m: &ServerMessage| {
        matches!(m, ServerMessage::Event(e) if matches!(&e.event, AgentEvent::CustomerLinked { contact, customer, history, .. }
            if *contact == second.contact && customer.id == first.customer.id
            && history.iter().map(|p| p.contact).collect::<Vec<_>>() == [first.contact]))
    };
    for _ in 0..2 {
        send_json(&mut desk, link.clone()).await;
        wait_for(&mut desk, linked).await;
    }
    assert!(matches!(
        server.services.store.customer(second.customer.id).await,
        Err(server::store::StoreError::NotFound)
    ));
}

/// Issue 17 (SPEC P-5): the customer's earlier conversation is listed with the wrap-up
/// reasons its agent chose, and opens whole, read-only, from the next one's details; a
/// conversation of another customer does not.
#[tokio::test]
async fn an_earlier_conversation_opens_read_only_with_its_wrap_up_reasons() {
    let (server, _, _graph, mut desk) = scene(MetaChannel::Messenger).await;
    let store = &server.services.store;
    let support = store
        .csqs()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name == "Support")
        .unwrap()
        .id;
    let refund = store.create_wrap_up_reason("Refund").await.unwrap();
    store.assign_wrap_up_reason(support, refund).await.unwrap();
    let psid = "7033333333333333";
    deliver(
        &server,
        MetaChannel::Messenger,
        &messenger_text(psid, "m.p1", "My parcel is late"),
    )
    .await;
    let first = accept_offer(&mut desk).await;
    shows_customer_line(&mut desk, first.contact, "My parcel is late").await;
    let choose = json!({"type": "set_wrap_up", "contact": first.contact, "reasons": [refund]});
    send_json(&mut desk, choose).await;
    wait_for(&mut desk, |m| matches!(m, ServerMessage::Event(e) if matches!(e.event, app::domain::protocol::AgentEvent::WrapUpChanged { .. }))).await;
    send_json(
        &mut desk,
        json!({"type": "end_chat", "contact": first.contact}),
    )
    .await;
    desk::closed(&mut desk).await;
    deliver(
        &server,
        MetaChannel::Messenger,
        &messenger_text("7044444444444444", "m.s1", "Someone else"),
    )
    .await;
    let stranger = accept_offer(&mut desk).await;

    deliver(
        &server,
        MetaChannel::Messenger,
        &messenger_text(psid, "m.p2", "Any news?"),
    )
    .await;
    let (second, view) = accept_offer_with_view(&mut desk).await;
    assert_eq!(
        view.history
            .iter()
            .map(|p| (p.contact, p.about.as_str(), p.wrap_up.clone()))
            .collect::<Vec<_>>(),
        [(
            first.contact,
            "My parcel is late",
            vec!["Refund".to_string()]
        )]
    );
    let read =
        |past: ContactId| json!({"type": "read_past", "contact": second.contact, "past": past});
    send_json(&mut desk, read(first.contact)).await;
    let (contact, past) = past_read(&mut desk).await;
    assert_eq!(
        (contact, past.contact, past.channel, past.cut),
        (second.contact, first.contact, Channel::Messenger, false)
    );
    let said: Vec<&str> = past
        .lines
        .iter()
        .filter_map(|l| match &l.body {
            LineBody::Message {
                author: Author::Customer { .. },
                text,
                ..
            } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(said, ["My parcel is late"]);
    assert!(past.email.is_none());

    for other in [stranger.contact, second.contact, ContactId(999_999)] {
        send_json(&mut desk, read(other)).await;
        assert_eq!(refused(&mut desk).await, CommandError::NotYours, "{other}");
    }
}
