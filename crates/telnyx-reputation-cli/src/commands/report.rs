//! `report`: every monitored number with its reputation, read from list pages only (never a
//! per-number read, so never billed). Unsorted rows stream as the pages arrive; `--sort` holds
//! the kept rows (about 120 bytes each) to order them. Each row carries the number's ownership
//! tracking (SOURCE, OWNERSHIP, CONFIRM_BY). `--save` writes a snapshot of every number read;
//! `--since` prints what changed since one instead of the rows (ownership changes included, and
//! the reason of each removal, read from the removed numbers' list, also free); `--fail-on` and
//! `--fail-on-ownership` end with exit 4 when their alert is raised.

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use futures::TryStreamExt;
use telnyx_reputation::e164::UsNumber;
use telnyx_reputation::fs::AtomicFile;
use telnyx_reputation::report::{
    Alert, Change, Comparison, DEFAULT_SCORE_DELTA, NumberChange, Risk, Row, Selection, Snapshot,
    SnapshotWriter, SortKey, sort_rows,
};
use telnyx_reputation::{Client, Removal, Scope};
use uuid::Uuid;

use crate::args::in_flight;
use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::output::{JsonRows, Sink};

/// The order of `--sort`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Sort {
    /// Highest risk first, numbers without data last.
    Risk,
    /// Lowest score first.
    Score,
    /// By number.
    Number,
}

/// Arguments of `report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this enterprise (else every enterprise of the account).
    #[arg(long)]
    enterprise: Option<Uuid>,
    /// Keep numbers at or above this risk level (low, medium, high).
    #[arg(long, value_name = "LEVEL")]
    risk: Option<Risk>,
    /// Sort the rows (else they stream in list order as the pages arrive).
    #[arg(long, value_enum)]
    sort: Option<Sort>,
    /// Write a snapshot of every number read (JSON lines), to compare with later (`--since`).
    #[arg(long, value_name = "SNAPSHOT")]
    save: Option<PathBuf>,
    /// Print what changed since this snapshot instead of the rows: numbers added or removed,
    /// risk up or down, category changed, a score moved by `--score-delta` or more.
    #[arg(long, value_name = "SNAPSHOT")]
    since: Option<PathBuf>,
    /// With `--since`: the smallest score move reported.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SCORE_DELTA,
          value_parser = clap::value_parser!(u8).range(1..=100))]
    score_delta: u8,
    /// Exit 4 when a number is at or above LEVEL (with `--since`: when a number rose to it).
    #[arg(long, value_name = "LEVEL")]
    fail_on: Option<Risk>,
    /// Exit 4 when a number's ownership is `pending_confirmation` or `flagged` (with `--since`
    /// too: it needs its owner until confirmed), listing those numbers; alone or with
    /// `--fail-on`.
    #[arg(long)]
    fail_on_ownership: bool,
    /// List pages asked for at once (1–64).
    #[arg(long, value_name = "N", default_value_t = Client::LIST_CONCURRENCY,
          value_parser = in_flight::<64>)]
    concurrency: usize,
}

const ROW_HEADERS: [&str; 12] = [
    "phone_number",
    "enterprise_id",
    "spam_risk",
    "spam_category",
    "maturity_score",
    "connection_score",
    "engagement_score",
    "sentiment_score",
    "last_refreshed_at",
    "source",
    "ownership",
    "confirm_by",
];

const CHANGE_HEADERS: [&str; 5] = ["phone_number", "change", "from", "to", "detail"];

fn text<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// Writes `value` into `cell`, reusing its buffer; an absent value is an empty cell.
fn set<T: std::fmt::Display>(cell: &mut String, value: Option<T>) {
    use std::fmt::Write as _;
    cell.clear();
    if let Some(value) = value {
        // Writing into a String cannot fail.
        let _ = write!(cell, "{value}");
    }
}

/// The cells of a row, written into `cells` (twelve, in [`ROW_HEADERS`] order) so that a
/// report of a million rows reuses twelve buffers instead of allocating twelve strings a row.
fn row_cells<'c>(row: &Row, cells: &'c mut [String; 12]) -> &'c [String] {
    let r = &row.reputation;
    let t = &row.tracking;
    let [
        number,
        enterprise,
        risk,
        category,
        maturity,
        connection,
        engagement,
        sentiment,
        refreshed,
        source,
        ownership,
        confirm_by,
    ] = cells;
    set(number, Some(row.phone_number));
    set(enterprise, row.enterprise_id);
    set(risk, r.spam_risk.as_ref());
    set(category, r.spam_category.as_deref());
    set(maturity, r.maturity_score);
    set(connection, r.connection_score);
    set(engagement, r.engagement_score);
    set(sentiment, r.sentiment_score);
    set(refreshed, r.last_refreshed_at.map(|t| t.to_rfc3339()));
    set(source, t.source);
    set(ownership, t.ownership_status);
    set(confirm_by, t.confirm_by.map(|t| t.to_rfc3339()));
    cells
}

fn change_cells(change: &NumberChange) -> Vec<String> {
    let (kind, from, to, detail) = match &change.change {
        Change::Added { risk } => ("added".into(), String::new(), text(*risk), String::new()),
        Change::Removed {
            risk,
            removal_reason,
            removed_at,
        } => {
            let mut detail = text(removal_reason.as_ref());
            if let Some(at) = removed_at {
                detail = format!("{detail} at {}", at.to_rfc3339()).trim().to_owned();
            }
            ("removed".into(), text(*risk), String::new(), detail)
        }
        Change::RiskUp { from, to } => ("risk_up".into(), text(*from), text(*to), String::new()),
        Change::RiskDown { from, to } => {
            ("risk_down".into(), text(*from), text(*to), String::new())
        }
        Change::CategoryChanged { from, to } => (
            "category_changed".into(),
            text(from.as_deref()),
            text(to.as_deref()),
            String::new(),
        ),
        Change::ScoreMoved { score, from, to } => (
            format!("{}_moved", score.0.field()),
            from.to_string(),
            to.to_string(),
            String::new(),
        ),
        Change::OwnershipChanged {
            from,
            to,
            confirm_by,
        } => (
            "ownership_changed".into(),
            text(*from),
            text(*to),
            confirm_by.map_or_else(String::new, |t| format!("confirm by {}", t.to_rfc3339())),
        ),
        // A kind of change this CLI does not know yet.
        _ => (
            "changed".into(),
            String::new(),
            String::new(),
            String::new(),
        ),
    };
    vec![change.phone_number.to_string(), kind, from, to, detail]
}

/// The removals of the `missing` numbers (a snapshot's numbers the list no longer shows), from
/// the removed numbers' list of `scope` (list pages: free). A list that cannot be read leaves
/// the removals without their reason, said on stderr: the changes are still printed.
async fn removals(
    client: &Client,
    scope: Scope,
    missing: BTreeSet<UsNumber>,
    global: &Global,
) -> BTreeMap<UsNumber, Removal> {
    let mut found = BTreeMap::new();
    if missing.is_empty() {
        return found;
    }
    let mut listed = std::pin::pin!(client.removed_numbers(scope));
    loop {
        match listed.try_next().await {
            Ok(Some(removal)) => {
                if missing.contains(&removal.phone_number) {
                    found.insert(removal.phone_number, removal);
                }
            }
            Ok(None) => return found,
            Err(e) => {
                global.note(format!(
                    "the removed numbers could not be listed ({e}); removals are shown without their reason"
                ));
                return found;
            }
        }
    }
}

/// The alerts asked for: `--fail-on`, `--fail-on-ownership`, both or none.
fn alert_of(args: &Args, since: bool) -> Option<Alert> {
    let alert = match args.fail_on {
        Some(level) => Alert::new(level, since),
        None if args.fail_on_ownership => Alert::on_ownership(),
        None => return None,
    };
    Some(if args.fail_on_ownership {
        alert.with_ownership()
    } else {
        alert
    })
}

/// Says on stderr what set the alerts off: the risk alert's count, and the numbers needing
/// ownership confirmation (the first [`Alert::LISTED`]).
fn print_alert(alert: &Alert, since: bool) {
    if let Some(level) = alert.level().filter(|_| alert.risk_hits() > 0) {
        eprintln!(
            "alert: {} numbers {} {level}",
            alert.risk_hits(),
            if since {
                "rose to or above"
            } else {
                "at or above"
            },
        );
    }
    if alert.ownership_hits() > 0 {
        eprintln!(
            "alert: {} numbers need their ownership confirmed (pending_confirmation or flagged):",
            alert.ownership_hits()
        );
        for hit in alert.needing_confirmation() {
            let by = hit
                .confirm_by
                .map_or_else(String::new, |t| format!(", confirm by {}", t.to_rfc3339()));
            eprintln!("  {} {}{by}", hit.phone_number, hit.ownership_status);
        }
        let listed = u64::try_from(alert.needing_confirmation().len()).unwrap_or(u64::MAX);
        if alert.ownership_hits() > listed {
            eprintln!("  and {} more", alert.ownership_hits() - listed);
        }
    }
}

/// A snapshot written whole or not at all ([`AtomicFile`]: next to its final path and renamed
/// over it at the end), so that `--since F --save F` reads the old snapshot and an interrupted
/// run leaves it whole.
struct Saving {
    writer: SnapshotWriter<BufWriter<AtomicFile>>,
    path: PathBuf,
}

impl Saving {
    fn start(path: &Path) -> Result<Saving, Failure> {
        let file = AtomicFile::create(path).map_err(|e| {
            Failure::usage(format!("cannot write the snapshot {}: {e}", path.display()))
        })?;
        Ok(Saving {
            writer: SnapshotWriter::new(BufWriter::new(file), path),
            path: path.to_owned(),
        })
    }

    fn finish(self) -> Result<(), Failure> {
        let (out, _) = self
            .writer
            .finish()
            .map_err(|e| Failure::usage(e.to_string()))?;
        let file = out
            .into_inner()
            .map_err(|e| Failure::usage(format!("cannot write the snapshot: {e}")))?;
        file.commit().map_err(|e| {
            Failure::usage(format!(
                "cannot write the snapshot {}: {e}",
                self.path.display()
            ))
        })
    }
}

/// Runs `report`.
pub async fn run(args: Args, global: &Global) -> Result<Exit, Failure> {
    let snapshot = args
        .since
        .as_deref()
        .map(Snapshot::read_path)
        .transpose()
        .map_err(|e| Failure::usage(e.to_string()))?;
    let mut saving = args.save.as_deref().map(Saving::start).transpose()?;
    let output = global.output();
    let headers: &[&str] = if snapshot.is_some() {
        &CHANGE_HEADERS
    } else {
        &ROW_HEADERS
    };
    let session = global.session().await?;
    let result = async {
        let mut sink = Sink::new(output, headers, JsonRows::Array)?;
        let mut selection = Selection::new(args.risk);
        let mut alert = alert_of(&args, snapshot.is_some());
        let mut comparison = snapshot
            .as_ref()
            .map(|s| Comparison::new(s, args.score_delta));
        let mut sorted: Vec<Row> = Vec::new();
        let mut changes: Vec<NumberChange> = Vec::new();
        let mut rows = std::pin::pin!(
            session
                .client
                .reputation_report(args.enterprise.into(), args.concurrency)
        );
        let mut since_flush: u32 = 0;
        let mut cells: [String; 12] = Default::default();
        while let Some(row) = rows.try_next().await.map_err(Failure::from_api)? {
            if let Some(saving) = saving.as_mut() {
                saving
                    .writer
                    .write(&row)
                    .map_err(|e| Failure::usage(e.to_string()))?;
            }
            let kept = selection.keep(&row);
            if let Some(alert) = alert.as_mut() {
                alert.row(&row);
            }
            if let Some(comparison) = comparison.as_mut() {
                changes.clear();
                comparison.compare(&row, &mut changes);
                for change in &changes {
                    if let Some(alert) = alert.as_mut() {
                        alert.change(&change.change);
                    }
                    sink.row(change, &change_cells(change))?;
                }
            } else if kept {
                if args.sort.is_some() {
                    sorted.push(row);
                } else {
                    sink.row(&row, row_cells(&row, &mut cells))?;
                    since_flush = since_flush.saturating_add(1);
                    if since_flush >= 250 {
                        since_flush = 0;
                        sink.flush()?;
                    }
                }
            }
        }
        if let Some(comparison) = comparison.as_ref() {
            let missing: BTreeSet<UsNumber> = comparison.missing().collect();
            let scope = Scope::from(args.enterprise);
            let removals = removals(&session.client, scope, missing, global).await;
            for change in comparison.removed_with(&removals) {
                sink.row(&change, &change_cells(&change))?;
            }
        }
        if let Some(sort) = args.sort {
            let key = match sort {
                Sort::Risk => SortKey::Risk,
                Sort::Score => SortKey::Score,
                Sort::Number => SortKey::Number,
            };
            sort_rows(&mut sorted, key);
            for row in &sorted {
                sink.row(row, row_cells(row, &mut cells))?;
            }
        }
        sink.finish()?;
        if let Some(saving) = saving.take() {
            saving.finish()?;
        }
        let counts = selection.counts();
        if !global.quiet {
            eprintln!(
                "{} numbers: {} high, {} medium, {} low, {} without data",
                counts.total, counts.high, counts.medium, counts.low, counts.unknown
            );
        }
        Ok(match alert {
            Some(alert) if alert.raised() => {
                if !global.quiet {
                    print_alert(&alert, snapshot.is_some());
                }
                Exit::Alert
            }
            _ => Exit::Success,
        })
    }
    .await;
    session.close().await;
    result
}
