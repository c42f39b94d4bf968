//! The two Finesse-style gadget tabs under the top bar.

use crate::i18n::*;
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GadgetTab {
    /// "Chat and Email Control": state, incoming offers, contacts in hand.
    Control,
    /// "Manage Chat and Email": contact tabs and the current contact.
    Manage,
}

#[component]
pub fn GadgetTabs(tab: RwSignal<GadgetTab>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let item =
        move |which: GadgetTab, id: &'static str, panel: &'static str, label: &'static str| {
            view! {
                <button
                    id=id
                    role="tab"
                    class="gadget-tab"
                    aria-controls=panel
                    aria-selected=move || (tab.get() == which).to_string()
                    tabindex=move || if tab.get() == which { "0" } else { "-1" }
                    on:click=move |_| tab.set(which)
                >
                    {label}
                </button>
            }
        };
    // Arrow keys move between tabs, as the WAI-ARIA tabs pattern expects.
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let next = match ev.key().as_str() {
            "ArrowRight" | "ArrowLeft" | "Home" | "End" => match tab.get_untracked() {
                GadgetTab::Control => GadgetTab::Manage,
                GadgetTab::Manage => GadgetTab::Control,
            },
            _ => return,
        };
        ev.prevent_default();
        tab.set(next);
        #[cfg(feature = "hydrate")]
        {
            let id = match next {
                GadgetTab::Control => "tab-control",
                GadgetTab::Manage => "tab-manage",
            };
            if let Some(el) = document().get_element_by_id(id) {
                use wasm_bindgen::JsCast;
                if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        }
    };
    view! {
        <nav class="gadget-tabs" role="tablist" aria-label=move || t_string!(i18n, desktop.gadgets.label) on:keydown=on_keydown>
            {item(GadgetTab::Control, "tab-control", "gadget-control", td_string!(locale, desktop.gadgets.control))}
            {item(GadgetTab::Manage, "tab-manage", "gadget-manage", td_string!(locale, desktop.gadgets.manage))}
        </nav>
    }
}
