//! The `telnyx-reputation` command.
fn main() {}
