//! Leaving the page (SPEC S-5, E-5): the page warns before unloading while the agent
//! holds contacts, and its last act is a beacon telling the server it is going, so the
//! server ends its chats at once instead of waiting out the grace period for a blip.

use super::Live;

pub fn watch(live: Live) {
    #[cfg(feature = "hydrate")]
    {
        use crate::i18n::*;
        use leptos::prelude::*;
        use wasm_bindgen::{closure::Closure, JsCast};
        let locale = use_i18n().get_locale_untracked();
        let window = window();
        let on_pagehide = Closure::<dyn FnMut()>::new(|| {
            let _ = leptos::prelude::window()
                .navigator()
                .send_beacon(&leave_url());
        });
        let on_beforeunload = Closure::<dyn FnMut(web_sys::BeforeUnloadEvent)>::new(
            move |ev: web_sys::BeforeUnloadEvent| {
                if live.model.with_untracked(|m| !m.tabs.is_empty()) {
                    ev.prevent_default();
                    ev.set_return_value(td_string!(locale, desktop.leaving.warning));
                }
            },
        );
        let _ = window
            .add_event_listener_with_callback("pagehide", on_pagehide.as_ref().unchecked_ref());
        let _ = window.add_event_listener_with_callback(
            "beforeunload",
            on_beforeunload.as_ref().unchecked_ref(),
        );
        // They live as long as the page.
        on_pagehide.forget();
        on_beforeunload.forget();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = live;
}

/// The beacon's address: with a framed session's CSRF token (a beacon has no headers).
#[cfg(feature = "hydrate")]
fn leave_url() -> String {
    match crate::api::client::csrf_query() {
        query if query.is_empty() => "/api/leave".to_string(),
        query => format!("/api/leave?{query}"),
    }
}
