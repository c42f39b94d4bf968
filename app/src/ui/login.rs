//! The login page. It works without JavaScript too: the form posts to the server function.

use crate::api::Login;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let error = move || {
        login
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    };
    view! {
        <Title text="Log in · Switchboard" />
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
