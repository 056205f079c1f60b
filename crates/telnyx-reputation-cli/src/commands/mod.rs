//! One module per subcommand, and the report printing `associate`, `resume` and `rollback`
//! share.

pub mod associate;
pub mod jobs;
pub mod list;
pub mod loa;
pub mod numbers;
pub mod outcome;
pub mod ownership;
pub mod refresh;
pub mod remediation;
pub mod report;
pub mod reputation_report;
pub mod resume;
pub mod rollback;
pub mod settings;
pub mod sync;
pub mod terms;
pub mod validate;
pub mod verification;
pub mod webhooks;
