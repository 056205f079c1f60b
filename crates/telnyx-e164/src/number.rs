//! [`E164`]: a canonical `+` and up to 15 digits, stored inline; strict and lenient parsing.

use std::fmt;
use std::str::FromStr;

use crate::reason::Reason;

/// The most digits an E.164 number has.
pub const MAX_DIGITS: usize = 15;
/// The fewest digits accepted (a country code and a subscriber digit or more).
pub const MIN_DIGITS: usize = 3;

/// A number in canonical E.164 form: `+` and 3 to 15 digits, the first not 0.
///
/// Stored inline (no heap), `Copy`; ordered and hashed by its text.
///
/// ```
/// use telnyx_e164::E164;
/// let n = E164::parse_strict("+16035551234").unwrap();
/// assert_eq!(n.as_str(), "+16035551234");
/// assert_eq!(E164::parse_lenient("(603) 555-1234").unwrap(), n);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct E164 {
    // `+` then the digits; bytes past `len` are zero so derived Eq/Ord/Hash see the text only.
    bytes: [u8; MAX_DIGITS + 1],
    len: u8,
}

/// Why an input is not a number, with the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?}: {reason}")]
#[non_exhaustive]
pub struct ParseError {
    /// The rule the input breaks.
    pub reason: Reason,
    /// The input exactly as given, for the error message.
    pub input: String,
}

impl ParseError {
    pub(crate) fn new(reason: Reason, input: &str) -> Self {
        ParseError {
            reason,
            input: input.to_owned(),
        }
    }

    /// The reason's stable snake_case code (see [`Reason::code`]), for machine-readable output.
    pub fn code(&self) -> &'static str {
        self.reason.code()
    }
}

impl E164 {
    /// Builds a number from its digits (without `+`), checking length and leading digit.
    pub(crate) fn from_digits(digits: &[u8]) -> Result<E164, Reason> {
        if digits.len() > MAX_DIGITS {
            return Err(Reason::TooLong);
        }
        if digits.len() < MIN_DIGITS {
            return Err(Reason::TooShort);
        }
        if digits[0] == b'0' {
            return Err(Reason::LeadingZero);
        }
        let mut bytes = [0u8; MAX_DIGITS + 1];
        bytes[0] = b'+';
        bytes[1..=digits.len()].copy_from_slice(digits);
        Ok(E164 {
            bytes,
            len: (digits.len() + 1) as u8,
        })
    }

    /// Parses exactly what the API accepts: `+` followed by digits, nothing else.
    pub fn parse_strict(input: &str) -> Result<E164, ParseError> {
        Self::strict_reason(input.as_bytes()).map_err(|r| ParseError::new(r, input))
    }

    /// [`E164::parse_strict`] without the error's copy of the input: the allocation-free path
    /// for hot loops, returning only the [`Reason`].
    pub fn check_strict(input: &str) -> Result<E164, Reason> {
        Self::strict_reason(input.as_bytes())
    }

    fn strict_reason(bytes: &[u8]) -> Result<E164, Reason> {
        match bytes.split_first() {
            None => Err(Reason::Empty),
            Some((b'+', digits)) => {
                if digits.len() > MAX_DIGITS {
                    return Err(Reason::TooLong);
                }
                if !digits.iter().all(u8::is_ascii_digit) {
                    return Err(Reason::InvalidCharacter);
                }
                Self::from_digits(digits)
            }
            Some(_) if bytes.iter().all(u8::is_ascii_whitespace) => Err(Reason::Empty),
            Some(_) => Err(Reason::MissingPlus),
        }
    }

    /// Parses human forms read as US numbers: surrounding whitespace, spaces, `()`, `-`, `.`
    /// and `/` between digits; `+` and a country code, or 10 digits (US), or 11 starting with
    /// `1`. `(603) 555-1234`, `603.555.1234`, `1 603 555 1234`, `+1 (603) 555-1234`.
    pub fn parse_lenient(input: &str) -> Result<E164, ParseError> {
        Self::lenient_reason(input.trim()).map_err(|r| ParseError::new(r, input))
    }

    fn lenient_reason(trimmed: &str) -> Result<E164, Reason> {
        if trimmed.is_empty() {
            return Err(Reason::Empty);
        }
        let (plus, rest) = match trimmed.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let mut digits = [0u8; MAX_DIGITS];
        let mut n = 0usize;
        for &b in rest.as_bytes() {
            match b {
                b'0'..=b'9' => {
                    if n == MAX_DIGITS {
                        return Err(Reason::TooLong);
                    }
                    digits[n] = b;
                    n += 1;
                }
                b' ' | b'\t' | b'(' | b')' | b'-' | b'.' | b'/' => {}
                _ => return Err(Reason::InvalidCharacter),
            }
        }
        let digits = &digits[..n];
        if plus {
            return Self::from_digits(digits);
        }
        match digits.len() {
            0 => Err(Reason::Empty),
            10 => {
                let mut with_one = [0u8; 11];
                with_one[0] = b'1';
                with_one[1..].copy_from_slice(digits);
                Self::from_digits(&with_one)
            }
            11 if digits[0] == b'1' => Self::from_digits(digits),
            _ => Err(Reason::NotUsFormat),
        }
    }

    /// The canonical text, `+` and digits.
    pub fn as_str(&self) -> &str {
        // Only ASCII '+' and digits are ever stored.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("+")
    }

    /// The number's ASCII digits without the `+`: country code first, 1 to 15 of them.
    pub fn digits(&self) -> &[u8] {
        &self.bytes[1..usize::from(self.len)]
    }
}

impl fmt::Display for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "E164({})", self.as_str())
    }
}

impl FromStr for E164 {
    type Err = ParseError;

    /// Strict parsing of the wire form, `+` and digits only: see [`E164::parse_strict`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        E164::parse_strict(s)
    }
}

impl serde::Serialize for E164 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for E164 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        E164::parse_strict(&s).map_err(serde::de::Error::custom)
    }
}
