//! What a number list keeps: an exact number, a run of digits, an enterprise, where numbers are
//! hosted and where their ownership stands. And the one error every typed input of the client
//! reports when it is built from values the API would refuse.

use telnyx_e164::E164;
use telnyx_reputation_api::{NumberSource, OwnershipStatus};
use thiserror::Error;
use uuid::Uuid;

/// A value the API would refuse, caught before anything is sent: which field, and why.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {reason}")]
#[non_exhaustive]
pub struct InvalidInput {
    /// The request field, as the API names it (`filter[phone_number][contains]`,
    /// `call_purpose`, ...).
    pub field: &'static str,
    /// What is wrong with the value, in words.
    pub reason: String,
}

impl InvalidInput {
    pub(crate) fn new(field: &'static str, reason: impl Into<String>) -> InvalidInput {
        InvalidInput {
            field,
            reason: reason.into(),
        }
    }
}

/// `text` as an error quotes it: at most 64 characters, then `…`, so that a megabyte of input
/// does not become a megabyte of message.
pub(crate) fn echo(text: &str) -> String {
    const LIMIT: usize = 64;
    match text.char_indices().nth(LIMIT) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// A partial match on the number (`filter[phone_number][contains]`): digits, optionally after
/// a `+`, at least [`Contains::MIN_DIGITS`] of them as the API requires.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Contains(String);

impl Contains {
    /// The fewest digits the API accepts in a partial match.
    pub const MIN_DIGITS: usize = 5;
    /// The most digits a number (and so a useful partial match) has in E.164.
    pub const MAX_DIGITS: usize = 15;

    /// The partial match on `digits` (`"60355"`, `"+1603"`...), or why the API would refuse it.
    pub fn new(digits: &str) -> Result<Contains, InvalidInput> {
        let field = "filter[phone_number][contains]";
        let bare = digits.strip_prefix('+').unwrap_or(digits);
        if !bare.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidInput::new(
                field,
                format!("{digits:?} is not digits (with an optional leading +)"),
            ));
        }
        if bare.len() < Self::MIN_DIGITS {
            return Err(InvalidInput::new(
                field,
                format!(
                    "{digits:?} has {} digits; a partial match needs at least {}",
                    bare.len(),
                    Self::MIN_DIGITS
                ),
            ));
        }
        if bare.len() > Self::MAX_DIGITS {
            return Err(InvalidInput::new(
                field,
                format!(
                    "{digits:?} has {} digits; no number has more than {}",
                    bare.len(),
                    Self::MAX_DIGITS
                ),
            ));
        }
        Ok(Contains(digits.to_owned()))
    }

    /// The text sent as the filter's value.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Contains {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Contains, InvalidInput> {
        Contains::new(s)
    }
}

/// Which numbers a list returns; the default keeps every number that is not removed.
///
/// **Removed numbers** are listed only with `ownership_status` set to
/// [`OwnershipStatus::Removed`] (each with its `removal_reason` and `removed_at`); no other
/// filter, the default included, returns them.
///
/// An `Option<E164>` converts into the exact-match filter, so `.filter(None)` and
/// `.filter(Some(number))` on a [`NumberQuery`](crate::NumberQuery) read as they always did. The filters combine (all must
/// hold):
///
/// ```
/// use telnyx_reputation::{NumberFilter, NumberSource, OwnershipStatus};
/// let waiting = NumberFilter::default()
///     .source(NumberSource::External)
///     .ownership_status(OwnershipStatus::PendingConfirmation);
/// assert_eq!(waiting.source, Some(NumberSource::External));
/// let removed = NumberFilter::removed();
/// assert_eq!(removed.ownership_status, Some(OwnershipStatus::Removed));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NumberFilter {
    /// Exactly this number (`filter[phone_number][eq]`).
    pub phone_number: Option<E164>,
    /// Numbers that contain these digits (`filter[phone_number][contains]`).
    pub contains: Option<Contains>,
    /// Numbers of this enterprise (`filter[enterprise_id]`); only the account-wide list takes it.
    pub enterprise_id: Option<Uuid>,
    /// Numbers hosted there (`filter[source]`): in the Telnyx inventory, or elsewhere.
    pub source: Option<NumberSource>,
    /// Numbers whose ownership stands so (`filter[ownership_status]`); `Removed` is the only
    /// way to list removed numbers.
    pub ownership_status: Option<OwnershipStatus>,
}

impl NumberFilter {
    /// Keeps only `number`.
    pub fn eq(number: E164) -> NumberFilter {
        NumberFilter {
            phone_number: Some(number),
            ..NumberFilter::default()
        }
    }

    /// Keeps the numbers that contain `digits`.
    pub fn contains(digits: Contains) -> NumberFilter {
        NumberFilter {
            contains: Some(digits),
            ..NumberFilter::default()
        }
    }

    /// Keeps the removed numbers only (the one filter that lists them).
    pub fn removed() -> NumberFilter {
        NumberFilter::default().ownership_status(OwnershipStatus::Removed)
    }

    /// This filter, narrowed to the numbers of one enterprise (account-wide lists only).
    pub fn in_enterprise(self, enterprise_id: Uuid) -> NumberFilter {
        NumberFilter {
            enterprise_id: Some(enterprise_id),
            ..self
        }
    }

    /// This filter, narrowed to `number` (`None`: any number).
    pub fn phone_number(self, number: impl Into<Option<E164>>) -> NumberFilter {
        NumberFilter {
            phone_number: number.into(),
            ..self
        }
    }

    /// This filter, narrowed to the numbers that contain `digits` (`None`: any digits).
    pub fn with_contains(self, digits: impl Into<Option<Contains>>) -> NumberFilter {
        NumberFilter {
            contains: digits.into(),
            ..self
        }
    }

    /// This filter, narrowed to the numbers hosted as `source` says (`None`: anywhere).
    pub fn source(self, source: impl Into<Option<NumberSource>>) -> NumberFilter {
        NumberFilter {
            source: source.into(),
            ..self
        }
    }

    /// This filter, narrowed to the numbers in ownership `status` ([`OwnershipStatus::Removed`]
    /// lists the removed numbers instead of leaving them out; `None`: any status but removed).
    pub fn ownership_status(self, status: impl Into<Option<OwnershipStatus>>) -> NumberFilter {
        NumberFilter {
            ownership_status: status.into(),
            ..self
        }
    }
}

impl From<Option<E164>> for NumberFilter {
    fn from(number: Option<E164>) -> NumberFilter {
        NumberFilter {
            phone_number: number,
            ..NumberFilter::default()
        }
    }
}

impl From<E164> for NumberFilter {
    fn from(number: E164) -> NumberFilter {
        NumberFilter::eq(number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partial_match_needs_five_to_fifteen_digits() {
        assert_eq!(Contains::new("60355").unwrap().as_str(), "60355");
        assert_eq!(Contains::new("+1603555").unwrap().as_str(), "+1603555");
        let short = Contains::new("6035").unwrap_err();
        assert_eq!(short.field, "filter[phone_number][contains]");
        assert!(short.reason.contains("at least 5"), "{short}");
        assert!(Contains::new("+1234").is_err(), "the + is not a digit");
        assert!(Contains::new("603-55").is_err());
        assert!(Contains::new("").is_err());
        assert!(Contains::new("1234567890123456").is_err());
    }

    #[test]
    fn an_optional_number_is_the_exact_match_filter() {
        let n: E164 = "+16035551234".parse().unwrap();
        assert_eq!(NumberFilter::from(Some(n)), NumberFilter::eq(n));
        assert_eq!(NumberFilter::from(None::<E164>), NumberFilter::default());
    }
}
