//! "Wrap-Up Reasons (n)" beside End (SPEC W-1): a pane of checkboxes with the reasons the
//! contact offers (the list in force when it was assigned, W-2). A tick shows at once and
//! is sent; the server checks the same rules, stores the choice and sends it to every page
//! of the agent. The sixth box stays disabled, with the reason why.

use super::{invite::opening, Live};
use crate::{
    domain::{
        ids::{ContactId, WrapUpReasonId},
        limits::MAX_WRAP_UP_REASONS,
        wrap_up::WrapUp,
    },
    i18n::*,
};
use leptos::{lazy, lazy_preload, prelude::*};

/// Whether the open pane's code is there, fetched once the desktop is live (see the invite
/// pane's).
#[derive(Clone, Copy)]
pub struct PaneCode(ReadSignal<bool>);

impl PaneCode {
    pub fn fetch() -> Self {
        PaneCode(lazy_preload!(wrap_up_pane))
    }
}

#[component]
pub fn WrapUpControl(id: ContactId) -> AnyView {
    let live = expect_context::<Live>();
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let wrap_up = Memo::new(move |_| {
        live.model
            .with(|m| m.tab(id).map(|t| t.view.wrap_up.clone()))
            .unwrap_or_default()
    });
    let count = move || wrap_up.with(|w| w.selected.len());
    let code = expect_context::<PaneCode>().0;
    let pane_id = format!("wrap-up-{id}");
    view! {
        <div class="wrap-up">
            <button
                class="wrap-up-toggle"
                aria-expanded=move || open.get().to_string()
                aria-controls=pane_id.clone()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {t!(i18n, desktop.wrap_up.toggle, selected = count)}
            </button>
            <Show when=move || open.get()>
                {move || if code.get() {
                    // Ready at its first poll: nothing waits (see the invite pane).
                    Suspend::new(wrap_up_pane(id, open, wrap_up)).into_any()
                } else {
                    opening("wrap-up-pane", td_string!(i18n.get_locale_untracked(), desktop.wrap_up.label))
                }}
            </Show>
        </div>
    }
    .into_any()
}

/// The open pane, from a chunk of the WebAssembly of its own (`cargo leptos build --split`),
/// not in the desktop's first load (see [`PaneCode`]). The page never renders it open on
/// the server.
#[lazy]
fn wrap_up_pane(id: ContactId, open: RwSignal<bool>, wrap_up: Memo<WrapUp>) -> AnyView {
    view! { <WrapUpPane id open wrap_up /> }.into_any()
}

#[component]
fn WrapUpPane(id: ContactId, open: RwSignal<bool>, wrap_up: Memo<WrapUp>) -> impl IntoView {
    let live = expect_context::<Live>();
    let i18n = use_i18n();
    let pane_id = format!("wrap-up-{id}");
    let toggle = move |reason: WrapUpReasonId, on: bool| match wrap_up
        .with_untracked(|w| w.toggled(reason, on))
    {
        Ok(reasons) => live.set_wrap_up(id, reasons),
        Err(e) => live
            .notice
            .set(Some(e.message(i18n.get_locale_untracked()))),
    };
    view! {
        <div
            class="wrap-up-pane"
            id=pane_id.clone()
            role="group"
            aria-label=move || t_string!(i18n, desktop.wrap_up.label)
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    open.set(false);
                }
            }
        >
            <ReasonList wrap_up toggle />
            <div class="wrap-up-actions">
                <button class="primary" on:click=move |_| open.set(false)>{t!(i18n, desktop.wrap_up.ok)}</button>
            </div>
        </div>
    }
}

#[component]
fn ReasonList(
    wrap_up: Memo<WrapUp>,
    toggle: impl Fn(WrapUpReasonId, bool) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let offered = move || wrap_up.with(|w| w.offered.clone());
    // A memo: ticking a box must not rebuild the list (the focus stays on the box).
    let none_offered = Memo::new(move |_| wrap_up.with(|w| w.offered.is_empty()));
    let full = move || !wrap_up.with(WrapUp::can_add);
    view! {
        {move || {
            if none_offered.get() {
                view! {
                    <p class="empty">{t!(i18n, desktop.wrap_up.none_assigned)}</p>
                }
                .into_any()
            } else {
                view! {
                    <ul class="wrap-up-list">
                        <For each=offered key=|r| r.id let:reason>
                            {
                                let rid = reason.id;
                                let checked = move || wrap_up.with(|w| w.selected.contains(&rid));
                                view! {
                                    <li>
                                        <label class:disabled=move || full() && !checked()>
                                            <input
                                                type="checkbox"
                                                prop:checked=checked
                                                disabled=move || full() && !checked()
                                                on:change=move |ev| toggle(rid, event_target_checked(&ev))
                                            />
                                            {reason.label.clone()}
                                        </label>
                                    </li>
                                }
                            }
                        </For>
                    </ul>
                    <p class="hint" aria-live="polite">
                        {move || if full() {
                            t_string!(i18n, desktop.wrap_up.full, max = MAX_WRAP_UP_REASONS).to_string()
                        } else {
                            t_string!(i18n, desktop.wrap_up.choose, max = MAX_WRAP_UP_REASONS).to_string()
                        }}
                    </p>
                }
                .into_any()
            }
        }}
    }
}
