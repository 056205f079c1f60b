//! The committed tables against their source, libphonenumber's metadata as the `phonenumber`
//! crate ships it: every NPA 200–999 and every country calling code is derived again here and
//! compared. `UPDATE_TABLES=1 cargo test -p telnyx-e164 --test tables` rewrites the files.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use phonenumber::metadata::{DATABASE, Metadata};
use telnyx_e164::tables::{CALLING_CODES, NPA_TABLE, NpaClass};

const SOURCE: &str = "phonenumber 0.3.10+9.0.33 (libphonenumber metadata 9.0.33)";
const TERRITORIES: &[&str] = &["PR", "VI", "GU", "AS", "MP"];
/// Exchanges tried per NPA; a pattern that accepts any of them assigns the NPA.
const SAMPLE_EXCHANGES: &[&str] = &[
    "234", "456", "567", "678", "789", "321", "987", "555", "212", "899",
];

fn starts_with_match(re: &regex_like::Re<'_>, s: &str) -> bool {
    re.matches_at_start(s)
}

/// Minimal view over phonenumber's cached regex, kept in one place.
mod regex_like {
    pub struct Re<'a>(pub &'a phonenumber::metadata::Metadata);
    impl Re<'_> {
        pub fn matches_at_start(&self, s: &str) -> bool {
            self.0
                .leading_digits()
                .and_then(|re| re.find(s))
                .is_some_and(|m| m.start() == 0)
        }
    }
}

fn matches_any(
    meta: &Metadata,
    npa: u16,
    descriptor: Option<&phonenumber::metadata::Descriptor>,
) -> bool {
    let _ = meta;
    descriptor.is_some_and(|d| {
        SAMPLE_EXCHANGES
            .iter()
            .any(|x| d.is_match(&format!("{npa}{x}1234")))
    })
}

fn derive_npa(npa: u16) -> NpaClass {
    let nanp: Vec<&Metadata> = DATABASE.by_code(&1u16).expect("NANP metadata");
    let sample = format!("{npa}2345678");
    for meta in nanp.iter().filter(|m| !m.is_main_country_for_code()) {
        let claimed = match meta.leading_digits() {
            Some(_) => starts_with_match(&regex_like::Re(meta), &sample),
            None => {
                matches_any(meta, npa, meta.descriptors().fixed_line())
                    || matches_any(meta, npa, meta.descriptors().mobile())
            }
        };
        if claimed {
            let id = meta.id();
            let region = telnyx_e164::Region::new(id);
            return match id {
                "CA" => NpaClass::Canada,
                t if TERRITORIES.contains(&t) => NpaClass::UsTerritory(region),
                _ => NpaClass::OtherNanp(region),
            };
        }
    }
    let us = nanp
        .iter()
        .find(|m| m.is_main_country_for_code())
        .expect("US is the main NANP region");
    if matches_any(us, npa, us.descriptors().toll_free()) {
        NpaClass::TollFree
    } else if matches_any(us, npa, us.descriptors().premium_rate()) {
        NpaClass::PremiumRate
    } else if matches_any(us, npa, us.descriptors().fixed_line())
        || matches_any(us, npa, us.descriptors().mobile())
    {
        NpaClass::UsGeographic
    } else if [
        us.descriptors().personal_number(),
        us.descriptors().voip(),
        us.descriptors().uan(),
        us.descriptors().shared_cost(),
        us.descriptors().pager(),
    ]
    .into_iter()
    .any(|d| matches_any(us, npa, d))
    {
        NpaClass::NonGeographic
    } else {
        NpaClass::Unassigned
    }
}

fn derive_calling_codes() -> BTreeMap<u16, (String, Vec<u8>)> {
    let mut out: BTreeMap<u16, (String, Vec<u8>)> = BTreeMap::new();
    for meta in DATABASE.iter() {
        let code = meta.country_code();
        if code == 1 {
            continue;
        }
        let entry = out
            .entry(code)
            .or_insert_with(|| (String::new(), Vec::new()));
        if meta.is_main_country_for_code() || entry.0.is_empty() {
            entry.0 = meta.id().to_owned();
        }
        let d = meta.descriptors();
        let all = [
            Some(d.general()),
            d.fixed_line(),
            d.mobile(),
            d.toll_free(),
            d.premium_rate(),
            d.shared_cost(),
            d.personal_number(),
            d.voip(),
            d.pager(),
            d.uan(),
        ];
        for len in all.into_iter().flatten().flat_map(|x| x.possible_length()) {
            let len = u8::try_from(*len).expect("lengths are small");
            if !entry.1.contains(&len) {
                entry.1.push(len);
            }
        }
        entry.1.sort_unstable();
    }
    out
}

fn render_class(c: NpaClass) -> String {
    match c {
        NpaClass::UsGeographic => "G".into(),
        NpaClass::Canada => "CA".into(),
        NpaClass::UsTerritory(r) => format!("T(\"{r}\")"),
        NpaClass::OtherNanp(r) => format!("O(\"{r}\")"),
        NpaClass::TollFree => "TF".into(),
        NpaClass::PremiumRate => "PR".into(),
        NpaClass::NonGeographic => "NG".into(),
        NpaClass::Unassigned => "U".into(),
    }
}

fn render_npa_file(classes: &[NpaClass]) -> String {
    let mut s = format!(
        "// Generated from {SOURCE} by tests/tables.rs; do not edit by hand.\n\
         // Regenerate: UPDATE_TABLES=1 cargo test -p telnyx-e164 --test tables\n\
         #![cfg_attr(rustfmt, rustfmt_skip)]\n#![allow(non_snake_case, dead_code)]\n\n\
         use super::NpaClass;\nuse crate::classify::Region;\n\n\
         const G: NpaClass = NpaClass::UsGeographic;\nconst CA: NpaClass = NpaClass::Canada;\n\
         const TF: NpaClass = NpaClass::TollFree;\nconst PR: NpaClass = NpaClass::PremiumRate;\n\
         const NG: NpaClass = NpaClass::NonGeographic;\nconst U: NpaClass = NpaClass::Unassigned;\n\
         const fn T(r: &'static str) -> NpaClass {{ NpaClass::UsTerritory(Region::new(r)) }}\n\
         const fn O(r: &'static str) -> NpaClass {{ NpaClass::OtherNanp(Region::new(r)) }}\n\n\
         /// Classes of NPA 200..=999, index = NPA - 200.\npub static NPA_TABLE: [NpaClass; 800] = [\n"
    );
    for (row, chunk) in classes.chunks(10).enumerate() {
        let cells: Vec<String> = chunk.iter().map(|c| render_class(*c)).collect();
        let _ = writeln!(s, "    /* {} */ {},", 200 + row * 10, cells.join(", "));
    }
    s.push_str("];\n");
    s
}

fn render_codes_file(codes: &BTreeMap<u16, (String, Vec<u8>)>) -> String {
    let mut s = format!(
        "// Generated from {SOURCE} by tests/tables.rs; do not edit by hand.\n\
         // Regenerate: UPDATE_TABLES=1 cargo test -p telnyx-e164 --test tables\n\
         #![cfg_attr(rustfmt, rustfmt_skip)]\n\n\
         use crate::classify::Region;\n\n\
         /// Assigned country calling codes other than 1, sorted: code, main region, possible national lengths.\n\
         pub static CALLING_CODES: &[(u16, Region, &[u8])] = &[\n"
    );
    for (code, (region, lengths)) in codes {
        let lengths: Vec<String> = lengths.iter().map(u8::to_string).collect();
        let _ = writeln!(
            s,
            "    ({code}, Region::new(\"{region}\"), &[{}]),",
            lengths.join(", ")
        );
    }
    s.push_str("];\n");
    s
}

fn check_or_update(relative: &str, expected: &str) {
    let path = format!("{}/src/tables/{relative}", env!("CARGO_MANIFEST_DIR"));
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != expected {
        if std::env::var_os("UPDATE_TABLES").is_some() {
            std::fs::write(&path, expected).expect("table file is writable");
        } else {
            panic!(
                "{path} differs from {SOURCE}; run UPDATE_TABLES=1 cargo test -p telnyx-e164 --test tables"
            );
        }
    }
}

#[test]
fn npa_table_file_is_derived_from_the_metadata() {
    let classes: Vec<NpaClass> = (200..=999).map(derive_npa).collect();
    check_or_update("npa.rs", &render_npa_file(&classes));
}

#[test]
fn calling_codes_file_is_derived_from_the_metadata() {
    check_or_update(
        "calling_codes.rs",
        &render_codes_file(&derive_calling_codes()),
    );
}

#[test]
fn every_npa_agrees_with_the_metadata() {
    let mut mismatches = Vec::new();
    for npa in 200..=999u16 {
        let derived = derive_npa(npa);
        let committed = NPA_TABLE[usize::from(npa - 200)];
        if derived != committed {
            mismatches.push(format!(
                "{npa}: committed {committed:?}, metadata {derived:?}"
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    let count = |want: fn(&NpaClass) -> bool| NPA_TABLE.iter().filter(|c| want(c)).count();
    println!(
        "800 NPAs checked: {} US geographic, {} Canada, {} US territories, {} other NANP, {} toll-free, {} premium, {} non-geographic, {} unassigned",
        count(|c| *c == NpaClass::UsGeographic),
        count(|c| *c == NpaClass::Canada),
        count(|c| matches!(c, NpaClass::UsTerritory(_))),
        count(|c| matches!(c, NpaClass::OtherNanp(_))),
        count(|c| *c == NpaClass::TollFree),
        count(|c| *c == NpaClass::PremiumRate),
        count(|c| *c == NpaClass::NonGeographic),
        count(|c| *c == NpaClass::Unassigned),
    );
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

#[test]
fn every_calling_code_agrees_with_the_metadata() {
    let derived = derive_calling_codes();
    assert_eq!(derived.len(), CALLING_CODES.len());
    for (code, region, lengths) in CALLING_CODES {
        let (r, l) = &derived[code];
        assert_eq!(
            (region.as_str(), *lengths),
            (r.as_str(), l.as_slice()),
            "+{code}"
        );
    }
}
