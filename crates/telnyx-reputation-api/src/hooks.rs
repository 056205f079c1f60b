//! The one place where every generated request passes through hand-written code.
//!
//! progenitor calls [`ClientHooks::exec`] for every operation, with the operation's
//! [`OperationInfo`]. The generated [`Client`](crate::Client) carries a [`Hooks`] value as its
//! inner type; when that holds a [`Transport`], `exec` hands the request to it. The
//! `telnyx-reputation` crate plugs in its rate-limit pacer, body-size limit and operation
//! tracking there, so they apply to every call, including calls made on the generated client
//! directly. Without a transport (tests of the wire layer, `Hooks::default()`), requests go
//! straight to `reqwest`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};

/// A future returned by a [`Transport`].
pub type TransportFuture<'a> =
    Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;

/// Sends one request of the generated client: the seam for pacing, limits and observation.
///
/// An implementation must eventually call `http.execute(request)` (or answer with a response
/// built from one); it may wait before sending and may wrap the response it returns.
pub trait Transport: Send + Sync + 'static {
    /// Sends `request`, which the generated client built for the operation `info`.
    fn execute<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: reqwest::Request,
        info: &'a OperationInfo,
    ) -> TransportFuture<'a>;
}

/// The generated client's inner value: an optional [`Transport`] every request goes through.
#[derive(Clone, Default)]
pub struct Hooks {
    transport: Option<Arc<dyn Transport>>,
}

impl Hooks {
    /// Hooks that send every request through `transport`.
    pub fn with_transport(transport: Arc<dyn Transport>) -> Hooks {
        Hooks {
            transport: Some(transport),
        }
    }
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hooks")
            .field("transport", &self.transport.is_some())
            .finish()
    }
}

impl ClientHooks<Hooks> for crate::Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        match &self.inner().transport {
            Some(transport) => transport.execute(self.client(), request, info).await,
            None => self.client().execute(request).await,
        }
    }
}
