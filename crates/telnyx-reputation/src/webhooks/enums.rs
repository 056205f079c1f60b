//! The string enums of the event payloads: the API crate's open enums, the same types as the
//! phone-number record's and the settings' fields, so a value read from an event compares with
//! one read from a list page.
//!
//! Each is open: a value this version does not know is kept in its `Other(String)` variant
//! instead of failing the event. An event documents a narrower set than the record (a removal
//! event never carries `customer_removed`, a review event never `pending`); such a value still
//! reads as its named variant.

pub use telnyx_reputation_api::{
    FlagReason, NumberSource, OwnershipStatus, RemovalReason, VerificationStatus,
};
