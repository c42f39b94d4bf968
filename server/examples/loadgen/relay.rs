//! The plain relay the figures are compared with: the same stack (axum, tokio, the same
//! JSON messages made from the same types) passing each line from the customer's socket to
//! the agent's and back, storing nothing, routing nothing, checking nothing. It answers the
//! widget's start and both sockets just enough for the same clients to run against it.

use app::domain::{
    chat::{Author, ChatLine, LineBody},
    ids::{AgentId, ContactId},
    protocol::{ClientCommand, ServerMessage},
    widget::{WidgetCommand, WidgetMessage},
};
use axum::{
    extract::{
        ws::{Message, WebSocket},
        State, WebSocketUpgrade,
    },
    http::HeaderMap,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use futures_util::{SinkExt, StreamExt};
use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
};
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

/// The sockets open now, and each chat with its agent (chat `n` goes to agent `n` modulo
/// the run's number of agents).
#[derive(Default)]
struct Relay {
    agents: Mutex<HashMap<u64, UnboundedSender<String>>>,
    chats: Mutex<HashMap<i64, Chat>>,
    next_chat: Mutex<i64>,
}

struct Chat {
    name: String,
    agent: u64,
    seq: u64,
    customer: Option<UnboundedSender<String>>,
}

type Shared = Arc<Relay>;

/// Serves until killed.
pub async fn serve(addr: SocketAddr, agents: u64) {
    let relay: Shared = Arc::default();
    let app = Router::new()
        .route("/widget/api/start", post(start))
        .route("/widget/ws", get(widget_socket))
        .route("/ws", get(desk_socket))
        .with_state((relay, agents.max(1)));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .expect("relay binds");
    axum::serve(listener, app).await.expect("relay serves");
}

type AppState = (Shared, u64);

async fn start(
    State((relay, agents)): State<AppState>,
    Json(form): Json<serde_json::Value>,
) -> Response {
    let id = {
        let mut next = relay.next_chat.lock().unwrap();
        *next += 1;
        *next
    };
    relay.chats.lock().unwrap().insert(
        id,
        Chat {
            name: form["name"].as_str().unwrap_or("Customer").to_string(),
            agent: id as u64 % agents,
            seq: 0,
            customer: None,
        },
    );
    (
        [("set-cookie", format!("chat={id}; HttpOnly"))],
        Json(serde_json::json!({ "contact": id })),
    )
        .into_response()
}

fn cookie_number(headers: &HeaderMap, name: &str) -> Option<i64> {
    let cookies = headers.get("cookie")?.to_str().ok()?;
    cookies
        .split(';')
        .find_map(|c| c.trim().strip_prefix(name)?.strip_prefix('='))?
        .parse()
        .ok()
}

/// A socket's writer: what others send it goes through its channel.
fn writer(
    socket: WebSocket,
) -> (
    UnboundedSender<String>,
    futures_util::stream::SplitStream<WebSocket>,
) {
    let (mut sink, stream) = socket.split();
    let (tx, mut rx) = unbounded_channel::<String>();
    tokio::spawn(async move {
        while let Some(text) = rx.recv().await {
            if sink.send(Message::Text(text.into())).await.is_err() {
                return;
            }
        }
    });
    (tx, stream)
}

fn line(seq: u64, author: Author, text: String, client_id: String) -> ChatLine {
    ChatLine {
        seq,
        at_ms: 0,
        body: LineBody::Message {
            author,
            text,
            client_id,
            files: Vec::new(),
            sent_at_ms: None,
            template: None,
        },
    }
}

async fn widget_socket(
    State((relay, _)): State<AppState>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let Some(id) = cookie_number(&headers, "chat") else {
        return (axum::http::StatusCode::UNAUTHORIZED, "no chat").into_response();
    };
    upgrade.on_upgrade(move |socket| async move {
        let (tx, mut stream) = writer(socket);
        while let Some(Ok(Message::Text(text))) = stream.next().await {
            let Ok(command) = serde_json::from_str::<WidgetCommand>(text.as_str()) else {
                continue;
            };
            let mut chats = relay.chats.lock().unwrap();
            let Some(chat) = chats.get_mut(&id) else {
                return;
            };
            match command {
                // The agent's greeting stands for the accept.
                WidgetCommand::Hello { .. } => {
                    chat.customer = Some(tx.clone());
                    chat.seq += 1;
                    let author = Author::Agent {
                        agent: AgentId(chat.agent as i64),
                        alias: "Agent".into(),
                    };
                    let greeting = line(chat.seq, author, "t=0 Hello".into(), "hello".into());
                    let _ = tx.send(widget_line(greeting));
                }
                WidgetCommand::Send { client_id, text } => {
                    chat.seq += 1;
                    let author = Author::Customer {
                        name: chat.name.clone(),
                    };
                    let line = line(chat.seq, author, text, client_id);
                    if let Some(agent) = relay.agents.lock().unwrap().get(&chat.agent) {
                        let _ = agent.send(to_agent(id, line.clone()));
                    }
                    let _ = tx.send(widget_line(line));
                }
                _ => {}
            }
        }
    })
}

async fn desk_socket(
    State((relay, _)): State<AppState>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let Some(agent) = cookie_number(&headers, "agent") else {
        return (axum::http::StatusCode::UNAUTHORIZED, "no agent").into_response();
    };
    upgrade.on_upgrade(move |socket| async move {
        let (tx, mut stream) = writer(socket);
        relay
            .agents
            .lock()
            .unwrap()
            .insert(agent as u64, tx.clone());
        while let Some(Ok(Message::Text(text))) = stream.next().await {
            let Ok(command) = serde_json::from_str::<ClientCommand>(text.as_str()) else {
                continue;
            };
            match command {
                ClientCommand::Hello { .. } => {
                    let synced = ServerMessage::Synced { seq: 0 };
                    let _ = tx.send(serde_json::to_string(&synced).expect("json"));
                }
                ClientCommand::Send {
                    contact,
                    client_id,
                    text,
                } => {
                    let mut chats = relay.chats.lock().unwrap();
                    let Some(chat) = chats.get_mut(&contact.0) else {
                        continue;
                    };
                    chat.seq += 1;
                    let author = Author::Agent {
                        agent: AgentId(agent),
                        alias: "Agent".into(),
                    };
                    let line = line(chat.seq, author, text, client_id);
                    if let Some(customer) = &chat.customer {
                        let _ = customer.send(widget_line(line.clone()));
                    }
                    let _ = tx.send(to_agent(contact.0, line));
                }
                _ => {}
            }
        }
    })
}

fn widget_line(line: ChatLine) -> String {
    let text = match &line.body {
        LineBody::Message { text, .. } => text.clone(),
        LineBody::System { note } => note.text(),
    };
    serde_json::to_string(&WidgetMessage::Line { line, text }).expect("json")
}

fn to_agent(contact: i64, line: ChatLine) -> String {
    serde_json::to_string(&ServerMessage::ChatLine {
        contact: ContactId(contact),
        line,
    })
    .expect("json")
}
