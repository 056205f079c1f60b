//! Batch pre-flight: 1–100 distinct US local numbers, or every reason they are not.

use std::collections::HashMap;
use std::fmt;

use crate::number::ParseError;
use crate::reason::Reason;
use crate::us_local::UsLocalNumber;

/// 1 to 100 distinct US local numbers: the only thing the associate call takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch(Vec<UsLocalNumber>);

impl Batch {
    /// The most numbers one request may carry.
    pub const MAX_SIZE: usize = 100;

    /// Checks typed numbers: 1 to 100, no duplicates.
    pub fn new(numbers: Vec<UsLocalNumber>) -> Result<Batch, BatchRejection> {
        let mut rejection = BatchRejection::default();
        let mut first: HashMap<UsLocalNumber, usize> = HashMap::with_capacity(numbers.len());
        for (index, n) in numbers.iter().enumerate() {
            if let Some(&first_index) = first.get(n) {
                rejection.duplicates.push(DuplicateEntry {
                    index,
                    input: n.to_string(),
                    first_index,
                });
            } else {
                first.insert(*n, index);
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
    pub fn iter(&self) -> impl Iterator<Item = &UsLocalNumber> {
        self.0.iter()
    }

    /// The numbers as a slice in input order, e.g. to serialise them as a request body.
    pub fn as_slice(&self) -> &[UsLocalNumber] {
        &self.0
    }
}

/// One input that is not a US local number.
#[derive(Debug, Clone, PartialEq, Eq)]
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
pub struct BatchRejection {
    /// Inputs that are not US local numbers.
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
/// let batch = validate_batch(["+16035551234", "+12125550199"]).unwrap();
/// assert_eq!(batch.len(), 2);
/// let err = validate_batch(["+16035551234", "+18005551234", "+16035551234"]).unwrap_err();
/// assert_eq!(err.entries[0].reason, Reason::TollFree);
/// assert_eq!(err.duplicates[0].first_index, 0);
/// ```
pub fn validate_batch<I, S>(inputs: I) -> Result<Batch, BatchRejection>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    validate_batch_with(inputs, UsLocalNumber::parse_strict)
}

/// Like [`validate_batch`], reading human US forms ([`crate::E164::parse_lenient`]).
pub fn validate_batch_lenient<I, S>(inputs: I) -> Result<Batch, BatchRejection>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    validate_batch_with(inputs, UsLocalNumber::parse_lenient)
}

fn validate_batch_with<I, S>(
    inputs: I,
    parse: fn(&str) -> Result<UsLocalNumber, ParseError>,
) -> Result<Batch, BatchRejection>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut rejection = BatchRejection::default();
    let mut numbers = Vec::new();
    let mut first: HashMap<UsLocalNumber, usize> = HashMap::new();
    let mut count = 0usize;
    for (index, input) in inputs.into_iter().enumerate() {
        count += 1;
        let input = input.as_ref();
        match parse(input) {
            Ok(n) => match first.get(&n) {
                Some(&first_index) => rejection.duplicates.push(DuplicateEntry {
                    index,
                    input: input.to_owned(),
                    first_index,
                }),
                None => {
                    first.insert(n, index);
                    numbers.push(n);
                }
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
