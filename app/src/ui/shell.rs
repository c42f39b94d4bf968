//! The HTML shell and the router.

use super::title::PageTitle;
use super::{admin::AdminRoute, desktop::DesktopPage, login::LoginRoute, password::PasswordRoute};
use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    Lazy, ParamSegment, StaticSegment,
};

/// The document around the app, rendered on the server only.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
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
    view! {
        <Router>
            <Routes fallback=NotFound>
                <Route path=StaticSegment("") view=DesktopPage />
                <Route path=StaticSegment("login") view={Lazy::<LoginRoute>::new()} />
                <Route path=StaticSegment("admin") view={Lazy::<AdminRoute>::new()} />
                <Route path=(StaticSegment("admin"), ParamSegment("section")) view={Lazy::<AdminRoute>::new()} />
                <Route path=StaticSegment("password") view={Lazy::<PasswordRoute>::new()} />
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
    view! {
        <PageTitle text="Page not found · Switchboard" />
        <main class="centered-page">
            <div class="card narrow">
                <h1>"Page not found"</h1>
                <p>"There is nothing at this address."</p>
                <a href="/">"Go to the agent desktop"</a>
            </div>
        </main>
    }
}
