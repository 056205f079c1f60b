//! [`UsLocalNumber`]: a number the associate call accepts, and nothing else.

use std::fmt;
use std::str::FromStr;

use crate::classify::NumberKind;
use crate::number::{E164, ParseError};

/// A valid US geographic number. The only way to build one is through a check, so holding one
/// proves the API will accept it on the grounds of format and kind.
///
/// ```
/// use telnyx_e164::{Reason, UsLocalNumber};
/// let n = UsLocalNumber::parse_strict("+16035551234").unwrap();
/// assert_eq!(n.to_string(), "+16035551234");
/// let err = UsLocalNumber::parse_strict("+18005551234").unwrap_err();
/// assert_eq!(err.reason, Reason::TollFree);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UsLocalNumber(E164);

impl UsLocalNumber {
    /// Strict parse (the wire form), then the US-local check.
    pub fn parse_strict(input: &str) -> Result<UsLocalNumber, ParseError> {
        Self::check(E164::parse_strict(input)?, input)
    }

    /// Lenient parse (human US forms), then the US-local check.
    pub fn parse_lenient(input: &str) -> Result<UsLocalNumber, ParseError> {
        Self::check(E164::parse_lenient(input)?, input)
    }

    fn check(number: E164, input: &str) -> Result<UsLocalNumber, ParseError> {
        match number.kind().refusal() {
            None => Ok(UsLocalNumber(number)),
            Some(reason) => Err(ParseError::new(reason, input)),
        }
    }

    /// The same number as a general [`E164`], e.g. to classify or print it.
    pub fn as_e164(&self) -> E164 {
        self.0
    }

    /// The canonical wire text, `+1` and ten digits, as the API expects it.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The ten national digits (area code, exchange, line) as one integer: 8 bytes instead of
    /// this type's 17, for holding millions of numbers at once.
    ///
    /// ```
    /// use telnyx_e164::UsLocalNumber;
    /// let n = UsLocalNumber::parse_strict("+16035551234").unwrap();
    /// assert_eq!(n.national_number(), 6_035_551_234);
    /// assert_eq!(UsLocalNumber::from_national_number(6_035_551_234), Some(n));
    /// ```
    pub fn national_number(&self) -> u64 {
        // Stored as `+1` and ten ASCII digits.
        self.0.digits()[1..]
            .iter()
            .fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0'))
    }

    /// The number whose [`national_number`](Self::national_number) is `n`, if that is a US
    /// local number (the same check as parsing).
    pub fn from_national_number(n: u64) -> Option<UsLocalNumber> {
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
        UsLocalNumber::try_from(number).ok()
    }
}

impl TryFrom<E164> for UsLocalNumber {
    type Error = NumberKind;

    /// Accepts a US local number; otherwise returns what it is instead.
    fn try_from(number: E164) -> Result<Self, Self::Error> {
        match number.kind() {
            NumberKind::UsLocal => Ok(UsLocalNumber(number)),
            other => Err(other),
        }
    }
}

impl From<UsLocalNumber> for E164 {
    fn from(n: UsLocalNumber) -> E164 {
        n.0
    }
}

impl FromStr for UsLocalNumber {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UsLocalNumber::parse_strict(s)
    }
}

impl fmt::Display for UsLocalNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl fmt::Debug for UsLocalNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UsLocalNumber({})", self.0.as_str())
    }
}

impl serde::Serialize for UsLocalNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for UsLocalNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        UsLocalNumber::parse_strict(&s).map_err(serde::de::Error::custom)
    }
}
