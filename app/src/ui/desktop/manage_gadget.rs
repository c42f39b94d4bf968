//! "Manage Chat and Email": the column of contact tabs (newest at the top) and the current
//! contact. Empty until chats and emails arrive.

use leptos::prelude::*;

#[component]
pub fn ManageGadget() -> impl IntoView {
    view! {
        <div class="gadget manage-gadget">
            <aside class="contact-column" aria-label="Contacts">
                <p class="empty">"No contacts yet. Accepted chats and assigned emails appear here, newest at the top."</p>
            </aside>
            <div class="contact-view">
                <p class="empty">"Select a contact to work on it."</p>
            </div>
        </div>
    }
}
