//! The crate's integration tests, one binary: each module was a test target of its own.

mod committed;
mod edition;
mod generate;
mod hoist;
mod ownership;
