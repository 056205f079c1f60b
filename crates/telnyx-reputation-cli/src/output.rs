//! Everything written to stdout: JSON, CSV (the `csv` crate, so quoting round-trips) or an
//! aligned table (`tabwriter`). Every write returns its error; a closed pipe becomes
//! [`Failure::closed_pipe`], so `list | head -1` ends quietly. Data is never written with
//! `println!`, which panics on a closed pipe.

use std::io::{BufWriter, Stdout, Write};

use serde::Serialize;
use tabwriter::TabWriter;

use crate::exit::Failure;

/// The longest refused input echoed back, in characters.
pub const ECHO_LIMIT: usize = 64;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    /// Aligned columns, for people.
    Table,
    /// JSON, for programs (errors too: one JSON object on stderr).
    Json,
    /// CSV with a header row, quoted where needed, for spreadsheets.
    Csv,
}

/// Buffered stdout.
pub type Out = BufWriter<Stdout>;

/// A buffered stdout.
pub fn stdout() -> Out {
    BufWriter::with_capacity(1 << 16, std::io::stdout())
}

/// Writes `bytes` to stdout and flushes.
pub fn write_all(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = stdout();
    out.write_all(bytes).map_err(Failure::from_write)?;
    out.flush().map_err(Failure::from_write)
}

/// `text` cut to [`ECHO_LIMIT`] characters, marked with `…` and the full length when cut.
/// (Tables show control characters as spaces; JSON and CSV quote them.)
pub fn cut(text: &str) -> String {
    let mut shown: String = text.chars().take(ECHO_LIMIT).collect();
    if text.chars().nth(ECHO_LIMIT).is_some() {
        shown.push_str(&format!("… ({} bytes)", text.len()));
    }
    shown
}

/// How a JSON sink lays out its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonRows {
    /// One array.
    Array,
    /// One object a line (JSON Lines), for streams of unknown length.
    Lines,
}

enum Kind {
    Json {
        out: Out,
        rows: JsonRows,
        first: bool,
    },
    Csv(Box<csv::Writer<Out>>),
    Table(TabWriter<Out>),
}

/// Rows of one shape written as they come: each row is given both as a serializable value
/// (for JSON) and as cells under the sink's headers (for CSV and tables). Tables are aligned
/// when the sink finishes, so only tables hold their rows.
pub struct Sink {
    kind: Kind,
}

impl Sink {
    /// Starts a sink, writing the CSV or table header now.
    pub fn new(output: Output, headers: &[&str], rows: JsonRows) -> Result<Sink, Failure> {
        let kind = match output {
            Output::Json => Kind::Json {
                out: stdout(),
                rows,
                first: true,
            },
            Output::Csv => {
                let mut w = csv::Writer::from_writer(stdout());
                w.write_record(headers).map_err(csv_failure)?;
                Kind::Csv(Box::new(w))
            }
            Output::Table => {
                let mut w = TabWriter::new(stdout()).padding(2);
                let upper: Vec<String> = headers.iter().map(|h| h.to_uppercase()).collect();
                table_row(&mut w, &upper)?;
                Kind::Table(w)
            }
        };
        Ok(Sink { kind })
    }

    /// Writes one row.
    pub fn row<T: Serialize + ?Sized>(
        &mut self,
        json: &T,
        cells: &[String],
    ) -> Result<(), Failure> {
        match &mut self.kind {
            Kind::Json { out, rows, first } => {
                let sep: &[u8] = match (*rows, *first) {
                    (JsonRows::Array, true) => b"[\n",
                    (JsonRows::Array, false) => b",\n",
                    (JsonRows::Lines, _) => b"",
                };
                *first = false;
                out.write_all(sep).map_err(Failure::from_write)?;
                serde_json::to_writer(&mut *out, json).map_err(json_failure)?;
                if *rows == JsonRows::Lines {
                    out.write_all(b"\n").map_err(Failure::from_write)?;
                }
                Ok(())
            }
            Kind::Csv(w) => w.write_record(cells).map_err(csv_failure),
            Kind::Table(w) => table_row(w, cells),
        }
    }

    /// Writes out the rows so far, so that a reader sees them before the next ones exist.
    /// A table's rows are aligned among themselves, so a table flushed often is aligned in
    /// parts; a command that streams a table lays it out itself.
    pub fn flush(&mut self) -> Result<(), Failure> {
        match &mut self.kind {
            Kind::Json { out, .. } => out.flush().map_err(Failure::from_write),
            Kind::Csv(w) => w.flush().map_err(Failure::from_write),
            Kind::Table(w) => w.flush().map_err(Failure::from_write),
        }
    }

    /// Ends the rows (closing a JSON array) and flushes.
    pub fn finish(self) -> Result<(), Failure> {
        match self.kind {
            Kind::Json {
                mut out,
                rows,
                first,
            } => {
                if rows == JsonRows::Array {
                    let end: &[u8] = if first { b"[]\n" } else { b"\n]\n" };
                    out.write_all(end).map_err(Failure::from_write)?;
                }
                out.flush().map_err(Failure::from_write)
            }
            Kind::Csv(mut w) => w.flush().map_err(Failure::from_write),
            Kind::Table(mut w) => w.flush().map_err(Failure::from_write),
        }
    }
}

fn table_row(w: &mut TabWriter<Out>, cells: &[String]) -> Result<(), Failure> {
    let line: Vec<String> = cells
        .iter()
        .map(|c| {
            let c: String = c
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            if c.is_empty() { "-".to_owned() } else { c }
        })
        .collect();
    writeln!(w, "{}", line.join("\t")).map_err(Failure::from_write)
}

/// Writes one value as pretty JSON, as it is serialized (a report of a million numbers is
/// never one string).
pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<(), Failure> {
    let mut out = stdout();
    serde_json::to_writer_pretty(&mut out, value).map_err(json_failure)?;
    out.write_all(b"\n").map_err(Failure::from_write)?;
    out.flush().map_err(Failure::from_write)
}

/// Writes `label  value` pairs as an aligned block (control characters in a value escaped, so
/// that server text cannot drive the terminal).
pub fn pairs(rows: &[(&str, String)]) -> Result<(), Failure> {
    let mut w = TabWriter::new(stdout()).padding(2);
    for (label, value) in rows {
        writeln!(w, "{label}\t{}", telnyx_reputation::printable(value))
            .map_err(Failure::from_write)?;
    }
    w.flush().map_err(Failure::from_write)
}

fn csv_failure(e: csv::Error) -> Failure {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Failure::from_write(io),
        other => Failure::usage(format!("cannot write CSV: {other:?}")),
    }
}

fn json_failure(e: serde_json::Error) -> Failure {
    match e.io_error_kind() {
        Some(kind) => Failure::from_write(std::io::Error::from(kind)),
        None => Failure::usage(format!("cannot write JSON: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_keeps_short_text_and_marks_long_text() {
        assert_eq!(cut("+16035551234"), "+16035551234");
        let long = "9".repeat(10_000);
        let shown = cut(&long);
        assert!(shown.starts_with(&"9".repeat(ECHO_LIMIT)));
        assert!(shown.ends_with("… (10000 bytes)"), "{shown}");
        // Multi-byte characters are never split.
        assert_eq!(
            cut(&"é".repeat(70)).chars().filter(|c| *c == 'é').count(),
            64
        );
    }
}
