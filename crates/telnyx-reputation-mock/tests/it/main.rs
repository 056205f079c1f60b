//! The crate's integration tests, one binary: each module was a test target of its own.

mod common;
mod external;
mod hold;
mod late;
mod lifecycle;
mod numbers;
mod ownership;
mod rate_limit;
mod remediation;
mod rules;
mod webhooks;
