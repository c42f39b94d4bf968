//! Runs before every request: refuses cross-site writes and WebSocket upgrades (CSRF, on top
//! of the SameSite=Strict cookie) and a framed session's writes without its CSRF token
//! (SPEC D-1), records the client address for the login slowdown, adds
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

/// Who may frame a page: the installation's sources (`--frame-ancestors`) and the host
/// desktops the administrator allowed (SPEC D-1), read for each page so a change made on
/// any node holds at the next load. A list that cannot be read frames nothing more.
async fn frame_ancestors(state: &AppState) -> String {
    match state.services.store.gadget_hosts().await {
        Ok(hosts) if !hosts.origins.is_empty() => {
            format!("{} {}", state.frame_ancestors, hosts.origins.join(" "))
        }
        Ok(_) => state.frame_ancestors.to_string(),
        Err(e) => {
            tracing::warn!(error = %e, "gadget hosts unreadable: pages framed by none");
            state.frame_ancestors.to_string()
        }
    }
}

/// SPEC D-1: a request carrying a framed session's cookie (which travels in cross-site
/// frames) proves it comes from the page, with the session's CSRF token in its header, or
/// in its address where a browser sets no header (a WebSocket, a beacon). Other requests
/// have nothing to prove here.
fn csrf_proven(req: &Request) -> bool {
    use app::api::client::{CSRF_HEADER, CSRF_QUERY};
    use subtle::ConstantTimeEq;
    let tokens = crate::auth::frame_tokens_from_headers(req.headers());
    if tokens.is_empty() {
        return true;
    }
    let expected: Vec<String> = tokens.iter().map(|t| crate::auth::csrf_token(t)).collect();
    let from_query = || {
        req.uri().query().and_then(|query| {
            query
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .find(|(name, _)| *name == CSRF_QUERY)
                .map(|(_, value)| value.to_string())
        })
    };
    let given = req
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(from_query);
    // Several tokens when the page saw several CSRF cookies (see `csrf_token` in the
    // client), as it may carry several framed session cookies: one pair must match.
    given.is_some_and(|given| {
        given
            .split(',')
            .take(crate::auth::MAX_SESSION_COOKIES)
            .any(|given| {
                expected.iter().any(|expected| {
                    given.len() == expected.len()
                        && bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
                })
            })
    })
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
            app::domain::refusal::Reason::CrossSite.message(super::locale::current()),
        )
            .into_response();
    }
    // SPEC D-1: a login window's framed cookie is not partitioned, so a browser that allows
    // third-party cookies sends it from any site. What only the desktop's own frames read (a
    // customer's email, its files, a chat's files) is refused to a request from another site
    // carrying it.
    let path = req.uri().path();
    if (path.starts_with("/email/") || path.starts_with("/chat/files/"))
        && crate::auth::frame_token_from_headers(req.headers()).is_some()
        && cross_site(&req)
    {
        tracing::warn!(path = %req.uri().path(), "cross-site read of a customer's email or file refused");
        return (
            StatusCode::FORBIDDEN,
            app::domain::refusal::Reason::CrossSite.message(super::locale::current()),
        )
            .into_response();
    }
    if (writes || is_upgrade) && !csrf_proven(&req) {
        tracing::warn!(path = %req.uri().path(), "framed session's write without its CSRF token refused");
        return (
            StatusCode::FORBIDDEN,
            app::domain::refusal::Reason::CsrfMissing.message(super::locale::current()),
        )
            .into_response();
    }
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| crate::gates::client_ip(c.0.ip(), req.headers(), &state.trusted_proxies));
    req.extensions_mut().insert(ClientInfo {
        ip,
        ..ClientInfo::default()
    });
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
            page_policy(&nonce.0, &frame_ancestors(&state).await)
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
