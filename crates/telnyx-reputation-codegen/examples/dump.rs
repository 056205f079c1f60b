//! Prints the client generated from a spec file: `cargo run -p telnyx-reputation-codegen --example dump -- spec/phone-numbers.yml`.
fn main() {
    let path = std::env::args().nth(1).expect("usage: dump SPEC");
    let text = std::fs::read_to_string(&path).expect("readable spec");
    match telnyx_reputation_codegen::generate(&text) {
        Ok(code) => print!("{code}"),
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    }
}
