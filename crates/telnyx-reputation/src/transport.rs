//! What every request of the generated client goes through: the pacer, the body-size limit and
//! the record of which operation ran (the API crate's [`Transport`] seam).

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use progenitor_client::OperationInfo;
use telnyx_reputation_api::{Transport, TransportFuture};

use crate::pacer::{Pacer, Permit};
use crate::server_clock::ServerClock;

tokio::task_local! {
    /// The operation id of the request the current call sent last, as the generated client named
    /// it ([`OperationInfo`]), and the HTTP status of its answer (0 before one); read by the
    /// client for its errors and logs.
    static OPERATION: std::cell::Cell<(&'static str, u16)>;
}

tokio::task_local! {
    /// The place in flight the current attempt was admitted to before it called the generated
    /// client ([`admitted`]), for the transport to use instead of waiting again.
    static ADMITTED: std::cell::Cell<Option<Permit>>;
}

/// Runs `send` (one attempt of a call) with `permit`, its place in flight, taken already: its
/// request goes out without another wait.
pub(crate) async fn admitted<F: Future>(permit: Permit, send: F) -> F::Output {
    ADMITTED
        .scope(std::cell::Cell::new(Some(permit)), send)
        .await
}

/// Runs `call` with a slot that records the operation it sends and the status it got.
pub(crate) async fn tracking<F: Future>(call: F) -> F::Output {
    OPERATION.scope(std::cell::Cell::new(("", 0)), call).await
}

/// The operation the current call sent last (`""` before any).
pub(crate) fn current_operation() -> &'static str {
    OPERATION.try_with(|c| c.get().0).unwrap_or("")
}

/// The HTTP status of the last answer the current call got, if it got one. The generated
/// client drops the status when a body does not decode; this keeps an error status an error
/// status (a 401 whose body is not the documented envelope is still a 401).
pub(crate) fn current_status() -> Option<u16> {
    OPERATION
        .try_with(|c| c.get().1)
        .ok()
        .filter(|status| *status != 0)
}

/// The client's transport: pacing, a bounded body, and operation tracking.
#[derive(Debug)]
pub(crate) struct Pipeline {
    pub(crate) pacer: Pacer,
    pub(crate) max_body_bytes: u64,
    /// Reads the server's clock from every answer's `Date`.
    pub(crate) server_clock: Arc<ServerClock>,
}

impl Transport for Pipeline {
    fn execute<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: reqwest::Request,
        info: &'a OperationInfo,
    ) -> TransportFuture<'a> {
        Box::pin(async move {
            let _ = OPERATION.try_with(|c| c.set((info.operation_id, 0)));
            // A call of the client was admitted before it sent ([`admitted`], its wait bounded by
            // the call's stall rule and token); a call made on the generated client directly
            // waits here.
            let permit = match ADMITTED.try_with(std::cell::Cell::take).ok().flatten() {
                Some(permit) => permit,
                None => self.pacer.acquire().await,
            };
            let response = http.execute(request).await?;
            let status = response.status().as_u16();
            let _ = OPERATION.try_with(|c| c.set((info.operation_id, status)));
            self.pacer.observe(permit, status, response.headers());
            self.server_clock.observe_date(response.headers());
            Ok(bounded(response, self.max_body_bytes))
        })
    }
}

/// A response body that was longer than the client accepts.
#[derive(Debug, thiserror::Error)]
#[error("the response body is larger than {limit} bytes")]
#[non_exhaustive]
pub struct BodyTooLarge {
    /// The limit, `ClientConfig::max_body_bytes`.
    pub limit: u64,
}

/// The same response, whose body fails with [`BodyTooLarge`] as soon as it passes `limit` bytes
/// (at once when `Content-Length` says it will), so that a hostile answer cannot take memory.
/// The status, headers and extensions move over as they are; only the body is wrapped.
fn bounded(response: reqwest::Response, limit: u64) -> reqwest::Response {
    let declared_too_large = response.content_length().is_some_and(|n| n > limit);
    let (parts, inner) = http::Response::from(response).into_parts();
    let body = Limited {
        inner,
        left: (!declared_too_large).then_some(limit),
        limit,
    };
    reqwest::Response::from(http::Response::from_parts(parts, reqwest::Body::wrap(body)))
}

/// A body that ends in [`BodyTooLarge`] past its limit.
struct Limited {
    inner: reqwest::Body,
    /// Bytes still allowed; `None` once the limit is known to be passed.
    left: Option<u64>,
    limit: u64,
}

impl http_body::Body for Limited {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        let limit = self.limit;
        let Some(left) = self.left else {
            return Poll::Ready(Some(Err(Box::new(BodyTooLarge { limit }))));
        };
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                let len = frame.data_ref().map_or(0, |data| data.len() as u64);
                match left.checked_sub(len) {
                    Some(rest) => {
                        self.left = Some(rest);
                        Poll::Ready(Some(Ok(frame)))
                    }
                    None => {
                        self.left = None;
                        Poll::Ready(Some(Err(Box::new(BodyTooLarge { limit }))))
                    }
                }
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(Box::new(e)))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        // Past the limit, the error is still to be read.
        self.left.is_some() && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match self.left {
            Some(_) => self.inner.size_hint(),
            None => http_body::SizeHint::default(),
        }
    }
}

/// Whether an error (or anything in its chain of sources) is a [`BodyTooLarge`].
pub(crate) fn is_body_too_large(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if e.is::<BodyTooLarge>() {
            return true;
        }
        current = e.source();
    }
    false
}

/// A redirect policy that follows only redirects to the base URL's own origin (scheme, host and
/// port), at most five: the API documents none, and a redirect elsewhere would carry the
/// numbers and the enterprise id to whoever it names.
pub(crate) fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if attempt.previous().len() > 5 || !same_origin {
            attempt.stop()
        } else {
            attempt.follow()
        }
    })
}
