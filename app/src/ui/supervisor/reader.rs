//! A chat read live by its supervisor (issue 18, D-3): the transcript as the agent sees it,
//! following each line, read-only (the customer is not told), with a Join that enters the
//! chat as its second agent (G rules: the chat opens in the supervisor's desktop, and
//! everyone in it reads that they joined). Pushed by the server on
//! `/supervision/chats/{id}/live`.

use crate::{
    api::join_chat,
    domain::{
        chat::{Author, ChatLine, LineBody},
        ids::ContactId,
        supervision::ChatReading,
    },
    i18n::*,
    ui::{desktop::clock::time_of_day, icons::ChannelIcon},
};
use leptos::prelude::*;

/// How the reading's stream is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum ReadState {
    Connecting,
    Live,
    Reconnecting,
    /// The chat cannot be read (any more): not one of the viewer's CSQs, or the session
    /// ended.
    Refused,
}

/// What the panel shows, filled by the stream.
#[derive(Clone, Copy)]
struct Reading {
    /// The last reading, its lines taken out.
    head: RwSignal<Option<ChatReading>>,
    lines: RwSignal<Vec<ChatLine>>,
    state: RwSignal<ReadState>,
}

impl Reading {
    /// Takes in one reading: new lines once each (a reconnection sends them all again).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn take(self, mut reading: ChatReading) {
        let lines = std::mem::take(&mut reading.lines);
        self.lines.update(|shown| {
            let last = shown.last().map_or(0, |l| l.seq);
            shown.extend(lines.into_iter().filter(|l| l.seq > last));
        });
        if self.head.with_untracked(|h| h.as_ref() != Some(&reading)) {
            self.head.set(Some(reading));
        }
        if self.state.get_untracked() != ReadState::Live {
            self.state.set(ReadState::Live);
        }
    }
}

#[component]
pub fn ChatReader(id: ContactId, on_close: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let reading = Reading {
        head: RwSignal::new(None),
        lines: RwSignal::new(Vec::new()),
        state: RwSignal::new(ReadState::Connecting),
    };
    #[cfg(feature = "hydrate")]
    browser::open(id, reading);
    let joining = RwSignal::new(false);
    let refusal = RwSignal::new(None::<String>);
    let join = move |_| {
        joining.set(true);
        refusal.set(None);
        leptos::task::spawn_local(async move {
            let result = join_chat(id).await;
            joining.set(false);
            if let Err(e) = result {
                refusal.set(Some(e.message(i18n.get_locale_untracked())));
            }
        });
    };
    let transcript = NodeRef::<leptos::html::Ol>::new();
    // Keep the newest line in view.
    Effect::new(move |_| {
        reading.lines.track();
        if let Some(el) = transcript.get() {
            el.set_scroll_top(el.scroll_height());
        }
    });
    let ended = move || reading.head.with(|h| h.as_ref().is_some_and(|h| h.ended));
    let joined = move || reading.head.with(|h| h.as_ref().is_some_and(|h| h.joined));
    view! {
        <aside class="card chat-reader" aria-labelledby="reader-title" data-chat=id.0>
            <header class="section-head">
                <h2 id="reader-title" class="section-title">
                    {move || reading.head.with(|h| h.as_ref().map(|h| {
                        let locale = i18n.get_locale_untracked();
                        view! {
                            <ChannelIcon channel=h.channel tooltip=h.channel.label(locale).to_string() />
                            " "
                            {td_string!(locale, supervisor.reader.heading, name = h.customer.clone()).to_string()}
                        }
                    }))}
                </h2>
                <button type="button" class="close" on:click=move |_| on_close.run(())
                    aria-label=move || t_string!(i18n, supervisor.reader.close)>
                    "×"
                </button>
            </header>
            <p class="muted reader-people">
                {move || reading.head.with(|h| h.as_ref().filter(|h| !h.agents.is_empty()).map(|h| {
                    t_string!(i18n, supervisor.reader.with, names = h.agents.join(", ")).to_string()
                }))}
                " "
                <span class="reader-quiet">{t!(i18n, supervisor.reader.read_only)}</span>
            </p>
            <p class="reader-state" role="status">
                {move || match reading.state.get() {
                    ReadState::Connecting => Some(t_string!(i18n, supervisor.connecting).to_string()),
                    ReadState::Reconnecting => Some(t_string!(i18n, supervisor.reconnecting).to_string()),
                    ReadState::Refused => Some(t_string!(i18n, supervisor.reader.refused).to_string()),
                    ReadState::Live if ended() => Some(t_string!(i18n, supervisor.reader.ended).to_string()),
                    ReadState::Live => None,
                }}
            </p>
            <ol class="transcript reader-lines" aria-live="polite" node_ref=transcript
                aria-label=move || t_string!(i18n, supervisor.reader.transcript)>
                <For each=move || reading.lines.get() key=|line| line.seq let:line>
                    <ReadLine line />
                </For>
            </ol>
            <footer class="reader-actions">
                {move || (!ended() && reading.state.get() == ReadState::Live).then(|| if joined() {
                    view! {
                        <p class="muted">
                            {t!(i18n, supervisor.reader.joined)} " "
                            <a href="/">{t!(i18n, admin.page.agent_desktop)}</a>
                        </p>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="primary" disabled=joining on:click=join>
                            {move || if joining.get() {
                                t_string!(i18n, supervisor.reader.joining)
                            } else {
                                t_string!(i18n, supervisor.reader.join)
                            }}
                        </button>
                        <span class="muted">{t!(i18n, supervisor.reader.join_hint)}</span>
                    }.into_any()
                })}
                {move || refusal.get().map(|text| view! { <p class="form-error" role="alert">{text}</p> })}
            </footer>
        </aside>
    }
}

/// One line as the agent reads it, without the agent's controls.
#[component]
fn ReadLine(line: ChatLine) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let time = time_of_day(locale, line.at_ms);
    match line.body {
        LineBody::Message {
            author,
            text,
            files,
            ..
        } => {
            let (class, who) = match author {
                Author::Customer { name } => ("line customer", name),
                Author::Agent { alias, .. } => ("line agent", alias),
            };
            let files: Vec<String> = files.into_iter().map(|f| f.name).collect();
            view! {
                <li class=class>
                    <span class="meta">{who} " · " {time}</span>
                    {text}
                    {(!files.is_empty()).then(|| view! {
                        <span class="line-files">{format!("📎 {}", files.join(", "))}</span>
                    })}
                </li>
            }
            .into_any()
        }
        LineBody::System { note } => view! {
            <li class="line system">{note.text_in(locale)} " · " {time}</li>
        }
        .into_any(),
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{ReadState, Reading};
    use crate::domain::{ids::ContactId, supervision::ChatReading};
    use leptos::prelude::*;
    use std::rc::Rc;
    use wasm_bindgen::{closure::Closure, JsCast};
    use web_sys::{EventSource, MessageEvent};

    type Handler<E> = Closure<dyn FnMut(E)>;

    /// Opens the reading's stream, closed when the panel goes. The browser reconnects by
    /// itself after a break; a refusal or the chat's end closes it for good.
    pub fn open(id: ContactId, reading: Reading) {
        let Ok(source) = EventSource::new(&format!("/supervision/chats/{}/live", id.0)) else {
            reading.state.set(ReadState::Reconnecting);
            return;
        };
        let source = Rc::new(source);
        let on_reading: Handler<MessageEvent> = {
            let source = Rc::clone(&source);
            Closure::new(move |ev: MessageEvent| {
                let Some(text) = ev.data().as_string() else {
                    return;
                };
                match serde_json::from_str::<ChatReading>(&text) {
                    Ok(r) => {
                        if r.ended && r.complete {
                            // Nothing more will come: no reconnection.
                            source.close();
                        }
                        reading.take(r);
                    }
                    Err(_) => leptos::logging::warn!("unreadable chat reading from the server"),
                }
            })
        };
        let on_ended: Handler<MessageEvent> = {
            let source = Rc::clone(&source);
            Closure::new(move |_| {
                source.close();
                reading.state.set(ReadState::Refused);
            })
        };
        let on_error: Handler<web_sys::Event> = {
            let source = Rc::clone(&source);
            Closure::new(move |_| {
                if reading
                    .head
                    .with_untracked(|h| h.as_ref().is_some_and(|h| h.ended && h.complete))
                {
                    source.close();
                    return;
                }
                // Closed for good: refused (404, 401); otherwise the browser tries again.
                reading
                    .state
                    .set(if source.ready_state() == EventSource::CLOSED {
                        ReadState::Refused
                    } else {
                        ReadState::Reconnecting
                    });
            })
        };
        let _ =
            source.add_event_listener_with_callback("reading", on_reading.as_ref().unchecked_ref());
        let _ = source.add_event_listener_with_callback("ended", on_ended.as_ref().unchecked_ref());
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let held = StoredValue::new_local(Some((source, on_reading, on_ended, on_error)));
        on_cleanup(move || {
            if let Some((source, ..)) = held.try_update_value(|h| h.take()).flatten() {
                source.close();
            }
        });
    }
}
