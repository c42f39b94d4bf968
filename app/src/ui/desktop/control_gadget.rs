//! "Chat and Email Control": the agent's state, incoming offers and contacts in hand.

use super::{shortcuts::ShortcutList, Live};
use crate::{
    domain::{agent::Agent, state::AgentState},
    i18n::*,
};
use leptos::prelude::*;

#[component]
pub fn ControlGadget(agent: Agent) -> impl IntoView {
    let live = expect_context::<Live>();
    let i18n = use_i18n();
    let state = move || live.status.with(|s| s.state);
    let offers = move || live.model.with(|m| m.offers.len());
    let explanation = move || match state() {
        AgentState::Ready => t_string!(i18n, desktop.control.explain_ready),
        AgentState::Reserved if live.status.with(|s| s.not_ready_pending) => {
            t_string!(i18n, desktop.control.explain_not_ready_pending)
        }
        AgentState::Reserved => t_string!(i18n, desktop.control.explain_reserved),
        _ => t_string!(i18n, desktop.control.explain_not_ready),
    };
    let (max_chats, max_emails) = (agent.max_chats, agent.max_emails);
    view! {
        <div class="gadget control-gadget">
            <section class="panel state-panel" aria-labelledby="state-heading">
                <h2 id="state-heading">{t!(i18n, desktop.control.state_heading)}</h2>
                <p class="state-now" data-state=move || state().as_str()>
                    <span class="state-dot" aria-hidden="true"></span>
                    <span data-testid="agent-state">{move || state().label(i18n.get_locale_untracked())}</span>
                </p>
                <p class="muted">{explanation}</p>
            </section>
            <section class="panel offers-panel" aria-labelledby="offers-heading">
                <h2 id="offers-heading">{t!(i18n, desktop.control.incoming_heading)}</h2>
                <p class=move || if offers() == 0 { "empty" } else { "muted" }>
                    {move || match offers() {
                        0 => t_string!(i18n, desktop.control.incoming_none).to_string(),
                        n => t_string!(i18n, desktop.control.incoming, count = n).to_string(),
                    }}
                </p>
            </section>
            <section class="panel summary-panel" aria-labelledby="summary-heading">
                <h2 id="summary-heading">{t!(i18n, desktop.control.in_hand_heading)}</h2>
                <dl class="summary">
                    <div>
                        <dt>{t!(i18n, desktop.control.contacts)}</dt>
                        <dd>{move || live.status.with(|s| s.contacts_in_hand)}</dd>
                    </div>
                    <div>
                        <dt>{t!(i18n, desktop.control.maximum)}</dt>
                        <dd>
                            {t!(i18n, desktop.control.max_chats, count = move || max_chats)}
                            " · "
                            {t!(i18n, desktop.control.max_emails, count = move || max_emails)}
                        </dd>
                    </div>
                </dl>
            </section>
            <ShortcutList />
        </div>
    }
}
