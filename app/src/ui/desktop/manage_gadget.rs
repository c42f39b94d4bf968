//! "Manage Chat and Email": the column of contact tabs (newest at the top) and the current
//! contact's panel.

use super::{chat_panel::ChatPanel, contact_tabs::ContactTabs, Live};
use leptos::prelude::*;

#[component]
pub fn ManageGadget() -> impl IntoView {
    let live = expect_context::<Live>();
    let current = move || live.model.with(|m| m.current);
    view! {
        <div class="gadget manage-gadget">
            <ContactTabs />
            <div class="contact-view">
                {move || match current() {
                    Some(id) => view! { <ChatPanel id /> }.into_any(),
                    None => view! { <p class="empty centered">"Select a contact to work on it."</p> }.into_any(),
                }}
            </div>
        </div>
    }
}
