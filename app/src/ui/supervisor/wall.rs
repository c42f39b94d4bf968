//! The wallboard: each watched queue as a tile of large numbers (waiting, longest wait,
//! agents Ready, today's service level, handled and abandoned), readable across a room.

use super::{
    feed::Feed,
    queues::{longest_wait, service_level},
};
use crate::{domain::supervision::QueueFigures, i18n::*};
use leptos::prelude::*;

#[component]
pub fn Wallboard(feed: Feed) -> impl IntoView {
    let i18n = use_i18n();
    let queues = Memo::new(move |_| {
        feed.board
            .with(|b| b.as_ref().map(|b| b.queues.clone()).unwrap_or_default())
    });
    view! {
        <main class="wallboard" aria-label=move || t_string!(i18n, supervisor.wall.label)>
            <For each=move || queues.get() key=|queue| queue.clone() let:queue>
                <Tile queue feed />
            </For>
        </main>
    }
}

#[component]
fn Tile(queue: QueueFigures, feed: Feed) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let waiting = queue.waiting_total();
    let alert = waiting > 0;
    let oldest = queue.oldest_waiting_ms;
    view! {
        <section class="wall-tile" data-csq=queue.id.0 aria-label=queue.name.clone()>
            <h2>{queue.name.clone()}</h2>
            <dl>
                <div class="wall-figure main" class:alert=alert>
                    <dt>{t!(i18n, supervisor.wall.waiting)}</dt>
                    <dd>{waiting}</dd>
                </div>
                <div class="wall-figure main">
                    <dt>{t!(i18n, supervisor.wall.longest_wait)}</dt>
                    <dd>{move || longest_wait(oldest, feed.now_ms.get())}</dd>
                </div>
                <div class="wall-figure">
                    <dt>{t!(i18n, supervisor.wall.ready)}</dt>
                    <dd>{queue.ready}</dd>
                </div>
                <div class="wall-figure">
                    <dt>{t!(i18n, supervisor.wall.service_level)}</dt>
                    <dd>{service_level(locale, &queue.today)}</dd>
                </div>
                <div class="wall-figure">
                    <dt>{t!(i18n, supervisor.wall.handled)}</dt>
                    <dd>{queue.today.handled}</dd>
                </div>
                <div class="wall-figure">
                    <dt>{t!(i18n, supervisor.wall.abandoned)}</dt>
                    <dd>{queue.today.abandoned}</dd>
                </div>
            </dl>
        </section>
    }
}
