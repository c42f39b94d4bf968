//! The language of the person a request is for, known to everything that words a sentence
//! while the request runs (a refusal above all), without passing it through every call:
//! the middleware [`scope`] works it out once per request (the `sb_lang` cookie, else
//! `Accept-Language`, as the pages do) and runs the rest of the request with it, and
//! [`current`] reads it. A WebSocket outlives its request: its handler takes the language
//! at the upgrade and keeps it.

use app::{domain::language, i18n::Locale};
use axum::{extract::Request, middleware::Next, response::Response};
use http::{header, HeaderMap, HeaderName};
use std::future::Future;

tokio::task_local! {
    static LOCALE: Locale;
}

/// Runs every request in the language of its reader.
pub async fn scope(req: Request, next: Next) -> Response {
    within(of_headers(req.headers()), next.run(req)).await
}

/// Runs `work` with `locale` as the [`current`] language.
pub async fn within<F: Future>(locale: Locale, work: F) -> F::Output {
    LOCALE.scope(locale, work).await
}

/// The language of the request being served; English outside a request (a background task).
pub fn current() -> Locale {
    LOCALE.try_with(|locale| *locale).unwrap_or_default()
}

/// The language these headers ask for: the cookie first, else the browser's languages.
/// Several `Cookie` headers are one list, as are several `Accept-Language` headers.
pub fn of_headers(headers: &HeaderMap) -> Locale {
    let cookies = joined(headers, &header::COOKIE, "; ");
    let accept = joined(headers, &header::ACCEPT_LANGUAGE, ", ");
    language::pick(cookies.as_deref(), accept.as_deref())
}

fn joined(headers: &HeaderMap, name: &HeaderName, separator: &str) -> Option<String> {
    let values: Vec<&str> = headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    (!values.is_empty()).then(|| values.join(separator))
}

/// A language a page names itself (`?lang=fr`, as the widget does: its host page chose
/// it), which wins over the request's.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Asked {
    lang: Option<String>,
}

impl Asked {
    /// The language named, if it is one we speak; else the request's.
    pub fn or_current(&self) -> Locale {
        self.lang
            .as_deref()
            .and_then(language::parse)
            .unwrap_or_else(current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn headers_given_twice_count_as_one_list() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("a=1"));
        headers.append(header::COOKIE, HeaderValue::from_static("sb_lang=fr"));
        assert_eq!(of_headers(&headers), Locale::fr);
        let mut headers = HeaderMap::new();
        headers.append(header::ACCEPT_LANGUAGE, HeaderValue::from_static("de"));
        headers.append(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("fr;q=0.5"),
        );
        assert_eq!(of_headers(&headers), Locale::fr);
        assert_eq!(of_headers(&HeaderMap::new()), Locale::en);
    }

    #[tokio::test]
    async fn the_language_holds_for_the_request_only() {
        assert_eq!(current(), Locale::en);
        assert_eq!(within(Locale::fr, async { current() }).await, Locale::fr);
        let asked = Asked {
            lang: Some("fr-CA".into()),
        };
        assert_eq!(asked.or_current(), Locale::fr);
        assert_eq!(
            within(Locale::fr, async { Asked::default().or_current() }).await,
            Locale::fr
        );
    }
}
