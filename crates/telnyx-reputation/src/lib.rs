//! The Telnyx Phone Number Reputation SDK.
//!
//! - [`Client`]: the seven operations of the API with E.164 types, timeouts, a retry policy that
//!   never blindly repeats a billable associate, and typed errors ([`Error`]).
//! - [`e164`]: the E.164 and US-local rules (re-exported `telnyx-e164`), including the
//!   [`e164::Batch`] of 1–100 distinct US local numbers that the associate call takes.
//! - [`api`]: the client generated from the upstream OpenAPI file, for anything else.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use telnyx_reputation::{Client, e164};
//! let client = Client::from_env()?;
//! let batch = e164::validate_batch(["+16035551234", "+16035551235"])?;
//! let enterprise = "6a09cdc3-8948-47f0-aa62-74ac943d6c58".parse()?;
//! let created = client.associate(enterprise, &batch).await?;
//! println!("{} numbers under monitoring", created.len());
//! # Ok(()) }
//! ```

mod api_key;
pub mod bulk;
mod client;
mod config;
mod error;
mod filter;
mod pacer;
pub mod retry;
mod transport;

pub use api_key::ApiKey;
pub use client::{AssociatedNumber, Client, Freshness, NumberPage, NumberReputation, Page, Scope};
pub use config::{ClientConfig, DEFAULT_BASE_URL};
pub use error::{ApiError, ConfigError, Error, describe};
pub use filter::{Contains, InvalidInput, NumberFilter};
pub use retry::{Patience, RetryPolicy};
pub use transport::BodyTooLarge;

/// The E.164 and US-local number rules.
pub use telnyx_e164 as e164;
/// The client generated from `spec/phone-numbers.yml`.
pub use telnyx_reputation_api as api;
