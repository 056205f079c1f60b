//! What the commands that run bulk jobs share (`associate`, `refresh`, `remediation submit`,
//! `sync`, `resume`, `rollback`): an associate job's report and how its command ends
//! ([`job_report`]), the refresh or remediation job ([`ops`]) and its report ([`ops_report`]),
//! a journal run to its end or undone ([`recovery`]), and how a sync's outcome is told
//! ([`sync_outcome`]).

pub mod job_report;
pub mod ops;
pub mod ops_report;
pub mod recovery;
pub mod sync_outcome;

/// Above this many billable numbers, a bulk command against the real API asks first.
pub const CONFIRM_ABOVE: u64 = 1000;
