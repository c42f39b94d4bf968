//! Runs before every request: refuses cross-site writes and WebSocket upgrades (CSRF, on top
//! of the SameSite=Strict cookie), records the client address for the login slowdown, adds
//! safe default headers, and counts requests.

use super::AppState;
use app::api::ClientInfo;
use axum::{
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use http::{header, HeaderValue, Method, StatusCode};
use std::net::SocketAddr;

/// A fresh random value per request, in the page's policy and on its scripts.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// The app's pages: scripts only from this server and the page's own inline ones (the
/// hydration scripts, which carry the nonce); WebAssembly compiled; styles from this server
/// and in attributes (the reply editor aligns paragraphs); images also from the web (an
/// image an agent puts in a reply by its address); framed only by `frame_ancestors`.
fn page_policy(nonce: &str, frame_ancestors: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https:; \
         connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors {frame_ancestors}"
    )
}

/// The widget's page: nothing inline at all, and any site may frame it (SPEC K-1).
fn widget_policy() -> String {
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors *"
        .to_string()
}

/// True when the request comes from a page of another site.
fn cross_site(req: &Request) -> bool {
    let headers = req.headers();
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site")
    {
        return true;
    }
    let (Some(origin), Some(host)) = (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) else {
        // Browsers send Origin on every cross-origin write; a request without one comes from
        // a non-browser client, which holds no victim's cookie.
        return false;
    };
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(origin);
    origin_host != host
}

/// Every request: counted, checked, given its headers, and timed to its response's headers
/// (a WebSocket to its upgrade, a download to its first byte).
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let metrics = state.services.metrics.clone();
    metrics.http_request();
    let response = checked(state, req, next).await;
    metrics.http_response(response.status().as_u16(), started.elapsed());
    response
}

async fn checked(state: AppState, mut req: Request, next: Next) -> Response {
    let is_upgrade = req.headers().contains_key(header::UPGRADE);
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if (writes || is_upgrade) && cross_site(&req) {
        tracing::warn!(path = %req.uri().path(), "cross-site request refused");
        return (
            StatusCode::FORBIDDEN,
            "Cross-site requests are not allowed.",
        )
            .into_response();
    }
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| crate::gates::client_ip(c.0.ip(), req.headers(), &state.trusted_proxies));
    req.extensions_mut().insert(ClientInfo { ip });
    let nonce = CspNonce(crate::auth::new_token());
    req.extensions_mut().insert(nonce.clone());
    let widget_page = req.uri().path().starts_with("/widget/");
    let mut response = next.run(req).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let headers = response.headers_mut();
    // Pages that set their own policy (the email frame) keep it.
    if html && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let policy = if widget_page {
            widget_policy()
        } else {
            page_policy(&nonce.0, &state.frame_ancestors)
        };
        if let Ok(value) = HeaderValue::from_str(&policy) {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    if state.services.secure_cookies {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}
