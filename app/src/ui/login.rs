//! The login page. It works without JavaScript too: the form posts to the server function.

use super::login_window::{LoginWindowDone, NewWindowLogin};
use super::{language::LanguagePicker, title::PageTitle};
use crate::api::{Login, LoginRefused};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::{hooks::use_query_map, lazy_route, LazyRoute};

/// `/login`, a chunk of the WebAssembly of its own (see the shell).
pub struct LoginRoute;

#[lazy_route]
impl LazyRoute for LoginRoute {
    fn data() -> Self {
        LoginRoute
    }

    fn view(_this: Self) -> AnyView {
        // SPEC D-1: a login window (see `login_window`) that has logged in.
        if use_query_map().with_untracked(|q| q.get("done").is_some()) {
            return view! { <LoginWindowDone /> }.into_any();
        }
        view! { <LoginPage /> }.into_any()
    }
}

#[component]
fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let login = ServerAction::<Login>::new();
    // Set by the server: a session ended elsewhere, or a login posted before the page's
    // code ran and refused (`?refused=`).
    // SPEC D-1: a login window opened by a framed login page names its host itself.
    let (ended, refused, window_host) = use_query_map().with_untracked(|q| {
        let refused = q.get("refused").map(|r| LoginRefused::from_query(&r));
        let window_host = q.get("window").and(q.get("host"));
        (q.get("ended"), refused, window_host)
    });
    let in_window = window_host.is_some();
    let error = move || match login.value().get() {
        Some(Err(e)) => Some(e.message(locale)),
        Some(Ok(_)) => None,
        None => match refused {
            Some(refused) => Some(refused.message(locale)),
            // Why an open page sent its user here (`/login?ended=1`): their session was
            // ended elsewhere (logged out, a password changed, the account disabled) or ran
            // out; `ended=supervisor`: a supervisor logged them out (issue 18).
            None => ended.as_deref().map(|why| {
                match why {
                    "supervisor" => td_string!(locale, common.login.logged_out_by_supervisor),
                    _ => td_string!(locale, common.login.session_ended),
                }
                .to_string()
            }),
        },
    };
    // SPEC D-1: inside a host desktop's frame, the login says which host (the server
    // believes it only for a host the administrator allowed).
    let host = RwSignal::new(window_host.unwrap_or_default());
    let framed = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(origin) = framing_origin() {
            host.set(origin);
            framed.set(true);
        }
    });
    // Logged in: the desktop (or the password page) as a new page, in the account's language.
    Effect::new(move |_| {
        if let Some(Ok(target)) = login.value().get() {
            let _ = window().location().set_href(&target);
        }
    });
    view! {
        <PageTitle text=td_string!(locale, common.login.page_title) />
        <main class="centered-page">
            <ActionForm action=login attr:class="card narrow login-card">
                <div class="brand-mark" aria-hidden="true">"SB"</div>
                <h1>"Switchboard"</h1>
                <p class="muted">{t!(i18n, common.login.intro)}</p>
                <label for="username">{t!(i18n, common.login.username)}</label>
                <input
                    id="username"
                    name="username"
                    autocomplete="username"
                    autocapitalize="none"
                    spellcheck="false"
                    required
                    autofocus
                />
                <label for="password">{t!(i18n, common.login.password)}</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    required
                />
                <input type="hidden" name="host" value=move || host.get() />
                <Show when=move || in_window>
                    <input type="hidden" name="window" value="1" />
                </Show>
                <p class="form-error" role="alert">
                    {error}
                </p>
                <button class="primary" type="submit" disabled=move || login.pending().get()>
                    {t!(i18n, common.login.submit)}
                </button>
            </ActionForm>
            <Show when=move || framed.get()>
                <NewWindowLogin host />
            </Show>
            <LanguagePicker class="login-language" />
        </main>
    }
}

/// The origin of the page framing this one, if it is framed: the browser's own record of
/// its ancestors (`location.ancestorOrigins`, not in web-sys), else the origin this tab's
/// frame first found (kept for the tab: after a logout the referrer is this server
/// itself), else the referrer's, when it is another origin.
fn framing_origin() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        const KEPT: &str = "sb_frame_host";
        let window = window();
        let parent = window.parent().ok()??;
        if wasm_bindgen::JsValue::from(parent) == wasm_bindgen::JsValue::from(window.clone()) {
            return None;
        }
        let storage = window.session_storage().ok().flatten();
        let own = window.location().origin().ok();
        let ancestors = js_sys::Reflect::get(&window.location(), &"ancestorOrigins".into()).ok();
        let found = ancestors
            .and_then(|list| js_sys::Reflect::get(&list, &0.into()).ok())
            .and_then(|first| first.as_string())
            .or_else(|| {
                storage
                    .as_ref()
                    .and_then(|s| s.get_item(KEPT).ok().flatten())
            })
            .or_else(|| {
                let referrer = document().referrer();
                let (scheme, rest) = referrer.split_once("://")?;
                let host = rest.split('/').next()?;
                Some(format!("{scheme}://{host}")).filter(|origin| Some(origin) != own.as_ref())
            });
        if let (Some(storage), Some(origin)) = (&storage, &found) {
            let _ = storage.set_item(KEPT, origin);
        }
        found
    }
    #[cfg(not(feature = "hydrate"))]
    None
}
