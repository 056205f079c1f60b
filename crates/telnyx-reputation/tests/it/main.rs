//! The crate's integration tests, one binary: each module was a test target of its own.

mod bulk;
mod cancel;
mod common;
mod counts;
mod hostile;
mod journal;
mod journal_cut;
mod later_values;
mod operations;
mod ops;
mod ownership;
mod proof;
mod rate_limit;
mod report;
mod sync_journal;
mod sync_plan;
mod webhooks;
