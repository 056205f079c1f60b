//! The Telnyx Phone Number Reputation SDK: put phone numbers under spam-reputation
//! monitoring, read, refresh and remediate their scores, and take an enterprise through the
//! reputation lifecycle, without ever sending a billable request the caller did not mean.
//!
//! What is billed: enabling reputation (per enterprise); associating numbers, refreshing them,
//! fresh reads and remediation (per number). Everything else is free. The client never sends a
//! billable request again after an answer that leaves its outcome unknown, and the bulk jobs
//! ([`bulk`]) prove what happened before they decide anything.
//!
//! # Contents
//!
//! - [The client](#the-client): one [`Client`] per service, cheap to clone.
//! - [A job](#a-job-many-numbers-all-or-nothing): associate any number of numbers, all or
//!   nothing, with a journal that survives a crash.
//! - [Pagination](#pagination): [`Client::numbers`] and [`Client::remediations`], owned
//!   queries with a stream of rows.
//! - [Webhooks](#webhooks): verify Telnyx's signed deliveries ([`webhooks::Verifier`]).
//! - [Errors](#errors): what a failure means for billing ([`Error::outcome_unknown`]).
//! - [Stability](#stability): what may change in a minor release, and the escape hatches.
//!
//! Every example below runs as a test: its hidden lines start the emulator
//! (`telnyx-reputation-mock`) on loopback, where a service would call [`Client::from_env`].
//!
//! # The client
//!
//! [`Client::from_env`] reads `TELNYX_API_KEY` (and `TELNYX_BASE_URL`, for a proxy or the
//! emulator); [`ClientConfig`] sets the rest: timeouts, the [`RetryPolicy`], a fixed request
//! rate. A client's clones share one connection pool and one pacer, which keeps every task of
//! the service within the server's rate limit (read from its `x-ratelimit-*` headers), so
//! clone it rather than building another. Inputs are typed and checked before anything is
//! sent: numbers are [`e164`] values, and the associate call takes an [`e164::Batch`] of 1-100
//! distinct US numbers.
//!
//! The twenty-three operations of the API (October 2026 edition):
//!
//! - Terms of Service: [`Client::agree_to_terms`];
//! - settings: [`Client::settings`], [`Client::enable`] (billed), [`Client::disable`],
//!   [`Client::set_check_frequency`], [`Client::set_webhook_url`];
//! - Letter of Authorization: [`Client::render_loa`], [`Client::replace_loa`];
//! - numbers: [`Client::numbers`] (list pages, free), [`Client::associate`] (billed),
//!   [`Client::get`] (billed when fresh, or when the number has no cached data),
//!   [`Client::disassociate`], [`Client::refresh`] (billed);
//! - numbers hosted elsewhere: [`Client::submit_ownership_proof`], [`Client::ownership_proof`],
//!   [`Client::ownership`], [`Client::confirm_ownership`], [`Client::confirm_ownership_all`]
//!   ([`ownership`]);
//! - remediation: [`Client::submit_remediation`] (billed), [`Client::remediations`],
//!   [`Client::remediation`].
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mock = telnyx_reputation_mock::start(telnyx_reputation_mock::MockConfig::demo()).await?;
//! # let (base_url, key) = (mock.base_url().to_owned(), telnyx_reputation_mock::DEMO_API_KEY);
//! use telnyx_reputation::{ApiKey, Client, ClientConfig, e164};
//!
//! // A service: `let client = Client::from_env()?;`
//! let client = Client::new(ClientConfig::new(ApiKey::new(key)).base_url(base_url))?;
//! let enterprise = "6a09cdc3-8948-47f0-aa62-74ac943d6c58".parse()?;
//! let settings = client.settings(enterprise).await?; // free
//! println!("reputation is {}", settings.status);
//!
//! let batch = e164::validate_batch(["+16035551234", "+16035551235"])?;
//! let created = client.associate(enterprise, &batch).await?; // billed: 2 numbers
//! assert_eq!(created.len(), 2);
//! assert_eq!(created[0].phone_number.as_str(), "+16035551234");
//! assert!(created[0].reputation_data.is_none()); // until the API's first collection
//! # mock.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # A job: many numbers, all or nothing
//!
//! The API associates at most 100 numbers per request, atomically. [`Client::associate_all`]
//! takes any number of inputs (text, as a file holds them), checks every one before sending
//! anything, sends batches concurrently, and in [`bulk::Mode::AllOrNothing`] undoes what it
//! associated when any number is refused. With a journal ([`bulk::BulkOptions::journal`])
//! every step is written ahead, so a job whose process died is finished by
//! [`Client::resume_job`] or undone by [`Client::rollback_job`]; [`bulk::Journal`] reads one
//! without sending anything. [`Client::prepare_all`] says what a job would send (and bill)
//! before it sends anything. Bulk refresh and remediation run on the same engine
//! ([`bulk::ops`]).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mock = telnyx_reputation_mock::start(telnyx_reputation_mock::MockConfig::demo()).await?;
//! # let client = telnyx_reputation::Client::new(
//! #     telnyx_reputation::ClientConfig::new(telnyx_reputation::ApiKey::new(
//! #         telnyx_reputation_mock::DEMO_API_KEY)).base_url(mock.base_url()))?;
//! # let dir = tempfile::tempdir()?;
//! use telnyx_reputation::bulk::{BulkOptions, Journal, Mode, Outcome, Parsing};
//!
//! let enterprise = "6a09cdc3-8948-47f0-aa62-74ac943d6c58".parse()?;
//! let inputs = ["+16035550100", "(603) 555-0101", "+16035550100", "+14165551234"];
//! let journal = dir.path().join("job.journal");
//! let options = BulkOptions::default()
//!     .mode(Mode::AllOrNothing)
//!     .parsing(Parsing::Lenient) // human US forms too, sent canonical
//!     .journal(&journal);
//!
//! // Pre-flight alone: the Canadian number is refused, so nothing would be sent.
//! let job = client.prepare_all(enterprise, inputs, options.clone());
//! assert!(!job.will_send());
//! assert_eq!(job.refused().len(), 1);
//! assert_eq!(job.duplicates().len(), 1);
//!
//! // Without it, the job runs: one batch of two numbers, billed once each.
//! let report = client
//!     .associate_all(enterprise, &inputs[..3], options)
//!     .await?;
//! assert_eq!(report.outcome, Outcome::Completed);
//! assert_eq!(report.associated.len(), 2);
//! assert!(report.end.is_none()); // what ended a job early, typed: bulk::EndCause
//! assert!(!Journal::read(&journal)?.has_work_left());
//! # mock.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # Pagination
//!
//! [`Client::numbers`] (the numbers of one enterprise, or of the account, with a
//! [`NumberFilter`]) and [`Client::remediations`] return queries that own a clone of the
//! client, so a query, and the stream it makes, can move into a task. `.page(..)` reads one
//! page; `.stream()` yields every row, reading up to `.concurrency(n)` pages at once and in
//! order, and ends with [`Error::Pagination`] if the server's pages do not add up to a list.
//! List pages are never billed.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mock = telnyx_reputation_mock::start(telnyx_reputation_mock::MockConfig::demo()).await?;
//! # let client = telnyx_reputation::Client::new(
//! #     telnyx_reputation::ClientConfig::new(telnyx_reputation::ApiKey::new(
//! #         telnyx_reputation_mock::DEMO_API_KEY)).base_url(mock.base_url()))?;
//! # let enterprise = "6a09cdc3-8948-47f0-aa62-74ac943d6c58".parse()?;
//! # client.associate_all(enterprise, (0..300).map(|i| format!("+1603555{i:04}")),
//! #     Default::default()).await?;
//! use futures::TryStreamExt as _;
//! use telnyx_reputation::{NumberFilter, Scope};
//!
//! let rows = client
//!     .numbers(Scope::Enterprise(enterprise))
//!     .filter(NumberFilter::default())
//!     .page_size(250)
//!     .concurrency(8)
//!     .stream();
//! let handle = tokio::spawn(rows.try_collect::<Vec<_>>()); // the stream is 'static
//! assert_eq!(handle.await??.len(), 300);
//! # mock.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # Webhooks
//!
//! Telnyx signs each delivery with the account's Ed25519 key. [`webhooks::Verifier`] checks
//! the signature and the timestamp (within 300 s) of the raw body and its
//! [`http::HeaderMap`], and [`webhooks::Verifier::unwrap`] also reads the typed
//! [`webhooks::Event`]; `examples/webhook_axum.rs` is a whole receiver.
//!
//! ```
//! # use base64::Engine as _;
//! # use ed25519_dalek::{Signer as _, SigningKey};
//! # let telnyx = SigningKey::from_bytes(&[7; 32]);
//! # let b64 = base64::engine::general_purpose::STANDARD;
//! # let public_key = b64.encode(telnyx.verifying_key().as_bytes());
//! # let body = br#"{"data":{"record_type":"event","id":"0ccc7b54-8df3-4c52-9a4e-7d1f4b2c9e01","occurred_at":"2026-10-05T07:00:12.521992Z","event_type":"number_reputation.number.flagged","payload":{"record_type":"reputation_phone_number","phone_number":"+13125550142","enterprise_id":"4a6192a4-1c2b-4d5e-8f90-123456789abc","source":"external","ownership_status":"pending_confirmation","flag_reason":"carrier_changed","confirm_by":"2026-10-08T07:00:00+00:00"}},"meta":{"attempt":1,"delivered_to":"https://example.com/webhooks/telnyx"}}"#;
//! # let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
//! # let timestamp = now.to_string();
//! # let signature = b64.encode(telnyx.sign(&[timestamp.as_bytes(), b"|", body].concat()).to_bytes());
//! # let mut headers = http::HeaderMap::new();
//! # headers.insert("telnyx-timestamp", timestamp.parse()?);
//! # headers.insert("telnyx-signature-ed25519", signature.parse()?);
//! use telnyx_reputation::webhooks::{Event, Verifier};
//!
//! // A service: `Verifier::from_env()?` (the key in TELNYX_PUBLIC_KEY).
//! let verifier = Verifier::new(&public_key)?;
//! // In the request handler: answer 401 on Err, 200 once the event is handled.
//! match verifier.unwrap(&headers, body)? {
//!     Event::NumberFlagged { payload, .. } => {
//!         println!("confirm {} by {:?}", payload.phone_number, payload.confirm_by)
//!     }
//!     other => println!("{}", other.event_type()),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Errors
//!
//! Every call returns [`Error`]. Branch on its questions rather than its text: whether the
//! server may have applied the request ([`Error::outcome_unknown`]: a billable one may have
//! been billed, and is never sent again blindly), whether trying again later may help
//! ([`Error::is_transient`]), the HTTP status and the API's own error ([`Error::status`],
//! [`Error::api`]). Jobs add [`bulk::BulkError`], and report how they ended with the typed
//! [`bulk::EndCause`] and each failed number's [`bulk::FailureReason`].
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mock = telnyx_reputation_mock::start(telnyx_reputation_mock::MockConfig::demo()).await?;
//! # let client = telnyx_reputation::Client::new(
//! #     telnyx_reputation::ClientConfig::new(telnyx_reputation::ApiKey::new(
//! #         telnyx_reputation_mock::DEMO_API_KEY)).base_url(mock.base_url()))?;
//! use telnyx_reputation::Error;
//!
//! let unknown = "00000000-0000-4000-8000-000000000000".parse()?;
//! match client.settings(unknown).await {
//!     Err(e) if e.status() == Some(404) => println!("no such enterprise: {e}"),
//!     Err(e) if e.outcome_unknown() => println!("may have been applied: look before retrying"),
//!     Err(Error::Api(api)) => println!("refused: {}", api.summary()),
//!     Err(e) => return Err(e.into()),
//!     Ok(settings) => println!("{}", settings.status),
//! }
//! # mock.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # Stability
//!
//! - Enums and the records and options that may grow are `#[non_exhaustive]`: match with a
//!   `_` arm, and build options with their builders. Values the API documents as a set are
//!   open enums with an `Other(String)` variant, so a value Telnyx adds later is carried, not
//!   refused.
//! - No third-party type appears in a signature except the ecosystem's currency: `http`,
//!   `futures::Stream`, `tokio_util`'s `CancellationToken`, `uuid` and `chrono` values, serde's
//!   traits, and a `serde_json::Value` for the body of a webhook event this version does not
//!   know ([`webhooks::Event::Other`]). Transport failures are [`TransportError`].
//! - The public API is recorded in `public-api.txt` beside this crate's manifest; every
//!   change to it shows there.
//! - Records are the library's own: [`NumberReputation`] (a number, its [`Reputation`] data and
//!   its ownership tracking), [`Settings`], [`Remediation`], [`Ownership`] and the others have
//!   public fields, typed and checked as they are read. A record that breaks a rule of the API
//!   (a number that is not a US number, a score outside 0–100) is [`Error::Protocol`] naming
//!   the field and the rule; a value added later to a documented set is kept (`Other`).
//! - Escape hatches: a record's `raw()` gives the API's own value, and [`api`] is the client
//!   generated from the OpenAPI file, for anything this crate does not cover.
//! - Other modules: [`report`] (the reputation report and what changed since a snapshot),
//!   [`sync`] (make an enterprise's numbers match an inventory), [`fs`] (a file written whole
//!   or not at all).

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
mod record;
mod refresh;
mod remediation;
mod removed;
pub mod report;
mod reputation;
mod retry;
mod server_clock;
mod settings;
pub mod sync;
mod terms;
mod transport;
mod verification;
pub mod webhooks;

pub use api_key::ApiKey;
pub use client::{Client, Freshness, Page, Scope};
pub use config::{ClientConfig, DEFAULT_BASE_URL};
pub use error::{
    ApiError, ApiErrorEntry, ConfigError, Error, PaginationKind, TransportError, describe,
    printable,
};
pub use filter::{Contains, InvalidInput, NumberFilter};
pub use loa::{LoaAgent, LoaRender, LoaSignature};
pub use ownership::{
    Claim, FlagReason, NumberSource, Ownership, OwnershipEvent, OwnershipEventType,
    OwnershipStatus, RemovalReason,
};
pub use patience::{Patience, Stall};
pub use query::{NumberQuery, RemediationQuery};
pub use record::{AssociatedNumber, NumberPage, NumberReputation};
pub use refresh::{RefreshReport, RefreshResult};
pub use remediation::{
    PageMeta, Remediation, RemediationFilter, RemediationPage, RemediationResults,
    RemediationStatus, RemediationSubmission, RemediationSummary,
};
pub use removed::Removal;
pub use reputation::{Reputation, Score, SpamRisk};
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
