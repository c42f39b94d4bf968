//! SPEC D-1: "Log in in a new window", for browsers that keep no cookie in a cross-site
//! frame (not even a partitioned one). The frame opens the login page in a window of its
//! own, where the site is first-party; that window logs in, tells the frame and closes;
//! the frame then asks the browser for storage access (the Storage Access API, which needs
//! the user's click when the browser has not granted it yet) and loads the desktop with the
//! cookies the window left.
//!
//! The window's session cookie is a framed one that is not partitioned
//! (`auth::frame_session_cookies` on the server): storage access opens only unpartitioned
//! cookies. Its writes need the CSRF token like any framed session's.

use crate::i18n::*;
use leptos::prelude::*;

/// The message the login window posts to the frame that opened it (same origin only): a
/// key of its own, apart from the gadget API's `switchboard` messages.
#[cfg(feature = "hydrate")]
const DONE_KEY: &str = "switchboard_login";
#[cfg(feature = "hydrate")]
const DONE_VALUE: &str = "done";

/// Where the frame's login is in the new-window path.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The link is offered.
    Offer,
    /// The window is open; the frame waits for its word.
    Waiting,
    /// The browser did not open the window.
    Blocked,
    /// The window logged in; the browser wants the user's click to grant storage access.
    Continue,
    /// The browser refused storage access: the desktop must go in a tab of its own.
    Refused,
}

/// The frame's side: the link, then what the frame waits for. `host` is the host desktop's
/// origin, which the window's login sends as the frame's would.
#[component]
pub fn NewWindowLogin(host: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let step = RwSignal::new(Step::Offer);
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::message, move |event| {
            if Some(event.origin()) != window().location().origin().ok() || !is_done(&event.data())
            {
                return;
            }
            leptos::task::spawn_local(async move {
                if storage::has_access().await {
                    open_desktop();
                } else {
                    step.set(Step::Continue);
                }
            });
        });
        on_cleanup(move || handle.remove());
    }
    let open = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let address = format!(
                "/login?window=1&host={}",
                js_sys::encode_uri_component(&host.get_untracked())
            );
            let opened = window().open_with_url_and_target_and_features(
                &address,
                "switchboard-login",
                "popup,width=480,height=640",
            );
            step.set(match opened {
                Ok(Some(_)) => Step::Waiting,
                _ => Step::Blocked,
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = host;
    };
    let grant = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            if storage::request_access().await {
                open_desktop();
            } else {
                step.set(Step::Refused);
            }
        });
    };
    let said = move || match step.get() {
        Step::Offer => None,
        Step::Waiting => Some(t_string!(i18n, common.login.window_waiting)),
        Step::Blocked => Some(t_string!(i18n, common.login.window_blocked)),
        Step::Continue => Some(t_string!(i18n, common.login.window_continue_text)),
        Step::Refused => Some(t_string!(i18n, common.login.window_refused)),
    };
    view! {
        <section class="card narrow login-window" aria-labelledby="login-window-heading">
            <h2 id="login-window-heading">{t!(i18n, common.login.window_hint)}</h2>
            <p class="muted" role="status">
                {said}
            </p>
            <Show when=move || step.get() == Step::Continue>
                <button class="primary" type="button" on:click=grant>
                    {t!(i18n, common.login.window_continue)}
                </button>
            </Show>
            <Show when=move || step.get() == Step::Refused>
                <a href="/" target="_blank" rel="noopener">
                    {t!(i18n, common.login.window_open_tab)}
                </a>
            </Show>
            <Show when=move || !matches!(step.get(), Step::Continue | Step::Refused)>
                <button type="button" on:click=open>
                    {t!(i18n, common.login.window_open)}
                </button>
            </Show>
        </section>
    }
}

/// The window's side, once logged in: tells the frame that opened it, and closes. Opened
/// by hand (no frame waiting), it only says so.
#[component]
pub fn LoginWindowDone() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    // No frame waits for this window (opened by hand, or its frame is gone): it says how to
    // go on instead of promising to close.
    let alone = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let window = window();
        let Some(opener) = window
            .opener()
            .ok()
            .filter(|o| !o.is_null() && !o.is_undefined())
        else {
            alone.set(true);
            return;
        };
        let Ok(origin) = window.location().origin() else {
            return;
        };
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &DONE_KEY.into(), &DONE_VALUE.into());
        let opener: web_sys::Window = wasm_bindgen::JsCast::unchecked_into(opener);
        if opener.post_message(&message, &origin).is_ok() {
            let _ = window.close();
        } else {
            alone.set(true);
        }
    });
    view! {
        <super::title::PageTitle text=td_string!(locale, common.login.window_done_title) />
        <main class="centered-page">
            <section class="card narrow login-card" role="status">
                <div class="brand-mark" aria-hidden="true">"SB"</div>
                <h1>"Switchboard"</h1>
                <p>
                    {move || if alone.get() {
                        t_string!(i18n, common.login.window_done_alone)
                    } else {
                        t_string!(i18n, common.login.window_done)
                    }}
                </p>
            </section>
        </main>
    }
}

/// Whether a message is the login window's word.
#[cfg(feature = "hydrate")]
fn is_done(data: &wasm_bindgen::JsValue) -> bool {
    js_sys::Reflect::get(data, &DONE_KEY.into())
        .ok()
        .and_then(|value| value.as_string())
        .is_some_and(|value| value == DONE_VALUE)
}

#[cfg(feature = "hydrate")]
fn open_desktop() {
    let _ = window().location().set_href("/");
}

/// The Storage Access API (not in web-sys's stable set), reached by name: a browser
/// without it keeps cookies in frames the old way, so it counts as having access.
#[cfg(feature = "hydrate")]
mod storage {
    use wasm_bindgen::{JsCast, JsValue};

    async fn call(name: &str) -> Result<JsValue, JsValue> {
        let document: JsValue = leptos::prelude::document().into();
        let function = js_sys::Reflect::get(&document, &name.into())?;
        let Some(function) = function.dyn_ref::<js_sys::Function>() else {
            return Ok(JsValue::TRUE);
        };
        let promise: js_sys::Promise = function.call0(&document)?.dyn_into()?;
        let answer = wasm_bindgen_futures::JsFuture::from(promise).await?;
        Ok(if answer.is_undefined() {
            JsValue::TRUE
        } else {
            answer
        })
    }

    /// Whether this frame already reaches the site's unpartitioned cookies.
    pub async fn has_access() -> bool {
        call("hasStorageAccess")
            .await
            .is_ok_and(|answer| answer.is_truthy())
    }

    /// Asks for it (the browser may ask the user); false when refused.
    pub async fn request_access() -> bool {
        call("requestStorageAccess").await.is_ok()
    }
}
