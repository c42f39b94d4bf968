//! The message box (SPEC P-1 to P-4): spell-checked, a live character counter against the
//! shared 1500 limit, Enter to send and Shift+Enter for a new line, canned responses
//! inserted at the cursor, typing signalled to the customer, and End. In a Messenger or
//! WhatsApp chat, Meta's reply window (SPEC F-3): past it, the box says why no reply can go
//! and is closed (WhatsApp's approved templates offered instead); in Messenger's
//! human-agent extension, it says the reply goes tagged.

use super::{
    clock::Clock, invite::InviteControl, template_picker::TemplatePicker, wrap_up::WrapUpControl,
    Live,
};
use crate::{
    domain::{
        canned::{offered, CannedResponse},
        ids::ContactId,
        limits::MAX_CHAT_MESSAGE_CHARS,
        meta::{MetaChannel, ReplyWindow},
        protocol::ClientCommand,
        validate::{char_count, validate_chat_message},
    },
    i18n::*,
};
use leptos::prelude::*;

/// The chat canned responses, provided by the desktop.
#[derive(Clone)]
pub struct CannedChat(pub Vec<CannedResponse>);

/// The canned responses the contact offers (SPEC R-3): the global ones and those of its
/// CSQ, of the desktop's list of all.
pub fn canned_on(live: Live, id: ContactId, all: &[CannedResponse]) -> Vec<CannedResponse> {
    match live
        .model
        .with_untracked(|m| m.tab(id).map(|t| t.view.csq_id))
    {
        Some(csq) => offered(all, csq),
        None => Vec::new(),
    }
}

#[component]
pub fn Composer(id: ContactId) -> AnyView {
    let live = expect_context::<Live>();
    let i18n = use_i18n();
    let canned = canned_on(live, id, &expect_context::<CannedChat>().0);
    let text = RwSignal::new(String::new());
    let typing = StoredValue::new(false);
    let area = NodeRef::<leptos::html::Textarea>::new();
    let count = move || text.with(|t| char_count(t));
    let over = move || count() > MAX_CHAT_MESSAGE_CHARS;
    let error = move || {
        text.with(|t| {
            (char_count(t) > MAX_CHAT_MESSAGE_CHARS)
                .then(|| {
                    validate_chat_message(t)
                        .err()
                        .map(|e| e.message(i18n.get_locale_untracked()))
                })
                .flatten()
        })
    };
    let stop_typing = move || {
        if typing.get_value() {
            typing.set_value(false);
            live.typing(id, false);
        }
    };
    // SPEC F-3: a Messenger or WhatsApp chat's reply window, as it stands now.
    let clock = expect_context::<Clock>();
    let window = Memo::new(move |_| {
        let now = clock.now.get();
        live.model
            .with(|m| m.tab(id).and_then(|t| t.view.reply_rule))
            .map(|rule| rule.window(now))
    });
    let closed = move || window.get() == Some(ReplyWindow::Closed);
    // Past WhatsApp's window only an approved template goes: the box gives way to them.
    let whatsapp = live.model.with_untracked(|m| {
        m.tab(id)
            .and_then(|t| t.view.reply_rule)
            .is_some_and(|rule| rule.channel == MetaChannel::WhatsApp)
    });
    let templates_only = move || whatsapp && closed();
    let send = move || {
        let message = text.get_untracked();
        if !closed() && validate_chat_message(&message).is_ok() {
            live.send_message(id, message);
            text.set(String::new());
            stop_typing();
        }
    };
    let on_input = move |ev: leptos::ev::Event| {
        text.set(event_target_value(&ev));
        if !typing.get_value() {
            typing.set_value(true);
            live.typing(id, true);
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send();
        }
    };
    // Inserts a canned response where the cursor is (SPEC P-3).
    let insert = move |body: String| {
        let current = text.get_untracked();
        let (start, end) = area
            .get_untracked()
            .map(|el| {
                let utf16 = |pos: Option<u32>| pos.unwrap_or(0) as usize;
                (
                    utf16(el.selection_start().ok().flatten()),
                    utf16(el.selection_end().ok().flatten()),
                )
            })
            .unwrap_or((
                current.encode_utf16().count(),
                current.encode_utf16().count(),
            ));
        let units: Vec<u16> = current.encode_utf16().collect();
        let start = start.min(units.len());
        let end = end.clamp(start, units.len());
        let next = format!(
            "{}{}{}",
            String::from_utf16_lossy(&units[..start]),
            body,
            String::from_utf16_lossy(&units[end..])
        );
        text.set(next);
        if let Some(el) = area.get_untracked() {
            let caret = (start + body.encode_utf16().count()) as u32;
            el.set_value(&text.get_untracked());
            let _ = el.focus();
            let _ = el.set_selection_range(caret, caret);
        }
    };
    let has_canned = !canned.is_empty();
    let canned = StoredValue::new(canned);
    let in_group = Memo::new(move |_| {
        live.model
            .with(|m| m.tab(id).is_some_and(|t| t.view.agents.len() > 1))
    });
    view! {
        <div class="composer">
            {move || match window.get() {
                Some(ReplyWindow::Closed) if whatsapp => Some(view! {
                    <p class="reply-window closed" role="status" id=format!("window-{id}")>
                        {t!(i18n, desktop.composer.window_closed_whatsapp)}
                    </p>
                }.into_any()),
                Some(ReplyWindow::Closed) => Some(view! {
                    <p class="reply-window closed" role="status" id=format!("window-{id}")>
                        {t!(i18n, desktop.composer.window_closed)}
                    </p>
                }.into_any()),
                Some(ReplyWindow::HumanAgent { .. }) => Some(view! {
                    <p class="reply-window" role="status" id=format!("window-{id}")>
                        {t!(i18n, desktop.composer.window_human_agent)}
                    </p>
                }.into_any()),
                _ => None,
            }}
            <Show when=move || !templates_only() fallback=move || view! { <TemplatePicker id /> }>
            <label class="visually-hidden" for=format!("message-{id}")>{t!(i18n, desktop.composer.message)}</label>
            <textarea
                id=format!("message-{id}")
                node_ref=area
                rows="3"
                spellcheck="true"
                placeholder=move || t_string!(i18n, desktop.composer.placeholder)
                aria-invalid=move || over().to_string()
                aria-describedby=move || if matches!(window.get(), Some(ReplyWindow::Closed | ReplyWindow::HumanAgent { .. })) {
                    format!("counter-{id} window-{id}")
                } else {
                    format!("counter-{id}")
                }
                disabled=closed
                prop:value=move || text.get()
                on:input=on_input
                on:keydown=on_keydown
                on:blur=move |_| stop_typing()
            ></textarea>
            </Show>
            <div class="composer-bar">
                <Show when=move || !templates_only()>
                <select
                    class="canned"
                    aria-label=move || t_string!(i18n, desktop.composer.canned)
                    disabled=!has_canned
                    title=move || (!has_canned).then(|| t_string!(i18n, desktop.composer.canned_none))
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        if let Some(body) = canned.with_value(|all| {
                            all.iter().find(|c| c.id.0.to_string() == value).map(|c| c.body.clone())
                        }) {
                            insert(body);
                        }
                        if let Some(select) = ev
                            .target()
                            .and_then(wasm_bindgen_cast_select)
                        {
                            select.set_value("");
                        }
                    }
                >
                    <option value="">{t!(i18n, desktop.composer.canned_choose)}</option>
                    {canned_on(live, id, &expect_context::<CannedChat>().0)
                        .into_iter()
                        .map(|c| view! { <option value=c.id.0.to_string()>{c.title}</option> })
                        .collect_view()}
                </select>
                <span
                    id=format!("counter-{id}")
                    class=move || if over() { "counter over" } else { "counter" }
                    aria-live="polite"
                >
                    {count} " / " {MAX_CHAT_MESSAGE_CHARS}
                </span>
                <span class="composer-error" role="alert">{error}</span>
                <button class="primary" disabled=move || closed() || over() || text.with(|t| t.trim().is_empty()) on:click=move |_| send()>
                    {t!(i18n, desktop.composer.send)}
                </button>
                </Show>
                <InviteControl id />
                <WrapUpControl id />
                // SPEC G-3: with two agents in the chat, each may leave; alone, End it.
                {move || if in_group.get() {
                    view! {
                        <button class="end-chat" on:click=move |_| live.send(ClientCommand::Leave { contact: id })>
                            {t!(i18n, desktop.composer.leave)}
                        </button>
                    }.into_any()
                } else {
                    view! {
                        <button class="end-chat" on:click=move |_| live.end_chat(id)>
                            {t!(i18n, desktop.composer.end)}
                        </button>
                    }.into_any()
                }}
            </div>
        </div>
    }
    .into_any()
}

/// The select element an event came from (browser only).
fn wasm_bindgen_cast_select(
    target: leptos::web_sys::EventTarget,
) -> Option<leptos::web_sys::HtmlSelectElement> {
    use leptos::wasm_bindgen::JsCast;
    target.dyn_into().ok()
}
