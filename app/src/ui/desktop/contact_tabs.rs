//! The column of contact tabs (SPEC C-1): newest at the top, each with its channel icon,
//! the customer's name, the total chat time ticking, and the unread count that blinks for
//! a few seconds when a message arrives on a tab that is not current.

use super::{
    clock::{elapsed, time_of_day, Clock},
    model::ContactTab,
    Live,
};
use crate::{domain::ids::ContactId, i18n::*, ui::icons::ChannelIcon};
use leptos::prelude::*;

/// How long a tab blinks after a new message.
const BLINK_MS: i64 = 4_000;

#[component]
pub fn ContactTabs() -> impl IntoView {
    let live = expect_context::<Live>();
    let i18n = use_i18n();
    let ids = move || {
        live.model
            .with(|m| m.tabs.iter().map(|t| t.view.contact).collect::<Vec<_>>())
    };
    view! {
        <nav class="contact-column" aria-label=move || t_string!(i18n, desktop.tabs.label)>
            <Show
                when=move || !ids().is_empty()
                fallback=move || view! {
                    <p class="empty">{t!(i18n, desktop.tabs.empty)}</p>
                }
            >
                <ul class="contact-tabs" role="tablist" aria-orientation="vertical">
                    <For each=ids key=|id| *id let:id>
                        <TabItem id />
                    </For>
                </ul>
            </Show>
        </nav>
    }
}

#[component]
fn TabItem(id: ContactId) -> impl IntoView {
    let live = expect_context::<Live>();
    let clock = expect_context::<Clock>();
    let i18n = use_i18n();
    let drafting = expect_context::<super::reply::Drafting>();
    let tab = move || live.model.with(|m| m.tab(id).cloned());
    // What the tab shows that rarely changes: a memo, so a message or a typing signal does
    // not rebuild the tab (the focus and an open tooltip stay).
    let shown = Memo::new(move |_| live.model.with(|m| m.tab(id).map(|t| t.view.clone())));
    let current = move || live.model.with(|m| m.current == Some(id));
    let unread = move || tab().map(|t| t.unanswered()).unwrap_or(0);
    let blinking = move || {
        tab()
            .and_then(|t: ContactTab| t.attention_since_ms)
            .is_some_and(|since| clock.now.get() - since < BLINK_MS)
    };
    let class = move || {
        let mut c = String::from("contact-tab");
        if current() {
            c.push_str(" current");
        }
        if blinking() && !current() {
            c.push_str(" blink");
        }
        c
    };
    view! {
        {move || shown.get().map(|t| {
            let channel = t.channel;
            let started = t.started_at_ms;
            // SPEC C-2: an email's tab: the envelope (its subject on hover), the customer's
            // name and address, and when the email was received.
            if let Some(email) = t.email.clone() {
                let has_draft = email.draft.is_some();
                let name = t.customer.name.clone();
                let address = Some(email.from.address.clone()).filter(|a| *a != name);
                let subject = if email.subject.is_empty() {
                    t_string!(i18n, desktop.no_subject).to_string()
                } else {
                    email.subject.clone()
                };
                return view! {
                    <li role="presentation">
                        <button
                            role="tab"
                            class=move || format!("{} email", class())
                            aria-selected=move || current().to_string()
                            on:click=move |_| live.model.update(|m| m.select(id))
                        >
                            <span class="tab-icon">
                                <ChannelIcon channel tooltip=subject />
                                <Show when=move || drafting.0.with(|d| d.contains(&id)) || has_draft>
                                    <span
                                        class="tab-pencil"
                                        title=move || t_string!(i18n, desktop.tabs.reply_started)
                                        aria-label=move || t_string!(i18n, desktop.tabs.reply_started)
                                    >
                                        "✎"
                                    </span>
                                </Show>
                            </span>
                            <span class="tab-who">
                                <span class="tab-name">{name}</span>
                                {address.map(|a| view! { <span class="tab-address">{a}</span> })}
                            </span>
                            <span class="tab-time" title=move || t_string!(i18n, desktop.tabs.received)>{time_of_day(i18n.get_locale_untracked(), email.received_at_ms)}</span>
                        </button>
                    </li>
                }
                .into_any();
            }
            view! {
                <li role="presentation">
                    <button
                        role="tab"
                        class=class
                        aria-selected=move || current().to_string()
                        on:click=move |_| live.model.update(|m| m.select(id))
                    >
                        <span class="tab-icon"><ChannelIcon channel /></span>
                        <span class="tab-name">{t.customer.name.clone()}</span>
                        <span class="tab-time" title=move || t_string!(i18n, desktop.tabs.total_time)>
                            {move || elapsed(started, clock.now.get())}
                        </span>
                        <Show when=move || { unread() > 0 && !current() }>
                            <span class="tab-unread" aria-label=move || t_string!(i18n, desktop.tabs.unread, count = unread()).to_string()>
                                {unread}
                            </span>
                        </Show>
                    </button>
                </li>
            }
            .into_any()
        })}
    }
}
