//! How the generated client reads a JSON answer into its typed value.
//!
//! progenitor's own `ResponseValue::from_response` clones the response's headers and reads the
//! body with `serde_json::from_slice`, which checks that every string of the body is UTF-8 one
//! string at a time: for an associate answer of 100 records, about a thousand short strings,
//! that check was an eighth of the client's instructions per request (callgrind). Here the whole
//! body is checked once (a fast pass over mostly ASCII bytes) and read with
//! `serde_json::from_str`, which then checks nothing twice; the headers are moved, not cloned.
//! The generator points every generated call at [`from_response`]
//! (`telnyx_reputation_codegen`'s `calls.rs`).
//!
//! What is accepted and every error are the same as progenitor's: a body that is not UTF-8 is
//! read by `from_slice` as before, so that it fails with the same error at the same place.
//!
//! Two things keep a caller with many requests in flight moving while bodies are decoded:
//! - A body of [`OFF_THE_RUNTIME`] bytes or more (a list page of 250 rows is about 106 KB) is
//!   decoded on tokio's blocking pool. Decoding it takes about half a millisecond, and on a
//!   runtime worker that is half a millisecond in which the task woken last (kept in the
//!   worker's own slot, which no other worker takes) waits: typically the request that was
//!   waiting for a place.
//! - [`on_body`] lets a caller act the moment a successful answer has arrived, before it is
//!   decoded: `Client::list_all` frees the page's request place there.

use progenitor_client::{Error, ResponseValue};
use serde::de::DeserializeOwned;

/// Bodies at least this long are decoded on tokio's blocking pool rather than on the task.
pub(crate) const OFF_THE_RUNTIME: usize = 32 * 1024;

/// Reads `response`'s body as the JSON value `T`, keeping its status and headers.
pub(crate) async fn from_response<T: DeserializeOwned + Send + 'static, E>(
    mut response: reqwest::Response,
) -> Result<ResponseValue<T>, Error<E>> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let full = response.bytes().await.map_err(Error::ResponseBodyError)?;
    if status.is_success() {
        body_arrived();
    }
    let (full, parsed) = if full.len() >= OFF_THE_RUNTIME {
        let body = full.clone();
        match tokio::task::spawn_blocking(move || parse::<T>(&body)).await {
            Ok(parsed) => (full, parsed),
            // A panic while decoding is the caller's, as it would have been on the task.
            Err(join) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
            // Not run (the runtime is shutting down): decoded here instead.
            Err(_) => {
                let parsed = parse::<T>(&full);
                (full, parsed)
            }
        }
    } else {
        let parsed = parse::<T>(&full);
        (full, parsed)
    };
    match parsed {
        Ok(inner) => Ok(ResponseValue::new(inner, status, headers)),
        Err(e) => Err(Error::InvalidResponsePayload(full, e)),
    }
}

/// The body as `T`: checked as UTF-8 once and read as text, or read as bytes when it is not
/// UTF-8 (so that the error is serde's, at the place it finds it).
fn parse<T: DeserializeOwned>(full: &[u8]) -> Result<T, serde_json::Error> {
    match std::str::from_utf8(full) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(full),
    }
}

tokio::task_local! {
    /// What to do once a successful answer's body is in hand, before it is decoded.
    static ON_BODY: std::cell::RefCell<Option<Box<dyn FnOnce() + Send>>>;
}

/// Runs `call`, and `arrived` once, as soon as the body of the first successful (2xx) answer
/// that `call` reads through the generated client is in hand, before it is decoded. An answer
/// with another status (one that a retry may follow) does not run it; if no successful answer
/// comes, `arrived` is dropped unrun when `call` ends.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let (arrived, heard) = std::sync::mpsc::channel();
/// let answer = telnyx_reputation_api::on_body(Box::new(move || arrived.send(()).unwrap()), async {
///     // Calls of the generated client go here; this one makes none.
///     42
/// })
/// .await;
/// assert_eq!(answer, 42);
/// assert!(heard.try_recv().is_err(), "no answer was read, so the action never ran");
/// # }
/// ```
pub async fn on_body<F: std::future::Future>(
    arrived: Box<dyn FnOnce() + Send>,
    call: F,
) -> F::Output {
    ON_BODY
        .scope(std::cell::RefCell::new(Some(arrived)), call)
        .await
}

/// Runs the current call's [`on_body`] action, if it has one not yet run.
fn body_arrived() {
    let action = ON_BODY
        .try_with(|slot| slot.borrow_mut().take())
        .ok()
        .flatten();
    if let Some(action) = action {
        action();
    }
}
