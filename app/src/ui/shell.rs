//! The HTML shell and the router.

use super::{admin::AdminRoute, desktop::DesktopPage, login::LoginRoute, password::PasswordRoute};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Link, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    Lazy, ParamSegment, StaticSegment,
};

/// The document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <AutoReload options=options.clone() />
                // The style sheet by its hashed name (kept for a year by the browser).
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
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
    provide_meta_context();
    view! {
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg" />
        <Title text="Switchboard" />
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
        <main class="centered-page">
            <div class="card narrow">
                <h1>"Page not found"</h1>
                <p>"There is nothing at this address."</p>
                <a href="/">"Go to the agent desktop"</a>
            </div>
        </main>
    }
}
