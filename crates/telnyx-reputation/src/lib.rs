//! The Telnyx Phone Number Reputation SDK.
//!
//! - [`Client`]: the twenty-three operations of the API (October 2026 edition) with E.164
//!   types and typed inputs checked before sending, timeouts, a retry policy that never blindly
//!   repeats a billable call (enable, associate, refresh, remediation) or an ownership answer,
//!   and typed errors ([`Error`]):
//!   - Terms of Service: [`Client::agree_to_terms`];
//!   - settings: [`Client::settings`], [`Client::enable`], [`Client::disable`],
//!     [`Client::set_check_frequency`], [`Client::set_webhook_url`] (where the ownership events
//!     go);
//!   - Letter of Authorization: [`Client::render_loa`], [`Client::replace_loa`];
//!   - numbers: [`Client::numbers`], a [`NumberQuery`] (with a [`NumberFilter`]: number,
//!     digits, enterprise, [`NumberSource`], [`OwnershipStatus`]; removed numbers only with
//!     [`NumberFilter::removed`]) for one page or a stream of every row, [`Client::associate`],
//!     [`Client::get`], [`Client::disassociate`], [`Client::refresh`];
//!   - ownership of numbers hosted elsewhere (none of it billable):
//!     [`Client::submit_ownership_proof`], [`Client::ownership_proof`] (`None` before any
//!     submission); [`Client::ownership`] (a number's tracking detail),
//!     [`Client::confirm_ownership`] (confirm, or give the number up with
//!     [`Claim::NoLongerOwn`]) and [`Client::confirm_ownership_all`] for many numbers
//!     ([`ownership`]);
//!   - remediation: [`Client::submit_remediation`], [`Client::remediations`] (a
//!     [`RemediationQuery`]), [`Client::remediation`].
//! - [`webhooks`]: verifying Telnyx's Ed25519-signed webhook deliveries and reading the typed
//!   Number Reputation events ([`webhooks::Verifier`], [`webhooks::Event`]). Event payloads
//!   and the client's records carry the same open enums ([`OwnershipStatus`]...), so a status
//!   from an event compares with one from a list page.
//! - [`e164`]: the E.164 rules (re-exported `telnyx-e164`), including the
//!   [`e164::Batch`] of 1–100 distinct US local or toll-free numbers that the associate call
//!   takes (toll-free ones from the account's Telnyx inventory only; the server decides).
//! - [`api`]: the client generated from the upstream OpenAPI file, for anything else.
//! - [`fs::AtomicFile`]: a file written whole or not at all (a saved report snapshot).
//!
//! A runnable example: the hidden lines start the emulator on loopback; a service would use
//! `Client::from_env()` (the key in `TELNYX_API_KEY`) instead of the emulator's URL and key.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mock = telnyx_reputation_mock::start(telnyx_reputation_mock::MockConfig::demo()).await?;
//! # let (base_url, key) = (mock.base_url().to_owned(), telnyx_reputation_mock::DEMO_API_KEY);
//! use telnyx_reputation::{ApiKey, Client, ClientConfig, Page, Scope, e164};
//!
//! let client = Client::new(ClientConfig::new(ApiKey::new(key)).base_url(base_url))?;
//! let batch = e164::validate_batch(["+16035551234", "+16035551235"])?;
//! let enterprise = "6a09cdc3-8948-47f0-aa62-74ac943d6c58".parse()?;
//! let created = client.associate(enterprise, &batch).await?; // billable: 2 checks
//! assert_eq!(created.len(), 2);
//! // List pages are free; a per-number read of a number without cached data is billed.
//! let page = client.numbers(Scope::Enterprise(enterprise)).page(Page::new(1, 100)).await?;
//! assert_eq!(page.data.len(), 2);
//! # mock.shutdown().await;
//! # Ok(()) }
//! ```

mod api_key;
pub mod bulk;
mod client;
mod config;
mod error;
mod filter;
pub mod fs;
mod loa;
pub mod ownership;
mod pacer;
mod pages;
mod patience;
mod query;
mod refresh;
mod remediation;
mod removed;
pub mod report;
mod retry;
mod server_clock;
mod settings;
pub mod sync;
mod terms;
mod transport;
mod verification;
pub mod webhooks;

pub use api_key::ApiKey;
pub use client::{AssociatedNumber, Client, Freshness, NumberPage, NumberReputation, Page, Scope};
pub use config::{ClientConfig, DEFAULT_BASE_URL};
pub use error::{
    ApiError, ApiErrorEntry, ConfigError, Error, PaginationKind, TransportError, describe,
    printable,
};
pub use filter::{Contains, InvalidInput, NumberFilter};
pub use loa::{LoaAgent, LoaRender, LoaSignature};
pub use ownership::{
    Claim, NumberSource, Ownership, OwnershipEvent, OwnershipStatus, RemovalReason,
};
pub use patience::{Patience, Stall};
pub use query::{NumberQuery, RemediationQuery};
pub use refresh::{RefreshReport, RefreshResult};
pub use remediation::{
    PageMeta, Remediation, RemediationFilter, RemediationPage, RemediationResults,
    RemediationStatus, RemediationSubmission, RemediationSummary,
};
pub use removed::Removal;
pub use retry::RetryPolicy;
pub use settings::{
    CheckFrequency, LoaDocumentId, LoaStatus, ReputationStatus, Settings, WebhookUrl,
};
pub use terms::TermsAgreement;
pub use transport::BodyTooLarge;
pub use verification::{DocumentId, Verification, VerificationStatus};

/// The E.164 rules and the numbers the associate call accepts (US local and toll-free).
pub use telnyx_e164 as e164;
/// The client generated from `spec/phone-numbers.yml`.
pub use telnyx_reputation_api as api;
