//! `sync --enterprise E FILE`: make the enterprise's monitored numbers equal to FILE.
//!
//! FILE is read as `associate` reads its input ([`crate::input`]: header line, `--column` of a
//! CSV, byte-order mark, comments, blank lines) and checked by the same pre-flight: a bad line
//! is reported with its line and rule, and stops everything (exit 2) before anything is sent.
//! The plan (to associate, to disassociate with `--prune`, unchanged, conflicts with other
//! enterprises, numbers removed by Telnyx, toll-free numbers with their inventory note, billable
//! checks) is read from list pages alone and printed before anything is sent; `--dry-run`
//! stops there. A number of FILE that Telnyx removed from monitoring (ported away, reassigned,
//! ownership unconfirmed, reported as no longer owned) is listed with its reason and not
//! associated again (nor billed) unless `--readd-removed`; one the customer disassociated is
//! associated as any other. Then the library applies it, journalled as `associate` is
//! (by default under the state directory, see [`crate::journals`]): the associations through
//! the bulk engine, then, only when they all succeed, the extras disassociated. `resume`
//! finishes an interrupted sync, prune included; `rollback` undoes its associations. Ctrl-C and
//! SIGTERM stop it as they stop `associate` ([`crate::signals`]).

mod inventory;
mod plan;
mod prune;

use std::path::Path;

use telnyx_reputation::bulk::{BulkOptions, CancellationToken, Mode};
use telnyx_reputation::sync::PlanOptions;
use uuid::Uuid;

use self::inventory::inventory;
use self::plan::print_plan;
use self::prune::{MaxPrune, check_max_prune, confirm_prune, may_prune, parse_max_prune};
use crate::args::{in_flight, per_request};
use crate::bulk::sync_outcome::{conclude_sync, sync_failure};
use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::journals::{JournalArgs, quoted};
use crate::progress;
use crate::signals::{self, Messages};

/// Arguments of `sync`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The enterprise made equal to FILE.
    #[arg(long)]
    enterprise: Uuid,
    /// The inventory, read as `associate` reads a FILE (one number a line, or a CSV column
    /// with --column; a header line, `#` comments and blank lines are skipped); `-` is stdin.
    #[arg(value_name = "FILE")]
    file: String,
    /// Read the numbers from this CSV column (by header name, case-insensitive) of FILE.
    #[arg(long, value_name = "NAME")]
    column: Option<String>,
    /// Accept only `+` and digits (by default human US forms are read and sent canonical).
    #[arg(long)]
    strict: bool,
    /// Also disassociate the enterprise's numbers that FILE does not list. Asks first on a
    /// terminal; elsewhere needs --yes.
    #[arg(long)]
    prune: bool,
    /// Associate again the numbers of FILE that Telnyx removed from monitoring (ported away,
    /// reassigned, ownership unconfirmed, reported as no longer owned): billed, one check each.
    /// Without it they are listed in the plan with their reason and not sent.
    #[arg(long)]
    readd_removed: bool,
    /// The most numbers a prune may disassociate: a count, or a percentage of the numbers the
    /// enterprise monitors (`50%`). A plan that prunes more is refused before anything is
    /// sent. Default: 10 % of the enterprise, at least 1.
    #[arg(long, value_name = "N|P%", value_parser = parse_max_prune)]
    max_prune: Option<MaxPrune>,
    /// Sync even when FILE holds no number (an empty file, no input on stdin, blank cells, a
    /// header alone): with --prune, that disassociates every number of the enterprise.
    #[arg(long)]
    allow_empty: bool,
    /// Print the plan and send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Associate what can be associated when some numbers are refused (else all or nothing).
    #[arg(long)]
    best_effort: bool,
    /// Requests in flight at once (1–64), for the associations and the disassociations.
    #[arg(long, default_value_t = 4, value_parser = in_flight::<64>)]
    concurrency: usize,
    /// Numbers per associate request (1–100).
    #[arg(long, default_value_t = 100, value_parser = per_request::<100>)]
    batch_size: usize,
    #[command(flatten)]
    journal: JournalArgs,
}

/// What `sync` says on the first and the second interrupt.
fn messages(args: &Args, journal: Option<&Path>) -> Messages {
    let waiting = "interrupted: sending no new requests; waiting for the requests in flight";
    match journal {
        Some(journal) => {
            let path = quoted(journal);
            Messages {
                first: format!(
                    "{waiting}, then leaving the sync to its journal {path} (Ctrl-C again to exit now)"
                ),
                second: format!(
                    "interrupted again: exiting now; requests in flight may or may not have been applied, and the journal knows which to look up.\n  to finish the sync:          telnyx-reputation resume {path}\n  to undo its associations:    telnyx-reputation rollback {path}"
                ),
            }
        }
        None => Messages {
            first: format!(
                "{waiting}, then stopping (Ctrl-C again to exit now); run the same sync again to finish"
            ),
            second: format!(
                "interrupted again: exiting now, with no journal; `telnyx-reputation sync --enterprise {} {} --dry-run` shows what is left",
                args.enterprise, args.file
            ),
        },
    }
}

/// Runs `sync`.
pub async fn run(args: Args, global: &Global) -> Result<Exit, Failure> {
    let inventory = inventory(&args, global)?;
    if args.prune && !args.dry_run {
        may_prune(global)?;
    }
    let session = global.session().await?;
    let result = async {
        let options = PlanOptions::default()
            .prune(args.prune)
            .readd_removed(args.readd_removed);
        let plan = session
            .client
            .plan_sync_with(args.enterprise, inventory.numbers, options)
            .await
            .map_err(Failure::from_api)?;
        print_plan(&plan, global.output())?;
        check_max_prune(&args, &plan, global)?;
        if args.dry_run || plan.is_empty() {
            return Ok(Exit::Success);
        }
        confirm_prune(&plan, global)?;
        if plan.billable_checks() > 0 {
            let readded = if plan.readd_removed && !plan.removed_by_telnyx.is_empty() {
                format!(
                    " ({} of them removed by Telnyx)",
                    plan.removed_by_telnyx.len()
                )
            } else {
                String::new()
            };
            global.confirm_billable(
                &session.client,
                &format!("associating {} numbers{readded}", plan.billable_checks()),
            )?;
        }
        let job_id = Uuid::new_v4();
        let journal = args.journal.path(job_id, true, global)?;
        let token = CancellationToken::new();
        let mut options = BulkOptions::default()
            .mode(if args.best_effort {
                Mode::BestEffort
            } else {
                Mode::AllOrNothing
            })
            .concurrency(args.concurrency)
            .batch_size(args.batch_size)
            .cancel_on(token.clone());
        if let Some(path) = &journal {
            options = options.journal(path);
            global.note(format!("journal: {}", path.display()));
        }
        let bar = progress::bar(global);
        let options = progress::hook(options, bar.clone(), &session.client);
        let watch = signals::watch(token, messages(&args, journal.as_deref()), bar.clone())?;
        let applied = plan.apply_as(&session.client, job_id, options).await;
        drop(watch);
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        let outcome = applied.map_err(|e| sync_failure(e, journal.as_deref()))?;
        Ok(conclude_sync(&outcome, journal.as_deref(), global))
    }
    .await;
    session.close().await;
    result
}
