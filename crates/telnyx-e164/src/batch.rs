//! Batch pre-flight: 1–100 distinct US local or toll-free numbers, or every reason they are not.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;

use crate::number::ParseError;
use crate::reason::Reason;
use crate::us_number::UsNumber;

/// Where each number of a batch first appeared, keyed by its national number (8 bytes hash
/// faster than the 17-byte number itself; the same numbers are equal either way).
struct FirstSeen(HashMap<u64, usize>);

impl FirstSeen {
    fn with_capacity(capacity: usize) -> FirstSeen {
        FirstSeen(HashMap::with_capacity(capacity))
    }

    /// The position `number` first appeared at, if it did before; otherwise records `index`.
    fn repeat_of(&mut self, number: &UsNumber, index: usize) -> Option<usize> {
        match self.0.entry(number.national_number()) {
            Entry::Occupied(first) => Some(*first.get()),
            Entry::Vacant(slot) => {
                slot.insert(index);
                None
            }
        }
    }
}

/// 1 to 100 distinct [`UsNumber`]s (US local or toll-free): the only thing the associate call
/// takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch(Vec<UsNumber>);

impl Batch {
    /// The most numbers one request may carry.
    pub const MAX_SIZE: usize = 100;

    /// Checks typed numbers: 1 to 100, no duplicates.
    pub fn new(numbers: Vec<UsNumber>) -> Result<Batch, BatchRejection> {
        let mut rejection = BatchRejection::default();
        let mut first = FirstSeen::with_capacity(numbers.len());
        for (index, n) in numbers.iter().enumerate() {
            if let Some(first_index) = first.repeat_of(n, index) {
                rejection.duplicates.push(DuplicateEntry {
                    index,
                    input: n.to_string(),
                    first_index,
                });
            }
        }
        rejection.empty = numbers.is_empty();
        rejection.too_many = (numbers.len() > Self::MAX_SIZE).then_some(numbers.len());
        if rejection.is_empty() {
            Ok(Batch(numbers))
        } else {
            Err(rejection)
        }
    }

    /// How many numbers the batch holds: 1 to [`Batch::MAX_SIZE`].
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Never true: a batch holds at least one number.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The numbers in input order, which is the order the associate request sends them in.
    pub fn iter(&self) -> impl Iterator<Item = &UsNumber> {
        self.0.iter()
    }

    /// The numbers as a slice in input order, e.g. to serialise them as a request body.
    pub fn as_slice(&self) -> &[UsNumber] {
        &self.0
    }
}

/// One input that is neither a US local nor a US toll-free number.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RejectedEntry {
    /// The input's 0-based position among the batch's inputs.
    pub index: usize,
    /// The input exactly as given, for the error message.
    pub input: String,
    /// The rule the input breaks.
    pub reason: Reason,
}

/// One input that repeats an earlier number.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DuplicateEntry {
    /// The repeating input's 0-based position among the batch's inputs.
    pub index: usize,
    /// The input exactly as given (it may be written differently from the first).
    pub input: String,
    /// The 0-based position of the input that first gave the same number.
    pub first_index: usize,
}

/// Every reason a batch was refused, all at once.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct BatchRejection {
    /// Inputs that are neither US local nor US toll-free numbers.
    pub entries: Vec<RejectedEntry>,
    /// Inputs that repeat an earlier number.
    pub duplicates: Vec<DuplicateEntry>,
    /// The number of inputs, when more than 100.
    pub too_many: Option<usize>,
    /// Whether there were no inputs at all (a batch needs at least one number).
    pub empty: bool,
}

impl BatchRejection {
    fn is_empty(&self) -> bool {
        self.entries.is_empty()
            && self.duplicates.is_empty()
            && self.too_many.is_none()
            && !self.empty
    }
}

impl fmt::Display for BatchRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if self.empty {
            parts.push(format!(
                "{}: {}",
                Reason::EmptyBatch.code(),
                Reason::EmptyBatch
            ));
        }
        if let Some(n) = self.too_many {
            parts.push(format!(
                "{}: {n} numbers; {}",
                Reason::TooMany.code(),
                Reason::TooMany
            ));
        }
        for e in &self.entries {
            parts.push(format!(
                "#{} {:?}: {}: {}",
                e.index,
                e.input,
                e.reason.code(),
                e.reason
            ));
        }
        for d in &self.duplicates {
            parts.push(format!(
                "#{} {:?}: {}: same as #{}",
                d.index,
                d.input,
                Reason::Duplicate.code(),
                d.first_index
            ));
        }
        write!(f, "batch refused: {}", parts.join("; "))
    }
}

impl std::error::Error for BatchRejection {}

/// Checks raw inputs (strict E.164, the wire form) into a [`Batch`], or lists every problem.
///
/// ```
/// use telnyx_e164::{Reason, validate_batch};
/// let batch = validate_batch(["+16035551234", "+18005551234"]).unwrap();
/// assert_eq!(batch.len(), 2);
/// let err = validate_batch(["+16035551234", "+14165551234", "+16035551234"]).unwrap_err();
/// assert_eq!(err.entries[0].reason, Reason::NonUs);
/// assert_eq!(err.duplicates[0].first_index, 0);
/// ```
pub fn validate_batch<I, S>(inputs: I) -> Result<Batch, BatchRejection>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    validate_batch_with(inputs, UsNumber::parse_strict)
}

/// Like [`validate_batch`], reading human US forms ([`crate::E164::parse_lenient`]).
pub fn validate_batch_lenient<I, S>(inputs: I) -> Result<Batch, BatchRejection>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    validate_batch_with(inputs, UsNumber::parse_lenient)
}

fn validate_batch_with<I, S>(
    inputs: I,
    parse: fn(&str) -> Result<UsNumber, ParseError>,
) -> Result<Batch, BatchRejection>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut rejection = BatchRejection::default();
    let inputs = inputs.into_iter();
    // Sized for a full batch at most: a longer input is refused anyway.
    let expected = inputs.size_hint().0.min(Batch::MAX_SIZE);
    let mut numbers = Vec::with_capacity(expected);
    let mut first = FirstSeen::with_capacity(expected);
    let mut count = 0usize;
    for (index, input) in inputs.enumerate() {
        count += 1;
        let input = input.as_ref();
        match parse(input) {
            Ok(n) => match first.repeat_of(&n, index) {
                Some(first_index) => rejection.duplicates.push(DuplicateEntry {
                    index,
                    input: input.to_owned(),
                    first_index,
                }),
                None => numbers.push(n),
            },
            Err(e) => rejection.entries.push(RejectedEntry {
                index,
                input: input.to_owned(),
                reason: e.reason,
            }),
        }
    }
    rejection.empty = count == 0;
    rejection.too_many = (count > Batch::MAX_SIZE).then_some(count);
    if rejection.is_empty() {
        Ok(Batch(numbers))
    } else {
        Err(rejection)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_repeat_names_the_first_position_and_keeps_its_input_as_given() {
        let err = validate_batch_lenient([
            "(603) 555-1234",
            "+16035551235",
            "603.555.1234",
            "+16035551235",
            "1 603 555 1234",
        ])
        .unwrap_err();
        let seen: Vec<_> = err
            .duplicates
            .iter()
            .map(|d| (d.index, d.input.as_str(), d.first_index))
            .collect();
        assert_eq!(
            seen,
            [
                (2, "603.555.1234", 0),
                (3, "+16035551235", 1),
                (4, "1 603 555 1234", 0)
            ]
        );
        assert!(err.entries.is_empty() && err.too_many.is_none() && !err.empty);
    }

    #[test]
    fn distinct_numbers_keep_their_order_and_typed_batches_refuse_repeats() {
        let batch = validate_batch(["+16035551235", "+12125550199", "+16035551234"]).unwrap();
        let texts: Vec<_> = batch.iter().map(UsNumber::as_str).collect();
        assert_eq!(texts, ["+16035551235", "+12125550199", "+16035551234"]);

        let n = |s| UsNumber::parse_strict(s).unwrap();
        let err = Batch::new(vec![
            n("+16035551234"),
            n("+12125550199"),
            n("+16035551234"),
        ])
        .unwrap_err();
        assert_eq!(
            err.duplicates,
            [DuplicateEntry {
                index: 2,
                input: "+16035551234".into(),
                first_index: 0
            }]
        );
        assert_eq!(Batch::new(batch.as_slice().to_vec()), Ok(batch));
    }
}
