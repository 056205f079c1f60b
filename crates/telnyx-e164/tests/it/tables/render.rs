//! The generated source files, byte for byte.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use telnyx_e164::tables::NpaClass;

use super::derive::Nanp;

const HEADER: &str = "// Do not edit by hand. Regenerate: UPDATE_TABLES=1 cargo test -p telnyx-e164 --test it tables::\n\
    #![cfg_attr(rustfmt, rustfmt_skip)]\n";

fn class(c: NpaClass) -> String {
    match c {
        NpaClass::UsGeographic => "G".into(),
        NpaClass::Canada => "CA".into(),
        NpaClass::UsTerritory(r) => format!("T(\"{r}\")"),
        NpaClass::OtherNanp(r) => format!("O(\"{r}\")"),
        NpaClass::TollFree => "TF".into(),
        NpaClass::PremiumRate => "PR".into(),
        NpaClass::NonGeographic => "NG".into(),
        NpaClass::Unassigned => "U".into(),
        // The enum is non-exhaustive: a class added to it needs a form in the tables here.
        other => panic!("no table form for the class {other:?}"),
    }
}

/// `src/tables/npa.rs`.
pub fn npa_file(source: &str, nanp: &Nanp) -> String {
    let mut s = format!(
        "// Generated from {source} by tests/it/tables.rs.\n{HEADER}#![allow(non_snake_case, dead_code)]\n\n\
         use super::NpaClass;\nuse crate::classify::Region;\n\n\
         const G: NpaClass = NpaClass::UsGeographic;\nconst CA: NpaClass = NpaClass::Canada;\n\
         const TF: NpaClass = NpaClass::TollFree;\nconst PR: NpaClass = NpaClass::PremiumRate;\n\
         const NG: NpaClass = NpaClass::NonGeographic;\nconst U: NpaClass = NpaClass::Unassigned;\n\
         const fn T(r: &'static str) -> NpaClass {{ NpaClass::UsTerritory(Region::new(r)) }}\n\
         const fn O(r: &'static str) -> NpaClass {{ NpaClass::OtherNanp(Region::new(r)) }}\n\n\
         /// Class of NPA 200..=999 (index = NPA - 200): the class of the exchanges in its\n\
         /// [`NPA_EXCHANGES`] set; `U` when no exchange of it is valid.\n\
         pub static NPA_TABLE: [NpaClass; 800] = [\n"
    );
    for (row, chunk) in nanp.npa.chunks(10).enumerate() {
        let cells: Vec<String> = chunk.iter().map(|c| class(*c)).collect();
        let _ = writeln!(s, "    /* {} */ {},", 200 + row * 10, cells.join(", "));
    }
    s.push_str(
        "];\n\n/// Per NPA 200..=999 (index = NPA - 200), the index in [`EXCHANGE_SETS`] of the exchanges\n\
         /// that have the NPA's [`NPA_TABLE`] class.\npub static NPA_EXCHANGES: [u8; 800] = [\n",
    );
    for (row, chunk) in nanp.npa_set.chunks(20).enumerate() {
        let cells: Vec<String> = chunk.iter().map(usize::to_string).collect();
        let _ = writeln!(s, "    /* {} */ {},", 200 + row * 20, cells.join(", "));
    }
    let _ = write!(
        s,
        "];\n\n/// Sets of exchanges 000..=999: bit `e % 64` of word `e / 64` is exchange `e`.\n\
         pub static EXCHANGE_SETS: [[u64; 16]; {}] = [\n",
        nanp.sets.len()
    );
    for set in &nanp.sets {
        let words: Vec<String> = set.iter().map(|w| format!("{w:#x}")).collect();
        let _ = writeln!(s, "    [{}],", words.join(", "));
    }
    let _ = write!(
        s,
        "];\n\n/// Valid exchanges whose class is not their NPA's: `NPA * 1000 + exchange`, sorted.\n\
         pub static EXCHANGE_OVERRIDES: [(u32, NpaClass); {}] = [\n",
        nanp.overrides.len()
    );
    for chunk in nanp.overrides.chunks(8) {
        let cells: Vec<String> = chunk
            .iter()
            .map(|(key, c)| format!("({key}, {})", class(*c)))
            .collect();
        let _ = writeln!(s, "    {},", cells.join(", "));
    }
    let _ = write!(
        s,
        "];\n\n/// Valid ten-digit numbers of the exchanges whose class depends on the line number:\n\
         /// (first, last, class) as national numbers, sorted.\n\
         pub static LINE_RANGES: [(u64, u64, NpaClass); {}] = [\n",
        nanp.line_ranges.len()
    );
    for (first, last, c) in &nanp.line_ranges {
        let _ = writeln!(s, "    ({first}, {last}, {}),", class(*c));
    }
    let _ = write!(
        s,
        "];\n\n/// Valid +1 numbers of another national length than ten: (length, first, last, class)\n\
         /// as national numbers, sorted.\n\
         pub static NANP_OTHER_LENGTHS: [(u8, u64, u64, NpaClass); {}] = [\n",
        nanp.other_lengths.len()
    );
    for (len, first, last, c) in &nanp.other_lengths {
        let _ = writeln!(s, "    ({len}, {first}, {last}, {}),", class(*c));
    }
    s.push_str("];\n");
    s
}

/// `src/tables/calling_codes.rs`.
pub fn codes_file(source: &str, codes: &BTreeMap<u16, (String, Vec<u8>)>) -> String {
    let mut s = format!(
        "// Generated from {source} by tests/it/tables.rs.\n{HEADER}\n\
         use crate::classify::Region;\n\n\
         /// Assigned country calling codes other than 1, sorted: code, main region, the national\n\
         /// lengths some number type of the code allows.\n\
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
