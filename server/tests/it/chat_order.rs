//! SPEC K-3, P-5: every page and widget receives each chat's lines once and in order, however
//! the customer's and the agent's lines interleave, and a long chat is caught up whole.

use crate::common;

use app::domain::{chat::LineBody, ids::ContactId, protocol::ServerMessage, widget::WidgetMessage};
use common::{desk::ready, next_offer, send_json, wait_for, TestServer, Ws};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// Messages each side sends.
const EACH: usize = 300;

/// A desktop page or a widget, read until it has the line `last`; the sequence numbers it
/// received, in the order they came.
async fn read_until(
    mut stream: futures_util::stream::SplitStream<Ws>,
    widget: bool,
    contact: ContactId,
    last: std::sync::Arc<std::sync::atomic::AtomicU64>,
) -> Vec<u64> {
    let mut seqs = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let target = last.load(std::sync::atomic::Ordering::SeqCst);
        if target > 0 && seqs.last() == Some(&target) {
            return seqs;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "line {target} not received in time; had {seqs:?}"
        );
        // Short waits, so a reader that has everything sees the target once it is known.
        let frame = match tokio::time::timeout(Duration::from_millis(200), stream.next()).await {
            Err(_) => continue,
            Ok(Some(Ok(frame))) => frame,
            Ok(other) => panic!("socket ended before line {target} ({other:?}), had {seqs:?}"),
        };
        let Message::Text(text) = frame else { continue };
        let seq = if widget {
            match serde_json::from_str(text.as_str()).expect("a widget message") {
                WidgetMessage::Line { line, .. } => Some(line.seq),
                _ => None,
            }
        } else {
            match serde_json::from_str(text.as_str()).expect("a desktop message") {
                ServerMessage::ChatLine { contact: c, line } if c == contact => Some(line.seq),
                _ => None,
            }
        };
        seqs.extend(seq);
    }
}

async fn open_page(server: &TestServer, cookie: &str) -> Ws {
    let mut ws = server.ws(cookie).await;
    send_json(&mut ws, json!({"type": "hello", "resume_after": null})).await;
    wait_for(&mut ws, |m| matches!(m, ServerMessage::Synced { .. })).await;
    ws
}

fn consecutive(from: u64, to: u64) -> Vec<u64> {
    (from..=to).collect()
}

/// SPEC K-3: the customer and the agent write at once, hundreds of lines each; both
/// widgets and both desktop pages of the agent receive every line once, in order, and
/// the stored transcript holds each message once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_lines_reach_every_page_once_and_in_order() {
    // The customer writes far faster than the default rate allows, on purpose.
    let server = TestServer::start_with(|c| {
        c.customer_messages_per_sec = 10_000;
        c.customer_message_burst = 10_000;
    })
    .await;
    let alice = server.create_agent("alice", "agent-pass-1").await;
    let problem = server.queue("Support", &[alice]).await;
    let (agent_cookie, mut desk) = ready(&server, "alice").await;
    let cookie = server.start_chat("Zoé", problem).await;
    let offer = next_offer(&mut desk).await;
    let contact = offer.contact;
    send_json(&mut desk, json!({"type": "accept", "contact": contact})).await;
    let joined = wait_for(&mut desk, |m| {
        matches!(m, ServerMessage::ChatLine { line, .. }
            if matches!(&line.body, LineBody::System { .. }) && line.seq == 2)
    })
    .await;
    assert!(matches!(joined, ServerMessage::ChatLine { .. }));
    let second_page = open_page(&server, &agent_cookie).await;
    let sender_widget = server.widget(&cookie, 0).await;
    let reader_widget = server.widget(&cookie, 0).await;

    let last = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let (mut desk_tx, desk_rx) = desk.split();
    let (_, page_rx) = second_page.split();
    let (mut widget_tx, widget_rx) = sender_widget.split();
    let (_, reader_rx) = reader_widget.split();
    let readers = [
        tokio::spawn(read_until(desk_rx, false, contact, last.clone())),
        tokio::spawn(read_until(page_rx, false, contact, last.clone())),
        tokio::spawn(read_until(widget_rx, true, contact, last.clone())),
        tokio::spawn(read_until(reader_rx, true, contact, last.clone())),
    ];
    let customer = tokio::spawn(async move {
        for i in 0..EACH {
            let text = json!({"type": "send", "client_id": format!("c{i}"), "text": format!("customer {i}")});
            widget_tx
                .send(Message::Text(text.to_string().into()))
                .await
                .unwrap();
        }
        widget_tx
    });
    let agent = tokio::spawn(async move {
        for i in 0..EACH {
            let text = json!({"type": "send", "contact": contact, "client_id": format!("a{i}"), "text": format!("agent {i}")});
            desk_tx
                .send(Message::Text(text.to_string().into()))
                .await
                .unwrap();
        }
        desk_tx
    });
    let _keep = (customer.await.unwrap(), agent.await.unwrap());

    // Every message stored once: welcome, joined, then both sides' messages.
    let store = &server.services.store;
    let expected = 2 + 2 * EACH as u64;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let stored = loop {
        let lines = store.lines_after(contact, 0, 10_000).await.unwrap();
        if lines.len() as u64 >= expected || tokio::time::Instant::now() > deadline {
            break lines;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(stored.len() as u64, expected, "each message stored once");
    last.store(expected, std::sync::atomic::Ordering::SeqCst);

    let [desk, page, widget, reader] = readers;
    assert_eq!(
        desk.await.unwrap(),
        consecutive(3, expected),
        "the agent's first page"
    );
    // The second page had the first two lines before it was synced (read by `open_page`).
    assert_eq!(
        page.await.unwrap(),
        consecutive(3, expected),
        "the agent's second page"
    );
    assert_eq!(
        widget.await.unwrap(),
        consecutive(1, expected),
        "the sending widget"
    );
    assert_eq!(
        reader.await.unwrap(),
        consecutive(1, expected),
        "a second widget"
    );

    // A widget that comes back with nothing is caught up whole: more lines than one read
    // of the store gives (500), every one once and in order, then told it is synced.
    assert!(expected > u64::from(server::chat::LINE_PAGE));
    let mut late = server.widget(&cookie, 0).await;
    let mut seqs = Vec::new();
    loop {
        match common::next_widget(&mut late).await {
            WidgetMessage::Line { line, .. } => seqs.push(line.seq),
            WidgetMessage::Synced { .. } => break,
            _ => {}
        }
    }
    assert_eq!(
        seqs,
        consecutive(1, expected),
        "a long chat caught up whole"
    );
}
