//! `webhooks listen`: a receiver for Telnyx's signed webhook deliveries, for developing against
//! the ownership events (point `settings webhook` at it).
//!
//! Each `POST`, whatever its path, is verified with `telnyx_reputation::webhooks` against the
//! account's public key (`--public-key`, else `TELNYX_PUBLIC_KEY`): a verified event is
//! answered 200 and printed on stdout as one line of JSON (the body as received, or re-written
//! compact if it spans lines; flushed line by line, so `| jq` sees each as it comes); a forged, altered or stale delivery
//! (timestamp more than 300 s away) is answered 401 and prints nothing (a note on stderr says
//! why, unless `-q`); an authentic body that is not an event is answered 400. Bodies are
//! bounded at 2 MB. Telnyx reuses an event's `data.id` when it delivers it again, so a
//! redelivery prints again, with its `meta.attempt`.
//!
//! The bound address is printed on stderr at start (`--addr 127.0.0.1:0` picks a free port).
//! SIGINT or SIGTERM stops the receiver (exit 0), and so does a closed stdout (`| head -1`).

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use telnyx_reputation::webhooks::{PUBLIC_KEY_ENV, Verifier, WebhookError};
use tokio_util::sync::CancellationToken;

use crate::context::Global;
use crate::exit::{Exit, Failure};

/// The `webhooks` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Receive deliveries on ADDR: print each verified event as one JSON line on stdout
    /// (answered 200); answer 401 to a forged or stale one and print nothing. Runs until
    /// SIGINT or SIGTERM.
    Listen(ListenArgs),
}

/// Arguments of `webhooks listen`.
#[derive(Debug, clap::Args)]
pub struct ListenArgs {
    /// Where to listen (port 0 picks a free one; the address is printed on stderr).
    #[arg(long, default_value = "127.0.0.1:8088")]
    addr: SocketAddr,
    /// The account's public key (base64 of 32 bytes, from the Mission Control Portal; the
    /// emulator prints its own as `webhook_public_key`).
    #[arg(long, env = PUBLIC_KEY_ENV, value_name = "BASE64")]
    public_key: String,
}

/// What every delivery's handler shares.
struct Receiver {
    verifier: Verifier,
    /// Stdout, one writer at a time so that lines never interleave.
    out: Mutex<std::io::Stdout>,
    /// Cancelled when stdout is closed: nothing more can be printed.
    stop: CancellationToken,
    quiet: bool,
}

impl Receiver {
    /// Prints `line` and flushes; false when stdout is closed or failing.
    fn print(&self, line: &str) -> bool {
        let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
        let written = out
            .write_all(line.as_bytes())
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush());
        match written {
            Ok(()) => true,
            Err(e) => {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    eprintln!("telnyx-reputation: cannot write output: {e}; stopping");
                }
                self.stop.cancel();
                false
            }
        }
    }

    fn note(&self, text: &str) {
        if !self.quiet {
            eprintln!("{text}");
        }
    }
}

/// Runs a `webhooks` subcommand.
pub async fn run(command: Command, global: &Global) -> Result<Exit, Failure> {
    let Command::Listen(args) = command;
    let verifier = Verifier::new(&args.public_key)
        .map_err(|e| Failure::usage(format!("--public-key (or {PUBLIC_KEY_ENV}): {e}")))?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| Failure::usage(format!("cannot listen on {}: {e}", args.addr)))?;
    let bound = listener
        .local_addr()
        .map_err(|e| Failure::unavailable(format!("cannot read the bound address: {e}")))?;
    let stop = CancellationToken::new();
    let receiver = Arc::new(Receiver {
        verifier,
        out: Mutex::new(std::io::stdout()),
        stop: stop.clone(),
        quiet: global.quiet,
    });
    let app = Router::new().fallback(receive).with_state(receiver);
    let stopped = stop.clone();
    // In place before the address is printed, so that a signal sent on seeing it is caught.
    let signalled = signalled()
        .map_err(|e| Failure::unavailable(format!("cannot handle SIGINT/SIGTERM: {e}")))?;
    // Said even with -q: it is how a caller learns the port.
    eprintln!(
        "webhooks listen: listening on http://{bound}/ (each verified event is printed as one \
         JSON line; Ctrl-C stops)"
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            tokio::select! {
                () = signalled => {}
                () = stopped.cancelled() => {}
            }
        })
        .await
        .map_err(|e| Failure::unavailable(format!("the receiver failed: {e}")))?;
    Ok(Exit::Success)
}

/// One delivery: verified and printed (200), or refused (401, or 400 for an authentic body
/// that is not an event).
async fn receive(
    State(receiver): State<Arc<Receiver>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    if method != Method::POST {
        return StatusCode::METHOD_NOT_ALLOWED;
    }
    match receiver.verifier.unwrap(&headers, &body) {
        Ok(event) => {
            let line = one_line(&body);
            if receiver.print(&line) {
                receiver.note(&format!(
                    "received {} ({})",
                    event.event_type(),
                    event.id().unwrap_or("no id")
                ));
                StatusCode::OK
            } else {
                // Not printed: not acknowledged either, so that Telnyx delivers it again.
                StatusCode::SERVICE_UNAVAILABLE
            }
        }
        Err(WebhookError::Verify(e)) => {
            receiver.note(&format!("refused a delivery (401): {e}"));
            StatusCode::UNAUTHORIZED
        }
        Err(e) => {
            receiver.note(&format!("refused an authentic delivery (400): {e}"));
            StatusCode::BAD_REQUEST
        }
    }
}

/// A verified body as one line: as received when it is one line of UTF-8 (so the bytes printed
/// are the bytes verified), else re-written as compact JSON (it parsed as an event, so it is
/// JSON).
fn one_line(body: &[u8]) -> String {
    match std::str::from_utf8(body) {
        Ok(text) if !text.contains(['\n', '\r']) => text.to_owned(),
        _ => serde_json::from_slice::<serde_json::Value>(body)
            .map(|v| v.to_string())
            .unwrap_or_else(|_| String::from_utf8_lossy(body).replace(['\n', '\r'], " ")),
    }
}

/// The first SIGINT or SIGTERM, with the handlers registered now (before the future is
/// first polled).
#[cfg(unix)]
fn signalled() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

/// The first Ctrl-C.
#[cfg(not(unix))]
fn signalled() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_printed_as_received_on_one_line() {
        assert_eq!(one_line(br#"{"b":1,"a":2}"#), r#"{"b":1,"a":2}"#);
        assert_eq!(one_line(b"{\n  \"a\": 1\n}\n"), r#"{"a":1}"#);
    }
}
