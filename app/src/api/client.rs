//! How the page's code proves a write is its own when the desktop is a gadget on another
//! site (SPEC D-1). There the session cookie travels in cross-site frames
//! (`SameSite=None`), so the server asks every write of such a session for a token beside
//! the cookie: the page reads it from a cookie of its own ([`CSRF_COOKIE`], readable by
//! this origin's scripts only) and sends it back in [`CSRF_HEADER`] (or [`CSRF_QUERY`]
//! where no header can be set: the WebSocket, the closing beacon). A page of another site
//! can send the cookies but cannot read the token.
//!
//! [`Client`] is the server functions' client: the browser's `fetch` with the header added.

/// Set with a framed session, readable by the page's script.
pub const CSRF_COOKIE: &str = "__Host-sb_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const CSRF_QUERY: &str = "csrf";

/// The token of this browser's framed session, if it has one. A frame may see two such
/// cookies, its partitioned one and the one a login window left (reached through storage
/// access), one of them stale: all are sent, comma-separated, and the server takes the one
/// that proves its session.
#[cfg(feature = "hydrate")]
pub fn csrf_token() -> Option<String> {
    use wasm_bindgen::JsCast;
    let document = leptos::prelude::document()
        .dyn_into::<web_sys::HtmlDocument>()
        .ok()?;
    let cookies = document.cookie().ok()?;
    let tokens: Vec<&str> = cookies
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, value)| *name == CSRF_COOKIE && !value.is_empty())
        .map(|(_, value)| value)
        .collect();
    (!tokens.is_empty()).then(|| tokens.join(","))
}

#[cfg(not(feature = "hydrate"))]
pub fn csrf_token() -> Option<String> {
    None
}

/// `&csrf=<token>` for an address, or nothing without a framed session.
pub fn csrf_query() -> String {
    csrf_token()
        .map(|token| format!("{CSRF_QUERY}={token}"))
        .unwrap_or_default()
}

#[cfg(feature = "hydrate")]
pub use browser::Client;

/// On the server the client is never used to send: the default one stands in.
#[cfg(not(feature = "hydrate"))]
pub type Client = leptos::server_fn::client::browser::BrowserClient;

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::server_fn::{
        client::{browser::BrowserClient, Client as ServerFnClient},
        error::FromServerFnError,
        request::browser::BrowserRequest,
        response::browser::BrowserResponse,
        Bytes,
    };
    use std::future::Future;

    /// `fetch`, with the CSRF header when the session is a framed one.
    pub struct Client;

    impl<E, IS, OS> ServerFnClient<E, IS, OS> for Client
    where
        E: FromServerFnError,
        IS: FromServerFnError,
        OS: FromServerFnError,
    {
        type Request = BrowserRequest;
        type Response = BrowserResponse;

        fn send(req: BrowserRequest) -> impl Future<Output = Result<BrowserResponse, E>> + Send {
            if let Some(token) = super::csrf_token() {
                req.headers().set(super::CSRF_HEADER, &token);
            }
            <BrowserClient as ServerFnClient<E, IS, OS>>::send(req)
        }

        fn open_websocket(
            path: &str,
        ) -> impl Future<
            Output = Result<
                (
                    impl futures_core::Stream<Item = Result<Bytes, Bytes>> + Send + 'static,
                    impl futures_sink::Sink<Bytes> + Send + 'static,
                ),
                E,
            >,
        > + Send {
            <BrowserClient as ServerFnClient<E, IS, OS>>::open_websocket(path)
        }

        fn spawn(future: impl Future<Output = ()> + Send + 'static) {
            <BrowserClient as ServerFnClient<E, IS, OS>>::spawn(future)
        }
    }
}
