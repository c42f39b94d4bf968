//! The chat-and-email state control (SPEC S-1 to S-4): Not Ready / Ready, Reserved while
//! contacts are in hand, and the warning badge.

use super::Live;
use crate::domain::state::AgentState;
use leptos::prelude::*;

#[component]
pub fn StateControl() -> impl IntoView {
    let live = expect_context::<Live>();
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
        <div class="state-control" role="group" aria-label="Chat and email state">
            <div class="segmented">
                <button
                    class="segment not-ready"
                    aria-pressed=move || (!wants_ready()).to_string()
                    on:click=move |_| live.set_ready(false)
                >
                    "Not Ready"
                </button>
                <button
                    class="segment ready"
                    aria-pressed=move || wants_ready().to_string()
                    on:click=move |_| live.set_ready(true)
                >
                    "Ready"
                </button>
            </div>
            <Show when=move || state() == AgentState::Reserved>
                <span class="reserved-pill" title="You hold at least one contact">
                    "Reserved"
                    {move || pending().then_some(" · Not Ready next")}
                </span>
            </Show>
            {move || {
                live.status.with(|s| s.badge).map(|badge| view! {
                    <span class="badge warning" role="alert">
                        <span aria-hidden="true">"⚠ "</span>
                        {badge.to_string()}
                    </span>
                })
            }}
        </div>
    }
}
