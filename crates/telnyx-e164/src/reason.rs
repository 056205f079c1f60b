//! Why a number is refused: one reason per rule, each with a stable code.

use std::fmt;

/// The rule an input breaks. [`Reason::code`] is stable: tools and the emulator's error bodies
/// use it, so it never changes meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Reason {
    /// The input is empty or nothing but whitespace.
    Empty,
    /// Strict form requires a leading `+`.
    MissingPlus,
    /// A character that is not an ASCII digit (after `+`, or outside the accepted separators).
    InvalidCharacter,
    /// More than 15 digits (E.164's maximum).
    TooLong,
    /// Too few digits to be any number.
    TooShort,
    /// A country calling code cannot start with 0.
    LeadingZero,
    /// No assigned country calling code starts the number.
    UnassignedCountryCode,
    /// The national number's length is not possible for its country.
    ImpossibleLength,
    /// A +1 number must have ten national digits (seven only for the few service codes the
    /// metadata lists, such as Canada's 310-XXXX).
    NanpLength,
    /// A NANP area code cannot start with 0 or 1.
    InvalidAreaCode,
    /// A NANP exchange cannot start with 0 or 1.
    InvalidExchange,
    /// The area code is not assigned.
    UnassignedAreaCode,
    /// The exchange (the three digits after the area code) is not valid in its area code's region.
    UnassignedExchange,
    /// Lenient form: digits that cannot be read as a US number (10 digits, or 11 starting with 1).
    NotUsFormat,
    /// US premium rate (900): neither a local nor a toll-free number.
    PremiumRate,
    /// Another US service code (5XX personal, 600, 700, ...): neither a local nor a toll-free
    /// number.
    NonGeographic,
    /// Canada, another NANP country or a US territory (whatever the number's type there), or any
    /// non-NANP country.
    NonUs,
    /// The same number appears earlier in the batch.
    Duplicate,
    /// More than 100 numbers in one batch.
    TooMany,
    /// A batch needs at least one number.
    EmptyBatch,
}

impl Reason {
    /// Every reason, in declaration order, e.g. to document or test every code.
    pub const ALL: [Reason; 20] = [
        Reason::Empty,
        Reason::MissingPlus,
        Reason::InvalidCharacter,
        Reason::TooLong,
        Reason::TooShort,
        Reason::LeadingZero,
        Reason::UnassignedCountryCode,
        Reason::ImpossibleLength,
        Reason::NanpLength,
        Reason::InvalidAreaCode,
        Reason::InvalidExchange,
        Reason::UnassignedAreaCode,
        Reason::UnassignedExchange,
        Reason::NotUsFormat,
        Reason::PremiumRate,
        Reason::NonGeographic,
        Reason::NonUs,
        Reason::Duplicate,
        Reason::TooMany,
        Reason::EmptyBatch,
    ];

    /// The stable snake_case code, used in machine-readable output and the emulator's errors.
    pub const fn code(self) -> &'static str {
        match self {
            Reason::Empty => "empty",
            Reason::MissingPlus => "missing_plus",
            Reason::InvalidCharacter => "invalid_character",
            Reason::TooLong => "too_long",
            Reason::TooShort => "too_short",
            Reason::LeadingZero => "leading_zero",
            Reason::UnassignedCountryCode => "unassigned_country_code",
            Reason::ImpossibleLength => "impossible_length",
            Reason::NanpLength => "nanp_length",
            Reason::InvalidAreaCode => "invalid_area_code",
            Reason::InvalidExchange => "invalid_exchange",
            Reason::UnassignedAreaCode => "unassigned_area_code",
            Reason::UnassignedExchange => "unassigned_exchange",
            Reason::NotUsFormat => "not_us_format",
            Reason::PremiumRate => "premium_rate",
            Reason::NonGeographic => "non_geographic",
            Reason::NonUs => "non_us",
            Reason::Duplicate => "duplicate",
            Reason::TooMany => "too_many",
            Reason::EmptyBatch => "empty_batch",
        }
    }

    /// The rule, in words, as error messages print it after the input.
    pub const fn rule(self) -> &'static str {
        match self {
            Reason::Empty => "a number is required",
            Reason::MissingPlus => "E.164 numbers start with '+'",
            Reason::InvalidCharacter => "only digits may follow '+'",
            Reason::TooLong => "E.164 numbers have at most 15 digits",
            Reason::TooShort => "too few digits for a phone number",
            Reason::LeadingZero => "a country calling code cannot start with 0",
            Reason::UnassignedCountryCode => "no assigned country calling code starts the number",
            Reason::ImpossibleLength => "the number's length is not possible for its country",
            Reason::NanpLength => "+1 numbers have exactly ten digits after the 1",
            Reason::InvalidAreaCode => "a NANP area code cannot start with 0 or 1",
            Reason::InvalidExchange => "a NANP exchange cannot start with 0 or 1",
            Reason::UnassignedAreaCode => "the area code is not assigned",
            Reason::UnassignedExchange => "the exchange is not assigned in its area code",
            Reason::NotUsFormat => {
                "cannot be read as a US number (10 digits, or 11 starting with 1)"
            }
            Reason::PremiumRate => "premium-rate numbers are neither US local nor toll-free",
            Reason::NonGeographic => "non-geographic numbers are neither US local nor toll-free",
            Reason::NonUs => "only US numbers can be monitored",
            Reason::Duplicate => "the number appears earlier in the batch",
            Reason::TooMany => "a request holds at most 100 numbers",
            Reason::EmptyBatch => "a request holds at least one number",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.rule())
    }
}

impl serde::Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_snake_case() {
        let mut codes: Vec<&str> = Reason::ALL.iter().map(|r| r.code()).collect();
        assert!(
            codes
                .iter()
                .all(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        );
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Reason::ALL.len());
    }
}
