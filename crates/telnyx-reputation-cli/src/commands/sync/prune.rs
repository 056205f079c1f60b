//! How `sync --prune` is held back: `--max-prune` (a count, or a share of the enterprise) and
//! the confirmation asked on a terminal (or given with `--yes`) before any number is
//! disassociated.

use std::io::IsTerminal;

use telnyx_reputation::sync::SyncPlan;

use super::Args;
use crate::context::{Global, ask};
use crate::exit::Failure;

/// `--max-prune`: a count of numbers, or a percentage of the enterprise's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxPrune {
    /// At most this many.
    Count(u64),
    /// At most this share of the numbers the enterprise monitors, in percent (0–100).
    Percent(u8),
}

/// The default `--max-prune`: a tenth of the enterprise, and at least one number.
const DEFAULT_MAX_PRUNE_PERCENT: u8 = 10;

impl MaxPrune {
    /// The most numbers a prune of an enterprise monitoring `monitored` may disassociate.
    fn limit(self, monitored: u64) -> u64 {
        match self {
            MaxPrune::Count(n) => n,
            MaxPrune::Percent(p) => {
                let share = u128::from(monitored) * u128::from(p) / 100;
                u64::try_from(share).unwrap_or(u64::MAX)
            }
        }
    }
}

impl std::fmt::Display for MaxPrune {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MaxPrune::Count(n) => write!(f, "{n}"),
            MaxPrune::Percent(p) => write!(f, "{p}%"),
        }
    }
}

/// Parses `--max-prune`: a whole number, or a whole percentage from 0 to 100 (`25%`).
pub(super) fn parse_max_prune(text: &str) -> Result<MaxPrune, String> {
    let text = text.trim();
    let bad = || {
        format!(
            "{text:?} is not a limit: give a whole number of numbers (`500`) or a whole percentage of the enterprise from 0% to 100% (`25%`)"
        )
    };
    match text.strip_suffix('%') {
        Some(p) => match p.trim().parse::<u8>() {
            Ok(p) if p <= 100 => Ok(MaxPrune::Percent(p)),
            _ => Err(bad()),
        },
        None => text.parse::<u64>().map(MaxPrune::Count).map_err(|_| bad()),
    }
}

/// Refuses a prune of more numbers than `--max-prune` allows; says what would be refused on a
/// dry run (which sends nothing either way).
pub(super) fn check_max_prune(
    args: &Args,
    plan: &SyncPlan,
    global: &Global,
) -> Result<(), Failure> {
    let count = u64::try_from(plan.disassociate().len()).unwrap_or(u64::MAX);
    if count == 0 {
        return Ok(());
    }
    let monitored = plan
        .unchanged
        .saturating_add(u64::try_from(plan.extra.len()).unwrap_or(u64::MAX));
    let (limit, said) = match args.max_prune {
        Some(max) => (max.limit(monitored), format!("--max-prune {max}")),
        None => (
            MaxPrune::Percent(DEFAULT_MAX_PRUNE_PERCENT)
                .limit(monitored)
                .max(1),
            format!(
                "the default --max-prune, {DEFAULT_MAX_PRUNE_PERCENT}% of the {monitored} numbers monitored"
            ),
        ),
    };
    if count <= limit {
        return Ok(());
    }
    let message = format!(
        "the prune would disassociate {count} numbers of enterprise {}, more than {limit} ({said}); nothing was sent. Check FILE, or raise the limit with --max-prune {count} (or a percentage such as --max-prune 100%)",
        plan.enterprise
    );
    if args.dry_run {
        global.note(format!("dry run: {message}"));
        return Ok(());
    }
    Err(Failure::usage(message))
}

/// Why a sync that may prune is refused when there is no terminal to confirm on.
const NO_TERMINAL: &str = "sync --prune disassociates numbers, and stdin is not a terminal to confirm on; pass --yes to proceed (nothing was sent)";

/// Whether a prune may go ahead: `--yes`, or a yes typed on the terminal. Without a terminal to
/// ask on, a sync that may prune is refused before anything is sent.
pub(super) fn may_prune(global: &Global) -> Result<(), Failure> {
    if global.yes || std::io::stdin().is_terminal() {
        return Ok(());
    }
    Err(Failure::usage(NO_TERMINAL))
}

/// Asks on the terminal before disassociating the plan's extras (`--yes` does not ask).
pub(super) fn confirm_prune(plan: &SyncPlan, global: &Global) -> Result<(), Failure> {
    let count = plan.disassociate().len();
    if count == 0 || global.yes {
        return Ok(());
    }
    ask(
        &format!(
            "disassociate {count} number(s) from enterprise {} (they stop being monitored)",
            plan.enterprise
        ),
        || NO_TERMINAL.to_owned(),
    )
}
