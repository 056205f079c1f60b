//! How `associate`, `resume` and `rollback` end: the report printed, what to run next said on
//! stderr, and the exit (130 when an interrupt cut the job short).

use std::path::Path;

use telnyx_reputation::bulk::JobReport;

use crate::commands::report::print_report;
use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::journals::next_steps;

/// Prints `report`, then the next steps for a job left short (named after `journal`, the job's
/// journal if it has one), and returns the exit: [`Exit::Interrupted`] when an interrupt cut the
/// job short, else `exit`.
pub fn conclude(
    report: JobReport,
    journal: Option<&Path>,
    global: &Global,
    exit: Exit,
) -> Result<Exit, Failure> {
    let exit = if report.interrupted {
        Exit::Interrupted
    } else {
        exit
    };
    let next = next_steps(&report, journal);
    print_report(report, global.output())?;
    if let Some(next) = next {
        // Said even with -q: the job is not where the user asked it to be.
        eprintln!("{next}");
    }
    Ok(exit)
}
