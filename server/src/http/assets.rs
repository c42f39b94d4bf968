//! How responses travel (issue 13): compressed when the browser accepts it (Brotli or
//! gzip; the files the release build precompressed, `.br` and `.gz` beside each, are sent
//! as they are), and cached as long as each kind of response may be. The built site's
//! files carry a hash of their content in their name, so a browser keeps them for a year
//! and never asks again; files with a fixed name (the widget's) are checked again on every
//! use (a cheap 304, [`site_files`]); pages are never kept.

use axum::{extract::Request, middleware::Next, response::Response};
use http::{header, HeaderValue, StatusCode, Version};
use tower_http::{
    compression::{predicate::Predicate, CompressionLayer, DefaultPredicate},
    services::ServeDir,
};

/// A built file whose name holds its content's hash.
const FOREVER: &str = "public, max-age=31536000, immutable";
/// A file whose name stays the same from one version to the next.
const CHECK_EACH_TIME: &str = "no-cache";
/// A page: made for this person and this moment (its script nonce included).
const PAGE: &str = "private, no-cache";

/// The `Cache-Control` a response to `path` gets, unless it set its own.
pub fn cache_control(path: &str, status: StatusCode, content_type: &str) -> Option<&'static str> {
    if !status.is_success() && status != StatusCode::NOT_MODIFIED {
        return None;
    }
    if let Some(file) = path.strip_prefix("/pkg/") {
        return Some(if is_hashed(file) {
            FOREVER
        } else {
            CHECK_EACH_TIME
        });
    }
    if content_type.starts_with("text/html") {
        return Some(if is_static_file(path) {
            CHECK_EACH_TIME
        } else {
            PAGE
        });
    }
    is_static_file(path).then_some(CHECK_EACH_TIME)
}

/// `switchboard.0a1b2c3d4e.wasm`: the build's content hash between the name and the
/// extension (cargo-leptos `hash-files`), the split WebAssembly's chunks included. Without
/// hash-files the split's loader is `__wasm_split.______________________.js`: a
/// placeholder, not a hash, so it is asked for again.
fn is_hashed(file: &str) -> bool {
    let mut parts = file.split('.');
    let (Some(_name), Some(hash), Some(_ext)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    hash.len() >= 8
        && hash
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && hash.chars().any(|c| c.is_ascii_alphanumeric())
}

/// A file of the site's `public` folder (the widget, the favicon, the demo page).
fn is_static_file(path: &str) -> bool {
    [
        ".js", ".css", ".svg", ".html", ".json", ".wasm", ".ico", ".png",
    ]
    .iter()
    .any(|ext| path.ends_with(ext))
}

/// Sets each response's caching (see [`cache_control`]). A file the build precompressed is
/// sent as it is, and the compression layer, which names `Accept-Encoding` in `Vary` on
/// what it compresses, passes it by: it is named here, so that no cache hands the Brotli
/// form to a browser that asked for gzip.
pub async fn caching(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let mut response = next.run(req).await;
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if let Some(value) = cache_control(&path, response.status(), content_type) {
        if !response.headers().contains_key(header::CACHE_CONTROL) {
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
        }
    }
    if response.headers().contains_key(header::CONTENT_ENCODING) {
        let named = response
            .headers()
            .get_all(header::VARY)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|v| v.trim().eq_ignore_ascii_case("accept-encoding"));
        if !named {
            response
                .headers_mut()
                .append(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
    }
    response
}

/// The built site's files (the WebAssembly, scripts, styles, the widget): each file's
/// precompressed form when the browser takes it, and the whole request handed over, so a
/// browser checking a file again with `If-Modified-Since` is answered 304 without the file.
/// (leptos_axum's own file handler passes on only the path and `Accept-Encoding`: every
/// check sent the whole widget again.) Anything else, whatever its method, goes to
/// `not_found`: the app's page for an unknown address, answered as it is.
pub fn site_files<F: Clone>(root: &str, not_found: F) -> ServeDir<F> {
    ServeDir::new(root)
        .precompressed_br()
        .precompressed_gzip()
        .call_fallback_on_method_not_allowed(true)
        // As it answers (its 404 page, or a redirect the app's routes chose).
        .fallback(not_found)
}

/// Brotli or gzip as the browser asks (Brotli at level 4, gzip at its default: fast enough
/// to do on the fly), for text, scripts, styles and Wasm above 32 bytes; never a WebSocket
/// upgrade, an image, or what is compressed already.
pub fn compression() -> CompressionLayer<impl Predicate> {
    let not_upgrade =
        |status: StatusCode, _: Version, _: &http::HeaderMap, _: &http::Extensions| {
            status != StatusCode::SWITCHING_PROTOCOLS
        };
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .compress_when(DefaultPredicate::new().and(not_upgrade))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_files_with_a_hash_are_kept_for_a_year() {
        let ok = StatusCode::OK;
        assert_eq!(
            cache_control("/pkg/switchboard.3f9a2b7c1d.wasm", ok, "application/wasm"),
            Some(FOREVER)
        );
        assert_eq!(
            cache_control("/pkg/switchboard.3f9a2b7c1d.css", ok, "text/css"),
            Some(FOREVER)
        );
        // The split WebAssembly: its loader and its chunks.
        for chunk in [
            "/pkg/__wasm_split.F5htZAZ61As780qDo7RDmQ.js",
            "/pkg/chunk_11.4-KNrJfYGFAon_AIa_z2kA.wasm",
            "/pkg/split___admin_route_view_150541895.Hj7SC7gtBgaebgpiy8ly_g.wasm",
        ] {
            assert_eq!(cache_control(chunk, ok, "application/wasm"), Some(FOREVER));
        }
        // Without a hash (a build without hash-files) the browser must ask again.
        assert_eq!(
            cache_control("/pkg/switchboard.wasm", ok, "application/wasm"),
            Some(CHECK_EACH_TIME)
        );
        assert_eq!(
            cache_control(
                "/pkg/__wasm_split.______________________.js",
                ok,
                "text/javascript"
            ),
            Some(CHECK_EACH_TIME)
        );
    }

    #[test]
    fn fixed_names_are_checked_again_and_pages_never_kept() {
        let ok = StatusCode::OK;
        assert_eq!(
            cache_control("/widget.js", ok, "text/javascript"),
            Some(CHECK_EACH_TIME)
        );
        assert_eq!(
            cache_control("/widget/chat.html", ok, "text/html"),
            Some(CHECK_EACH_TIME)
        );
        assert_eq!(
            cache_control("/desktop", ok, "text/html; charset=utf-8"),
            Some(PAGE)
        );
        assert_eq!(
            cache_control("/widget/api/config", ok, "application/json"),
            None
        );
        assert_eq!(
            cache_control(
                "/pkg/switchboard.3f9a2b7c1d.wasm",
                StatusCode::NOT_FOUND,
                ""
            ),
            None
        );
    }
}
