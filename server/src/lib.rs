//! Switchboard's server: a thin axum application around the Leptos app.
//!
//! - [`config`]: flags and environment variables.
//! - [`store`]: the [`store::Store`] trait with SQLite and PostgreSQL implementations.
//! - [`auth`]: argon2 passwords, session tokens and cookies, login slowdown.
//! - [`hub`]: per-agent channels fanning state out to every open page (SPEC D-4).
//! - [`services`]: what the server functions and the WebSocket call.
//! - [`http`]: routes, the request guard (CSRF), the WebSocket, health and metrics.
//! - [`demo`]: demo data for a first start.

pub mod auth;
pub mod clock;
pub mod config;
pub mod demo;
pub mod http;
pub mod hub;
pub mod metrics;
pub mod routing;
pub mod services;
pub mod store;

use axum::Router;
use config::Config;
use leptos::prelude::LeptosOptions;
use services::Services;
use std::{net::SocketAddr, sync::Arc};
use tokio::net::TcpListener;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create the data directory {0}: {1}")]
    DataDir(String, std::io::Error),
    #[error("cannot open the database: {0}")]
    Store(#[from] store::StoreError),
}

/// Opens the database (migrating it), seeds demo data if asked, and builds the router.
pub async fn build(config: &Config) -> Result<(Router, Arc<Services>), StartError> {
    std::fs::create_dir_all(&config.data_dir)
        .map_err(|e| StartError::DataDir(config.data_dir.display().to_string(), e))?;
    let store = store::connect(&config.database_url()).await?;
    if config.demo && demo::seed_if_empty(store.as_ref()).await? {
        tracing::info!("demo data created");
    }
    let services = Arc::new(Services::new(store, config.secure_cookies));
    let leptos_options = LeptosOptions::builder()
        .output_name("switchboard")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .build();
    let router = http::router(http::AppState {
        leptos_options,
        services: services.clone(),
    });
    Ok((router, services))
}

/// Serves until the shutdown future completes, with peer addresses for the login slowdown.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
