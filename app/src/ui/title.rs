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
/// goes (a page that sets none, such as the loading placeholder, does not keep the last
/// page's); `text` may change (the desktop's state and unread count). Renders the same
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
        Effect::new(move |_| document().set_title(&text.get()));
        // The next page's title effect runs after this cleanup.
        on_cleanup(|| document().set_title(DEFAULT_TITLE));
    }
}
