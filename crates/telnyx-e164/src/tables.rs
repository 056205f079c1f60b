//! Data tables derived from libphonenumber 9.0.43's metadata (committed in `metadata/`, with its
//! provenance and checksum in `metadata/SOURCE.toml`). `tests/it/tables.rs` derives them again from
//! that file and fails on any difference (`UPDATE_TABLES=1` rewrites them).
//!
//! A +1 number of ten digits is valid when its exchange is in the set of its NPA
//! ([`NPA_EXCHANGES`], [`EXCHANGE_SETS`]), with the NPA's class ([`NPA_TABLE`]), or listed in
//! [`EXCHANGE_OVERRIDES`] with its own class, or, for the few exchanges where libphonenumber's
//! rules look at the line number too, inside one of the [`LINE_RANGES`].

use crate::classify::Region;

/// What an area code (NPA) of the North American Numbering Plan is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NpaClass {
    /// Geographic, in the 50 states or DC.
    UsGeographic,
    /// Geographic, in Canada: a valid number, but not one the API monitors.
    Canada,
    /// Geographic, in a US territory (PR, VI, GU, AS, MP).
    UsTerritory(Region),
    /// Geographic, in another NANP country (the Caribbean and Bermuda), with its region.
    OtherNanp(Region),
    /// Toll-free service (800, 833, 844, 855, 866, 877, 888).
    TollFree,
    /// Premium-rate service (900).
    PremiumRate,
    /// Another non-geographic service code (personal 5XX, 600, 700, …).
    NonGeographic,
    /// Not assigned: no number of it is valid.
    Unassigned,
}

mod calling_codes;
mod npa;

pub use calling_codes::CALLING_CODES;
pub use npa::{
    EXCHANGE_OVERRIDES, EXCHANGE_SETS, LINE_RANGES, NANP_OTHER_LENGTHS, NPA_EXCHANGES, NPA_TABLE,
};
