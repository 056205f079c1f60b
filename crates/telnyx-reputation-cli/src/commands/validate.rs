//! `validate [--strict] [FILE]`: one JSON object per input line, streamed.

use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;

use telnyx_e164::{E164, NumberKind};

use crate::exit::{Exit, Failure};

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Accept only the wire form (`+` and digits); by default human US forms are read too.
    #[arg(long)]
    strict: bool,
    /// One number per line; standard input when absent or `-`.
    file: Option<PathBuf>,
}

#[derive(serde::Serialize)]
struct Line<'a> {
    input: &'a str,
    ok: bool,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    e164: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
}

/// Runs `validate`.
pub fn run(args: Args) -> Result<Exit, Failure> {
    let reader: Box<dyn BufRead> = match args.file.as_deref() {
        None => Box::new(std::io::stdin().lock()),
        Some(p) if p.as_os_str() == "-" => Box::new(std::io::stdin().lock()),
        Some(p) => Box::new(std::io::BufReader::new(
            std::fs::File::open(p)
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", p.display())))?,
        )),
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut all_ok = true;
    for line in reader.lines() {
        let line = line.map_err(|e| Failure::usage(format!("cannot read input: {e}")))?;
        let input = line.trim_end_matches('\r');
        let parsed = if args.strict {
            E164::parse_strict(input)
        } else {
            E164::parse_lenient(input)
        };
        let record = match parsed {
            Ok(n) => {
                let kind = n.kind();
                Line {
                    input,
                    ok: kind == NumberKind::UsLocal,
                    kind: kind.name(),
                    e164: Some(n.to_string()),
                    region: match kind {
                        NumberKind::NonUs { region } => Some(region.as_str()),
                        _ => None,
                    },
                    reason: kind.refusal().map(|r| r.code()),
                }
            }
            Err(e) => Line {
                input,
                ok: false,
                kind: "invalid",
                e164: None,
                region: None,
                reason: Some(e.code()),
            },
        };
        all_ok &= record.ok;
        let written = serde_json::to_writer(&mut out, &record)
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n"));
        if let Err(e) = written {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return Ok(Exit::Success);
            }
            return Err(Failure::usage(format!("cannot write output: {e}")));
        }
    }
    match out.flush() {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(Failure::usage(format!("cannot write output: {e}")));
        }
        _ => {}
    }
    Ok(if all_ok { Exit::Success } else { Exit::Refused })
}
