//! "Chat and Email Control": the agent's state, incoming offers and contacts in hand.

use super::Live;
use crate::domain::{agent::Agent, state::AgentState};
use leptos::prelude::*;

#[component]
pub fn ControlGadget(agent: Agent) -> impl IntoView {
    let live = expect_context::<Live>();
    let state = move || live.status.with(|s| s.state);
    let offers = move || live.model.with(|m| m.offers.len());
    let explanation = move || match state() {
        AgentState::Ready => "Chats and emails of your queues can be offered to you.",
        AgentState::Reserved if live.status.with(|s| s.not_ready_pending) => {
            "No new offers: you go Not Ready when your last contact ends."
        }
        AgentState::Reserved => "You are working contacts; more can be offered up to your maximum.",
        _ => "You are not offered chats or emails. Choose Ready to start.",
    };
    view! {
        <div class="gadget control-gadget">
            <section class="panel state-panel" aria-labelledby="state-heading">
                <h2 id="state-heading">"Chat and email state"</h2>
                <p class="state-now" data-state=move || state().as_str()>
                    <span class="state-dot" aria-hidden="true"></span>
                    <span data-testid="agent-state">{move || state().to_string()}</span>
                </p>
                <p class="muted">{explanation}</p>
            </section>
            <section class="panel offers-panel" aria-labelledby="offers-heading">
                <h2 id="offers-heading">"Incoming"</h2>
                <p class=move || if offers() == 0 { "empty" } else { "muted" }>
                    {move || match offers() {
                        0 => "No incoming chat or email right now.".to_string(),
                        1 => "1 chat is offered to you (above).".to_string(),
                        n => format!("{n} chats are offered to you (above)."),
                    }}
                </p>
            </section>
            <section class="panel summary-panel" aria-labelledby="summary-heading">
                <h2 id="summary-heading">"In hand"</h2>
                <dl class="summary">
                    <div>
                        <dt>"Contacts"</dt>
                        <dd>{move || live.status.with(|s| s.contacts_in_hand)}</dd>
                    </div>
                    <div>
                        <dt>"Maximum"</dt>
                        <dd>{agent.max_chats} " chats · " {agent.max_emails} " emails"</dd>
                    </div>
                </dl>
            </section>
        </div>
    }
}
