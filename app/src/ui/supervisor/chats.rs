//! The chats in progress in the watched CSQs (issue 18, D-3): who is talking with whom, in
//! which queue, for how long; each can be read live ([`super::reader`]), and joined from
//! there.

use super::feed::Feed;
use crate::{domain::ids::ContactId, i18n::*, ui::desktop::clock::elapsed, ui::icons::ChannelIcon};
use leptos::prelude::*;

#[component]
pub fn ChatTable(feed: Feed, reading: RwSignal<Option<ContactId>>) -> impl IntoView {
    let i18n = use_i18n();
    let chats = Memo::new(move |_| {
        feed.board
            .with(|b| b.as_ref().map(|b| b.chats.clone()).unwrap_or_default())
    });
    let csq_name = move |id| {
        feed.board.with_untracked(|b| {
            b.as_ref()
                .and_then(|b| b.queues.iter().find(|q| q.id == id))
                .map(|q| q.name.clone())
                .unwrap_or_default()
        })
    };
    view! {
        <section class="card admin-section" aria-labelledby="chats-title">
            <header class="section-head">
                <h1 id="chats-title" class="section-title">{t!(i18n, supervisor.chats.heading)}</h1>
            </header>
            <div class="table-scroll">
                <table class="figures chat-figures">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, supervisor.chats.customer)}</th>
                            <th scope="col">{t!(i18n, supervisor.chats.csq)}</th>
                            <th scope="col">{t!(i18n, supervisor.chats.agents)}</th>
                            <th scope="col">{t!(i18n, supervisor.chats.since)}</th>
                            <th scope="col">{t!(i18n, supervisor.team.actions)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || chats.get() key=|chat| chat.clone() let:chat>
                            {
                                let locale = i18n.get_locale_untracked();
                                let id = chat.id;
                                let since = chat.since_ms;
                                let label = td_string!(locale, supervisor.chats.read_label,
                                    name = chat.customer.clone()).to_string();
                                let open = move || reading.get() == Some(id);
                                view! {
                                    <tr data-chat=id.0 class:reading=open>
                                        <th scope="row">
                                            <ChannelIcon channel=chat.channel
                                                tooltip=chat.channel.label(locale).to_string() />
                                            " " {chat.customer.clone()}
                                        </th>
                                        <td>{csq_name(chat.csq)}</td>
                                        <td>{chat.agents.join(", ")}</td>
                                        <td class="number">{move || elapsed(since, feed.now_ms.get())}</td>
                                        <td class="row-actions">
                                            <button type="button" aria-label=label
                                                aria-pressed=move || open().to_string()
                                                on:click=move |_| if reading.get_untracked() != Some(id) { reading.set(Some(id)) }>
                                                {t!(i18n, supervisor.chats.read)}
                                            </button>
                                        </td>
                                    </tr>
                                }
                            }
                        </For>
                        {move || chats.with(|c| c.is_empty()).then(|| view! {
                            <tr><td colspan="5" class="muted">{t!(i18n, supervisor.chats.empty)}</td></tr>
                        })}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
