//! One agent's desktop page on the real desktop protocol: hello, Ready, accept every offer,
//! greet the customer, read every line. Each customer message is checked: it must come
//! once and in its chat's order, or the run stops there. A socket the server closes is
//! opened again with the page's cursors, as the page does.

use crate::stats::{now_us, Counts};
use app::domain::{
    chat::{Author, LineBody},
    ids::ContactId,
    protocol::{AgentEvent, ChatCursor, ClientCommand, Seq, ServerMessage},
    state::AgentState,
};
use futures_util::{SinkExt, StreamExt};
use std::{collections::HashMap, net::SocketAddr, sync::Arc, time::Duration};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub struct Desk {
    pub addr: SocketAddr,
    pub cookie: String,
    pub from: String,
    pub counts: Arc<Counts>,
    /// The agent answers every n-th customer message (0: never).
    pub reply_every: u64,
    /// The relay confirms no state: the page counts itself Ready once synced.
    pub relay: bool,
    /// The agent asks for Ready once synced and this is true.
    pub go_ready: watch::Receiver<bool>,
}

/// What the page knows, kept across reconnections.
#[derive(Default)]
struct Page {
    cursor: Option<Seq>,
    /// Per chat: the last line received and the number of the last customer message.
    chats: HashMap<ContactId, (Seq, u64)>,
    synced: bool,
    ready: bool,
}

impl Desk {
    pub async fn run(self) {
        let mut page = Page::default();
        loop {
            match self.session(&mut page).await {
                Ok(()) => return,
                Err(why) => {
                    if self.counts.stopping() {
                        return;
                    }
                    Counts::add(&self.counts.desk_reconnects);
                    if Counts::get(&self.counts.desk_reconnects) <= 5 {
                        eprintln!("desktop socket closed ({why}): opening it again");
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    }

    /// One connection, until the server closes it.
    async fn session(&self, page: &mut Page) -> Result<(), String> {
        let mut go_ready = self.go_ready.clone();
        let mut ws = connect(self.addr, "/ws", &self.cookie, &self.from).await?;
        let chats = page
            .chats
            .iter()
            .map(|(contact, (seq, _))| ChatCursor {
                contact: *contact,
                seq: *seq,
            })
            .collect();
        send(
            &mut ws,
            &ClientCommand::Hello {
                resume_after: page.cursor,
                chats,
            },
        )
        .await?;
        let mut asked_ready = page.ready;
        loop {
            if page.synced && !asked_ready && *go_ready.borrow() {
                asked_ready = true;
                send(&mut ws, &ClientCommand::SetState { ready: true }).await?;
                if self.relay {
                    page.ready = true;
                    Counts::add(&self.counts.ready);
                }
            }
            let frame = tokio::select! {
                frame = ws.next() => frame,
                Ok(()) = go_ready.changed(), if !asked_ready => continue,
            };
            let Some(frame) = frame else { break };
            let text = match frame.map_err(|e| e.to_string())? {
                Message::Text(text) => text,
                Message::Close(reason) => return Err(format!("closed: {reason:?}")),
                _ => continue,
            };
            let message: ServerMessage =
                serde_json::from_str(text.as_str()).map_err(|e| format!("{e}: {text}"))?;
            match message {
                ServerMessage::Snapshot { seq, .. } => page.cursor = Some(seq),
                ServerMessage::Synced { seq } => {
                    page.cursor = Some(page.cursor.unwrap_or(0).max(seq));
                    if !page.synced {
                        page.synced = true;
                        Counts::add(&self.counts.synced);
                    }
                }
                ServerMessage::Event(envelope) => {
                    page.cursor = Some(envelope.seq);
                    match envelope.event {
                        AgentEvent::StateChanged { status, .. }
                            if status.state == AgentState::Ready && !page.ready =>
                        {
                            page.ready = true;
                            Counts::add(&self.counts.ready);
                        }
                        AgentEvent::Offered { offer } => {
                            send(
                                &mut ws,
                                &ClientCommand::Accept {
                                    contact: offer.contact,
                                },
                            )
                            .await?;
                        }
                        AgentEvent::ContactAssigned { contact } => {
                            page.chats.entry(contact.contact).or_insert((0, 0));
                            send(
                                &mut ws,
                                &ClientCommand::Send {
                                    contact: contact.contact,
                                    client_id: "hello".into(),
                                    text: format!("t={} Hello, how can I help?", now_us()),
                                },
                            )
                            .await?;
                        }
                        AgentEvent::ContactClosed { contact, .. } => {
                            page.chats.remove(&contact);
                        }
                        _ => {}
                    }
                }
                ServerMessage::ChatLine { contact, line } => {
                    let (seen, last) = page.chats.entry(contact).or_insert((0, 0));
                    *seen = (*seen).max(line.seq);
                    let LineBody::Message {
                        author: Author::Customer { .. },
                        text,
                        client_id,
                        ..
                    } = line.body
                    else {
                        continue;
                    };
                    let Some(n) = number(&client_id, 'm') else {
                        continue;
                    };
                    if n <= *last {
                        self.counts.fail(format!(
                            "chat {contact}: customer message {n} delivered twice to its agent"
                        ));
                        return Ok(());
                    }
                    if n > *last + 1 {
                        self.counts.fail(format!(
                            "chat {contact}: customer message {} never reached its agent (message {n} came next)",
                            *last + 1
                        ));
                        return Ok(());
                    }
                    *last = n;
                    Counts::add(&self.counts.delivered);
                    if let Some(sent) = sent_at(&text) {
                        self.counts.to_agent.record(sent);
                    }
                    // Each chat answers at its own turn (offset by the chat's number):
                    // every customer's message n goes out in the same second, so a shared
                    // turn would make every fifth second carry all the replies at once.
                    if self.reply_every > 0
                        && (n + contact.0.unsigned_abs()) % self.reply_every == 0
                    {
                        Counts::add(&self.counts.replies_sent);
                        send(
                            &mut ws,
                            &ClientCommand::Send {
                                contact,
                                client_id: format!("r{n}"),
                                text: format!("t={} Thank you, noted.", now_us()),
                            },
                        )
                        .await?;
                    }
                }
                ServerMessage::Rejected { error, .. } => {
                    eprintln!("desktop command refused: {error}");
                }
                _ => {}
            }
        }
        Err("connection ended".into())
    }
}

/// Opens a WebSocket with the cookie, from the made-up address.
pub async fn connect(addr: SocketAddr, path: &str, cookie: &str, from: &str) -> Result<Ws, String> {
    let mut request = format!("ws://{addr}{path}")
        .into_client_request()
        .map_err(|e| e.to_string())?;
    let headers = request.headers_mut();
    headers.insert("cookie", cookie.parse().map_err(|_| "cookie")?);
    headers.insert("x-forwarded-for", from.parse().map_err(|_| "address")?);
    let (ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .map_err(|e| e.to_string())?;
    Ok(ws)
}

pub async fn send(ws: &mut Ws, message: &impl serde::Serialize) -> Result<(), String> {
    let text = serde_json::to_string(message).map_err(|e| e.to_string())?;
    ws.send(Message::text(text))
        .await
        .map_err(|e| e.to_string())
}

/// The time a message's text carries (`t=<microseconds> ...`).
pub fn sent_at(text: &str) -> Option<u64> {
    text.strip_prefix("t=")?.split(' ').next()?.parse().ok()
}

/// The number in a client id such as `m42`.
pub fn number(client_id: &str, prefix: char) -> Option<u64> {
    client_id.strip_prefix(prefix)?.parse().ok()
}

/// How long a second page of the agent takes to open: from hello to synced (its
/// snapshot and every line of the chats the agent holds).
pub async fn second_page(addr: SocketAddr, cookie: &str, from: &str) -> Result<Duration, String> {
    let mut ws = connect(addr, "/ws", cookie, from).await?;
    let started = std::time::Instant::now();
    send(
        &mut ws,
        &ClientCommand::Hello {
            resume_after: None,
            chats: Vec::new(),
        },
    )
    .await?;
    while let Some(frame) = ws.next().await {
        if let Message::Text(text) = frame.map_err(|e| e.to_string())? {
            let message: ServerMessage =
                serde_json::from_str(text.as_str()).map_err(|e| format!("{e}: {text}"))?;
            if matches!(message, ServerMessage::Synced { .. }) {
                let took = started.elapsed();
                let _ = ws.close(None).await;
                return Ok(took);
            }
        }
    }
    Err("closed before it was synced".into())
}
