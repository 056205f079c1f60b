//! `mock serve --populate N`: every approved enterprise starts with N numbers already
//! associated, with seeded reputation data, so tests and benchmarks need not associate (and
//! bill) first. Nothing here is billed.

use chrono::{DateTime, Utc};
use telnyx_e164::{E164, UsNumber, UsNumberKind};

use crate::hosting::NumberPrefix;
use crate::model::NumberSource;
use crate::reputation::{mix, populated_reputation};
use crate::state::{Inventory, World};

/// Candidate numbers in a seeded order: from a seeded area code on, every line of every
/// exchange whose first and middle lines are valid US local numbers (a block that is not, say
/// an unassigned area code, is skipped with two checks instead of ten thousand). Area codes and
/// exchanges an external prefix covers whole are skipped without a check.
fn candidates(seed: u64, external: Vec<NumberPrefix>) -> impl Iterator<Item = UsNumber> {
    let first_npa = mix(seed) % 800;
    // Whether an external prefix covers the block `+1<digits>` whole; free without prefixes.
    let covered = move |digits: std::fmt::Arguments<'_>| {
        !external.is_empty() && {
            let block = format!("+1{digits}");
            external.iter().any(|p| block.starts_with(p.as_str()))
        }
    };
    (0..800u64)
        .map(move |i| 200 + (first_npa + i) % 800)
        .filter({
            let covered = covered.clone();
            move |npa| !covered(format_args!("{npa}"))
        })
        .flat_map(move |npa| {
            let covered = covered.clone();
            (200..1000u64)
                .filter(move |nxx| {
                    !covered(format_args!("{npa}{nxx}"))
                        && [0u64, 5000]
                            .iter()
                            .all(|line| us_local(npa, *nxx, *line).is_some())
                })
                .flat_map(move |nxx| {
                    (0..10_000u64).filter_map(move |line| us_local(npa, nxx, line))
                })
        })
}

/// `+1 npa nxx line` if it is a US local number (populated numbers are all local).
fn us_local(npa: u64, nxx: u64, line: u64) -> Option<UsNumber> {
    UsNumber::from_national_number(npa * 10_000_000 + nxx * 10_000 + line)
        .filter(|n| n.kind() == UsNumberKind::Local)
}

impl World {
    /// Associates `per_enterprise` numbers with each enterprise whose reputation is approved
    /// at `now`, each with reputation data seeded by `seed`. Numbers come from the account's
    /// inventory (in order) or, for `all`, from a seeded walk over valid US local numbers;
    /// numbers under an external prefix are skipped (they are not in the inventory), and an
    /// inventory too small gives fewer.
    pub fn populate(&mut self, per_enterprise: u64, seed: u64, now: DateTime<Utc>) {
        for account in 0..self.accounts.len() {
            let enterprises: Vec<uuid::Uuid> = self
                .accounts
                .get(account)
                .map(|a| a.enterprises.iter().map(|e| e.id).collect())
                .unwrap_or_default();
            let approved: Vec<uuid::Uuid> = enterprises
                .into_iter()
                .filter(|id| {
                    self.settings_record(account, *id)
                        .is_some_and(|s| s.is_approved(now))
                })
                .collect();
            let mut source: Box<dyn Iterator<Item = E164>> =
                match self.accounts.get(account).map(|a| &a.inventory) {
                    Some(Inventory::Numbers(set)) => {
                        let mut owned: Vec<E164> = set.iter().copied().collect();
                        owned.sort();
                        Box::new(owned.into_iter())
                    }
                    _ => Box::new(candidates(seed, self.external.clone()).map(|n| n.as_e164())),
                };
            'enterprises: for enterprise in approved {
                let mut added = 0u64;
                while added < per_enterprise {
                    let Some(number) = source.next() else {
                        break 'enterprises;
                    };
                    if self.associations.contains_key(&number)
                        || self.external.iter().any(|p| p.matches(&number))
                    {
                        continue;
                    }
                    let data = populated_reputation(&number, seed, now);
                    self.insert(
                        account,
                        enterprise,
                        number,
                        NumberSource::Telnyx,
                        now,
                        Some(data),
                    );
                    added += 1;
                }
            }
        }
    }
}
