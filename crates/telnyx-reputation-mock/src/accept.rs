//! Serving connections ourselves, so that a handler can drop the connection it arrived on
//! (commit-then-drop).

use std::sync::Arc;

use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::handlers::DropConnection;

/// Accepts connections until `shutdown` is notified; each connection can be dropped by its
/// handler through a [`DropConnection`] in the request's extensions.
pub(crate) async fn accept_loop(listener: TcpListener, router: Router, shutdown: Arc<Notify>) {
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            },
            () = shutdown.notified() => return,
        };
        let _ = stream.set_nodelay(true);
        let kill = Arc::new(Notify::new());
        let router = router
            .clone()
            .layer(axum::Extension(DropConnection(Arc::clone(&kill))));
        tokio::spawn(async move {
            let service = TowerToHyperService::new(router);
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                // Dropping the connection future closes the socket without an answer.
                () = kill.notified() => {}
            }
        });
    }
}
