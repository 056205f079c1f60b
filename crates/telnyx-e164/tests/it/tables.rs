//! The committed tables against their source, libphonenumber 9.0.43's metadata committed in
//! `metadata/` (provenance and checksum in `metadata/SOURCE.toml`). Every table is derived again
//! here and compared with `src/tables/`; on a difference the test fails and says how to
//! regenerate: `UPDATE_TABLES=1 cargo test -p telnyx-e164 --test it tables::`.

mod derive;
mod metadata;
mod nanp;
mod render;

use std::sync::OnceLock;

use sha2::{Digest, Sha256};
use telnyx_e164::tables::{CALLING_CODES, LINE_RANGES, NANP_OTHER_LENGTHS, NPA_TABLE, NpaClass};
use telnyx_e164::{E164, NumberKind, UsNumber};

const SOURCE: &str = "libphonenumber 9.0.43 metadata (metadata/phonenumbers-9.0.43-data.txt)";

fn dir() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}

/// A `key = "value"` line of `metadata/SOURCE.toml`.
fn source_field(key: &str) -> String {
    let text = std::fs::read_to_string(format!("{}/metadata/SOURCE.toml", dir())).expect("SOURCE");
    text.lines()
        .filter_map(|l| l.split_once(" = "))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.trim_matches('"').to_owned())
        .unwrap_or_else(|| panic!("SOURCE.toml has no {key}"))
}

fn metadata() -> &'static metadata::Metadata {
    static META: OnceLock<metadata::Metadata> = OnceLock::new();
    META.get_or_init(|| {
        let path = format!("{}/metadata/{}", dir(), source_field("file"));
        let bytes = std::fs::read(&path).expect("committed metadata");
        let digest: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            digest,
            source_field("sha256"),
            "{path} is not the recorded file"
        );
        metadata::parse(std::str::from_utf8(&bytes).expect("UTF-8"))
    })
}

fn nanp() -> &'static derive::Nanp {
    static NANP: OnceLock<derive::Nanp> = OnceLock::new();
    NANP.get_or_init(|| derive::nanp(metadata()))
}

fn check_or_update(relative: &str, expected: &str) {
    let path = format!("{}/src/tables/{relative}", dir());
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != expected {
        if std::env::var_os("UPDATE_TABLES").is_some() {
            std::fs::write(&path, expected).expect("table file is writable");
        } else {
            panic!(
                "{path} differs from what {SOURCE} gives; regenerate with \
                 UPDATE_TABLES=1 cargo test -p telnyx-e164 --test it tables::"
            );
        }
    }
}

#[test]
fn metadata_is_the_recorded_version() {
    assert_eq!(source_field("libphonenumber"), "9.0.43");
    let meta = metadata();
    assert_eq!(meta.code_regions[&1][0], "US", "US is +1's main region");
    assert!(meta.regions.len() > 240, "{} regions", meta.regions.len());
}

#[test]
fn npa_file_is_derived_from_the_metadata() {
    let nanp = nanp();
    assert!(nanp.sets.len() <= 256, "exchange set indexes are u8");
    check_or_update("npa.rs", &render::npa_file(SOURCE, nanp));
    let count = |want: fn(&NpaClass) -> bool| NPA_TABLE.iter().filter(|c| want(c)).count();
    println!(
        "800 NPAs: {} US geographic, {} Canada, {} US territories, {} other NANP, {} toll-free, \
         {} premium, {} non-geographic, {} unassigned; {} exchange sets, {} exceptions",
        count(|c| *c == NpaClass::UsGeographic),
        count(|c| *c == NpaClass::Canada),
        count(|c| matches!(c, NpaClass::UsTerritory(_))),
        count(|c| matches!(c, NpaClass::OtherNanp(_))),
        count(|c| *c == NpaClass::TollFree),
        count(|c| *c == NpaClass::PremiumRate),
        count(|c| *c == NpaClass::NonGeographic),
        count(|c| *c == NpaClass::Unassigned),
        nanp.sets.len(),
        nanp.overrides.len(),
    );
}

#[test]
fn calling_codes_file_is_derived_from_the_metadata() {
    let codes = derive::calling_codes(metadata());
    check_or_update("calling_codes.rs", &render::codes_file(SOURCE, &codes));
    assert_eq!(codes.len(), CALLING_CODES.len());
}

#[test]
fn toll_free_and_premium_codes_are_the_documented_ones() {
    let toll_free: Vec<usize> = (0..800)
        .filter(|i| NPA_TABLE[*i] == NpaClass::TollFree)
        .map(|i| i + 200)
        .collect();
    assert_eq!(toll_free, [800, 833, 844, 855, 866, 877, 888]);
    assert_eq!(NPA_TABLE[900 - 200], NpaClass::PremiumRate);
}

/// `+1` and `national` written with `len` digits.
fn plus_one(len: u8, national: u64) -> E164 {
    let text = format!("+1{national:0width$}", width = usize::from(len));
    E164::parse_strict(&text).expect("well-formed")
}

/// The region libphonenumber assigns a valid +1 number to, from the metadata (not the tables).
struct Regions {
    /// Per length, the region of each whole prefix and the ranges of split ones.
    by_len: Vec<(u8, nanp::ByPrefix<&'static str>)>,
}

impl Regions {
    fn of(&self, len: u8, national: u64) -> Option<&'static str> {
        let (_, (prefixes, split)) = self.by_len.iter().find(|(l, _)| *l == len)?;
        let prefix = usize::try_from(national / 10_000).ok()?;
        prefixes.get(prefix).copied().flatten().or_else(|| {
            split
                .iter()
                .find(|(first, last, _)| (*first..=*last).contains(&national))
                .map(|r| r.2)
        })
    }
}

#[test]
fn only_us_numbers_are_toll_free_premium_or_non_geographic_and_us_numbers_know_their_kind() {
    let meta = metadata();
    let mut lengths: Vec<u8> = NANP_OTHER_LENGTHS.iter().map(|r| r.0).collect();
    lengths.push(10);
    lengths.sort_unstable();
    lengths.dedup();
    let regions = Regions {
        by_len: lengths
            .iter()
            .map(|len| (*len, nanp::regions_by_prefix(meta, *len)))
            .collect(),
    };
    let kind = |len: u8, national: u64| plus_one(len, national).kind();
    // The tables give every line of an area code and exchange the same class, except the
    // lines of LINE_RANGES; numbers of other lengths are all in NANP_OTHER_LENGTHS. So line 0000
    // of every ten-digit prefix and every number of those ranges meet every class there is.
    let mut samples: Vec<(u8, u64)> = (200_000..1_000_000u64).map(|p| (10, p * 10_000)).collect();
    for (first, last, _) in LINE_RANGES.iter() {
        samples.extend((*first..=*last).map(|n| (10, n)));
    }
    for (len, first, last, _) in NANP_OTHER_LENGTHS.iter() {
        samples.extend((*first..=*last).map(|n| (*len, n)));
    }
    let mut service = [0usize; 3];
    for (len, national) in samples {
        let number_kind = kind(len, national);
        // UsNumber tells local from toll-free by the area code alone: it must agree.
        if let Ok(us) = UsNumber::try_from(plus_one(len, national)) {
            assert_eq!(us.kind().name(), number_kind.name(), "+1{national}");
        }
        let slot = match number_kind {
            NumberKind::TollFree => 0,
            NumberKind::PremiumRate => 1,
            NumberKind::NonGeographic => 2,
            _ => continue,
        };
        service[slot] += 1;
        assert_eq!(
            regions.of(len, national),
            Some("US"),
            "+1{national} is {} but libphonenumber's region for it is not US",
            kind(len, national).name()
        );
    }
    // 7 toll-free area codes, 900, the 5XX personal codes and others: ranges, not strays.
    assert!(
        service[0] >= 7 * 800 && service[1] >= 800 && service[2] >= 800,
        "{service:?}"
    );
}
