//! Issue 16: a customer's earlier conversations on every channel, as a contact's customer
//! details list them (chats and emails alike).

use super::clock::day_and_time;
use crate::{domain::customer::PastContact, i18n::*, ui::icons::ChannelIcon};
use leptos::prelude::*;

/// Issue 16: the customer's earlier conversations on every channel, newest first: when,
/// on which channel and queue, with whom, and what about.
#[component]
pub fn History(past: Vec<PastContact>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    (!past.is_empty()).then(|| {
        let count = past.len();
        view! {
            <section class="history" aria-label=move || t_string!(i18n, desktop.chat.history, count).to_string()>
                <h3>{t!(i18n, desktop.chat.history, count)}</h3>
                <ol>
                    {past.into_iter().map(|p| {
                        let when = day_and_time(locale, p.started_at_ms);
                        let agent = p.agent.map(|a| format!(" · {a}"));
                        view! {
                            <li>
                                <span class="history-meta">
                                    <ChannelIcon channel=p.channel />
                                    {when} " · " {p.channel.label(locale)} " · " {p.csq} {agent}
                                </span>
                                <span class="history-about">{p.about}</span>
                            </li>
                        }
                    }).collect_view()}
                </ol>
            </section>
        }
    })
}
