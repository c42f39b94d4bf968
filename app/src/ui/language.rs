//! The page's language, chosen once per page: on the server from the request
//! ([`crate::domain::language::pick`]), in the browser from the `<html lang>` the server
//! wrote, so hydration renders the same words the server did.

use crate::i18n::Locale;
use leptos::prelude::*;
use leptos_i18n::context::init_i18n_context_with_options;

/// Creates and provides the translation context (`use_i18n()` below it).
///
/// The context comes with an effect that only writes a language cookie, which we leave to
/// the server (the library's cookie feature is off). On the server that effect is spawned
/// as a task; a page disposed on another thread while that task ran (a client that hung
/// up) made it read a disposed signal and panic. Its owner is paused once the context
/// exists (pausing reaches the owners created until then, the effect's included; one
/// created later is not paused, as seen in the cluster tests), so the task no longer runs
/// the effect from then on (a first run on another thread before the pause finds the page
/// alive); the owner lives as long as the page's.
pub fn provide_language() {
    let quiet = Owner::new();
    let i18n = quiet.with(|| init_i18n_context_with_options::<Locale>(Default::default()));
    quiet.pause();
    on_cleanup(move || drop(quiet));
    // Only while a request is rendered, not for the route list made at start-up (its
    // language would be the default anyway). Writing there met the context's signal already
    // disposed and panicked, failing a server's start (seen in CI). That list is made with a
    // stand-in request, so a request's parts do not tell it apart: its URL is empty, and a
    // real request's never is.
    #[cfg(feature = "ssr")]
    if use_context::<leptos_router::location::RequestUrl>()
        .is_some_and(|url| !url.as_ref().is_empty())
    {
        i18n.set_locale_untracked(request_locale());
    }
    provide_context(i18n);
}

/// The language of the request being rendered (English outside a request).
#[cfg(feature = "ssr")]
pub fn request_locale() -> Locale {
    let Some(parts) = use_context::<http::request::Parts>() else {
        return Locale::default();
    };
    // Several headers of a name are one list: cookies joined by "; ", languages by ", ".
    let header = |name, separator| {
        parts
            .headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(separator)
    };
    let cookies = header(http::header::COOKIE, "; ");
    let accept = header(http::header::ACCEPT_LANGUAGE, ", ");
    crate::domain::language::pick(Some(&cookies), Some(&accept))
}

/// The language menu (login page, top bar): the choice is stored with the user's account
/// (and the browser's cookie), then the page reloads to speak it, the server's words
/// included.
#[component]
pub fn LanguagePicker(#[prop(optional)] class: &'static str) -> impl IntoView {
    use crate::{api::SetLanguage, i18n::*};
    let i18n = use_i18n();
    let current = i18n.get_locale_untracked();
    let choose = ServerAction::<SetLanguage>::new();
    // A choice made before the page's code has come would be lost: disabled until then.
    let live = super::form::hydrated();
    Effect::new(move |_| {
        if let Some(Ok(())) = choose.value().get() {
            let _ = window().location().reload();
        }
    });
    let on_change = move |ev: leptos::ev::Event| {
        let language = event_target_value(&ev);
        if language != current.to_string() {
            choose.dispatch(SetLanguage { language });
        }
    };
    let failed = move || match choose.value().get() {
        Some(Err(e)) => Some(e.message(current)),
        _ => None,
    };
    view! {
        <label class=format!("language-picker {class}")>
            <span class="visually-hidden">{t!(i18n, common.login.language)}</span>
            <select on:change=on_change disabled=move || !live.get() || choose.pending().get()>
                <option value="en" selected=current == Locale::en>{t!(i18n, common.languages.en)}</option>
                <option value="fr" selected=current == Locale::fr>{t!(i18n, common.languages.fr)}</option>
            </select>
            {move || failed().map(|m| view! { <span class="form-error" role="alert">{m}</span> })}
        </label>
    }
}
