//! The crate's integration tests, one binary: each module was a test target of its own.
//! `no_alloc` stays a separate target because it installs its own global allocator.

mod metadata_cases;
mod parse;
mod tables;
