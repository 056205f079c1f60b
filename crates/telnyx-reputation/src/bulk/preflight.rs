//! Pre-flight: every input checked against the E.164 rules before anything is sent.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use telnyx_e164::UsNumber;

use super::job_report::{Duplicate, Refusal};

/// How inputs are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Parsing {
    /// Exactly `+` and digits, as the API requires.
    #[default]
    Strict,
    /// Human-written US forms (`(603) 555-1234`, `603.555.1234`, ...); sent in canonical form.
    Lenient,
}

/// Hashes the 8-byte numbers of pre-flight with SplitMix64's finaliser (a bijection that mixes
/// every bit into every bit): two multiplications for one 8-byte key, where SipHash runs its
/// rounds over it; a million distinct inserts take about half the time. Keys are the caller's
/// own numbers, so resistance to chosen collisions is not needed here.
#[derive(Default)]
struct NumberHasher(u64);

impl Hasher for NumberHasher {
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 ^= n;
    }
}

type NumberSet = HashSet<u64, BuildHasherDefault<NumberHasher>>;

/// The inputs that passed, in input order, as [`UsNumber::national_number`]s.
pub(crate) struct Preflight {
    pub inputs: u64,
    /// Distinct valid numbers, 8 bytes each, in the order of their first input.
    pub valid: Vec<u64>,
    pub refused: Vec<Refusal>,
    pub duplicates: Vec<Duplicate>,
}

/// Reads every input once, keeping no input text but that of refused and duplicate inputs.
///
/// Memory per distinct valid number: 8 bytes in `valid`, and while reading, about 9 more in
/// the set that finds duplicates (dropped on return). The first position of a duplicated
/// number is found afterwards, in one pass over `valid`, for the duplicated numbers only.
pub(crate) fn preflight<I, S>(inputs: I, parsing: Parsing) -> Preflight
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let inputs = inputs.into_iter();
    let expected = inputs.size_hint().0;
    let mut valid = Vec::with_capacity(expected);
    let mut seen = NumberSet::with_capacity_and_hasher(expected, Default::default());
    let mut refused = Vec::new();
    let mut duplicates = Vec::new();
    let mut duplicate_numbers = Vec::new();
    let mut count = 0u64;
    for (index, input) in inputs.enumerate() {
        let index = index as u64;
        count += 1;
        let input = input.as_ref();
        let parsed = match parsing {
            Parsing::Strict => UsNumber::parse_strict(input),
            Parsing::Lenient => UsNumber::parse_lenient(input),
        };
        match parsed {
            Ok(number) => {
                let n = number.national_number();
                if seen.insert(n) {
                    valid.push(n);
                } else {
                    duplicates.push(Duplicate {
                        index,
                        input: input.to_owned(),
                        first_index: 0,
                    });
                    duplicate_numbers.push(n);
                }
            }
            Err(e) => refused.push(Refusal {
                index: Some(index),
                input: input.to_owned(),
                code: e.code().to_owned(),
                detail: e.to_string(),
            }),
        }
    }
    drop(seen);
    if !duplicates.is_empty() {
        first_positions(&valid, &refused, &mut duplicates, &duplicate_numbers);
    }
    Preflight {
        inputs: count,
        valid,
        refused,
        duplicates,
    }
}

/// Fills `first_index` of every duplicate: the input position of the valid entry with the same
/// number. Input positions are split between valid entries, refusals and duplicates, the last
/// two recorded in increasing order, so the position of each valid entry follows from a merge.
fn first_positions(
    valid: &[u64],
    refused: &[Refusal],
    duplicates: &mut [Duplicate],
    duplicate_numbers: &[u64],
) {
    let mut wanted: HashMap<u64, u64> = duplicate_numbers.iter().map(|n| (*n, 0)).collect();
    let mut skipped = refused
        .iter()
        .filter_map(|r| r.index)
        .chain(duplicates.iter().map(|d| d.index))
        .collect::<Vec<u64>>();
    skipped.sort_unstable();
    let mut skipped = skipped.into_iter().peekable();
    let mut position = 0u64;
    for n in valid {
        while skipped.peek() == Some(&position) {
            skipped.next();
            position += 1;
        }
        if let Some(first) = wanted.get_mut(n) {
            *first = position;
        }
        position += 1;
    }
    for (duplicate, n) in duplicates.iter_mut().zip(duplicate_numbers) {
        duplicate.first_index = wanted[n];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_name_the_position_of_the_first_input() {
        let inputs = [
            "+16035550001", // 0
            "garbage",      // 1
            "+16035550002", // 2
            "+16035550001", // 3: duplicate of 0
            "+14165551234", // 4: Canada
            "+16035550003", // 5
            "+16035550002", // 6: duplicate of 2
            "+16035550003", // 7: duplicate of 5
            "+16035550003", // 8: duplicate of 5
        ];
        let p = preflight(inputs, Parsing::Strict);
        assert_eq!(p.inputs, 9);
        assert_eq!(p.valid, vec![6_035_550_001, 6_035_550_002, 6_035_550_003]);
        assert_eq!(
            p.refused.iter().map(|r| r.index).collect::<Vec<_>>(),
            vec![Some(1), Some(4)]
        );
        let dups: Vec<(u64, u64)> = p
            .duplicates
            .iter()
            .map(|d| (d.index, d.first_index))
            .collect();
        assert_eq!(dups, vec![(3, 0), (6, 2), (7, 5), (8, 5)]);
    }

    #[test]
    fn lenient_duplicates_keep_the_text_as_given() {
        let p = preflight(["(603) 555-0001", "603.555.0001"], Parsing::Lenient);
        assert_eq!(p.valid, vec![6_035_550_001]);
        assert_eq!(p.duplicates[0].input, "603.555.0001");
        assert_eq!(p.duplicates[0].first_index, 0);
    }
}
