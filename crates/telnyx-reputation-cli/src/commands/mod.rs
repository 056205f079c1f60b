//! One module per subcommand, holding that command only; what several commands share is in
//! [`crate::bulk`], [`crate::rows`] and [`crate::args`]. No command module imports another.

pub mod associate;
pub mod jobs;
pub mod list;
pub mod loa;
pub mod numbers;
pub mod ownership;
pub mod refresh;
pub mod remediation;
pub mod report;
pub mod resume;
pub mod rollback;
pub mod settings;
pub mod sync;
pub mod terms;
pub mod validate;
pub mod verification;
pub mod webhooks;
