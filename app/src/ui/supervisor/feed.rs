//! The board as the server pushes it (issue 18): an `EventSource` on
//! `/supervision/live?tz=…` (the viewer's time zone, where "today" begins). The browser
//! reconnects by itself after a network break; a refusal (the session ended, the role
//! changed) closes the stream, and the page says why.

use crate::domain::supervision::Board;
use leptos::prelude::*;

/// How the stream is doing, for the page's status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedState {
    Connecting,
    Live,
    /// The connection broke; the browser is trying again.
    Reconnecting,
    /// The session has ended: log in again.
    SignedOut,
    /// The user may not watch (no longer a supervisor).
    Forbidden,
}

#[derive(Clone, Copy)]
pub struct Feed {
    pub board: RwSignal<Option<Board>>,
    pub state: RwSignal<FeedState>,
    /// The server's time, ticking each second: times in state and waits count from it,
    /// whatever the viewer's clock says.
    pub now_ms: RwSignal<i64>,
}

impl Feed {
    /// Opens the stream (in the browser; the server's page shows "Connecting…"), closed
    /// again when the page goes.
    pub fn open() -> Feed {
        let feed = Feed {
            board: RwSignal::new(None),
            state: RwSignal::new(FeedState::Connecting),
            now_ms: RwSignal::new(0),
        };
        #[cfg(feature = "hydrate")]
        browser::open(feed);
        feed
    }

    /// Says how the stream is doing, only when that changes (each board would otherwise
    /// wake everything that reads the state).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn set_state(self, state: FeedState) {
        if self.state.get_untracked() != state {
            self.state.set(state);
        }
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{Feed, FeedState};
    use crate::{api::ApiError, domain::agent::Role, domain::supervision::Board};
    use leptos::prelude::*;
    use std::{cell::Cell, cell::RefCell, rc::Rc};
    use wasm_bindgen::{closure::Closure, JsCast};
    use web_sys::{EventSource, MessageEvent};

    /// How long after the stream was closed for good it is opened again.
    const RECONNECT_MS: u32 = 2_000;

    type Handler<E> = Closure<dyn FnMut(E)>;

    /// What one connection holds: the stream and its handlers (kept as long as it).
    struct Connection {
        source: EventSource,
        _handlers: (
            Handler<MessageEvent>,
            Handler<MessageEvent>,
            Handler<web_sys::Event>,
        ),
    }

    /// The page's stream, its clock, and whether the page has gone (then nothing connects
    /// again).
    struct Page {
        feed: Feed,
        connection: RefCell<Option<Connection>>,
        /// Server time minus this browser's, from the last board.
        offset: Cell<i64>,
        gone: Cell<bool>,
    }

    impl Page {
        /// Closes the stream; its handlers stay until the next connection or the page's
        /// end (a handler may be the one calling: it must outlive its call).
        fn close(&self) {
            if let Some(connection) = self.connection.borrow().as_ref() {
                connection.source.close();
            }
        }
    }

    pub fn open(feed: Feed) {
        let page = Rc::new(Page {
            feed,
            connection: RefCell::new(None),
            offset: Cell::new(0),
            gone: Cell::new(false),
        });
        connect(&page);
        let tick = {
            let page = Rc::clone(&page);
            gloo_timers::callback::Interval::new(1_000, move || {
                feed.now_ms
                    .set(js_sys::Date::now() as i64 + page.offset.get());
            })
        };
        let held = StoredValue::new_local(Some((page, tick)));
        on_cleanup(move || {
            if let Some((page, tick)) = held.try_update_value(|h| h.take()).flatten() {
                page.gone.set(true);
                page.close();
                // Drops the handlers, and with them their hold on the page.
                page.connection.borrow_mut().take();
                tick.cancel();
            }
        });
    }

    fn connect(page: &Rc<Page>) {
        let feed = page.feed;
        let zone = crate::ui::desktop::clock::browser_time_zone();
        let url = format!(
            "/supervision/live?tz={}",
            String::from(js_sys::encode_uri_component(&zone))
        );
        let Ok(source) = EventSource::new(&url) else {
            feed.set_state(FeedState::Reconnecting);
            return;
        };
        let on_board: Handler<MessageEvent> = {
            let page = Rc::clone(page);
            Closure::new(move |ev: MessageEvent| {
                let Some(text) = ev.data().as_string() else {
                    return;
                };
                match serde_json::from_str::<Board>(&text) {
                    Ok(board) => {
                        page.offset.set(board.at_ms - js_sys::Date::now() as i64);
                        feed.now_ms.set(board.at_ms);
                        feed.board.set(Some(board));
                        feed.set_state(FeedState::Live);
                    }
                    Err(_) => leptos::logging::warn!("unreadable board from the server"),
                }
            })
        };
        let on_ended: Handler<MessageEvent> = {
            let page = Rc::clone(page);
            Closure::new(move |ev: MessageEvent| {
                page.close();
                feed.set_state(if ev.data().as_string().as_deref() == Some("forbidden") {
                    FeedState::Forbidden
                } else {
                    FeedState::SignedOut
                });
            })
        };
        let on_error: Handler<web_sys::Event> = {
            let page = Rc::clone(page);
            Closure::new(move |_| {
                let closed = page
                    .connection
                    .borrow()
                    .as_ref()
                    .is_none_or(|c| c.source.ready_state() == EventSource::CLOSED);
                if page.gone.get() {
                    return;
                }
                if !closed {
                    // The browser tries again by itself.
                    feed.set_state(FeedState::Reconnecting);
                    return;
                }
                // Closed for good: a refusal, or a server that answered something else.
                // Ask who is here to say which; otherwise try again in a moment.
                page.close();
                let page = Rc::clone(&page);
                leptos::task::spawn_local(async move {
                    match crate::api::get_account().await {
                        Err(ApiError::NotLoggedIn | ApiError::PasswordChangeRequired) => {
                            feed.set_state(FeedState::SignedOut)
                        }
                        Ok(agent) if agent.role == Role::Agent => {
                            feed.set_state(FeedState::Forbidden)
                        }
                        _ => {
                            feed.set_state(FeedState::Reconnecting);
                            gloo_timers::callback::Timeout::new(RECONNECT_MS, move || {
                                if !page.gone.get() {
                                    connect(&page);
                                }
                            })
                            .forget();
                        }
                    }
                });
            })
        };
        let _ = source.add_event_listener_with_callback("board", on_board.as_ref().unchecked_ref());
        let _ = source.add_event_listener_with_callback("ended", on_ended.as_ref().unchecked_ref());
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        *page.connection.borrow_mut() = Some(Connection {
            source,
            _handlers: (on_board, on_ended, on_error),
        });
    }
}
