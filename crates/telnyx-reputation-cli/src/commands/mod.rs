//! One module per subcommand.

pub mod associate;
pub mod jobs;
pub mod numbers;
pub mod validate;
