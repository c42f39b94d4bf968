//! The login page. It works without JavaScript too: the form posts to the server function.

use super::title::PageTitle;
use crate::api::{Login, LoginRefused};
use leptos::prelude::*;
use leptos_router::{hooks::use_query_map, lazy_route, LazyRoute};

/// Why an open page sent its user here (`/login?ended=1`): their session was ended
/// elsewhere (logged out, a password changed, the account disabled) or ran out.
const SESSION_ENDED: &str =
    "Your session has ended (your password or account was changed, you logged out \
     elsewhere, or its time ran out). Log in again to go on.";

/// `/login`, a chunk of the WebAssembly of its own (see the shell).
pub struct LoginRoute;

#[lazy_route]
impl LazyRoute for LoginRoute {
    fn data() -> Self {
        LoginRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <LoginPage /> }.into_any()
    }
}

#[component]
fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    // Set by the server: a session ended elsewhere, or a login posted before the page's
    // code ran and refused (`?refused=`).
    let (ended, refused) = use_query_map().with_untracked(|q| {
        let refused = q.get("refused").map(|r| LoginRefused::from_query(&r));
        (q.get("ended").is_some(), refused)
    });
    let error = move || match login.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        Some(Ok(())) => None,
        None => match refused {
            Some(refused) => Some(refused.message()),
            None => ended.then(|| SESSION_ENDED.to_string()),
        },
    };
    view! {
        <PageTitle text="Log in · Switchboard" />
        <main class="centered-page">
            <ActionForm action=login attr:class="card narrow login-card">
                <div class="brand-mark" aria-hidden="true">"SB"</div>
                <h1>"Switchboard"</h1>
                <p class="muted">"Log in to the agent desktop"</p>
                <label for="username">"Username"</label>
                <input
                    id="username"
                    name="username"
                    autocomplete="username"
                    autocapitalize="none"
                    spellcheck="false"
                    required
                    autofocus
                />
                <label for="password">"Password"</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    required
                />
                <p class="form-error" role="alert">
                    {error}
                </p>
                <button class="primary" type="submit" disabled=move || login.pending().get()>
                    "Log in"
                </button>
            </ActionForm>
        </main>
    }
}
