//! `sync --enterprise E FILE`: make the enterprise's monitored numbers equal to FILE. The plan
//! (to associate, to disassociate with `--prune`, unchanged, conflicts with other enterprises,
//! billable checks) is read from list pages alone and printed before anything is sent;
//! `--dry-run` stops there. Then the associations run through the bulk engine (journalled
//! with `--journal`, so `resume` and `rollback` work on them), and only when they all succeed
//! are the extras disassociated.

use std::path::PathBuf;

use telnyx_reputation::bulk::{BulkOptions, Mode, Outcome};
use telnyx_reputation::e164::UsLocalNumber;
use telnyx_reputation::sync::{SyncError, SyncPlan};
use uuid::Uuid;

use crate::commands::numbers::number;
use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::output::{self, Output};

/// Arguments of `sync`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The enterprise made equal to FILE.
    #[arg(long)]
    enterprise: Uuid,
    /// The inventory: one number a line; blank lines and `#` comments are skipped.
    file: PathBuf,
    /// Also disassociate the enterprise's numbers that FILE does not list.
    #[arg(long)]
    prune: bool,
    /// Print the plan and send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Associate what can be associated when some numbers are refused (else all or nothing).
    #[arg(long)]
    best_effort: bool,
    /// Journal the associations here, for `resume` and `rollback`.
    #[arg(long, value_name = "PATH")]
    journal: Option<PathBuf>,
}

/// Reads FILE: every line must be a US local number; all bad lines are reported (exit 2)
/// before anything is sent.
fn inventory(path: &PathBuf) -> Result<Vec<UsLocalNumber>, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    let mut numbers = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match number(line).and_then(|e| {
            UsLocalNumber::try_from(e)
                .map_err(|e| Failure::usage(format!("{line}: not a US local number ({e:?})")))
        }) {
            Ok(n) => numbers.push(n),
            Err(f) => bad.push(format!("line {}: {}", i.saturating_add(1), f.message)),
        }
    }
    if !bad.is_empty() {
        return Err(Failure::usage(format!(
            "{} bad lines in {}, nothing sent: {}",
            bad.len(),
            path.display(),
            bad.join("; ")
        )));
    }
    Ok(numbers)
}

fn print_plan(plan: &SyncPlan, output: Output) -> Result<(), Failure> {
    if output == Output::Json {
        return output::json(plan);
    }
    let conflicts: Vec<String> = plan
        .conflicts
        .iter()
        .map(|c| format!("{} (held by {})", c.phone_number, c.held_by))
        .collect();
    output::pairs(&[
        ("to associate", plan.associate.len().to_string()),
        (
            "to disassociate",
            if plan.prune {
                plan.extra.len().to_string()
            } else {
                format!("0 ({} extra kept: --prune removes them)", plan.extra.len())
            },
        ),
        ("unchanged", plan.unchanged.to_string()),
        ("conflicts", conflicts.len().to_string()),
        ("conflicting numbers", conflicts.join(", ")),
        ("billable checks", plan.billable_checks().to_string()),
    ])
}

/// Runs `sync`.
pub async fn run(args: Args, global: &Global) -> Result<Exit, Failure> {
    let desired = inventory(&args.file)?;
    let session = global.session().await?;
    let result = async {
        let plan = session
            .client
            .plan_sync(args.enterprise, desired, args.prune)
            .await
            .map_err(Failure::from_api)?;
        print_plan(&plan, global.output())?;
        if args.dry_run || plan.is_empty() {
            return Ok(Exit::Success);
        }
        if plan.billable_checks() > 0 {
            global.confirm_billable(
                &session.client,
                &format!("associating {} numbers", plan.billable_checks()),
            )?;
        }
        let mut options = BulkOptions::default().mode(if args.best_effort {
            Mode::BestEffort
        } else {
            Mode::AllOrNothing
        });
        if let Some(journal) = &args.journal {
            options = options.journal(journal);
        }
        let outcome = plan
            .apply(&session.client, options)
            .await
            .map_err(|e| match e {
                SyncError::Bulk(e) => Failure::from_bulk(e),
                SyncError::Disassociate { source, .. } => Failure::from_api(source),
            })?;
        global.note(format!(
            "associated {}, disassociated {}",
            outcome
                .associations
                .as_ref()
                .map_or(0, |r| r.associated.len()),
            outcome.disassociated.len()
        ));
        Ok(match outcome.associations.map(|r| r.outcome) {
            None | Some(Outcome::Completed) => Exit::Success,
            Some(Outcome::Failed) => Exit::Unavailable,
            Some(_) => Exit::Refused,
        })
    }
    .await;
    session.close().await;
    result
}
