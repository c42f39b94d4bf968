//! The HTML shell and the router.

use super::language::provide_language;
use super::title::PageTitle;
use super::{
    admin::AdminRoute,
    conversations::ConversationsRoute,
    desktop::DesktopPage,
    login::LoginRoute,
    password::PasswordRoute,
    supervisor::{ReportsRoute, SupervisionRoute},
};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    Lazy, ParamSegment, StaticSegment,
};

/// The document around the app, rendered on the server only.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = super::language::request_locale().as_str();
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <AutoReload options=options.clone() />
                // The style sheet by its hashed name (kept for a year by the browser).
                <leptos_meta::HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <leptos_meta::MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The desktop (and the not-found page) is in the main module of the WebAssembly; the other
/// pages are chunks of their own (`#[lazy_route]`, built with `cargo leptos build --split`),
/// fetched when opened. Measured: splitting the desktop out too made it 3% heavier and 14 requests
/// longer (code the pages share goes to small chunks of its own), for a lighter login page
/// that every agent follows with the desktop anyway.
#[component]
pub fn App() -> impl IntoView {
    // Titles go into the server's `<head>` through leptos_meta; the browser sets them
    // itself (see `title`).
    #[cfg(feature = "ssr")]
    leptos_meta::provide_meta_context();
    provide_language();
    view! {
        <Router>
            <Routes fallback=NotFound>
                <Route path=StaticSegment("") view=DesktopPage />
                <Route path=StaticSegment("login") view={Lazy::<LoginRoute>::new()} />
                <Route path=StaticSegment("admin") view={Lazy::<AdminRoute>::new()} />
                <Route path=(StaticSegment("admin"), ParamSegment("section")) view={Lazy::<AdminRoute>::new()} />
                <Route path=StaticSegment("password") view={Lazy::<PasswordRoute>::new()} />
                <Route path=StaticSegment("conversations") view={Lazy::<ConversationsRoute>::new()} />
                <Route path=StaticSegment("supervision") view={Lazy::<SupervisionRoute>::new()} />
                <Route path=(StaticSegment("supervision"), StaticSegment("reports")) view={Lazy::<ReportsRoute>::new()} />
            </Routes>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), common.not_found_title) />
        <main class="centered-page">
            <div class="card narrow">
                <h1>{t!(i18n, common.not_found_heading)}</h1>
                <p>{t!(i18n, common.not_found_text)}</p>
                <a href="/">{t!(i18n, common.not_found_link)}</a>
            </div>
        </main>
    }
}
