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
pub mod settings;
pub mod state;
pub mod store;
pub mod wire;

use std::future::Future;

use axum::serve::ListenerExt;
use tokio::net::TcpListener;

pub use state::{AppState, ServerConfig, Shared};

/// Serves the API on `listener` until `shutdown` resolves, then drains the
/// requests in flight before returning.
pub async fn launch(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = listener.tap_io(|tcp| {
        // Small JSON replies: do not let Nagle hold them back.
        let _ = tcp.set_nodelay(true);
    });
    let live = state.live.clone();
    let shutdown = async move {
        shutdown.await;
        // Event streams never end by themselves: end them so draining can finish.
        live.close_streams();
    };
    axum::serve(listener, api::router(state)).with_graceful_shutdown(shutdown).await
}
