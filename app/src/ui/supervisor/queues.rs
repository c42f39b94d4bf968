//! The queues table: per CSQ, what waits now and who can take it, then today's figures.

use super::feed::Feed;
use crate::{
    domain::supervision::{DayFigures, QueueFigures},
    i18n::*,
    ui::{desktop::clock::elapsed, icons::ChannelIcon},
};
use leptos::prelude::*;

#[component]
pub fn QueueTable(feed: Feed) -> impl IntoView {
    let i18n = use_i18n();
    let queues = Memo::new(move |_| {
        feed.board
            .with(|b| b.as_ref().map(|b| b.queues.clone()).unwrap_or_default())
    });
    view! {
        <section class="card admin-section" aria-labelledby="queues-title">
            <h1 id="queues-title" class="section-title">{t!(i18n, supervisor.queues.heading)}</h1>
            <div class="table-scroll">
                <table class="figures queue-figures">
                    <thead>
                        <tr>
                            <th rowspan="2" scope="col">{t!(i18n, supervisor.queues.csq)}</th>
                            <th colspan="7" scope="colgroup" class="group">{t!(i18n, supervisor.queues.now)}</th>
                            <th colspan="5" scope="colgroup" class="group">{t!(i18n, supervisor.queues.today)}</th>
                        </tr>
                        <tr>
                            <th scope="col">{t!(i18n, supervisor.queues.waiting)}</th>
                            <th scope="col">{t!(i18n, supervisor.queues.longest_wait)}</th>
                            <th scope="col">{t!(i18n, supervisor.queues.offering)}</th>
                            <th scope="col">{t!(i18n, supervisor.queues.logged_in)}</th>
                            <th scope="col">{t!(i18n, supervisor.queues.ready)}</th>
                            <th scope="col">{t!(i18n, supervisor.queues.reserved)}</th>
                            <th scope="col">{t!(i18n, supervisor.queues.not_ready)}</th>
                            <th scope="col">{t!(i18n, supervisor.queues.offered)}</th>
                            <th scope="col">{t!(i18n, supervisor.queues.handled)}</th>
                            <th scope="col">{t!(i18n, supervisor.queues.abandoned)}</th>
                            <th scope="col">{t!(i18n, supervisor.queues.average_wait)}</th>
                            <th scope="col">{t!(i18n, supervisor.queues.service_level)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || queues.get() key=|queue| queue.clone() let:queue>
                            <QueueRow queue feed />
                        </For>
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn QueueRow(queue: QueueFigures, feed: Feed) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let waiting = queue.waiting_total();
    let alert = waiting > 0;
    let oldest = queue.oldest_waiting_ms;
    let today = queue.today.clone();
    let threshold = queue.service_level_secs;
    view! {
        <tr data-csq=queue.id.0>
            <th scope="row">{queue.name.clone()}</th>
            <td class="number" class:alert=alert>
                {waiting}
                {queue.waiting.iter().map(|w| view! {
                    <span class="by-channel">
                        <ChannelIcon channel=w.channel />
                        {w.count}
                    </span>
                }).collect_view()}
            </td>
            <td class="number">{move || longest_wait(oldest, feed.now_ms.get())}</td>
            <td class="number">{queue.offering}</td>
            <td class="number">{queue.logged_in}</td>
            <td class="number">{queue.ready}</td>
            <td class="number">{queue.reserved}</td>
            <td class="number">{queue.not_ready}</td>
            <td class="number">{today.offered}</td>
            <td class="number">{today.handled}</td>
            <td class="number">{today.abandoned}</td>
            <td class="number">{average_wait(&today)}</td>
            <td class="number" title=td_string!(locale, supervisor.queues.service_level_hint, secs = threshold)>
                {service_level(locale, &today)}
            </td>
        </tr>
    }
}

/// How long the oldest waiting contact has waited ("—" when none waits).
pub fn longest_wait(oldest_ms: Option<i64>, now_ms: i64) -> String {
    oldest_ms.map_or_else(|| "—".to_string(), |at| elapsed(at, now_ms))
}

pub fn average_wait(today: &DayFigures) -> String {
    today
        .average_wait_ms()
        .map_or_else(|| "—".to_string(), |ms| elapsed(0, ms))
}

/// "95%" or "95 %" (French puts a space before the sign); "—" before the day's first.
pub fn service_level(locale: Locale, today: &DayFigures) -> String {
    match (today.service_level_percent(), locale) {
        (None, _) => "—".to_string(),
        (Some(p), Locale::fr) => format!("{p}\u{a0}%"),
        (Some(p), _) => format!("{p}%"),
    }
}
