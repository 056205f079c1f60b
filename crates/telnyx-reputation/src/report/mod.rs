//! Reputation reports: every monitored number with its reputation, read from list pages only
//! (list pages are free; a per-number read of a number without cached data is billed, so a
//! report never makes one).
//!
//! The parts, each usable on its own:
//! - one number as a report sees it: [`Row`], [`Risk`], [`Score`], and its ownership
//!   tracking: [`Tracking`], [`Source`], [`Ownership`];
//! - `--risk`, `--sort` and the counts by risk: [`Selection`], [`sort_rows`];
//! - `--save` and `--since`: [`SnapshotWriter`] and [`Snapshot`];
//! - what changed since a snapshot: [`Comparison`] and [`Change`];
//! - `--fail-on` and `--fail-on-ownership`: [`Alert`].

mod changes;
mod ownership;
mod row;
mod snapshot;
mod source;

use std::cmp::Reverse;

use chrono::{DateTime, Utc};
use serde::Serialize;
use telnyx_e164::UsNumber;

/// A number's reputation data and its scores: the library's one form of them, re-exported here
/// since every report row holds one.
pub use crate::reputation::{Reputation, Score};
pub use changes::{Change, Comparison, DEFAULT_SCORE_DELTA, NumberChange, ScoreName};
pub use ownership::{Ownership, Source, Tracking, Word};
pub use row::{Risk, Row, UnknownRisk};
pub use snapshot::{MAX_LINE, Prior, Snapshot, SnapshotError, SnapshotWriter};

/// The order of a sorted report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SortKey {
    /// Highest risk first, numbers without data last; then by number.
    Risk,
    /// Lowest score first (the lowest of a number's four), numbers without scores last; then
    /// by number.
    Score,
    /// By number.
    Number,
}

/// Sorts rows in place by `key`: a total order, so equal inputs give the same output.
pub fn sort_rows(rows: &mut [Row], key: SortKey) {
    match key {
        SortKey::Risk => rows.sort_unstable_by_key(|r| (Reverse(r.risk()), r.phone_number)),
        SortKey::Score => rows.sort_unstable_by_key(|r| {
            let lowest = r.reputation.lowest_score();
            (lowest.is_none(), lowest, r.phone_number)
        }),
        SortKey::Number => rows.sort_unstable_by_key(|r| r.phone_number),
    }
}

/// How many numbers a report saw, by risk bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RiskCounts {
    /// Every number read.
    pub total: u64,
    /// Numbers at `high`.
    pub high: u64,
    /// Numbers at `medium`.
    pub medium: u64,
    /// Numbers at `low`.
    pub low: u64,
    /// Numbers without a risk level: no data yet, or a bucket this client does not know.
    pub unknown: u64,
}

impl RiskCounts {
    /// Counts one row.
    pub fn count(&mut self, risk: Option<Risk>) {
        let bucket = match risk {
            Some(Risk::High) => &mut self.high,
            Some(Risk::Medium) => &mut self.medium,
            Some(Risk::Low) => &mut self.low,
            None => &mut self.unknown,
        };
        *bucket = bucket.saturating_add(1);
        self.total = self.total.saturating_add(1);
    }
}

/// Which rows a report keeps (`--risk`), and the counts of every row it read.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Selection {
    at_least: Option<Risk>,
    counts: RiskCounts,
}

impl Selection {
    /// Keeps rows at or above `at_least` (every row when `None`).
    pub fn new(at_least: Option<Risk>) -> Self {
        Selection {
            at_least,
            counts: RiskCounts::default(),
        }
    }

    /// Counts `row` and says whether the report keeps it.
    pub fn keep(&mut self, row: &Row) -> bool {
        self.counts.count(row.risk());
        self.at_least
            .is_none_or(|level| level.is_reached_by(row.risk()))
    }

    /// The counts of every row seen, kept or not.
    pub fn counts(&self) -> RiskCounts {
        self.counts
    }
}

/// A number whose owner must act (`pending_confirmation` or `flagged`): what
/// `--fail-on-ownership` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct OwnershipAlert {
    /// The number.
    pub phone_number: UsNumber,
    /// Its status: `pending_confirmation` or `flagged`.
    pub ownership_status: Ownership,
    /// The deadline to confirm ownership, while `pending_confirmation`.
    pub confirm_by: Option<DateTime<Utc>>,
}

/// The alerts of a report:
/// - `--fail-on LEVEL`: whether any number is at or above the level or, when comparing with a
///   snapshot, whether any number rose to it;
/// - `--fail-on-ownership`: whether any number is `pending_confirmation` or `flagged`, with or
///   without a snapshot (the owner must act until the number is confirmed, so it is news on
///   every run); the first [`Alert::LISTED`] such numbers are kept to be listed.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Alert {
    level: Option<Risk>,
    ownership: bool,
    since: bool,
    risk_hits: u64,
    ownership_hits: u64,
    listed: Vec<OwnershipAlert>,
}

impl Alert {
    /// How many numbers needing confirmation an alert keeps to list.
    pub const LISTED: usize = 100;

    /// Alerts on `level`; with `since`, only on numbers that reached it since the snapshot.
    pub fn new(level: Risk, since: bool) -> Self {
        Alert {
            level: Some(level),
            since,
            ..Alert::default()
        }
    }

    /// Alerts on numbers needing ownership confirmation alone.
    pub fn on_ownership() -> Self {
        Alert::default().with_ownership()
    }

    /// This alert, and also on numbers needing ownership confirmation.
    pub fn with_ownership(self) -> Self {
        Alert {
            ownership: true,
            ..self
        }
    }

    /// Looks at one current row: its risk (counted only without a snapshot), its ownership.
    pub fn row(&mut self, row: &Row) {
        if !self.since
            && self
                .level
                .is_some_and(|level| level.is_reached_by(row.risk()))
        {
            self.risk_hits = self.risk_hits.saturating_add(1);
        }
        let status = row.tracking.ownership_status;
        if self.ownership
            && let Some(status) = status.filter(|s| s.needs_confirmation())
        {
            self.ownership_hits = self.ownership_hits.saturating_add(1);
            if self.listed.len() < Self::LISTED {
                self.listed.push(OwnershipAlert {
                    phone_number: row.phone_number,
                    ownership_status: status,
                    confirm_by: row.tracking.confirm_by,
                });
            }
        }
    }

    /// Looks at one change (counted only with a snapshot).
    pub fn change(&mut self, change: &Change) {
        if self.since && self.level.is_some_and(|level| change.reaches(level)) {
            self.risk_hits = self.risk_hits.saturating_add(1);
        }
    }

    /// Whether anything set the alert off.
    pub fn raised(&self) -> bool {
        self.risk_hits > 0 || self.ownership_hits > 0
    }

    /// How many numbers set the risk alert off.
    pub fn risk_hits(&self) -> u64 {
        self.risk_hits
    }

    /// How many numbers need ownership confirmation (when alerting on ownership).
    pub fn ownership_hits(&self) -> u64 {
        self.ownership_hits
    }

    /// The first [`Alert::LISTED`] numbers needing ownership confirmation, in list order.
    pub fn needing_confirmation(&self) -> &[OwnershipAlert] {
        &self.listed
    }

    /// The risk level alerted on, if any.
    pub fn level(&self) -> Option<Risk> {
        self.level
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(number: &str, risk: Option<Risk>, score: Option<u8>) -> Row {
        Row {
            phone_number: number.parse().unwrap(),
            enterprise_id: None,
            reputation: Reputation {
                spam_risk: risk.map(Into::into),
                sentiment_score: score,
                ..Reputation::default()
            },
            tracking: Tracking::default(),
        }
    }

    fn numbers(rows: &[Row]) -> Vec<String> {
        rows.iter().map(|r| r.phone_number.to_string()).collect()
    }

    #[test]
    fn sorting_by_risk_puts_high_first_and_unknown_last() {
        let mut rows = vec![
            row("+16035550004", None, None),
            row("+16035550003", Some(Risk::Low), Some(10)),
            row("+16035550002", Some(Risk::High), Some(90)),
            row("+16035550001", Some(Risk::High), None),
        ];
        sort_rows(&mut rows, SortKey::Risk);
        assert_eq!(
            numbers(&rows),
            [
                "+16035550001",
                "+16035550002",
                "+16035550003",
                "+16035550004"
            ]
        );
        sort_rows(&mut rows, SortKey::Score);
        assert_eq!(
            numbers(&rows),
            [
                "+16035550003",
                "+16035550002",
                "+16035550001",
                "+16035550004"
            ]
        );
        sort_rows(&mut rows, SortKey::Number);
        assert_eq!(
            numbers(&rows),
            [
                "+16035550001",
                "+16035550002",
                "+16035550003",
                "+16035550004"
            ]
        );
    }

    #[test]
    fn selection_keeps_rows_at_or_above_the_level_and_counts_every_row() {
        let mut s = Selection::new(Some(Risk::Medium));
        let kept: Vec<bool> = [Some(Risk::High), Some(Risk::Medium), Some(Risk::Low), None]
            .into_iter()
            .map(|r| s.keep(&row("+16035550001", r, None)))
            .collect();
        assert_eq!(kept, [true, true, false, false]);
        assert_eq!(
            s.counts(),
            RiskCounts {
                total: 4,
                high: 1,
                medium: 1,
                low: 1,
                unknown: 1
            }
        );
    }

    #[test]
    fn an_alert_counts_levels_without_a_snapshot_and_rises_with_one() {
        let high = row("+16035550001", Some(Risk::High), None);
        let mut plain = Alert::new(Risk::High, false);
        plain.row(&high);
        plain.change(&Change::Added {
            risk: Some(Risk::High),
        });
        assert_eq!(plain.risk_hits(), 1);
        assert!(plain.raised());

        let mut since = Alert::new(Risk::High, true);
        since.row(&high);
        assert_eq!(
            since.risk_hits(),
            0,
            "a number already high before is no news"
        );
        assert!(!since.raised());
        since.change(&Change::RiskUp {
            from: Some(Risk::Medium),
            to: Some(Risk::High),
        });
        assert_eq!(since.risk_hits(), 1);
    }

    #[test]
    fn the_ownership_alert_counts_pending_and_flagged_numbers_and_lists_the_first() {
        let mut alert = Alert::new(Risk::High, true).with_ownership();
        let due: DateTime<Utc> = "2026-10-08T07:00:00Z".parse().unwrap();
        for (i, status) in [
            Ownership::Verified,
            Ownership::PendingConfirmation,
            Ownership::Flagged,
        ]
        .into_iter()
        .enumerate()
        {
            let mut r = row(&format!("+1603555000{i}"), Some(Risk::High), None);
            r.tracking.ownership_status = Some(status);
            r.tracking.confirm_by = (status == Ownership::PendingConfirmation).then_some(due);
            alert.row(&r);
        }
        for i in 0..200 {
            let mut r = row(&format!("+1603555{:04}", 1000 + i), None, None);
            r.tracking.ownership_status = Some(Ownership::Flagged);
            alert.row(&r);
        }
        assert!(alert.raised());
        assert_eq!(
            alert.risk_hits(),
            0,
            "with a snapshot, only a rise alerts on risk"
        );
        assert_eq!(alert.ownership_hits(), 202);
        assert_eq!(alert.needing_confirmation().len(), Alert::LISTED);
        assert_eq!(
            alert.needing_confirmation()[0],
            OwnershipAlert {
                phone_number: "+16035550001".parse().unwrap(),
                ownership_status: Ownership::PendingConfirmation,
                confirm_by: Some(due),
            }
        );
        let mut alone = Alert::on_ownership();
        alone.row(&row("+16035550001", Some(Risk::High), None));
        assert!(!alone.raised(), "no risk level, no status: nothing");
    }
}
