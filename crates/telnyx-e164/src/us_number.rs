//! [`UsNumber`]: a number the associate call accepts, and nothing else.

use std::fmt;
use std::str::FromStr;

use crate::classify::NumberKind;
use crate::number::{E164, ParseError};

/// Which of the two kinds the associate call accepts a [`UsNumber`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum UsNumberKind {
    /// A US geographic number: accepted whether it is in the account's Telnyx inventory or
    /// hosted elsewhere.
    Local,
    /// A US toll-free number (800, 833, 844, 855, 866, 877, 888): accepted only when it is in
    /// the account's Telnyx inventory. Only the server knows the inventory, so it decides.
    TollFree,
}

impl UsNumberKind {
    /// The kind's name, the same as [`NumberKind::name`] of the number: `us_local` or
    /// `toll_free`.
    pub const fn name(self) -> &'static str {
        match self {
            UsNumberKind::Local => "us_local",
            UsNumberKind::TollFree => "toll_free",
        }
    }

    /// The condition the server still applies to a number of this kind, to print beside it
    /// when it passes pre-flight: `None` for a local number (accepted from anywhere).
    ///
    /// ```
    /// use telnyx_e164::UsNumberKind;
    /// assert_eq!(UsNumberKind::Local.note(), None);
    /// assert_eq!(
    ///     UsNumberKind::TollFree.note(),
    ///     Some("accepted from your Telnyx inventory only")
    /// );
    /// ```
    pub const fn note(self) -> Option<&'static str> {
        match self {
            UsNumberKind::Local => None,
            UsNumberKind::TollFree => Some("accepted from your Telnyx inventory only"),
        }
    }
}

impl fmt::Display for UsNumberKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl serde::Serialize for UsNumberKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// A valid US local or US toll-free number: what the associate call accepts on the grounds of
/// format and kind. The only way to build one is through a check, so holding one proves it.
/// A toll-free number is further accepted only from the account's Telnyx inventory, which the
/// server decides ([`UsNumber::kind`], [`UsNumberKind::note`]).
///
/// ```
/// use telnyx_e164::{Reason, UsNumber, UsNumberKind};
/// let n = UsNumber::parse_strict("+16035551234").unwrap();
/// assert_eq!((n.to_string().as_str(), n.kind()), ("+16035551234", UsNumberKind::Local));
/// let tf = UsNumber::parse_strict("+18005551234").unwrap();
/// assert_eq!(tf.kind(), UsNumberKind::TollFree);
/// let err = UsNumber::parse_strict("+14165551234").unwrap_err();
/// assert_eq!(err.reason, Reason::NonUs);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UsNumber {
    // `+1` and ten digits; the kind follows from the area code.
    number: E164,
}

impl UsNumber {
    /// Strict parse (the wire form), then the check of kind.
    pub fn parse_strict(input: &str) -> Result<UsNumber, ParseError> {
        Self::check(E164::parse_strict(input)?, input)
    }

    /// Lenient parse (human US forms), then the check of kind.
    pub fn parse_lenient(input: &str) -> Result<UsNumber, ParseError> {
        Self::check(E164::parse_lenient(input)?, input)
    }

    fn check(number: E164, input: &str) -> Result<UsNumber, ParseError> {
        match number.kind().accepted() {
            Ok(_) => Ok(UsNumber { number }),
            Err(reason) => Err(ParseError::new(reason, input)),
        }
    }

    /// US local or US toll-free, from the area code alone: every US toll-free number is in one
    /// of the seven toll-free codes, and every US number of those codes is toll-free (checked
    /// over the whole table by `tests/it/tables.rs`).
    pub fn kind(&self) -> UsNumberKind {
        match self.number.digits().get(1..4) {
            Some(b"800" | b"833" | b"844" | b"855" | b"866" | b"877" | b"888") => {
                UsNumberKind::TollFree
            }
            _ => UsNumberKind::Local,
        }
    }

    /// The same number as a general [`E164`], e.g. to classify or print it.
    pub fn as_e164(&self) -> E164 {
        self.number
    }

    /// The canonical wire text, `+1` and ten digits, as the API expects it.
    pub fn as_str(&self) -> &str {
        self.number.as_str()
    }

    /// The ten national digits (area code, exchange, line) as one integer: 8 bytes instead of
    /// this type's 17, for holding millions of numbers at once.
    ///
    /// ```
    /// use telnyx_e164::UsNumber;
    /// let n = UsNumber::parse_strict("+16035551234").unwrap();
    /// assert_eq!(n.national_number(), 6_035_551_234);
    /// assert_eq!(UsNumber::from_national_number(6_035_551_234), Some(n));
    /// ```
    pub fn national_number(&self) -> u64 {
        // Stored as `+1` and ten ASCII digits.
        self.number.digits()[1..]
            .iter()
            .fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0'))
    }

    /// The number whose [`national_number`](Self::national_number) is `n`, if that is a US
    /// local or toll-free number (the same check as parsing).
    pub fn from_national_number(n: u64) -> Option<UsNumber> {
        if !(1_000_000_000..10_000_000_000).contains(&n) {
            return None;
        }
        let mut digits = [0u8; 11];
        digits[0] = b'1';
        let mut rest = n;
        for slot in digits[1..].iter_mut().rev() {
            *slot = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        let number = E164::from_digits(&digits).ok()?;
        UsNumber::try_from(number).ok()
    }
}

impl TryFrom<E164> for UsNumber {
    type Error = NumberKind;

    /// Accepts a US local or toll-free number; otherwise returns what it is instead.
    fn try_from(number: E164) -> Result<Self, Self::Error> {
        let kind = number.kind();
        match kind.accepted() {
            Ok(_) => Ok(UsNumber { number }),
            Err(_) => Err(kind),
        }
    }
}

impl From<UsNumber> for E164 {
    fn from(n: UsNumber) -> E164 {
        n.number
    }
}

impl FromStr for UsNumber {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UsNumber::parse_strict(s)
    }
}

impl fmt::Display for UsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.number.as_str())
    }
}

impl fmt::Debug for UsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UsNumber({})", self.number.as_str())
    }
}

impl serde::Serialize for UsNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for UsNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        UsNumber::parse_strict(&s).map_err(serde::de::Error::custom)
    }
}
