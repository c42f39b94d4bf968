//! The left of every top bar: the product, then who is logged in and their role.

use crate::domain::agent::Agent;
use leptos::prelude::*;

#[component]
pub fn Identity(agent: Agent) -> impl IntoView {
    view! {
        <div class="brand">
            <span class="brand-mark small" aria-hidden="true">"SB"</span>
            <span class="brand-name">"Switchboard"</span>
        </div>
        <div class="who">
            <span class="who-name">{agent.display_name}</span>
            <span class="who-role">{agent.role.label(crate::i18n::use_i18n().get_locale_untracked())}</span>
        </div>
    }
}
