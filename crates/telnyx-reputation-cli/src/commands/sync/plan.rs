//! The plan `sync` prints before anything is sent (and `--dry-run` stops at): a table of what
//! it would associate, disassociate and hold back, or the library's plan as JSON.

use serde::Serialize;
use telnyx_reputation::bulk::Note;
use telnyx_reputation::sync::SyncPlan;

use crate::bulk::sync_outcome::{listed, removal_text};
use crate::exit::Failure;
use crate::output::{self, Output};

/// The plan as JSON: the library's plan, its billable checks, and the note of every toll-free
/// number it associates.
#[derive(Serialize)]
struct Printed<'a> {
    #[serde(flatten)]
    plan: &'a SyncPlan,
    billable_checks: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<Note>,
}

pub(super) fn print_plan(plan: &SyncPlan, output: Output) -> Result<(), Failure> {
    let notes: Vec<Note> = plan.notes().collect();
    if output == Output::Json {
        return output::json(&Printed {
            plan,
            billable_checks: plan.billable_checks(),
            notes,
        });
    }
    let conflicts: Vec<String> = plan
        .conflicts
        .iter()
        .map(|c| format!("{} (held by {})", c.phone_number, c.held_by))
        .collect();
    let removed = plan.removed_by_telnyx.len();
    let withheld = plan.withheld().len();
    let mut rows = vec![
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
        (
            "removed by Telnyx",
            match (removed, plan.readd_removed) {
                (0, _) => "0".to_owned(),
                (n, true) => format!("{n} (associated again: --readd-removed; billed)"),
                (n, false) => {
                    format!("{n} (not associated again: --readd-removed associates them, billed)")
                }
            },
        ),
    ];
    if removed > 0 {
        rows.push((
            "removed numbers",
            listed(plan.removed_by_telnyx.iter().map(removal_text)),
        ));
    }
    if let Some(note) = notes.first().map(|n| n.note) {
        rows.push((
            "toll-free",
            format!(
                "{} ({note}): {}",
                notes.len(),
                listed(notes.iter().map(|n| n.number.to_string()))
            ),
        ));
    }
    rows.push((
        "billable checks",
        if withheld > 0 {
            format!(
                "{} ({withheld} removed by Telnyx not billed: not associated without --readd-removed)",
                plan.billable_checks()
            )
        } else {
            plan.billable_checks().to_string()
        },
    ));
    output::pairs(&rows)
}
