//! Everything written to stdout: JSON, CSV (the `csv` crate, so quoting round-trips) or an
//! aligned table (`tabwriter`, or [`PagedTable`] for a table streamed page by page). Every
//! write returns its error; a closed pipe becomes [`Failure::closed_pipe`], so `list | head -1`
//! ends quietly. Data is never written with `println!`, which panics on a closed pipe.

use std::io::{BufWriter, Stdout, Write};

use serde::Serialize;
use tabwriter::TabWriter;
use unicode_width::UnicodeWidthStr;

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
                let mut w = table(stdout());
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

/// An aligned table over `out`: two spaces between columns, each as wide on a terminal as its
/// widest cell (`tabwriter` measures cells with `unicode-width`, so wide CJK and emoji count
/// two columns and combining marks none).
fn table<W: Write>(out: W) -> TabWriter<W> {
    TabWriter::new(out).padding(2)
}

fn table_row<W: Write>(w: &mut TabWriter<W>, cells: &[String]) -> Result<(), Failure> {
    writeln!(w, "{}", shown(cells).join("\t")).map_err(Failure::from_write)
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
    let mut w = table(stdout());
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

/// A table written a page at a time. Each column is as wide as the widest cell seen so far
/// (header included) plus two spaces, so a page is aligned with the pages before it unless one
/// of its cells is wider than any before; the last column is not padded. Widths are display
/// columns ([`display_width`]), as on a terminal.
pub struct PagedTable<W: Write = Out> {
    out: W,
    headers: Vec<String>,
    widths: Vec<usize>,
    header_written: bool,
}

impl<W: Write> PagedTable<W> {
    /// A table of `headers` (upper-cased), written to `out` once its first page comes.
    pub fn new(out: W, headers: &[&str]) -> PagedTable<W> {
        let headers: Vec<String> = headers.iter().map(|h| h.to_uppercase()).collect();
        PagedTable {
            out,
            widths: headers.iter().map(|h| display_width(h)).collect(),
            headers,
            header_written: false,
        }
    }

    /// Widens the columns for `rows`, writes them (after the header, the first time), and
    /// flushes.
    pub fn page(&mut self, rows: &[Vec<String>]) -> Result<(), Failure> {
        let rows: Vec<Vec<String>> = rows.iter().map(|r| shown(r)).collect();
        for row in &rows {
            for (width, cell) in self.widths.iter_mut().zip(row) {
                *width = (*width).max(display_width(cell));
            }
        }
        self.write_header()?;
        for row in &rows {
            let line = layout(&self.widths, row);
            self.out
                .write_all(line.as_bytes())
                .map_err(Failure::from_write)?;
        }
        self.out.flush().map_err(Failure::from_write)
    }

    fn write_header(&mut self) -> Result<(), Failure> {
        if !self.header_written {
            self.header_written = true;
            let line = layout(&self.widths, &self.headers);
            self.out
                .write_all(line.as_bytes())
                .map_err(Failure::from_write)?;
        }
        Ok(())
    }

    /// Writes the header of an empty list, and flushes.
    pub fn finish(mut self) -> Result<(), Failure> {
        self.write_header()?;
        self.out.flush().map_err(Failure::from_write)
    }
}

/// Cells as a table shows them: control characters as spaces (a tab would break the
/// columns), an empty cell as `-`.
fn shown(cells: &[String]) -> Vec<String> {
    cells
        .iter()
        .map(|c| {
            let c: String = c
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            if c.is_empty() { "-".to_owned() } else { c }
        })
        .collect()
}

/// How many columns `text` takes on a terminal: two for a wide (CJK, emoji) character, none
/// for a combining mark.
fn display_width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// One table line: every cell but the last padded to its column's width and two spaces.
fn layout(widths: &[usize], cells: &[String]) -> String {
    let mut line = String::new();
    let last = cells.len().saturating_sub(1);
    for (i, cell) in cells.iter().enumerate() {
        line.push_str(cell);
        if i < last {
            let width = widths.get(i).copied().unwrap_or(0);
            let pad = width.saturating_sub(display_width(cell)).saturating_add(2);
            line.extend(std::iter::repeat_n(' ', pad));
        }
    }
    line.push('\n');
    line
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

    #[test]
    fn columns_only_grow_and_the_last_is_not_padded() {
        let widths = [3, 1, 2];
        let cells = ["a".to_owned(), "bb".to_owned(), "c".to_owned()];
        assert_eq!(layout(&widths, &cells), "a    bb  c\n");
        assert_eq!(
            shown(&["".to_owned(), "x\ty".to_owned()]),
            ["-".to_owned(), "x y".to_owned()]
        );
    }

    /// Wide (CJK, emoji) and combining characters, each cell as wide as `ascii` (6 columns).
    const WIDE: [&str; 4] = [
        "漢字漢",
        "😀😀😀",
        "e\u{301}e\u{301}e\u{301}e\u{301}e\u{301}e\u{301}",
        "ascii!",
    ];

    /// The display column at which each line's last cell starts.
    fn last_column(text: &str) -> Vec<usize> {
        text.lines()
            .map(|line| {
                let at = line.rfind(' ').map_or(0, |i| i + 1);
                display_width(&line[..at])
            })
            .collect()
    }

    #[test]
    fn tables_align_wide_and_combining_characters_by_display_width() {
        // A table laid out at its end (every sink's table and `pairs`).
        let mut w = table(Vec::new());
        for cell in WIDE {
            table_row(&mut w, &[cell.to_owned(), "x".to_owned()]).unwrap();
        }
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(last_column(&text), [8, 8, 8, 8], "{text}");

        // A table streamed page by page (`list`): a second page of narrower cells keeps the
        // columns of the first.
        let mut paged = PagedTable::new(Vec::new(), &["n", "v"]);
        let page = |cells: &[&str]| -> Vec<Vec<String>> {
            cells
                .iter()
                .map(|c| vec![(*c).to_owned(), "x".to_owned()])
                .collect()
        };
        paged.page(&page(&WIDE[..2])).unwrap();
        paged.page(&page(&WIDE[2..])).unwrap();
        let text = String::from_utf8(paged.out).unwrap();
        assert_eq!(last_column(&text), [8, 8, 8, 8, 8], "{text}");
    }
}
