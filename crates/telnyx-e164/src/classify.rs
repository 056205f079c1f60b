//! [`NumberKind`]: what a number is, by the NANP rules and libphonenumber's metadata.

use std::fmt;

use crate::number::E164;
use crate::reason::Reason;
use crate::tables::{CALLING_CODES, NPA_TABLE, NpaClass};

/// A region code as libphonenumber names it: ISO 3166-1 alpha-2 (`CA`, `PR`, `GB`), or `001`
/// for non-geographic international services (+800, +808, +870, ...).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region(&'static str);

impl Region {
    /// A region from its code.
    pub const fn new(code: &'static str) -> Region {
        Region(code)
    }

    /// The code, e.g. `"CA"`.
    pub fn as_str(&self) -> &'static str {
        self.0
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Region({})", self.as_str())
    }
}

impl serde::Serialize for Region {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// What a number is, as far as the Reputation API is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumberKind {
    /// A US geographic number: the only kind the API accepts.
    UsLocal,
    /// NANP toll-free (800, 833, 844, 855, 866, 877, 888).
    TollFree,
    /// NANP premium rate (900).
    PremiumRate,
    /// Another NANP service code (personal 5XX, 600, 700, ...).
    NonGeographic,
    /// Canada, another NANP country, a US territory, or a number of another country.
    NonUs {
        /// Its region.
        region: Region,
    },
    /// Not a valid number.
    Invalid {
        /// Why.
        reason: Reason,
    },
}

impl NumberKind {
    /// The kind's name as the CLI prints it: `us_local`, `toll_free`, `premium_rate`,
    /// `non_geographic`, `non_us`, `invalid`.
    pub const fn name(&self) -> &'static str {
        match self {
            NumberKind::UsLocal => "us_local",
            NumberKind::TollFree => "toll_free",
            NumberKind::PremiumRate => "premium_rate",
            NumberKind::NonGeographic => "non_geographic",
            NumberKind::NonUs { .. } => "non_us",
            NumberKind::Invalid { .. } => "invalid",
        }
    }

    /// Why this kind is refused by the associate call (`None` for [`NumberKind::UsLocal`]).
    pub const fn refusal(&self) -> Option<Reason> {
        match self {
            NumberKind::UsLocal => None,
            NumberKind::TollFree => Some(Reason::TollFree),
            NumberKind::PremiumRate => Some(Reason::PremiumRate),
            NumberKind::NonGeographic => Some(Reason::NonGeographic),
            NumberKind::NonUs { .. } => Some(Reason::NonUs),
            NumberKind::Invalid { reason } => Some(*reason),
        }
    }
}

impl serde::Serialize for NumberKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

fn digit(b: u8) -> usize {
    usize::from(b - b'0')
}

/// Classifies a number.
pub fn classify(number: &E164) -> NumberKind {
    let digits = number.digits();
    if digits[0] == b'1' {
        return classify_nanp(&digits[1..]);
    }
    for cc_len in 1..=3 {
        if digits.len() <= cc_len {
            break;
        }
        let cc = digits[..cc_len]
            .iter()
            .fold(0u16, |acc, b| acc * 10 + (b - b'0') as u16);
        if let Ok(i) = CALLING_CODES.binary_search_by_key(&cc, |entry| entry.0) {
            let (_, region, lengths) = CALLING_CODES[i];
            let national = (digits.len() - cc_len) as u8;
            return if lengths.contains(&national) {
                NumberKind::NonUs { region }
            } else {
                NumberKind::Invalid {
                    reason: Reason::ImpossibleLength,
                }
            };
        }
    }
    NumberKind::Invalid {
        reason: Reason::UnassignedCountryCode,
    }
}

fn classify_nanp(national: &[u8]) -> NumberKind {
    if national.len() != 10 {
        return NumberKind::Invalid {
            reason: Reason::NanpLength,
        };
    }
    if national[0] < b'2' {
        return NumberKind::Invalid {
            reason: Reason::InvalidAreaCode,
        };
    }
    if national[3] < b'2' {
        return NumberKind::Invalid {
            reason: Reason::InvalidExchange,
        };
    }
    let npa = digit(national[0]) * 100 + digit(national[1]) * 10 + digit(national[2]);
    match NPA_TABLE[npa - 200] {
        NpaClass::UsGeographic => NumberKind::UsLocal,
        NpaClass::Canada => NumberKind::NonUs {
            region: Region::new("CA"),
        },
        NpaClass::UsTerritory(region) | NpaClass::OtherNanp(region) => NumberKind::NonUs { region },
        NpaClass::TollFree => NumberKind::TollFree,
        NpaClass::PremiumRate => NumberKind::PremiumRate,
        NpaClass::NonGeographic => NumberKind::NonGeographic,
        NpaClass::Unassigned => NumberKind::Invalid {
            reason: Reason::UnassignedAreaCode,
        },
    }
}

impl E164 {
    /// What this number is. See [`classify`].
    pub fn kind(&self) -> NumberKind {
        classify(self)
    }
}
