//! E.164 numbers, NANP classification and batch pre-flight for the Telnyx Phone Number
//! Reputation API: the single source of truth for which numbers the associate call accepts.
//!
//! - [`E164`]: `+` and up to 15 digits, inline and `Copy`; [`E164::parse_strict`] takes exactly
//!   the wire form, [`E164::parse_lenient`] human US forms.
//! - [`NumberKind`] via [`classify`]: US local, toll-free, premium rate, other non-geographic,
//!   non-US (Canada, other NANP countries, US territories, other countries) or invalid, from the
//!   NANP rules and tables derived from libphonenumber 9.0.43's metadata ([`tables`]).
//! - [`UsLocalNumber`]: can only hold a valid US geographic number.
//! - [`validate_batch`] → [`Batch`] (1–100 distinct US local numbers) or a [`BatchRejection`]
//!   listing every problem at once.
//!
//! No HTTP, no async, no heap allocation on the strict parse-and-classify path.
//!
//! ```
//! use telnyx_e164::{E164, NumberKind};
//! assert_eq!(E164::parse_strict("+16035551234").unwrap().kind(), NumberKind::UsLocal);
//! assert_eq!(E164::parse_strict("+18885551234").unwrap().kind(), NumberKind::TollFree);
//! assert_eq!(E164::parse_strict("+14165551234").unwrap().kind().name(), "non_us");
//! ```

mod batch;
mod classify;
mod number;
mod reason;
pub mod tables;
mod us_local;

pub use batch::{
    Batch, BatchRejection, DuplicateEntry, RejectedEntry, validate_batch, validate_batch_lenient,
};
pub use classify::{NumberKind, Region, classify};
pub use number::{E164, MAX_DIGITS, MIN_DIGITS, ParseError};
pub use reason::Reason;
pub use us_local::UsLocalNumber;
