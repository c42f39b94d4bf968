//! The HTML shell and the router.

use super::{admin::AdminPage, desktop::DesktopPage, login::LoginPage, password::PasswordPage};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Link, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    ParamSegment, StaticSegment,
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

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg" />
        <Title text="Switchboard" />
        <Router>
            <Routes fallback=NotFound>
                <Route path=StaticSegment("") view=DesktopPage />
                <Route path=StaticSegment("login") view=LoginPage />
                <Route path=StaticSegment("admin") view=AdminPage />
                <Route path=(StaticSegment("admin"), ParamSegment("section")) view=AdminPage />
                <Route path=StaticSegment("password") view=PasswordPage />
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
