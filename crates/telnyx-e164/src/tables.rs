//! Data tables derived from libphonenumber's metadata (through the `phonenumber` crate) and
//! committed, with their provenance in each file's header. `tests/tables.rs` regenerates them
//! from that source and fails on any difference (`UPDATE_TABLES=1` rewrites them).

use crate::classify::Region;

/// What an area code (NPA) of the North American Numbering Plan is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NpaClass {
    /// Geographic, in the 50 states or DC.
    UsGeographic,
    /// Geographic, in Canada.
    Canada,
    /// Geographic, in a US territory (PR, VI, GU, AS, MP).
    UsTerritory(Region),
    /// Geographic, in another NANP country.
    OtherNanp(Region),
    /// Toll-free.
    TollFree,
    /// Premium rate.
    PremiumRate,
    /// Another non-geographic service code.
    NonGeographic,
    /// Not assigned.
    Unassigned,
}

mod calling_codes;
mod npa;

pub use calling_codes::CALLING_CODES;
pub use npa::NPA_TABLE;
