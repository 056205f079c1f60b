//! From the metadata to the shape of the runtime tables.

use std::collections::{BTreeMap, BTreeSet};

use telnyx_e164::tables::NpaClass;

use super::metadata::{Metadata, TYPES};
use super::nanp::classes_by_prefix;

/// The NANP tables: per NPA its class and exchange set, the sets, the exceptions, and the
/// numbers of other lengths.
pub struct Nanp {
    pub npa: Vec<NpaClass>,
    pub npa_set: Vec<usize>,
    pub sets: Vec<[u64; 16]>,
    pub overrides: Vec<(u32, NpaClass)>,
    pub line_ranges: Vec<(u64, u64, NpaClass)>,
    pub other_lengths: Vec<(u8, u64, u64, NpaClass)>,
}

/// The ten-digit space by NPA and exchange, and the other lengths by leading digits.
pub fn nanp(meta: &Metadata) -> Nanp {
    let (by_prefix, line_ranges) = classes_by_prefix(meta, 10);
    assert!(
        line_ranges.iter().all(|r| r.0 >= 2_000_000_000),
        "a valid +1 number whose area code starts with 0 or 1"
    );
    for (prefix, class) in by_prefix.iter().enumerate().take(200_000) {
        assert!(
            class.is_none(),
            "{prefix:06}: a valid +1 number whose area code starts with 0 or 1"
        );
    }
    // Exchanges 200-999 of every NPA, the shape most NPAs have.
    let mut standard = [0u64; 16];
    for e in 200..1000 {
        standard[e / 64] |= 1 << (e % 64);
    }
    let mut sets = vec![standard, [0u64; 16]];
    let mut npa = Vec::new();
    let mut npa_set = Vec::new();
    let mut overrides = Vec::new();
    for n in 200..1000usize {
        let row = &by_prefix[n * 1000..(n + 1) * 1000];
        let dominant = dominant(row);
        let mut set = [0u64; 16];
        for (e, class) in row.iter().enumerate() {
            match class {
                Some(c) if Some(*c) == dominant => set[e / 64] |= 1 << (e % 64),
                Some(c) => overrides.push((u32::try_from(n * 1000 + e).expect("small"), *c)),
                None => {}
            }
        }
        let index = sets.iter().position(|s| *s == set).unwrap_or_else(|| {
            sets.push(set);
            sets.len() - 1
        });
        npa.push(dominant.unwrap_or(NpaClass::Unassigned));
        npa_set.push(index);
    }
    let mut other_lengths = Vec::new();
    let lengths: BTreeSet<u8> = meta.code_regions[&1]
        .iter()
        .flat_map(|id| meta.region(1, id).descs.values())
        .flat_map(|d| d.lengths.iter().copied())
        .filter(|l| *l != 10)
        .collect();
    for len in lengths {
        let (by_prefix, ranges) = classes_by_prefix(meta, len);
        let mut all: Vec<(u64, u64, NpaClass)> = by_prefix
            .iter()
            .enumerate()
            .filter_map(|(p, c)| c.map(|c| (p as u64 * 10_000, p as u64 * 10_000 + 9_999, c)))
            .chain(ranges)
            .collect();
        all.sort_by_key(|r| r.0);
        for (first, last, c) in all {
            match other_lengths.last_mut() {
                Some((l, _, end, k)) if *l == len && *end + 1 == first && *k == c => *end = last,
                _ => other_lengths.push((len, first, last, c)),
            }
        }
    }
    Nanp {
        npa,
        npa_set,
        sets,
        overrides,
        line_ranges,
        other_lengths,
    }
}

/// The class most exchanges of an NPA have (the earliest on a tie).
fn dominant(row: &[Option<NpaClass>]) -> Option<NpaClass> {
    let mut counts: Vec<(NpaClass, usize)> = Vec::new();
    for c in row.iter().flatten() {
        match counts.iter_mut().find(|(k, _)| k == c) {
            Some((_, n)) => *n += 1,
            None => counts.push((*c, 1)),
        }
    }
    let best = counts.iter().map(|(_, n)| *n).max()?;
    counts.into_iter().find(|(_, n)| *n == best).map(|(c, _)| c)
}

/// Calling codes other than 1: the main region and the national lengths some type of some region
/// of the code allows (a length outside them is never valid).
pub fn calling_codes(meta: &Metadata) -> BTreeMap<u16, (String, Vec<u8>)> {
    let mut out = BTreeMap::new();
    for (code, ids) in &meta.code_regions {
        if *code == 1 {
            continue;
        }
        let mut lengths = BTreeSet::new();
        for id in ids {
            let region = meta.region(*code, id);
            let general = region.desc("general_desc").map(|d| d.lengths.clone());
            let general = general.unwrap_or_default();
            for t in TYPES {
                let Some(desc) = region.desc(t) else { continue };
                let own = if desc.lengths.is_empty() {
                    &general
                } else {
                    &desc.lengths
                };
                lengths.extend(
                    own.iter()
                        .filter(|l| general.is_empty() || general.contains(l)),
                );
            }
        }
        out.insert(*code, (ids[0].clone(), lengths.into_iter().collect()));
    }
    out
}
