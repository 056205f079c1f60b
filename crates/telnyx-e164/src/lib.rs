//! E.164 numbers, NANP classification and batch pre-flight for the Telnyx Phone Number
//! Reputation API: the single source of truth for which numbers the associate call accepts.
//!
//! - [`E164`]: `+` and up to 15 digits, inline and `Copy`; [`E164::parse_strict`] takes exactly
//!   the wire form, [`E164::parse_lenient`] human US forms.
//! - [`NumberKind`] via [`classify`]: US local, US toll-free, US premium rate, other US
//!   non-geographic, non-US (Canada, other NANP countries whatever the number's type there, US
//!   territories, other countries) or invalid, from the NANP rules and tables derived from
//!   libphonenumber 9.0.43's metadata ([`tables`]).
//! - [`UsNumber`]: can only hold what the associate call accepts, a valid US local or US
//!   toll-free number; [`UsNumber::kind`] tells which. A toll-free number is accepted only from
//!   the account's Telnyx inventory ([`UsNumberKind::note`]); only the server knows the
//!   inventory, so pre-flight passes it with that note.
//! - [`validate_batch`] → [`Batch`] (1–100 distinct [`UsNumber`]s) or a [`BatchRejection`]
//!   listing every problem at once.
//!
//! No HTTP, no async, no heap allocation on the strict parse-and-classify path.
//!
//! ```
//! use telnyx_e164::{E164, NumberKind};
//! assert_eq!(E164::parse_strict("+16035551234").unwrap().kind(), NumberKind::UsLocal);
//! assert_eq!(E164::parse_strict("+18885551234").unwrap().kind(), NumberKind::TollFree);
//! assert_eq!(E164::parse_strict("+14165551234").unwrap().kind().name(), "non_us");
//! // Trinidad's 868-800 is toll-free in Trinidad, but not a US number.
//! assert_eq!(E164::parse_strict("+18688001234").unwrap().kind().name(), "non_us");
//! ```

mod batch;
mod classify;
mod number;
mod reason;
pub mod tables;
mod us_number;

pub use batch::{
    Batch, BatchRejection, DuplicateEntry, RejectedEntry, validate_batch, validate_batch_lenient,
};
pub use classify::{NumberKind, Region, classify};
pub use number::{E164, MAX_DIGITS, MIN_DIGITS, ParseError};
pub use reason::Reason;
pub use us_number::{UsNumber, UsNumberKind};
