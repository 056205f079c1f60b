//! Reputation reports: every monitored number with its reputation, read from list pages only
//! (list pages are free; a per-number read of a number without cached data is billed, so a
//! report never makes one).
//!
//! The parts, each usable on its own:
//! - one number as a report sees it: [`Row`], [`Risk`], [`Score`];
//! - `--risk`, `--sort` and the counts by risk: [`Selection`], [`sort_rows`];
//! - `--save` and `--since`: [`SnapshotWriter`] and [`Snapshot`];
//! - what changed since a snapshot: [`Comparison`] and [`Change`];
//! - `--fail-on`: [`Alert`].

mod changes;
mod row;
mod snapshot;
mod source;

use std::cmp::Reverse;

use serde::Serialize;

pub use changes::{Change, Comparison, DEFAULT_SCORE_DELTA, NumberChange, ScoreName};
pub use row::{Reputation, Risk, Row, Score, UnknownRisk};
pub use snapshot::{MAX_LINE, Prior, Snapshot, SnapshotError, SnapshotWriter};

/// The order of a sorted report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
pub struct RiskCounts {
    /// Every number read.
    pub total: u64,
    /// Numbers at `high`.
    pub high: u64,
    /// Numbers at `medium`.
    pub medium: u64,
    /// Numbers at `low`.
    pub low: u64,
    /// Numbers without a risk bucket (no data yet).
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

/// `--fail-on LEVEL`: whether any number is at or above the level or, when comparing with a
/// snapshot, whether any number rose to it.
#[derive(Debug, Clone)]
pub struct Alert {
    level: Risk,
    since: bool,
    hits: u64,
}

impl Alert {
    /// Alerts on `level`; with `since`, only on numbers that reached it since the snapshot.
    pub fn new(level: Risk, since: bool) -> Self {
        Alert {
            level,
            since,
            hits: 0,
        }
    }

    /// Looks at one current row (counted only without a snapshot).
    pub fn row(&mut self, row: &Row) {
        if !self.since && self.level.is_reached_by(row.risk()) {
            self.hits = self.hits.saturating_add(1);
        }
    }

    /// Looks at one change (counted only with a snapshot).
    pub fn change(&mut self, change: &Change) {
        if self.since && change.reaches(self.level) {
            self.hits = self.hits.saturating_add(1);
        }
    }

    /// How many numbers set the alert off.
    pub fn hits(&self) -> u64 {
        self.hits
    }

    /// The level alerted on.
    pub fn level(&self) -> Risk {
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
                spam_risk: risk,
                sentiment_score: score,
                ..Reputation::default()
            },
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
        assert_eq!(plain.hits(), 1);

        let mut since = Alert::new(Risk::High, true);
        since.row(&high);
        assert_eq!(since.hits(), 0, "a number already high before is no news");
        since.change(&Change::RiskUp {
            from: Some(Risk::Medium),
            to: Some(Risk::High),
        });
        assert_eq!(since.hits(), 1);
    }
}
