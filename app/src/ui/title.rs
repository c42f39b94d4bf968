//! The browser tab's title, set by each page.
//!
//! On the server it goes into the page's `<head>` through leptos_meta, so the first paint
//! already has it. In the browser an effect sets `document.title` instead: leptos_meta's
//! client side cost 7 KB gzip of the desktop's first-load WebAssembly (measured) for this
//! one string.

use leptos::prelude::*;

/// The title of a page that names itself no further.
pub const DEFAULT_TITLE: &str = "Switchboard";

/// Sets the tab's title while the page is shown, and puts back "Switchboard" when the page
/// goes unless the next page named itself already (a page that sets none, such as the
/// loading placeholder, does not keep the last page's); `text` may change (the desktop's state and unread count). Renders the same
/// nothing on both sides (hydration must find what the server wrote): on the server,
/// leptos_meta's `Title` registers the text with the head and its own (empty) view is
/// dropped.
#[component]
pub fn PageTitle(#[prop(into)] text: Signal<String>) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        let _registered = leptos_meta::Title(
            leptos_meta::TitleProps::builder()
                .text(move || text.get())
                .build(),
        );
    }
    #[cfg(not(feature = "ssr"))]
    {
        // What this page set last (kept outside the page's reactive values, which go with
        // it).
        let shown = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let set = shown.clone();
        Effect::new(move |_| {
            let title = text.get();
            document().set_title(&title);
            if let Ok(mut last) = set.lock() {
                *last = title;
            }
        });
        // Only while the tab still says ours: a page that replaced this one may have set
        // its own first (a lazily loaded page's effect runs before the old page goes).
        on_cleanup(move || {
            if shown.lock().is_ok_and(|t| *t == document().title()) {
                document().set_title(DEFAULT_TITLE);
            }
        });
    }
}
