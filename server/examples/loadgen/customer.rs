//! One customer on the real widget protocol: the pre-chat form, the widget's socket, then
//! messages at a steady rate once an agent has greeted them. A message counts as stored when
//! its line comes back to the widget; a socket the server closes is opened again from the
//! last line read, and what was not yet stored is sent again with the same id (the server
//! keeps one copy), as the widget does.

use crate::{
    desk::{connect, number, send, sent_at},
    setup::address,
    stats::{now_us, Counts},
};
use app::domain::{
    chat::{Author, LineBody},
    protocol::Seq,
    widget::{WidgetCommand, WidgetMessage},
};
use futures_util::StreamExt;
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

pub struct Customer {
    pub addr: SocketAddr,
    pub index: usize,
    pub problem: i64,
    pub http: reqwest::Client,
    pub counts: Arc<Counts>,
    /// Time between two messages.
    pub every: Duration,
    /// Sending starts when this turns true (every chat has its agent) and stops when the
    /// run's time is up (`stop`).
    pub go: watch::Receiver<bool>,
    pub stop: watch::Receiver<bool>,
}

#[derive(Default)]
struct Widget {
    /// The last line read.
    seq: Seq,
    /// Messages sent, and the last one the server stored.
    sent: u64,
    stored: u64,
    greeted: bool,
}

impl Customer {
    pub async fn run(mut self) {
        let from = address(3, self.index);
        let cookie = match self.start(&from).await {
            Ok(cookie) => cookie,
            Err(e) => {
                self.counts
                    .fail(format!("customer {}: chat not started: {e}", self.index));
                return;
            }
        };
        let mut widget = Widget::default();
        loop {
            match self.session(&cookie, &from, &mut widget).await {
                Ok(()) => return,
                Err(why) => {
                    if self.counts.stopping() {
                        return;
                    }
                    Counts::add(&self.counts.widget_reconnects);
                    if Counts::get(&self.counts.widget_reconnects) <= 5 {
                        eprintln!("widget socket closed ({why}): opening it again");
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    }

    /// The pre-chat form; returns the chat's cookie.
    async fn start(&self, from: &str) -> Result<String, String> {
        let response = self
            .http
            .post(format!("http://{}/widget/api/start", self.addr))
            .header("x-forwarded-for", from)
            .json(&serde_json::json!({
                "name": format!("Load {}", self.index),
                "email": format!("c{}@load.example", self.index),
                "phone": "",
                "problem": self.problem,
            }))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|c| c.to_str().ok())
            .map(|c| c.split(';').next().unwrap_or_default().to_string());
        match cookie {
            Some(cookie) if status.is_success() => Ok(cookie),
            _ => Err(format!(
                "{status}: {}",
                response.text().await.unwrap_or_default()
            )),
        }
    }

    async fn session(
        &mut self,
        cookie: &str,
        from: &str,
        widget: &mut Widget,
    ) -> Result<(), String> {
        let mut ws = connect(self.addr, "/widget/ws", cookie, from).await?;
        send(
            &mut ws,
            &WidgetCommand::Hello {
                resume_after: widget.seq,
            },
        )
        .await?;
        // What was sent and not known stored goes again, under the same ids.
        for n in widget.stored + 1..=widget.sent {
            send(&mut ws, &message(n)).await?;
        }
        let mut tick = tokio::time::interval(self.every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // Customers spread over the period rather than all send at once.
        // The spread starts when sending does: a tick that came due while waiting would
        // otherwise fire at once, every customer in the same instant.
        let offset = self.every.mul_f64((self.index as f64 * 0.618_034).fract());
        let mut was_sending = false;
        loop {
            let sending = *self.go.borrow() && !*self.stop.borrow() && widget.greeted;
            if sending && !was_sending {
                tick.reset_after(offset);
            }
            was_sending = sending;
            tokio::select! {
                frame = ws.next() => {
                    let Some(frame) = frame else { return Err("connection ended".into()) };
                    let text = match frame.map_err(|e| e.to_string())? {
                        Message::Text(text) => text,
                        Message::Close(reason) => return Err(format!("closed: {reason:?}")),
                        _ => continue,
                    };
                    let message: WidgetMessage = serde_json::from_str(text.as_str())
                        .map_err(|e| format!("{e}: {text}"))?;
                    self.read(message, widget);
                }
                _ = tick.tick(), if sending => {
                    widget.sent += 1;
                    Counts::add(&self.counts.sent);
                    send(&mut ws, &message(widget.sent)).await?;
                }
                _ = self.go.changed() => {}
                _ = self.stop.changed() => {}
            }
        }
    }

    fn read(&self, message: WidgetMessage, widget: &mut Widget) {
        match message {
            WidgetMessage::Line { line, .. } => {
                if widget.seq == 0 {
                    Counts::add(&self.counts.queued);
                }
                widget.seq = widget.seq.max(line.seq);
                let LineBody::Message {
                    author,
                    text,
                    client_id,
                    ..
                } = line.body
                else {
                    return;
                };
                match author {
                    Author::Customer { .. } => {
                        if let Some(n) = number(&client_id, 'm') {
                            if n > widget.stored {
                                widget.stored = n;
                                Counts::add(&self.counts.stored);
                            }
                        }
                    }
                    Author::Agent { .. } => {
                        if !widget.greeted {
                            widget.greeted = true;
                            Counts::add(&self.counts.assigned);
                        }
                        if number(&client_id, 'r').is_some() {
                            Counts::add(&self.counts.replies_delivered);
                            if let Some(sent) = sent_at(&text) {
                                self.counts.to_customer.record(sent);
                            }
                        }
                    }
                }
            }
            WidgetMessage::Rejected { message, .. } => {
                eprintln!("customer {}: refused: {message}", self.index);
            }
            WidgetMessage::Ended => {
                self.counts.fail(format!(
                    "customer {}: the chat ended during the run",
                    self.index
                ));
            }
            _ => {}
        }
    }
}

/// Customer message `n`, carrying the time it was sent.
fn message(n: u64) -> WidgetCommand {
    WidgetCommand::Send {
        client_id: format!("m{n}"),
        text: format!("t={} Message {n} of this chat.", now_us()),
    }
}
