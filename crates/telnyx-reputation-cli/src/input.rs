//! Reading numbers the way people keep them: as arguments, from files, from stdin, or from one
//! column of a CSV file. Shared by `associate` and `validate`, so both read the same things.
//!
//! Which argument is a FILE: `-` is stdin; an argument that starts with `tel:`, or holds only
//! phone notation (digits, spaces and `+ ( ) - . /`) with at least one digit, is a number,
//! unless a file or directory of that name exists; every other argument (one with a letter or
//! any other character, such as `numbers.txt`) is a FILE, and a FILE that does not exist or is
//! a directory is an input error (exit 2) naming it.
//!
//! In a file or stdin: a UTF-8 byte-order mark is dropped; blank lines are skipped; lines
//! starting with `#` are comments, skipped and counted; a first line with a letter that is not
//! a number (`phone_number`) is a header, skipped and counted. With `--column NAME`, the input
//! is CSV (quoted fields, commas and newlines inside quotes), and the column is found by its
//! header, case-insensitively. `tel:` URIs (RFC 3966, `tel:+1-603-555-1234;ext=1`) are read
//! as their number; see [`number_text`].

use std::cell::RefCell;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;
use std::rc::Rc;

use indicatif::ProgressBar;

use crate::exit::Failure;

/// Where the numbers come from.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// Numbers, FILEs (one number a line), or `-` for stdin (the default when none is given).
    /// An argument with letters or other non-phone characters is a FILE.
    #[arg(value_name = "NUMBER|FILE|-")]
    pub inputs: Vec<String>,
    /// Read the numbers from this CSV column (by header name, case-insensitive) of the FILE or
    /// stdin.
    #[arg(long, value_name = "NAME")]
    pub column: Option<String>,
}

/// What was read and skipped, for the summary, and the read error that ended the input, if
/// one did.
#[derive(Debug, Default)]
pub struct Tally {
    /// Lines (or CSV records) read.
    pub lines: u64,
    /// Header lines skipped.
    pub headers: u64,
    /// `#` comment lines skipped.
    pub comments: u64,
    /// Blank lines (or empty CSV cells) skipped.
    pub blank: u64,
    /// The error that ended the input early.
    pub error: Option<String>,
}

impl Tally {
    /// One line saying what was skipped, when anything was.
    pub fn skipped_note(&self) -> Option<String> {
        if self.headers == 0 && self.comments == 0 {
            return None;
        }
        Some(format!(
            "skipped {} header line(s) and {} comment line(s)",
            self.headers, self.comments
        ))
    }

    /// The read error, as the failure it is.
    pub fn failed(&self) -> Result<(), Failure> {
        match &self.error {
            Some(e) => Err(Failure::usage(format!("{e}; nothing was sent"))),
            None => Ok(()),
        }
    }
}

/// The shared tally of an [`Inputs`], readable while and after the inputs are consumed.
pub type SharedTally = Rc<RefCell<Tally>>;

/// The text of a number without a `tel:` scheme or its parameters: `tel:+1-603-555-1234;ext=1`
/// is read as `+1-603-555-1234`. Other text is returned trimmed.
pub fn number_text(input: &str) -> &str {
    let t = input.trim();
    match t.get(..4) {
        Some(scheme) if scheme.eq_ignore_ascii_case("tel:") => {
            let rest = &t[4..];
            rest.split(';').next().unwrap_or(rest).trim()
        }
        _ => t,
    }
}

fn looks_like_number(arg: &str) -> bool {
    let t = arg.trim();
    t.get(..4).is_some_and(|s| s.eq_ignore_ascii_case("tel:"))
        || (t.bytes().any(|b| b.is_ascii_digit())
            && t.bytes()
                .all(|b| b.is_ascii_digit() || b" \t+()-./".contains(&b)))
}

enum Source {
    Number(String),
    Reader(String, Box<dyn BufRead>),
}

/// Drops a UTF-8 byte-order mark from the start of `reader`.
fn without_bom(mut reader: Box<dyn BufRead>, name: &str) -> Result<Box<dyn BufRead>, Failure> {
    let mut head = Vec::with_capacity(3);
    (&mut reader)
        .take(3)
        .read_to_end(&mut head)
        .map_err(|e| Failure::usage(format!("cannot read {name}: {e}")))?;
    if head == [0xEF, 0xBB, 0xBF] {
        head.clear();
    }
    Ok(Box::new(BufReader::new(Cursor::new(head).chain(reader))))
}

fn open(arg: &str) -> Result<Source, Failure> {
    if arg == "-" {
        let stdin: Box<dyn BufRead> = Box::new(BufReader::new(std::io::stdin()));
        return Ok(Source::Reader("stdin".into(), without_bom(stdin, "stdin")?));
    }
    let path = Path::new(arg);
    if looks_like_number(arg) && !path.exists() {
        return Ok(Source::Number(arg.to_owned()));
    }
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Failure::usage(format!(
            "{arg}: no such file (an argument that is not a phone number is read as a FILE)"
        ))),
        Err(e) => Err(Failure::usage(format!("cannot read {arg}: {e}"))),
        Ok(m) if m.is_dir() => Err(Failure::usage(format!(
            "{arg}: is a directory, not a file of numbers"
        ))),
        Ok(_) => {
            let f = std::fs::File::open(path)
                .map_err(|e| Failure::usage(format!("cannot read {arg}: {e}")))?;
            let reader: Box<dyn BufRead> = Box::new(BufReader::with_capacity(1 << 16, f));
            Ok(Source::Reader(arg.to_owned(), without_bom(reader, arg)?))
        }
    }
}

type Values = Box<dyn Iterator<Item = Result<Value, String>>>;

enum Value {
    Number(String),
    Header,
    Comment,
    Blank,
}

/// The values of a plain file: one a line.
fn plain(name: String, reader: Box<dyn BufRead>) -> Values {
    let mut first = true;
    Box::new(reader.lines().map(move |line| {
        let line = line.map_err(|e| format!("cannot read {name}: {e}"))?;
        let t = line.trim();
        if t.is_empty() {
            return Ok(Value::Blank);
        }
        if t.starts_with('#') {
            return Ok(Value::Comment);
        }
        let was_first = std::mem::replace(&mut first, false);
        if was_first && t.chars().any(|c| c.is_alphabetic()) && !looks_like_number(t) {
            return Ok(Value::Header);
        }
        Ok(Value::Number(t.to_owned()))
    }))
}

/// The values of one CSV column, found by header case-insensitively.
fn column(name: String, reader: Box<dyn BufRead>, wanted: &str) -> Result<Values, Failure> {
    let mut csv = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(reader);
    let headers = csv
        .headers()
        .map_err(|e| Failure::usage(format!("cannot read the CSV header of {name}: {e}")))?;
    let index = headers
        .iter()
        .position(|h| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(wanted.trim())
        })
        .ok_or_else(|| {
            let found: Vec<&str> = headers.iter().collect();
            Failure::usage(format!(
                "no column {wanted:?} in the CSV header of {name}: {found:?}"
            ))
        })?;
    Ok(Box::new(csv.into_records().map(move |record| {
        let record = record.map_err(|e| format!("cannot read CSV {name}: {e}"))?;
        let value = record.get(index).unwrap_or("").trim();
        Ok(if value.is_empty() {
            Value::Blank
        } else {
            Value::Number(value.to_owned())
        })
    })))
}

/// The inputs, read lazily: nothing is collected, so a file of any size streams through
/// pre-flight. A read error ends the stream and is left in the tally.
pub struct Inputs {
    values: Values,
    tally: SharedTally,
    progress: Option<ProgressBar>,
}

impl Inputs {
    /// Opens every source named in `args`, failing (before anything is read) on a FILE that
    /// is missing or a directory. Without arguments, stdin is read.
    pub fn open(args: &InputArgs) -> Result<Inputs, Failure> {
        let given: Vec<String> = if args.inputs.is_empty() {
            vec!["-".to_owned()]
        } else {
            args.inputs.clone()
        };
        if given.iter().filter(|a| *a == "-").count() > 1 {
            return Err(Failure::usage("stdin (-) can be read only once"));
        }
        let mut values: Values = Box::new(std::iter::empty());
        for arg in &given {
            let next: Values = match (open(arg)?, &args.column) {
                (Source::Number(n), _) => Box::new(std::iter::once(Ok(Value::Number(n)))),
                (Source::Reader(name, reader), None) => plain(name, reader),
                (Source::Reader(name, reader), Some(wanted)) => column(name, reader, wanted)?,
            };
            values = Box::new(values.chain(next));
        }
        Ok(Inputs {
            values,
            tally: Default::default(),
            progress: None,
        })
    }

    /// The tally, shared: read it after the inputs are consumed.
    pub fn tally(&self) -> SharedTally {
        self.tally.clone()
    }

    /// Shows the lines read on `bar` as they are read.
    pub fn with_progress(mut self, bar: Option<ProgressBar>) -> Inputs {
        self.progress = bar;
        self
    }
}

impl Iterator for Inputs {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        loop {
            let value = self.values.next()?;
            let mut tally = self.tally.borrow_mut();
            tally.lines = tally.lines.saturating_add(1);
            if let Some(bar) = &self.progress
                && tally.lines.is_multiple_of(4096)
            {
                bar.set_position(tally.lines);
            }
            match value {
                Err(e) => {
                    tally.error = Some(e);
                    return None;
                }
                Ok(Value::Number(n)) => return Some(n),
                Ok(Value::Header) => tally.headers += 1,
                Ok(Value::Comment) => tally.comments += 1,
                Ok(Value::Blank) => tally.blank += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tel_uris_lose_their_scheme_and_parameters() {
        assert_eq!(number_text("tel:+1-603-555-1234;ext=1"), "+1-603-555-1234");
        assert_eq!(number_text(" TEL:+16035551234 "), "+16035551234");
        assert_eq!(number_text("+16035551234"), "+16035551234");
    }

    #[test]
    fn arguments_with_letters_are_files_and_phone_notation_is_a_number() {
        assert!(looks_like_number("+1 (603) 555-1234"));
        assert!(looks_like_number("603.555.1234"));
        assert!(looks_like_number("tel:+16035551234"));
        assert!(!looks_like_number("numbers.txt"));
        assert!(!looks_like_number("./list"));
        assert!(!looks_like_number("---"));
    }
}
