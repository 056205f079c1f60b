//! Reads the committed metadata (`metadata/phonenumbers-9.0.43-data.txt`): libphonenumber's
//! `PhoneNumberMetadata.xml` as the Python port compiles it, one `PhoneMetadata(...)` call per
//! region. Only what validity needs is kept: patterns, possible lengths, leading digits, and the
//! order in which regions share a calling code.

use std::collections::BTreeMap;

/// The number types libphonenumber's `getNumberType` tries, in its order; fixed line and mobile
/// come last.
pub const TYPES: [&str; 10] = [
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
];

/// One number description: a national-number pattern and the lengths it allows (empty: those of
/// the general description).
#[derive(Debug, Clone)]
pub struct Desc {
    pub pattern: String,
    pub lengths: Vec<u8>,
}

/// One region's metadata.
#[derive(Debug, Clone)]
pub struct RegionMeta {
    pub id: String,
    pub code: u16,
    pub leading_digits: Option<String>,
    pub descs: BTreeMap<String, Desc>,
}

impl RegionMeta {
    /// A description by its Python name (`general_desc`, `fixed_line`, ...).
    pub fn desc(&self, name: &str) -> Option<&Desc> {
        self.descs.get(name)
    }
}

/// Every region, and the regions of each calling code in libphonenumber's order (main first).
pub struct Metadata {
    pub regions: Vec<RegionMeta>,
    pub code_regions: BTreeMap<u16, Vec<String>>,
}

impl Metadata {
    /// The metadata of `id` for `code` (non-geographic entities share the id `001`).
    pub fn region(&self, code: u16, id: &str) -> &RegionMeta {
        self.regions
            .iter()
            .find(|r| r.code == code && r.id == id)
            .unwrap_or_else(|| panic!("no metadata for {id} (+{code})"))
    }
}

/// Parses the concatenated files (`==> name <==` headers between them).
pub fn parse(text: &str) -> Metadata {
    let mut regions = Vec::new();
    let mut code_regions = BTreeMap::new();
    for part in text.split("==> ").skip(1) {
        let (header, body) = part.split_once(" <==\n").expect("tail header");
        if header == "__init__.py" {
            code_regions = parse_code_map(body);
        } else if header.starts_with("region_") {
            regions.push(parse_region(body));
        }
    }
    assert!(!code_regions.is_empty(), "no country code map");
    Metadata {
        regions,
        code_regions,
    }
}

fn parse_code_map(body: &str) -> BTreeMap<u16, Vec<String>> {
    let start = body
        .find("_COUNTRY_CODE_TO_REGION_CODE = {")
        .expect("country code map");
    let mut out = BTreeMap::new();
    for line in body[start..].lines().skip(1) {
        let line = line.trim();
        if line.starts_with('}') {
            break;
        }
        let (code, list) = line.split_once(':').expect("code: (regions)");
        let ids = list
            .split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect();
        out.insert(code.trim().parse().expect("numeric code"), ids);
    }
    out
}

fn parse_region(body: &str) -> RegionMeta {
    let start = body.find("PhoneMetadata(").expect("PhoneMetadata call") + "PhoneMetadata(".len();
    let args = split_args(&body[start..]);
    let mut id = None;
    let mut code = None;
    let mut leading_digits = None;
    let mut descs = BTreeMap::new();
    for (key, value) in args {
        match key {
            "id" => id = Some(string(value)),
            "country_code" => code = Some(value.parse().expect("country code")),
            "leading_digits" => leading_digits = Some(string(value)),
            _ if value.starts_with("PhoneNumberDesc(") => {
                let mut pattern = None;
                let mut lengths = Vec::new();
                for (k, v) in split_args(&value["PhoneNumberDesc(".len()..]) {
                    match k {
                        "national_number_pattern" => pattern = Some(string(v)),
                        "possible_length" => lengths = tuple(v),
                        _ => {}
                    }
                }
                if let Some(pattern) = pattern {
                    descs.insert(key.to_owned(), Desc { pattern, lengths });
                }
            }
            _ => {}
        }
    }
    RegionMeta {
        id: id.expect("id"),
        code: code.expect("country_code"),
        leading_digits,
        descs,
    }
}

/// Splits `key=value, key=value)` at top-level commas, up to the call's closing parenthesis.
fn split_args(s: &str) -> Vec<(&str, &str)> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut in_str = false;
    let mut item_start = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        if in_str {
            match b {
                b'\\' => i += 1,
                b'\'' => in_str = false,
                _ => {}
            }
        } else {
            match b {
                b'\'' => in_str = true,
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' if depth == 0 => {
                    push_arg(&mut out, &s[item_start..i]);
                    return out;
                }
                b')' | b']' | b'}' => depth -= 1,
                b',' if depth == 0 => {
                    push_arg(&mut out, &s[item_start..i]);
                    item_start = i + 1;
                }
                _ => {}
            }
        }
        i += 1;
    }
    panic!("unterminated call");
}

fn push_arg<'a>(out: &mut Vec<(&'a str, &'a str)>, item: &'a str) {
    let item = item.trim();
    if let Some((k, v)) = item.split_once('=') {
        out.push((k.trim(), v.trim()));
    }
}

/// A single-quoted Python string literal's value.
fn string(literal: &str) -> String {
    let inner = literal
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .unwrap_or_else(|| panic!("not a string literal: {literal}"));
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(e @ ('\\' | '\'')) => out.push(e),
                other => panic!("unexpected escape \\{other:?} in {literal}"),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A Python tuple of small integers, `(10,)` or `(7, 10)`.
fn tuple(literal: &str) -> Vec<u8> {
    literal
        .trim_matches(|c| c == '(' || c == ')')
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().expect("small length"))
        .collect()
}
