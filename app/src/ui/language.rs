//! The page's language, chosen once per page: on the server from the request
//! ([`crate::domain::language::pick`]), in the browser from the `<html lang>` the server
//! wrote, so hydration renders the same words the server did.

use crate::i18n::Locale;
use leptos::prelude::*;
use leptos_i18n::context::init_i18n_context_with_options;

/// Creates and provides the translation context (`use_i18n()` below it).
pub fn provide_language() {
    let i18n = init_i18n_context_with_options::<Locale>(Default::default());
    #[cfg(feature = "ssr")]
    i18n.set_locale_untracked(request_locale());
    provide_context(i18n);
}

/// The language of the request being rendered (English outside a request).
#[cfg(feature = "ssr")]
pub fn request_locale() -> Locale {
    let Some(parts) = use_context::<http::request::Parts>() else {
        return Locale::default();
    };
    let header = |name| {
        parts
            .headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let cookies = header(http::header::COOKIE);
    let accept = header(http::header::ACCEPT_LANGUAGE);
    crate::domain::language::pick(Some(&cookies), Some(&accept))
}
