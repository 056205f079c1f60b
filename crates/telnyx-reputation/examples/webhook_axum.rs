//! A webhook receiver for the Number Reputation events in an axum service.
//!
//! ```text
//! TELNYX_PUBLIC_KEY=<base64 key from the Mission Control Portal> \
//!     cargo run -p telnyx-reputation --example webhook_axum [ADDRESS]
//! ```
//!
//! Listens on ADDRESS (default 127.0.0.1:3000) at `POST /webhooks/telnyx`, the URL to set as
//! the enterprise's `webhook_url` (behind a public HTTPS endpoint). The handler takes the
//! request's `HeaderMap` and raw `Bytes` (never a JSON extractor: the signature covers the
//! body exactly as sent) and answers:
//!
//! - 200 for a verified event (the acknowledgement; anything else makes Telnyx retry);
//! - 401 when the delivery is not authentic or not fresh (missing or bad headers, a timestamp
//!   more than 300 s away, a signature that does not verify);
//! - 400 when it is authentic but its body is not a Telnyx event (not JSON, no envelope, a
//!   payload field that breaks its schema), logged with the field, since it needs a person.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use telnyx_reputation::webhooks::{Event, Verifier, WebhookError};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let verifier = Arc::new(Verifier::from_env()?);
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let app = Router::new()
        .route("/webhooks/telnyx", post(receive))
        .with_state(verifier);
    let listener = tokio::net::TcpListener::bind(&address).await?;
    eprintln!(
        "listening on http://{}/webhooks/telnyx",
        listener.local_addr()?
    );
    axum::serve(listener, app).await?;
    Ok(())
}

/// One delivery: verify, then act on the event.
async fn receive(
    State(verifier): State<Arc<Verifier>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let event = match verifier.unwrap(&headers, &body) {
        Ok(event) => event,
        Err(WebhookError::Verify(refused)) => {
            eprintln!("refused a delivery ({}): {refused}", refused.code());
            return StatusCode::UNAUTHORIZED;
        }
        Err(unreadable) => {
            eprintln!("an authentic delivery is not a readable event: {unreadable}");
            return StatusCode::BAD_REQUEST;
        }
    };
    // A redelivery carries the same id: a real service records it and skips repeats.
    let id = event.id().unwrap_or("(no id)");
    match &event {
        Event::NumberFlagged { payload, .. } => eprintln!(
            "{id}: confirm ownership of {} ({}) before {}",
            payload.phone_number, payload.flag_reason, payload.confirm_by
        ),
        Event::NumberRemoved { payload, .. } => eprintln!(
            "{id}: {} removed at {} ({})",
            payload.phone_number, payload.removed_at, payload.removal_reason
        ),
        Event::VerificationStatusChanged { payload, .. } => eprintln!(
            "{id}: ownership proof of enterprise {} {}{}",
            payload.enterprise_id,
            payload.status,
            payload
                .rejection_reason
                .as_deref()
                .map(|reason| format!(": {reason}"))
                .unwrap_or_default()
        ),
        other => eprintln!("{id}: {} (not handled here)", other.event_type()),
    }
    StatusCode::OK
}
