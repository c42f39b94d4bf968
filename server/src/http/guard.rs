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

pub async fn guard(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    state.services.metrics.http_request();
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
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
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
