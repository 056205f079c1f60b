//! What changed since a snapshot: numbers added or removed (with the removal's reason when
//! the removed numbers' list gives it), risk up or down, the category changed, a score moved by
//! at least N points, the ownership status changed. Rows are compared as they stream past; the
//! numbers the snapshot held and the stream never showed are the removed ones.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use telnyx_e164::UsNumber;
use telnyx_reputation_api::RemovalReason;

use super::ownership::{Ownership, Tracking};
use super::row::{Risk, Row};
use super::snapshot::{Prior, Snapshot};
use crate::removed::Removal;
use crate::reputation::Score;

/// The default `--score-delta`: a score must move by 10 points to be reported.
pub const DEFAULT_SCORE_DELTA: u8 = 10;

/// One change of one number since the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// Monitored now, not in the snapshot.
    Added {
        /// Its risk now.
        risk: Option<Risk>,
    },
    /// In the snapshot, not monitored now.
    Removed {
        /// Its risk in the snapshot.
        risk: Option<Risk>,
        /// Why it was removed, when the removed numbers' list says (`reassigned`,
        /// `customer_removed`...); absent for a number that left the list otherwise.
        #[serde(skip_serializing_if = "Option::is_none")]
        removal_reason: Option<RemovalReason>,
        /// When it was removed, when the list says.
        #[serde(skip_serializing_if = "Option::is_none")]
        removed_at: Option<DateTime<Utc>>,
    },
    /// The risk bucket rose (no data counts as below `low`).
    RiskUp {
        /// The bucket in the snapshot.
        from: Option<Risk>,
        /// The bucket now.
        to: Option<Risk>,
    },
    /// The risk bucket fell (to `low`, or to no data).
    RiskDown {
        /// The bucket in the snapshot.
        from: Option<Risk>,
        /// The bucket now.
        to: Option<Risk>,
    },
    /// The category label changed (set, cleared or replaced).
    CategoryChanged {
        /// The label in the snapshot.
        from: Option<Box<str>>,
        /// The label now.
        to: Option<Box<str>>,
    },
    /// A score moved by at least the score delta; scores that appear or vanish are not
    /// compared.
    ScoreMoved {
        /// Which score.
        score: ScoreName,
        /// The score in the snapshot.
        from: u8,
        /// The score now.
        to: u8,
    },
    /// The ownership status changed (e.g. `verified` → `pending_confirmation`), or its
    /// confirmation deadline moved. A snapshot that does not say (written before ownership
    /// tracking) reports only a number whose owner must now act.
    OwnershipChanged {
        /// The status in the snapshot (`None`: the snapshot does not say).
        from: Option<Ownership>,
        /// The status now.
        to: Option<Ownership>,
        /// The deadline to confirm ownership now, while `pending_confirmation`.
        #[serde(skip_serializing_if = "Option::is_none")]
        confirm_by: Option<DateTime<Utc>>,
    },
}

/// A [`Score`] as its API field name, for serialised changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScoreName(pub Score);

impl Serialize for ScoreName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.field())
    }
}

/// A [`Change`] with the number it happened to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct NumberChange {
    /// The number that changed.
    pub phone_number: UsNumber,
    /// What changed.
    #[serde(flatten)]
    pub change: Change,
}

impl Change {
    /// Whether this change brought the number to `level` or above from below it: a rise to
    /// it, or a new number already at it. This is what `--fail-on` with `--since` alerts on.
    pub fn reaches(&self, level: Risk) -> bool {
        match self {
            Change::Added { risk } => level.is_reached_by(*risk),
            Change::RiskUp { from, to } => level.is_reached_by(*to) && !level.is_reached_by(*from),
            _ => false,
        }
    }

    /// The ownership change from `prior` to `now`, if there is one to report: a known status
    /// that changed (or whose deadline moved), or, when the snapshot does not say, a status
    /// that needs the owner. An unknown status now is no news.
    fn ownership(prior: &Prior, now: &Tracking) -> Option<Change> {
        let (from, to) = (prior.ownership_status, now.ownership_status?);
        let changed = match from {
            Some(_) => (from, prior.confirm_by) != (Some(to), now.confirm_by),
            None => to != Ownership::Verified,
        };
        changed.then_some(Change::OwnershipChanged {
            from,
            to: Some(to),
            confirm_by: now.confirm_by,
        })
    }
}

/// Compares rows with a snapshot as they stream past.
#[derive(Debug)]
#[non_exhaustive]
pub struct Comparison<'a> {
    snapshot: &'a Snapshot,
    score_delta: u8,
    seen: Vec<bool>,
}

impl<'a> Comparison<'a> {
    /// Compares with `snapshot`, reporting scores that move by `score_delta` points or more
    /// (at least 1).
    pub fn new(snapshot: &'a Snapshot, score_delta: u8) -> Self {
        Comparison {
            snapshot,
            score_delta: score_delta.max(1),
            seen: vec![false; snapshot.len()],
        }
    }

    /// The changes of one current row, in a fixed order (risk, category, scores, ownership),
    /// appended to `out`.
    pub fn compare(&mut self, row: &Row, out: &mut Vec<NumberChange>) {
        let number = row.phone_number;
        let push = |out: &mut Vec<NumberChange>, change| {
            out.push(NumberChange {
                phone_number: number,
                change,
            })
        };
        let Some(index) = self.snapshot.position(&number) else {
            push(out, Change::Added { risk: row.risk() });
            return;
        };
        if let Some(seen) = self.seen.get_mut(index) {
            *seen = true;
        }
        let Some((_, prior)) = self.snapshot.entry(index) else {
            return;
        };
        let (from, to) = (prior.spam_risk, row.risk());
        if to > from {
            push(out, Change::RiskUp { from, to });
        } else if to < from {
            push(out, Change::RiskDown { from, to });
        }
        if prior.spam_category != row.reputation.spam_category {
            push(
                out,
                Change::CategoryChanged {
                    from: prior.spam_category.clone(),
                    to: row.reputation.spam_category.clone(),
                },
            );
        }
        for (score, before) in Score::ALL.iter().zip(prior.scores) {
            if let (Some(from), Some(to)) = (before, row.reputation.score(*score))
                && from.abs_diff(to) >= self.score_delta
            {
                push(
                    out,
                    Change::ScoreMoved {
                        score: ScoreName(*score),
                        from,
                        to,
                    },
                );
            }
        }
        if let Some(change) = Change::ownership(prior, &row.tracking) {
            push(out, change);
        }
    }

    /// The snapshot's numbers that no compared row showed (so far), in number order.
    fn unseen(&self) -> impl Iterator<Item = &(UsNumber, Prior)> + '_ {
        self.seen
            .iter()
            .enumerate()
            .filter(|(_, seen)| !**seen)
            .filter_map(|(i, _)| self.snapshot.entry(i))
    }

    /// The numbers of the snapshot that no compared row showed: the ones to look up among the
    /// removed numbers ([`Client::removed_numbers`](crate::Client::removed_numbers)).
    pub fn missing(&self) -> impl Iterator<Item = UsNumber> + '_ {
        self.unseen().map(|(number, _)| *number)
    }

    /// The numbers of the snapshot that no compared row showed: removed since (without a
    /// reason; see [`Comparison::removed_with`]).
    pub fn removed(&self) -> impl Iterator<Item = NumberChange> + '_ {
        static NONE: BTreeMap<UsNumber, Removal> = BTreeMap::new();
        self.removed_with(&NONE)
    }

    /// [`Comparison::removed`], each with its reason and time from `removals` (the removed
    /// numbers' list, by number) when it is there.
    pub fn removed_with<'r>(
        &'r self,
        removals: &'r BTreeMap<UsNumber, Removal>,
    ) -> impl Iterator<Item = NumberChange> + 'r {
        self.unseen().map(move |(number, prior)| {
            let removal = removals.get(number);
            NumberChange {
                phone_number: *number,
                change: Change::Removed {
                    risk: prior.spam_risk,
                    removal_reason: removal.and_then(|r| r.removal_reason.clone()),
                    removed_at: removal.and_then(|r| r.removed_at),
                },
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::reputation::Reputation;

    fn row(number: &str, risk: Option<Risk>, category: Option<&str>, maturity: u8) -> Row {
        Row {
            phone_number: number.parse().unwrap(),
            enterprise_id: None,
            reputation: Reputation {
                spam_risk: risk.map(Into::into),
                spam_category: category.map(Into::into),
                maturity_score: Some(maturity),
                ..Reputation::default()
            },
            tracking: Default::default(),
        }
    }

    fn snapshot(rows: &[Row]) -> Snapshot {
        let text: String = rows
            .iter()
            .map(|r| serde_json::to_string(r).unwrap() + "\n")
            .collect();
        Snapshot::read(text.as_bytes(), Path::new("s")).unwrap()
    }

    #[test]
    fn every_kind_of_change_is_found_and_unchanged_numbers_say_nothing() {
        let before = snapshot(&[
            row("+16035550001", Some(Risk::Low), None, 50),
            row("+16035550002", Some(Risk::High), None, 50),
            row("+16035550003", None, None, 50),
            row("+16035550004", Some(Risk::Low), None, 50),
            row("+16035550005", Some(Risk::Low), Some("robocall"), 50),
            row("+16035550006", Some(Risk::Low), None, 50),
        ]);
        let now = [
            row("+16035550001", Some(Risk::Low), None, 59), // moved 9 < 10: nothing
            row("+16035550002", Some(Risk::Medium), None, 50),
            row("+16035550003", Some(Risk::High), None, 50),
            row("+16035550005", Some(Risk::Low), None, 30),
            row("+16035550006", Some(Risk::Low), None, 50),
            row("+16035550007", Some(Risk::High), None, 50),
        ];
        let mut cmp = Comparison::new(&before, DEFAULT_SCORE_DELTA);
        let mut changes = Vec::new();
        for r in &now {
            cmp.compare(r, &mut changes);
        }
        changes.extend(cmp.removed());
        let got: Vec<(String, Change)> = changes
            .into_iter()
            .map(|c| (c.phone_number.to_string(), c.change))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "+16035550002".into(),
                    Change::RiskDown {
                        from: Some(Risk::High),
                        to: Some(Risk::Medium)
                    }
                ),
                (
                    "+16035550003".into(),
                    Change::RiskUp {
                        from: None,
                        to: Some(Risk::High)
                    }
                ),
                (
                    "+16035550005".into(),
                    Change::CategoryChanged {
                        from: Some("robocall".into()),
                        to: None
                    }
                ),
                (
                    "+16035550005".into(),
                    Change::ScoreMoved {
                        score: ScoreName(Score::Maturity),
                        from: 50,
                        to: 30
                    }
                ),
                (
                    "+16035550007".into(),
                    Change::Added {
                        risk: Some(Risk::High)
                    }
                ),
                (
                    "+16035550004".into(),
                    Change::Removed {
                        risk: Some(Risk::Low),
                        removal_reason: None,
                        removed_at: None,
                    }
                ),
            ]
        );
    }

    #[test]
    fn reaching_a_level_means_crossing_it_from_below() {
        let up = |from, to| Change::RiskUp { from, to };
        assert!(up(Some(Risk::Medium), Some(Risk::High)).reaches(Risk::High));
        assert!(up(None, Some(Risk::Medium)).reaches(Risk::Medium));
        assert!(!up(Some(Risk::High), Some(Risk::High)).reaches(Risk::High));
        assert!(!up(Some(Risk::Low), Some(Risk::Medium)).reaches(Risk::High));
        assert!(
            Change::Added {
                risk: Some(Risk::High)
            }
            .reaches(Risk::Medium)
        );
        assert!(
            !Change::Removed {
                risk: Some(Risk::High),
                removal_reason: None,
                removed_at: None,
            }
            .reaches(Risk::Low)
        );
    }

    #[test]
    fn a_change_serialises_flat_with_its_number() {
        let c = NumberChange {
            phone_number: "+16035550001".parse().unwrap(),
            change: Change::ScoreMoved {
                score: ScoreName(Score::Sentiment),
                from: 80,
                to: 20,
            },
        };
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"phone_number":"+16035550001","change":"score_moved","score":"sentiment_score","from":80,"to":20}"#
        );
    }

    fn tracked(number: &str, status: Option<Ownership>, confirm_by: Option<&str>) -> Row {
        let mut r = row(number, Some(Risk::Low), None, 50);
        r.tracking.ownership_status = status;
        r.tracking.confirm_by = confirm_by.map(|t| t.parse().unwrap());
        r
    }

    #[test]
    fn ownership_changes_are_reported_and_an_old_snapshot_reports_only_trouble() {
        let due = "2026-10-08T07:00:00Z";
        let later = "2026-10-09T07:00:00Z";
        let before = snapshot(&[
            tracked("+16035550001", Some(Ownership::Verified), None),
            tracked(
                "+16035550002",
                Some(Ownership::PendingConfirmation),
                Some(due),
            ),
            tracked("+16035550003", Some(Ownership::Verified), None),
            tracked("+16035550004", None, None),
            tracked("+16035550005", None, None),
            tracked("+16035550006", Some(Ownership::Verified), None),
        ]);
        let now = [
            tracked(
                "+16035550001",
                Some(Ownership::PendingConfirmation),
                Some(due),
            ),
            tracked(
                "+16035550002",
                Some(Ownership::PendingConfirmation),
                Some(later),
            ),
            tracked("+16035550003", Some(Ownership::Verified), None),
            tracked("+16035550004", Some(Ownership::Verified), None),
            tracked("+16035550005", Some(Ownership::Flagged), None),
        ];
        let mut cmp = Comparison::new(&before, DEFAULT_SCORE_DELTA);
        let mut changes = Vec::new();
        for r in &now {
            cmp.compare(r, &mut changes);
        }
        let gone: UsNumber = "+16035550006".parse().unwrap();
        assert_eq!(cmp.missing().collect::<Vec<_>>(), vec![gone]);
        let removals = BTreeMap::from([(
            gone,
            Removal {
                phone_number: gone,
                enterprise_id: None,
                removal_reason: Some(RemovalReason::Reassigned),
                removed_at: Some(later.parse().unwrap()),
            },
        )]);
        changes.extend(cmp.removed_with(&removals));
        let got: Vec<(String, serde_json::Value)> = changes
            .iter()
            .map(|c| {
                let mut v = serde_json::to_value(c).unwrap();
                v.as_object_mut().unwrap().remove("phone_number");
                (c.phone_number.to_string(), v)
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "+16035550001".into(),
                    serde_json::json!({"change": "ownership_changed", "from": "verified", "to": "pending_confirmation", "confirm_by": due})
                ),
                (
                    "+16035550002".into(),
                    serde_json::json!({"change": "ownership_changed", "from": "pending_confirmation", "to": "pending_confirmation", "confirm_by": later})
                ),
                (
                    "+16035550005".into(),
                    serde_json::json!({"change": "ownership_changed", "from": null, "to": "flagged"})
                ),
                (
                    "+16035550006".into(),
                    serde_json::json!({"change": "removed", "risk": "low", "removal_reason": "reassigned", "removed_at": later})
                ),
            ]
        );
    }
}
