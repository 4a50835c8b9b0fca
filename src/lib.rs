//! agentdesk: a self-hosted call-center agent-management server speaking the
//! DeepCall API v2. `launch` runs it on a bound listener until `shutdown`.

#![forbid(unsafe_code)]

pub mod accounts;
pub mod api;
pub mod clock;
pub mod demo;
pub mod domain;
pub mod limits;
pub mod live;
pub mod push;
pub mod settings;
pub mod state;
pub mod store;
pub mod wire;

use std::future::Future;
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;

pub use state::{AppState, ServerConfig, Shared};

/// Serves the API on `listener` until `shutdown` resolves, then drains the
/// requests in flight before returning.
///
/// Each connection must send a request's headers in full within
/// `ServerConfig::header_read_timeout` (counted from when it opens, or
/// from the end of the previous reply on a kept-alive connection), else
/// it is closed: a client that opens connections and never finishes a
/// request cannot hold them (and the server's file descriptors) forever.
/// Handlers see the peer's address as `ConnectInfo<SocketAddr>`.
pub async fn launch(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let header_read_timeout = state.settings.header_read_timeout;
    let live = state.live.clone();
    let router = api::router(state);
    let connections = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    pause_after_accept_error(err).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Small JSON replies: do not let Nagle hold them back.
        let _ = tcp.set_nodelay(true);
        let service = router.clone().map_request(move |mut request: axum::http::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            request
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_read_timeout)
            .serve_connection(TokioIo::new(tcp), TowerToHyperService::new(service));
        let connection = connections.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(%peer, error = %err, "connection ended");
            }
        });
    }
    drop(listener);
    // Event streams never end by themselves: end them so draining can finish.
    live.close_streams();
    connections.shutdown().await;
    Ok(())
}

/// A failed accept: a connection that went away before it was accepted is
/// nothing; anything else (out of file descriptors) is logged, and the
/// loop waits a little instead of spinning on it.
async fn pause_after_accept_error(err: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(err.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset) {
        return;
    }
    tracing::error!(error = %err, "accepting a connection failed");
    tokio::time::sleep(Duration::from_millis(100)).await;
}
