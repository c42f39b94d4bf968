//! What a customer waiting for an agent is told (issue 17): their place in line, kept up to
//! date as the queue moves, and how long the CSQ's chats usually wait once enough were
//! answered. Real server, real widget and desktop sockets.

use crate::common;

use app::domain::{protocol::ServerMessage, widget::WidgetMessage};
use common::{desk::accept_next, *};
use serde_json::json;

/// The next news of the widget's wait, past lines and other messages. The place is read
/// again every 5 s, so news may take that long after a silence, and longer on a loaded
/// machine: up to 15 s are given.
async fn next_place(widget: &mut Ws) -> (u32, Option<u32>) {
    use futures_util::StreamExt;
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let frame = tokio::time::timeout_at(until, widget.next())
            .await
            .expect("news of the wait within 15 s")
            .expect("socket open")
            .expect("frame");
        let tokio_tungstenite::tungstenite::Message::Text(text) = frame else {
            continue;
        };
        if let Ok(WidgetMessage::Queue {
            position,
            usual_wait_secs,
        }) = serde_json::from_str(text.as_str())
        {
            return (position, usual_wait_secs);
        }
    }
}

/// An agent logged in but Not Ready: chats start and wait.
async fn not_ready(server: &TestServer, name: &str) -> Ws {
    let cookie = server.session(name, "agent-pass-1").await;
    let mut desk = server.ws(&cookie).await;
    send_json(&mut desk, json!({"type": "hello", "resume_after": null})).await;
    wait_for(&mut desk, |m| matches!(m, ServerMessage::Synced { .. })).await;
    desk
}

async fn set_ready(desk: &mut Ws, ready: bool) {
    send_json(desk, json!({"type": "set_state", "ready": ready})).await;
    wait_for(desk, |m| {
        matches!(m, ServerMessage::Event(e)
        if matches!(&e.event, app::domain::protocol::AgentEvent::StateChanged { status, .. }
            if (status.state == app::domain::state::AgentState::Ready) == ready))
    })
    .await;
}

/// Issue 17: the second customer in line reads "number 2", then "next" once the first
/// leaves, without asking; once an agent takes the chat nothing more is said of the queue.
/// No usual wait is said before the CSQ answered five chats lately; after, it is.
#[tokio::test]
async fn a_waiting_customer_sees_their_place_move_and_the_usual_wait() {
    // Eight chats from one address in a minute.
    let server = TestServer::start_with(|c| c.chat_starts_per_minute = 20).await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let problem = server.queue("Support", &[ann]).await;
    let mut desk = not_ready(&server, "ann").await;

    let first = server.start_chat("Ada", problem).await;
    let second = server.start_chat("Bo", problem).await;
    let mut first_widget = server.widget(&first, 0).await;
    assert_eq!(next_place(&mut first_widget).await, (1, None));
    let mut widget = server.widget(&second, 0).await;
    assert_eq!(
        next_place(&mut widget).await,
        (2, None),
        "one chat before it"
    );

    send_json(&mut first_widget, json!({"type": "end"})).await;
    assert_eq!(
        next_place(&mut widget).await,
        (1, None),
        "the first left the line"
    );

    set_ready(&mut desk, true).await;
    let taken = accept_next(&mut desk).await;
    assert_eq!(taken.customer.name, "Bo");
    // Taken: the widget hears of the agent, not of the queue.
    loop {
        match next_widget(&mut widget).await {
            WidgetMessage::Queue { .. } => panic!("no place once an agent took the chat"),
            WidgetMessage::Line { line, .. }
                if matches!(
                    &line.body,
                    app::domain::chat::LineBody::System {
                        note: app::domain::chat::SystemNote::Joined { .. }
                    }
                ) =>
            {
                break
            }
            _ => {}
        }
    }
    assert!(silent_for_queue(&mut widget, 4_800).await);

    // Five chats answered (Bo's and four more) make a usual wait worth saying.
    send_json(
        &mut desk,
        json!({"type": "end_chat", "contact": taken.contact}),
    )
    .await;
    for n in 0..4 {
        server.start_chat(&format!("Quick {n}"), problem).await;
        let chat = accept_next(&mut desk).await;
        send_json(
            &mut desk,
            json!({"type": "end_chat", "contact": chat.contact}),
        )
        .await;
    }
    // Wrap-up is not required here: Ann is free again; she goes Not Ready.
    set_ready(&mut desk, false).await;
    let later = server.start_chat("Cy", problem).await;
    let mut widget = server.widget(&later, 0).await;
    let (position, usual) = next_place(&mut widget).await;
    assert_eq!(position, 1);
    let usual = usual.expect("five answered chats say a usual wait");
    assert!(usual < 60, "the quick chats waited moments: {usual} s");
}

/// No queue news for `ms` (under the 5 s `next_widget` waits at most).
async fn silent_for_queue(widget: &mut Ws, ms: u64) -> bool {
    let until = tokio::time::Instant::now() + std::time::Duration::from_millis(ms);
    loop {
        match tokio::time::timeout_at(until, next_widget(widget)).await {
            Err(_) => return true,
            Ok(WidgetMessage::Queue { .. }) => return false,
            Ok(_) => continue,
        }
    }
}
