//! The accept loop: hyper's connection builder with what a public server needs that
//! `axum::serve` does not set. A client must send a request's headers within 10 s and keep
//! a body moving (a gap of 30 s between two pieces ends it), so a slow client cannot hold a
//! connection; at most 10,000 HTTP connections are served at once (a new one waits for a
//! free place). See [`Bounds`]. A connection upgraded to a WebSocket leaves the count for
//! the sockets' own (`AppState::sockets`), besides what opens them (a login session, a
//! chat's cookie, at most 5 widget sockets each).

use axum::{extract::ConnectInfo, Router};
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::{conn::auto::Builder, graceful::GracefulShutdown},
    service::TowerToHyperService,
};
use std::{sync::Arc, time::Duration};
use tokio::{net::TcpListener, sync::Semaphore};
use tower::ServiceExt;

/// What one client may take of the server.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// Time a client has to send a request's headers.
    pub header_read_timeout: Duration,
    /// Longest gap while a request's body arrives.
    pub body_read_timeout: Duration,
    /// Connections served at once (the sandbox allows 20,000 open files per process).
    pub max_connections: usize,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            max_connections: 10_000,
        }
    }
}

/// How long a stop waits for requests under way before it ends anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Serves until the shutdown future completes; handlers see the peer as `ConnectInfo`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, router, shutdown, Bounds::default()).await
}

/// [`serve`] within other bounds (tests prove each bound with short ones).
pub async fn serve_with(
    listener: TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    bounds: Bounds,
) -> std::io::Result<()> {
    let router = router.layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
        bounds.body_read_timeout,
    ));
    let places = Arc::new(Semaphore::new(bounds.max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let place = tokio::select! {
            place = places.clone().acquire_owned() => place.expect("never closed"),
            _ = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, say: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        // Chat lines are small writes: without this, Nagle's algorithm holds one back until
        // the peer acknowledges the last, which a delayed ACK puts off by up to 40 ms.
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set");
        }
        let service = router
            .clone()
            .map_request(move |mut req: axum::extract::Request| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            })
            .map_request(|req: http::Request<hyper::body::Incoming>| {
                req.map(axum::body::Body::new)
            });
        // HTTP/1.1 only (behind TLS a proxy speaks HTTP/2 to browsers): the header timeout
        // then runs from the connection's first byte, with no protocol sniffing before it.
        let mut builder = Builder::new(TokioExecutor::new()).http1_only();
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(bounds.header_read_timeout);
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(%peer, error = %e, "connection ended");
            }
            drop(place);
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still under way at the stop");
    }
    Ok(())
}
