//! "Manage Chat and Email": the column of contact tabs (newest at the top) and the current
//! contact's panel.

use super::{chat_panel::ChatPanel, contact_tabs::ContactTabs, email_panel::EmailPanel, Live};
use crate::domain::contact::Channel;
use leptos::prelude::*;

#[component]
pub fn ManageGadget() -> impl IntoView {
    let live = expect_context::<Live>();
    // A memo, so the panel is rebuilt only when another contact becomes current: any other
    // change of the model (a line, a typing signal) must keep the draft and open panes.
    let current = Memo::new(move |_| live.model.with(|m| m.current));
    view! {
        <div class="gadget manage-gadget">
            <ContactTabs />
            <div class="contact-view">
                {move || match current.get() {
                    Some(id) if live.model.with_untracked(|m| {
                        m.tab(id).is_some_and(|t| t.view.channel == Channel::Email)
                    }) => view! { <EmailPanel id /> }.into_any(),
                    Some(id) => view! { <ChatPanel id /> }.into_any(),
                    None => view! { <p class="empty centered">"Select a contact to work on it."</p> }.into_any(),
                }}
            </div>
        </div>
    }
}
