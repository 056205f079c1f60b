//! What the tests share: a recording loopback server and a generated client set up as the
//! SDK's.

pub mod client;
pub mod recorder;
pub mod wire;
