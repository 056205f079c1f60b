//! Pre-flight: every input checked against the E.164 rules before anything is sent.

use std::collections::HashMap;

use telnyx_e164::UsLocalNumber;

use super::report::{Duplicate, Refusal};

/// How inputs are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Parsing {
    /// Exactly `+` and digits, as the API requires.
    #[default]
    Strict,
    /// Human-written US forms (`(603) 555-1234`, `603.555.1234`, ...); sent in canonical form.
    Lenient,
}

/// The inputs that passed, in input order, with their input index.
pub(crate) struct Preflight {
    pub inputs: u64,
    pub valid: Vec<(UsLocalNumber, u64)>,
    pub refused: Vec<Refusal>,
    pub duplicates: Vec<Duplicate>,
}

/// Reads every input once. Memory: the distinct valid numbers (a few dozen bytes each), plus
/// the refusals and duplicates to report.
pub(crate) fn preflight<I, S>(inputs: I, parsing: Parsing) -> Preflight
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut valid = Vec::new();
    let mut first_seen: HashMap<UsLocalNumber, u64> = HashMap::new();
    let mut refused = Vec::new();
    let mut duplicates = Vec::new();
    let mut count = 0u64;
    for (index, input) in inputs.into_iter().enumerate() {
        let index = index as u64;
        count += 1;
        let input = input.as_ref();
        let parsed = match parsing {
            Parsing::Strict => UsLocalNumber::parse_strict(input),
            Parsing::Lenient => UsLocalNumber::parse_lenient(input),
        };
        match parsed {
            Ok(number) => match first_seen.get(&number) {
                Some(&first) => duplicates.push(Duplicate {
                    index,
                    input: input.to_owned(),
                    first_index: first,
                }),
                None => {
                    first_seen.insert(number, index);
                    valid.push((number, index));
                }
            },
            Err(e) => refused.push(Refusal {
                index: Some(index),
                input: input.to_owned(),
                code: e.code().to_owned(),
                detail: e.to_string(),
            }),
        }
    }
    Preflight {
        inputs: count,
        valid,
        refused,
        duplicates,
    }
}
