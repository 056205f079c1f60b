//! The sync plan: what makes an enterprise's monitored set equal to an inventory, computed
//! before anything is sent. Pure and in memory: sorted vectors and one merge, so a plan of a
//! million desired against a million current numbers takes tens of megabytes and a fraction of
//! a second.
//!
//! A number of the inventory that Telnyx removed from monitoring (ported away, reassigned,
//! ownership not confirmed, reported as no longer owned) is not associated again unless the
//! plan is told to ([`SyncPlan::hold_back_removed`]): associating is billed, and the number's
//! owner may no longer hold it. A number the customer disassociated is planned as any other.

use serde::Serialize;
use telnyx_e164::UsNumber;
use uuid::Uuid;

use crate::bulk::Note;
use crate::removed::Removal;

/// A number of the inventory that another enterprise of the account already monitors: the
/// association would be refused, so the plan reports it and sends nothing for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Conflict {
    /// The number the inventory wants on this enterprise.
    pub phone_number: UsNumber,
    /// The enterprise that holds it now.
    pub held_by: Uuid,
}

/// What a sync would do, number by number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SyncPlan {
    /// The enterprise made equal to the inventory.
    pub enterprise: Uuid,
    /// In the inventory, not monitored anywhere: to associate (billable, one check a number).
    pub associate: Vec<UsNumber>,
    /// Monitored on the enterprise, not in the inventory: disassociated only when pruning.
    pub extra: Vec<UsNumber>,
    /// Whether the extras are disassociated (asked with [`PlanOptions`](super::PlanOptions));
    /// otherwise they stay.
    pub prune: bool,
    /// In the inventory and already monitored on the enterprise.
    pub unchanged: u64,
    /// In the inventory, monitored by another enterprise of the account.
    pub conflicts: Vec<Conflict>,
    /// In the inventory, not monitored, and removed from monitoring by Telnyx (see
    /// [`Removal::by_telnyx`]), each with its reason, in number order. Not in
    /// [`SyncPlan::associate`] (nor billed) unless [`SyncPlan::readd_removed`].
    pub removed_by_telnyx: Vec<Removal>,
    /// Whether the numbers removed by Telnyx are associated again (asked with
    /// [`PlanOptions`](super::PlanOptions)); they are then in [`SyncPlan::associate`] too, and
    /// billed.
    pub readd_removed: bool,
    /// The newest `created_at` among the enterprise's numbers when the plan read them, on the
    /// server's clock (`None`: none listed, or none dated). A number whose association is newer
    /// was associated (again) after the plan: a resumed prune leaves it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newest_association: Option<chrono::DateTime<chrono::Utc>>,
}

impl SyncPlan {
    /// Plans a sync of `enterprise` to `desired`, given the numbers `current`ly monitored on
    /// it and the account-wide list (`account`: each number with its enterprise, when the list
    /// says). Inputs may come in any order and with repeats.
    pub fn new(
        enterprise: Uuid,
        mut desired: Vec<UsNumber>,
        current: impl IntoIterator<Item = UsNumber>,
        account: impl IntoIterator<Item = (UsNumber, Option<Uuid>)>,
        prune: bool,
    ) -> SyncPlan {
        desired.sort_unstable();
        desired.dedup();
        let mut current: Vec<UsNumber> = current.into_iter().collect();
        current.sort_unstable();
        current.dedup();

        let mut conflicts: Vec<Conflict> = account
            .into_iter()
            .filter_map(|(number, held)| match held {
                Some(held_by) if held_by != enterprise => Some(Conflict {
                    phone_number: number,
                    held_by,
                }),
                _ => None,
            })
            .filter(|c| desired.binary_search(&c.phone_number).is_ok())
            .filter(|c| current.binary_search(&c.phone_number).is_err())
            .collect();
        conflicts.sort_unstable_by_key(|c| c.phone_number);
        conflicts.dedup_by_key(|c| c.phone_number);

        let mut associate = Vec::new();
        let mut extra = Vec::new();
        let mut unchanged = 0u64;
        let (mut d, mut c) = (desired.iter().peekable(), current.iter().peekable());
        loop {
            match (d.peek(), c.peek()) {
                (Some(a), Some(b)) if a == b => {
                    unchanged = unchanged.saturating_add(1);
                    d.next();
                    c.next();
                }
                (Some(a), Some(b)) if a < b => {
                    associate.push(**a);
                    d.next();
                }
                (Some(_), Some(b)) => {
                    extra.push(**b);
                    c.next();
                }
                (Some(a), None) => {
                    associate.push(**a);
                    d.next();
                }
                (None, Some(b)) => {
                    extra.push(**b);
                    c.next();
                }
                (None, None) => break,
            }
        }
        associate.retain(|n| {
            conflicts
                .binary_search_by_key(n, |c| c.phone_number)
                .is_err()
        });
        SyncPlan {
            enterprise,
            associate,
            extra,
            prune,
            unchanged,
            conflicts,
            removed_by_telnyx: Vec::new(),
            readd_removed: false,
            newest_association: None,
        }
    }

    /// Finds among the numbers to associate those Telnyx removed (`removals`: the enterprise's
    /// removed numbers, in any order; those the customer removed are ignored) and records them
    /// with their reason. Unless `readd`, they are taken out of the associations: listed, never
    /// sent, never billed. A number removed more than once keeps its latest removal.
    pub fn hold_back_removed(&mut self, removals: impl IntoIterator<Item = Removal>, readd: bool) {
        let mut removed: Vec<Removal> = removals
            .into_iter()
            .filter(Removal::by_telnyx)
            .filter(|r| self.associate.binary_search(&r.phone_number).is_ok())
            .collect();
        // The latest removal of each number last, then kept by `dedup_by`'s first-wins rule
        // run from the end.
        removed.sort_unstable_by(|a, b| {
            (a.phone_number, a.removed_at).cmp(&(b.phone_number, b.removed_at))
        });
        removed.reverse();
        removed.dedup_by_key(|r| r.phone_number);
        removed.reverse();
        if !readd {
            self.associate
                .retain(|n| removed.binary_search_by_key(n, |r| r.phone_number).is_err());
        }
        self.removed_by_telnyx = removed;
        self.readd_removed = readd;
    }

    /// The numbers removed by Telnyx that the plan does not associate again (none with
    /// [`SyncPlan::readd_removed`]).
    pub fn withheld(&self) -> &[Removal] {
        if self.readd_removed {
            &[]
        } else {
            &self.removed_by_telnyx
        }
    }

    /// The numbers to associate that carry a condition only the server checks: a toll-free
    /// number is accepted from the account's Telnyx inventory only.
    pub fn notes(&self) -> impl Iterator<Item = Note> + '_ {
        self.associate.iter().copied().filter_map(Note::of)
    }

    /// The numbers the sync disassociates: the extras when pruning, else none.
    pub fn disassociate(&self) -> &[UsNumber] {
        if self.prune { &self.extra } else { &[] }
    }

    /// The billable checks applying the plan causes: one per number associated (the numbers
    /// removed by Telnyx included only when associated again).
    pub fn billable_checks(&self) -> u64 {
        u64::try_from(self.associate.len()).unwrap_or(u64::MAX)
    }

    /// Whether applying the plan would send nothing.
    pub fn is_empty(&self) -> bool {
        self.associate.is_empty() && self.disassociate().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(last: u32) -> UsNumber {
        format!("+1603555{last:04}").parse().unwrap()
    }

    const E: Uuid = Uuid::from_u128(1);
    const OTHER: Uuid = Uuid::from_u128(2);

    #[test]
    fn the_plan_splits_inventory_and_enterprise_into_the_four_sets() {
        let desired = vec![n(3), n(1), n(2), n(5), n(1)];
        let current = [n(2), n(4), n(2)];
        let account = [
            (n(2), Some(E)),
            (n(4), Some(E)),
            (n(5), Some(OTHER)),
            (n(9), Some(OTHER)),
            (n(3), None),
        ];
        let plan = SyncPlan::new(E, desired, current, account, false);
        assert_eq!(plan.associate, vec![n(1), n(3)]);
        assert_eq!(plan.extra, vec![n(4)]);
        assert_eq!(plan.unchanged, 1);
        assert_eq!(
            plan.conflicts,
            vec![Conflict {
                phone_number: n(5),
                held_by: OTHER
            }]
        );
        assert_eq!(plan.disassociate(), &[] as &[UsNumber]);
        assert_eq!(plan.billable_checks(), 2);
        assert!(!plan.is_empty());

        let pruning = SyncPlan::new(E, vec![n(2)], [n(2), n(4)], [], true);
        assert_eq!(pruning.disassociate(), &[n(4)]);
        assert!(pruning.associate.is_empty());
    }

    #[test]
    fn a_synced_enterprise_plans_nothing() {
        let desired: Vec<_> = (0..50).map(n).collect();
        let plan = SyncPlan::new(E, desired.clone(), desired.clone(), [], true);
        assert!(plan.is_empty());
        assert_eq!(plan.unchanged, 50);
    }

    #[test]
    fn applying_a_plan_gives_the_inventory_less_its_conflicts() {
        // Property over seeded inputs: current ∪ associate − disassociate = desired − conflicts.
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..200 {
            let desired: Vec<_> = (0..40).filter(|_| next() % 2 == 0).map(n).collect();
            let current: Vec<_> = (0..40).filter(|_| next() % 2 == 0).map(n).collect();
            let account: Vec<_> = (0..40)
                .filter(|i| next() % 4 == 0 && !current.contains(&n(*i)))
                .map(|i| (n(i), Some(OTHER)))
                .collect();
            let plan = SyncPlan::new(E, desired.clone(), current.clone(), account.clone(), true);
            let mut after: std::collections::BTreeSet<_> = current.iter().copied().collect();
            after.extend(plan.associate.iter().copied());
            for x in plan.disassociate() {
                after.remove(x);
            }
            let want: std::collections::BTreeSet<_> = desired
                .iter()
                .copied()
                .filter(|d| !account.iter().any(|(a, _)| a == d))
                .collect();
            assert_eq!(after, want);
        }
    }

    fn removal(number: UsNumber, reason: &str, at: &str) -> Removal {
        Removal {
            phone_number: number,
            enterprise_id: Some(E),
            removal_reason: Some(reason.into()),
            removed_at: Some(at.parse().unwrap()),
        }
    }

    #[test]
    fn numbers_removed_by_telnyx_are_held_back_unless_readded() {
        let desired = vec![n(1), n(2), n(3), n(4), n(5)];
        let removals = || {
            vec![
                removal(n(2), "reassigned", "2026-10-01T00:00:00Z"),
                removal(n(3), "customer_removed", "2026-10-01T00:00:00Z"),
                removal(n(4), "customer_removed", "2026-10-01T00:00:00Z"),
                removal(n(4), "unconfirmed_ownership", "2026-10-02T00:00:00Z"),
                removal(n(5), "ported_away", "2026-10-01T00:00:00Z"),
                // Monitored again now: not the plan's business.
                removal(n(1), "reassigned", "2026-10-01T00:00:00Z"),
                // Not in the inventory.
                removal(n(9), "reassigned", "2026-10-01T00:00:00Z"),
            ]
        };
        let mut plan = SyncPlan::new(E, desired.clone(), [n(1)], [], false);
        plan.hold_back_removed(removals(), false);
        assert_eq!(
            plan.associate,
            vec![n(3)],
            "customer_removed is planned as before"
        );
        let held: Vec<(UsNumber, &str)> = plan
            .removed_by_telnyx
            .iter()
            .map(|r| (r.phone_number, r.removal_reason.as_ref().unwrap().as_str()))
            .collect();
        assert_eq!(
            held,
            [
                (n(2), "reassigned"),
                (n(4), "unconfirmed_ownership"),
                (n(5), "ported_away")
            ]
        );
        assert_eq!(plan.withheld().len(), 3);
        assert_eq!(plan.billable_checks(), 1);

        let mut readd = SyncPlan::new(E, desired, [n(1)], [], false);
        readd.hold_back_removed(removals(), true);
        assert_eq!(readd.associate, vec![n(2), n(3), n(4), n(5)]);
        assert_eq!(readd.removed_by_telnyx.len(), 3);
        assert!(readd.withheld().is_empty());
        assert_eq!(readd.billable_checks(), 4);
    }

    #[test]
    fn toll_free_numbers_to_associate_carry_the_inventory_note() {
        let toll_free: UsNumber = "+18005550100".parse().unwrap();
        let plan = SyncPlan::new(E, vec![n(1), toll_free], [], [], false);
        let notes: Vec<_> = plan.notes().collect();
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].number, toll_free);
        assert_eq!(notes[0].note, "accepted from your Telnyx inventory only");
    }
}
