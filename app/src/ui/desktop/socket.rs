//! The browser side of the desktop WebSocket: connect, resume from the last sequence
//! number, reconnect with backoff, and queue commands while the connection is down.

use super::live::{ConnectionState, Live};
use crate::domain::protocol::{
    ClientCommand, ServerMessage, OTHER_VERSION, PROTOCOL_VERSION, SESSION_ENDED,
};
use leptos::prelude::*;
use std::{
    cell::{Cell, RefCell},
    collections::VecDeque,
    rc::Rc,
};
use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// Longest wait between two reconnection attempts.
const MAX_BACKOFF_MS: u32 = 5_000;

/// When this tab last loaded again to meet its server's version (session storage).
const RELOADED_AT: &str = "switchboard.reloaded_for_newer_server_at";

/// At most one such reload a minute.
const RELOAD_AT_MOST_EVERY_MS: i64 = 60_000;

type Handler<E> = Closure<dyn FnMut(E)>;

pub struct Socket {
    live: Live,
    ws: RefCell<Option<WebSocket>>,
    outbox: RefCell<VecDeque<String>>,
    attempts: Cell<u32>,
    /// Whether the server has spoken on this connection: commands wait for it (a server
    /// of another version opens the socket only to close it, reading nothing).
    greeted: Cell<bool>,
    /// Kept alive as long as the socket they are attached to.
    handlers: RefCell<Vec<Handler<web_sys::Event>>>,
    on_message: RefCell<Option<Handler<MessageEvent>>>,
    on_close: RefCell<Option<Handler<CloseEvent>>>,
}

impl Socket {
    pub fn open(live: Live) -> Rc<Socket> {
        let socket = Rc::new(Socket {
            live,
            ws: RefCell::new(None),
            outbox: RefCell::new(VecDeque::new()),
            attempts: Cell::new(0),
            greeted: Cell::new(false),
            handlers: RefCell::new(Vec::new()),
            on_message: RefCell::new(None),
            on_close: RefCell::new(None),
        });
        socket.dial();
        socket
    }

    fn url() -> String {
        let location = window().location();
        let scheme = match location.protocol().as_deref() {
            Ok("https:") => "wss",
            _ => "ws",
        };
        // SPEC D-1: a framed session's upgrade carries its CSRF token (no header here).
        let csrf = crate::api::client::csrf_query();
        format!(
            "{scheme}://{}/ws?v={PROTOCOL_VERSION}{}{csrf}",
            location.host().unwrap_or_default(),
            if csrf.is_empty() { "" } else { "&" }
        )
    }

    fn dial(self: &Rc<Self>) {
        let ws = match WebSocket::new(&Self::url()) {
            Ok(ws) => ws,
            Err(_) => return self.retry_later(),
        };
        let this = Rc::clone(self);
        self.greeted.set(false);
        let on_open: Handler<web_sys::Event> = Closure::new(move |_| {
            this.write(&this.live.hello());
        });
        let this = Rc::clone(self);
        let on_message: Handler<MessageEvent> = Closure::new(move |ev: MessageEvent| {
            let Some(text) = ev.data().as_string() else {
                return;
            };
            if !this.greeted.replace(true) {
                // The server reads this connection: the backoff starts over, and what
                // waited goes now.
                this.attempts.set(0);
                let queued: Vec<String> = this.outbox.borrow_mut().drain(..).collect();
                for text in queued {
                    this.write_text(text);
                }
                // Messages never confirmed may not have arrived: the server stores each
                // once.
                for command in this.live.unconfirmed() {
                    this.write(&command);
                }
            }
            match serde_json::from_str::<ServerMessage>(&text) {
                Ok(message) => {
                    let now = js_sys::Date::now() as i64;
                    let by_supervisor = logged_out_by_supervisor(&message);
                    if let Some(reply) = this.live.handle(message, now) {
                        this.write(&reply);
                    }
                    if this.live.logged_out() {
                        // Issue 18: the login page says a supervisor did it.
                        let _ = window().location().set_href(if by_supervisor {
                            "/login?ended=supervisor"
                        } else {
                            "/login"
                        });
                    }
                }
                Err(_) => {
                    leptos::logging::warn!("unreadable message from the server");
                    load_again();
                }
            }
        });
        let this = Rc::clone(self);
        let on_close: Handler<CloseEvent> = Closure::new(move |ev: CloseEvent| {
            this.ws.borrow_mut().take();
            // Logged out, and already on the way to the login page (which may say why).
            if this.live.logged_out() {
                return;
            }
            // The server says the login session has ended: log in again, no reconnecting.
            if ev.code() == SESSION_ENDED {
                let _ = window().location().set_href("/login?ended=1");
                return;
            }
            // A server of another version: load its code. Trying again goes on meanwhile:
            // the agent may stay (contacts in hand), the tab may have loaded again a moment
            // ago, and during a rolling upgrade the next try may meet a node of this
            // page's version.
            if ev.code() == OTHER_VERSION {
                load_again();
            }
            this.retry_later();
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        *self.handlers.borrow_mut() = vec![on_open];
        *self.on_message.borrow_mut() = Some(on_message);
        *self.on_close.borrow_mut() = Some(on_close);
        *self.ws.borrow_mut() = Some(ws);
    }

    fn retry_later(self: &Rc<Self>) {
        if self.live.logged_out() {
            return;
        }
        self.live.connection.set(ConnectionState::Reconnecting);
        let attempt = self.attempts.get();
        // The server refuses the upgrade once the session has ended (expired, or logged
        // out elsewhere while this page was offline): after a few failures, ask.
        if attempt == 2 {
            leptos::task::spawn_local(async {
                if let Err(crate::api::ApiError::NotLoggedIn) = crate::api::get_desktop().await {
                    let _ = window().location().set_href("/login");
                }
            });
        }
        self.attempts.set(attempt.saturating_add(1));
        let delay = (250u32 << attempt.min(5)).min(MAX_BACKOFF_MS);
        let this = Rc::clone(self);
        gloo_timers::callback::Timeout::new(delay, move || this.dial()).forget();
    }

    /// Sends now if connected, otherwise keeps the command for the next connection.
    pub fn send(&self, command: &ClientCommand) {
        let Ok(text) = serde_json::to_string(command) else {
            return;
        };
        let open = self.greeted.get()
            && self
                .ws
                .borrow()
                .as_ref()
                .is_some_and(|ws| ws.ready_state() == WebSocket::OPEN);
        if open {
            self.write_text(text);
        } else if !matches!(
            command,
            ClientCommand::Send { .. } | ClientCommand::SendTemplate { .. }
        ) {
            // Messages are resent from the model's unconfirmed list on reconnect.
            self.outbox.borrow_mut().push_back(text);
        }
    }

    fn write(&self, command: &ClientCommand) {
        if let Ok(text) = serde_json::to_string(command) {
            self.write_text(text);
        }
    }

    fn write_text(&self, text: String) {
        if let Some(ws) = self.ws.borrow().as_ref() {
            if ws.send_with_str(&text).is_err() {
                self.outbox.borrow_mut().push_back(text);
            }
        }
    }
}

/// A message this page cannot read, or a server closing with [`OTHER_VERSION`], means the
/// server runs another version than the page (an upgrade while it was open): without the
/// server's code, the page would stay Ready and miss every offer. It loads again (the
/// browser asks first if contacts are in hand), at most once a minute, so a server the new
/// page cannot read either does not reload it forever.
fn load_again() {
    // Without session storage nothing bounds the reloads: the page keeps trying instead.
    let Some(storage) = window().session_storage().ok().flatten() else {
        return;
    };
    // Whole milliseconds: parsing a float would bring the float reader into the first load.
    let now = js_sys::Date::now() as i64;
    let last = storage
        .get_item(RELOADED_AT)
        .ok()
        .flatten()
        .and_then(|at| at.parse::<i64>().ok());
    if last.is_some_and(|at| now - at < RELOAD_AT_MOST_EVERY_MS) {
        return;
    }
    if storage.set_item(RELOADED_AT, &now.to_string()).is_ok() {
        let _ = window().location().reload();
    }
}

/// Whether this message says a supervisor logged the agent out (issue 18).
fn logged_out_by_supervisor(message: &ServerMessage) -> bool {
    use crate::domain::{
        protocol::AgentEvent,
        state::{AgentState, StateReason},
    };
    matches!(message, ServerMessage::Event(e) if matches!(&e.event,
        AgentEvent::StateChanged { status, reason: StateReason::Supervisor }
            if status.state == AgentState::LoggedOut))
}
