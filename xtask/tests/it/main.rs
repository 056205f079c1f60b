//! The crate's integration tests, one binary: each module was a test target of its own.

mod forms;
mod overlays;
mod regen;
