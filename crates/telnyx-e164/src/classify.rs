//! [`NumberKind`]: what a number is, by the NANP rules and libphonenumber's metadata.

use std::fmt;

use crate::number::E164;
use crate::reason::Reason;
use crate::tables::{
    CALLING_CODES, EXCHANGE_OVERRIDES, EXCHANGE_SETS, LINE_RANGES, NANP_OTHER_LENGTHS,
    NPA_EXCHANGES, NPA_TABLE, NpaClass,
};
use crate::us_number::UsNumberKind;

/// A region code as libphonenumber names it: ISO 3166-1 alpha-2 (`CA`, `PR`, `GB`), or `001`
/// for non-geographic international services (+800, +808, +870, ...).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region(&'static str);

impl Region {
    /// A region from its ISO 3166-1 alpha-2 code (or libphonenumber's `001` for non-geographic
    /// numbers); the code is not checked.
    pub const fn new(code: &'static str) -> Region {
        Region(code)
    }

    /// The region's code as libphonenumber names it, e.g. `"CA"` or `"PR"`.
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
#[non_exhaustive]
pub enum NumberKind {
    /// A US geographic number: accepted by the associate call.
    UsLocal,
    /// US toll-free (800, 833, 844, 855, 866, 877, 888, where libphonenumber's region is US):
    /// accepted by the associate call only from the account's Telnyx inventory, which the
    /// server decides.
    TollFree,
    /// US premium rate (900).
    PremiumRate,
    /// Another US service code (personal 5XX, 600, 700, ...).
    NonGeographic,
    /// Canada, another NANP country, a US territory, or a number of another country, whatever
    /// its type there (a Caribbean toll-free or premium number is `NonUs`).
    NonUs {
        /// The region libphonenumber assigns the number to.
        region: Region,
    },
    /// Not a valid number in the region its prefix names (libphonenumber's validity).
    Invalid {
        /// The rule the number breaks.
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

    /// What the associate call makes of this kind: accepted as a US local or toll-free
    /// [`UsNumberKind`], or refused for a [`Reason`].
    ///
    /// ```
    /// use telnyx_e164::{NumberKind, Reason, UsNumberKind};
    /// assert_eq!(NumberKind::TollFree.accepted(), Ok(UsNumberKind::TollFree));
    /// assert_eq!(NumberKind::PremiumRate.accepted(), Err(Reason::PremiumRate));
    /// ```
    pub const fn accepted(&self) -> Result<UsNumberKind, Reason> {
        match self {
            NumberKind::UsLocal => Ok(UsNumberKind::Local),
            NumberKind::TollFree => Ok(UsNumberKind::TollFree),
            NumberKind::PremiumRate => Err(Reason::PremiumRate),
            NumberKind::NonGeographic => Err(Reason::NonGeographic),
            NumberKind::NonUs { .. } => Err(Reason::NonUs),
            NumberKind::Invalid { reason } => Err(*reason),
        }
    }

    /// Why this kind is refused by the associate call: `None` for the kinds it accepts,
    /// [`NumberKind::UsLocal`] and [`NumberKind::TollFree`] (see [`NumberKind::accepted`]).
    pub const fn refusal(&self) -> Option<Reason> {
        match self.accepted() {
            Ok(_) => None,
            Err(reason) => Some(reason),
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

/// Classifies a number by libphonenumber's metadata: US local, toll-free, premium rate,
/// another NANP service, another region, or invalid. Allocation-free table look-ups.
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
        return classify_nanp_other_length(national);
    }
    if national[0] < b'2' {
        return NumberKind::Invalid {
            reason: Reason::InvalidAreaCode,
        };
    }
    let npa = digit(national[0]) * 100 + digit(national[1]) * 10 + digit(national[2]);
    let exchange = digit(national[3]) * 100 + digit(national[4]) * 10 + digit(national[5]);
    let index = npa - 200;
    let set = &EXCHANGE_SETS[usize::from(NPA_EXCHANGES[index])];
    let class = if (set[exchange / 64] >> (exchange % 64)) & 1 == 1 {
        NPA_TABLE[index]
    } else {
        // Exchanges outside the NPA's set: few are valid with another class, the rest are not.
        let key = (npa * 1000 + exchange) as u32;
        match EXCHANGE_OVERRIDES.binary_search_by_key(&key, |entry| entry.0) {
            Ok(i) => EXCHANGE_OVERRIDES[i].1,
            Err(_) => {
                if let Some(class) = find_range(&LINE_RANGES, national_value(national)) {
                    return kind_of(class);
                }
                let reason = if NPA_TABLE[index] == NpaClass::Unassigned {
                    Reason::UnassignedAreaCode
                } else if national[3] < b'2' {
                    Reason::InvalidExchange
                } else {
                    Reason::UnassignedExchange
                };
                return NumberKind::Invalid { reason };
            }
        }
    };
    kind_of(class)
}

/// +1 numbers of another length than ten: the few libphonenumber takes (7-digit Canadian service
/// codes), by their leading digits.
fn classify_nanp_other_length(national: &[u8]) -> NumberKind {
    let len = national.len();
    let value = national_value(national);
    let ranges = NANP_OTHER_LENGTHS
        .iter()
        .filter(|(l, ..)| usize::from(*l) == len)
        .map(|(_, first, last, class)| (*first, *last, *class));
    for (first, last, class) in ranges {
        if (first..=last).contains(&value) {
            return kind_of(class);
        }
    }
    NumberKind::Invalid {
        reason: Reason::NanpLength,
    }
}

/// At most 14 national digits: always fits.
fn national_value(national: &[u8]) -> u64 {
    national
        .iter()
        .fold(0u64, |acc, b| acc * 10 + u64::from(b - b'0'))
}

/// The class of the sorted, disjoint range holding `value`.
fn find_range(ranges: &[(u64, u64, NpaClass)], value: u64) -> Option<NpaClass> {
    let i = ranges.partition_point(|r| r.1 < value);
    ranges.get(i).filter(|r| r.0 <= value).map(|r| r.2)
}

fn kind_of(class: NpaClass) -> NumberKind {
    match class {
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
