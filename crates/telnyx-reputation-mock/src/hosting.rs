//! Where a number is hosted, as the associate rules of the October 2026 edition need it: in the
//! account's Telnyx inventory (`source: telnyx`, US local or toll-free), with another provider
//! (`source: external`, any number under an `--external` prefix), or neither (not owned).

use std::fmt;
use std::str::FromStr;

use telnyx_e164::{E164, NumberKind};

use crate::state::Inventory;

/// An E.164 prefix (`+` and 1 to 15 digits) naming numbers the enterprises own but host with
/// another provider (`mock serve --external +1312`): such numbers are `source: external`
/// whatever the inventory says.
///
/// ```
/// let prefix: telnyx_reputation_mock::NumberPrefix = "+1312".parse().unwrap();
/// assert_eq!(prefix.as_str(), "+1312");
/// assert!("1312".parse::<telnyx_reputation_mock::NumberPrefix>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NumberPrefix(String);

impl NumberPrefix {
    /// The prefix as given, `+` included.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `number` starts with this prefix.
    pub fn matches(&self, number: &E164) -> bool {
        number.as_str().starts_with(&self.0)
    }
}

impl FromStr for NumberPrefix {
    type Err = String;

    fn from_str(raw: &str) -> Result<NumberPrefix, String> {
        let digits = raw.strip_prefix('+').ok_or_else(|| {
            format!("external prefix {raw:?} must start with '+' (an E.164 prefix such as +1312)")
        })?;
        if digits.is_empty()
            || digits.len() > telnyx_e164::MAX_DIGITS
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(format!(
                "external prefix {raw:?} must be '+' and 1 to {} digits",
                telnyx_e164::MAX_DIGITS
            ));
        }
        Ok(NumberPrefix(raw.to_owned()))
    }
}

impl fmt::Display for NumberPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for NumberPrefix {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for NumberPrefix {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<NumberPrefix, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

/// Whether a number can be in a Telnyx inventory at all: US local and US toll-free numbers.
pub(crate) fn inventory_kind(kind: NumberKind) -> bool {
    matches!(kind, NumberKind::UsLocal | NumberKind::TollFree)
}

/// Where a number is hosted, for one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hosting {
    /// In the account's inventory.
    Telnyx,
    /// Under an external prefix: owned, hosted with another provider.
    External,
    /// Neither.
    NotOwned,
}

/// Where `number` (of kind `kind`) is hosted: an external prefix wins over the inventory, so
/// `--inventory all` covers every US local and toll-free number no prefix matches.
pub(crate) fn hosting(
    number: &E164,
    kind: NumberKind,
    inventory: &Inventory,
    external: &[NumberPrefix],
) -> Hosting {
    if external.iter().any(|p| p.matches(number)) {
        Hosting::External
    } else if inventory.owns(number, kind) {
        Hosting::Telnyx
    } else {
        Hosting::NotOwned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_plus_and_digits() {
        for bad in ["", "+", "1312", "+13a", "+1234567890123456", " +1"] {
            assert!(bad.parse::<NumberPrefix>().is_err(), "{bad:?}");
        }
        let p: NumberPrefix = "+1312".parse().unwrap();
        assert!(p.matches(&E164::parse_strict("+13125550142").unwrap()));
        assert!(!p.matches(&E164::parse_strict("+16035550142").unwrap()));
    }

    #[test]
    fn an_external_prefix_wins_over_the_inventory() {
        let external = ["+1312".parse().unwrap()];
        let at = |n: &str| {
            let n = E164::parse_strict(n).unwrap();
            hosting(&n, n.kind(), &Inventory::All, &external)
        };
        assert_eq!(at("+13125550142"), Hosting::External);
        assert_eq!(at("+16035550142"), Hosting::Telnyx);
        assert_eq!(at("+18005550142"), Hosting::Telnyx);
        let only = Inventory::Numbers([E164::parse_strict("+16035550000").unwrap()].into());
        let n = E164::parse_strict("+16035550001").unwrap();
        assert_eq!(hosting(&n, n.kind(), &only, &external), Hosting::NotOwned);
    }
}
