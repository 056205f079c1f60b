//! Project tasks: `cargo xtask regen`.
fn main() {}
