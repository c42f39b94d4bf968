//! HTTP wiring: the Leptos pages and server functions, the desktop WebSocket, health and
//! metrics, behind the request guard; responses compressed and cached by kind ([`assets`]).
//! The widget's routes, Meta's webhooks and the `/api/v1` REST API (`api_v1`: a program's
//! bearer token, customers and conversations, the OpenAPI document) are merged in here.

mod agent;
mod api_v1;
mod assets;
mod chat_files;
mod chat_reading;
mod conversations;
mod email;
mod error;
mod frames;
mod gadget;
mod guard;
mod health;
mod in_flight;
pub mod locale;
mod privacy;
mod reply;
mod supervision;
mod webhooks;
mod widget;
mod widget_left;
mod widget_queue;
mod widget_reads;
mod widget_ws;
mod ws;

use crate::services::Services;
use app::{
    api::Backend,
    domain::limits::{MAX_LEFT_MESSAGE_BODY_BYTES, MAX_WIDGET_FORM_BYTES},
    shell, App,
};
use axum::{
    extract::{DefaultBodyLimit, FromRef},
    middleware,
    routing::{get, post, put},
    Router,
};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;
use tower_http::trace::TraceLayer;

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Arc<Services>,
    /// Proxies whose `X-Forwarded-For` names the client (see [`crate::gates::client_ip`]).
    pub trusted_proxies: Arc<Vec<std::net::IpAddr>>,
    /// Who may frame the app's pages (CSP `frame-ancestors`).
    pub frame_ancestors: Arc<str>,
    /// Places for open WebSockets (desktop and widget together): a socket holds one from
    /// its upgrade to its end, so the HTTP connection cap does not have to cover them.
    pub sockets: Arc<tokio::sync::Semaphore>,
    /// How many places `sockets` has, for the refusal's wording.
    pub max_sockets: usize,
}

impl AppState {
    /// A place for one more WebSocket, or the refusal (503) when all are taken.
    pub fn socket_place(&self) -> Result<tokio::sync::OwnedSemaphorePermit, error::AppError> {
        self.sockets.clone().try_acquire_owned().map_err(|_| {
            tracing::warn!("WebSocket refused: every place is taken");
            error::AppError::Unavailable(app::domain::refusal::Reason::SocketsFull {
                max: self.max_sockets,
            })
        })
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// SPEC S-5: the desktop's beacon when its page is closed or reloaded.
async fn leave(
    axum::extract::State(state): axum::extract::State<AppState>,
    agent::SignedIn(agent): agent::SignedIn,
) -> http::StatusCode {
    state.services.page_leaving(agent).await;
    http::StatusCode::NO_CONTENT
}

/// What the widget reads, each address within its allowance a minute (issue 17).
fn widget_reads(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/widget/i18n/{file}", get(widget::translations))
        .route("/widget/api/config", get(widget::config))
        .route("/widget/api/availability", get(widget::availability))
        .route("/widget/api/session", get(widget::session))
        .route("/widget/api/forget", post(widget::forget))
        .route("/widget/api/transcript", get(widget::transcript))
        .route("/widget/ws", get(widget_ws::widget_socket))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            widget_reads::within_limit,
        ))
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let backend: Arc<dyn Backend> = state.services.clone();
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(health::metrics))
        .route("/ws", get(ws::desktop_socket))
        .route("/api/leave", post(leave))
        .route("/supervision/live", get(supervision::live))
        .route("/supervision/chats/{id}/live", get(chat_reading::live))
        .route("/chat/files/{contact}/{sha256}", get(chat_files::chat_file))
        .route(
            "/conversations/{contact}/transcript.txt",
            get(conversations::transcript_text),
        )
        .route(
            "/conversations/{contact}/transcript.pdf",
            get(conversations::transcript_pdf_file),
        )
        .route(
            "/admin/customers/{customer}/export.json",
            get(privacy::export),
        )
        .route("/email/{contact}/body", get(email::body))
        .route("/email/attachments/{id}", get(email::attachment))
        .route("/email/inline/{token}", get(email::inline))
        .route("/email/{contact}/draft", put(reply::save_draft))
        .route("/email/{contact}/files", post(reply::add_file))
        .route(
            "/email/{contact}/files/{id}",
            get(reply::draft_file).delete(reply::remove_file),
        )
        .route("/email/{contact}/send", post(reply::send))
        .route("/gadget/switchboard.xml", get(gadget::descriptor))
        .route("/gadget/manifest.json", get(gadget::manifest))
        .route("/demo", get(widget::demo))
        .merge(widget_reads(&state))
        .route(
            "/widget/api/start",
            post(widget::start).layer(DefaultBodyLimit::max(MAX_WIDGET_FORM_BYTES)),
        )
        .route(
            "/widget/api/message",
            post(widget_left::leave_message).layer(DefaultBodyLimit::max(MAX_WIDGET_FORM_BYTES)),
        )
        .route(
            "/widget/api/message/with-files",
            post(widget_left::leave_message_with_files)
                .layer(DefaultBodyLimit::max(MAX_LEFT_MESSAGE_BODY_BYTES)),
        )
        .merge(webhooks::routes())
        .merge(api_v1::routes(&state))
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(backend.clone());
                // The nonce the guard put in the page's Content-Security-Policy: the
                // hydration scripts carry it.
                if let Some(nonce) = use_context::<http::request::Parts>()
                    .and_then(|p| p.extensions.get::<guard::CspNonce>().cloned())
                {
                    provide_context(leptos::nonce::Nonce::from_value(nonce.0));
                }
            },
            move || shell(options.clone()),
        )
        .fallback_service(assets::site_files(
            &state.leptos_options.site_root,
            axum::handler::Handler::with_state(
                leptos_axum::file_and_error_handler::<AppState, _>(shell),
                state.clone(),
            ),
        ))
        .layer(middleware::from_fn_with_state(state.clone(), guard::guard))
        // Outside the guard, so whatever runs inside it (the guard too) words its
        // sentences in the reader's language.
        .layer(middleware::from_fn(locale::scope))
        .layer(middleware::from_fn(assets::caching))
        .layer(assets::compression())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
