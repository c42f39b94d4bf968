//! The chat-and-email state control (SPEC S-1 to S-4): Not Ready / Ready, Reserved while
//! contacts are in hand, and the warning badge.

use super::Live;
use crate::{domain::state::AgentState, i18n::*};
use leptos::prelude::*;

#[component]
pub fn StateControl() -> impl IntoView {
    let live = expect_context::<Live>();
    let i18n = use_i18n();
    let state = move || live.status.with(|s| s.state);
    let pending = move || live.status.with(|s| s.not_ready_pending);
    // Which button shows pressed: what the agent asked for. While Reserved, Ready unless
    // Not Ready is pending.
    let wants_ready = move || match state() {
        AgentState::Ready => true,
        AgentState::Reserved => !pending(),
        _ => false,
    };
    view! {
        <div class="state-control" role="group" aria-label=move || t_string!(i18n, desktop.state_control.label)>
            <div class="segmented">
                <button
                    class="segment not-ready"
                    aria-pressed=move || (!wants_ready()).to_string()
                    on:click=move |_| live.set_ready(false)
                >
                    {t!(i18n, desktop.state_control.not_ready)}
                </button>
                <button
                    class="segment ready"
                    aria-pressed=move || wants_ready().to_string()
                    on:click=move |_| live.set_ready(true)
                >
                    {t!(i18n, desktop.state_control.ready)}
                </button>
            </div>
            <Show when=move || state() == AgentState::Reserved>
                <span class="reserved-pill" title=move || t_string!(i18n, desktop.state_control.reserved_hint)>
                    {t!(i18n, desktop.state_control.reserved)}
                    {move || pending().then(|| t_string!(i18n, desktop.state_control.not_ready_next))}
                </span>
            </Show>
            {move || {
                live.status.with(|s| s.badge).map(|badge| view! {
                    <span class="badge warning" role="alert">
                        <span aria-hidden="true">"⚠ "</span>
                        {badge.label(i18n.get_locale_untracked())}
                    </span>
                })
            }}
        </div>
    }
}
