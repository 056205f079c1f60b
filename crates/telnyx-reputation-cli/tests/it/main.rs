//! The crate's integration tests, one binary: each module was a test target of its own.

mod billable_reads;
mod cli;
mod common;
mod formats;
mod hostile;
mod input;
mod interrupt;
mod jobs;
mod journal_guard;
mod meta;
mod mock_timings;
mod no_journal;
mod ops;
mod ownership;
mod rate_limit;
mod report;
mod safety;
mod soak;
mod sync;
mod sync_guard;
mod sync_kill;
