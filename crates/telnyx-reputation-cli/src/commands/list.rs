//! `list`: every monitored number, written page by page as the pages arrive. Nothing is
//! collected: JSON and CSV rows are written and flushed one page at a time, and a table is laid
//! out with column widths that only grow (from the header and the first page, widened by any
//! later page that needs it), so that each page is printed as soon as it is read.

use std::io::Write;

use clap::builder::TypedValueParser as _;
use futures::TryStreamExt;
use telnyx_reputation::{Client, Contains, NumberFilter, NumberSource, OwnershipStatus};
use uuid::Uuid;

use crate::commands::numbers::{NUMBER_HEADERS, number, number_cells};
use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::output::{self, JsonRows, Out, Output, Sink};

fn contains(s: &str) -> Result<Contains, String> {
    Contains::new(s).map_err(|e| e.to_string())
}

/// Arguments of `list`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this enterprise (else every enterprise of the account).
    #[arg(long)]
    enterprise: Option<Uuid>,
    /// Only this number.
    #[arg(long, conflicts_with = "contains")]
    phone_number: Option<String>,
    /// Only numbers containing these digits (at least 5).
    #[arg(long, value_name = "DIGITS", value_parser = contains)]
    contains: Option<Contains>,
    /// Only numbers hosted here: `telnyx` (in the Telnyx inventory) or `external` (hosted with
    /// another provider).
    #[arg(long, value_name = "SOURCE",
          value_parser = clap::builder::PossibleValuesParser::new(NumberSource::KNOWN)
              .map(|s| NumberSource::from(s.as_str())))]
    source: Option<NumberSource>,
    /// Only numbers whose ownership stands so: `verified`, `flagged`, `pending_confirmation`, or
    /// `removed` (removed numbers are listed only with this filter).
    #[arg(long, value_name = "STATUS",
          value_parser = clap::builder::PossibleValuesParser::new(OwnershipStatus::KNOWN)
              .map(|s| OwnershipStatus::from(s.as_str())))]
    ownership_status: Option<OwnershipStatus>,
    /// Rows per request (1–250): smaller pages are more requests, each answered sooner.
    #[arg(long, value_name = "N", default_value_t = 250,
          value_parser = clap::value_parser!(u64).range(1..=250))]
    page_size: u64,
    /// Stop with an error (exit 3) when the list goes on past this many pages: a server
    /// that never ends a list cannot keep the command running.
    #[arg(long, value_name = "N", default_value_t = Client::MAX_PAGES,
          value_parser = clap::value_parser!(u64).range(1..))]
    max_pages: u64,
}

/// Where the rows go: a sink for JSON and CSV, or a table laid out page by page.
enum Rows {
    Sink(Sink),
    Table(PagedTable),
}

/// Runs `list`: each page's rows are written before the next page is asked for.
pub async fn run(args: Args, global: &Global) -> Result<Exit, Failure> {
    let filter = NumberFilter::default()
        .phone_number(args.phone_number.as_deref().map(number).transpose()?)
        .with_contains(args.contains)
        .source(args.source)
        .ownership_status(args.ownership_status);
    let session = global.session().await?;
    let result = async {
        let mut rows = match global.output() {
            Output::Table => Rows::Table(PagedTable::new(output::stdout(), &NUMBER_HEADERS)),
            other => Rows::Sink(Sink::new(other, &NUMBER_HEADERS, JsonRows::Array)?),
        };
        let mut pages = std::pin::pin!(
            session
                .client
                .numbers(args.enterprise.into())
                .filter(filter)
                .max_pages(args.max_pages)
                .page_size(args.page_size)
                .concurrency(1)
                .pages()
        );
        while let Some(page) = pages.try_next().await.map_err(Failure::from_api)? {
            match &mut rows {
                Rows::Sink(sink) => {
                    for record in &page {
                        sink.row(record, &number_cells(record))?;
                    }
                    sink.flush()?;
                }
                Rows::Table(table) => {
                    let cells: Vec<Vec<String>> = page.iter().map(number_cells).collect();
                    table.page(&cells)?;
                }
            }
        }
        match rows {
            Rows::Sink(sink) => sink.finish(),
            Rows::Table(table) => table.finish(),
        }
    }
    .await;
    session.close().await;
    result.map(|()| Exit::Success)
}

/// A table written a page at a time. Each column is as wide as the widest cell seen so far
/// (header included) plus two spaces, so a page is aligned with the pages before it unless one
/// of its cells is wider than any before; the last column is not padded.
struct PagedTable {
    out: Out,
    headers: Vec<String>,
    widths: Vec<usize>,
    header_written: bool,
}

impl PagedTable {
    fn new(out: Out, headers: &[&str]) -> PagedTable {
        let headers: Vec<String> = headers.iter().map(|h| h.to_uppercase()).collect();
        PagedTable {
            out,
            widths: headers.iter().map(|h| h.chars().count()).collect(),
            headers,
            header_written: false,
        }
    }

    /// Widens the columns for `rows`, writes them (after the header, the first time), and
    /// flushes.
    fn page(&mut self, rows: &[Vec<String>]) -> Result<(), Failure> {
        let rows: Vec<Vec<String>> = rows.iter().map(|r| shown(r)).collect();
        for row in &rows {
            for (width, cell) in self.widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
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
    fn finish(mut self) -> Result<(), Failure> {
        self.write_header()?;
        self.out.flush().map_err(Failure::from_write)
    }
}

/// Cells as a table shows them: control characters as spaces, an empty cell as `-`.
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

/// One table line: every cell but the last padded to its column's width and two spaces.
fn layout(widths: &[usize], cells: &[String]) -> String {
    let mut line = String::new();
    let last = cells.len().saturating_sub(1);
    for (i, cell) in cells.iter().enumerate() {
        line.push_str(cell);
        if i < last {
            let width = widths.get(i).copied().unwrap_or(0);
            let pad = width.saturating_sub(cell.chars().count()).saturating_add(2);
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
    fn columns_only_grow_and_the_last_is_not_padded() {
        let widths = [3, 1, 2];
        let cells = ["a".to_owned(), "bb".to_owned(), "c".to_owned()];
        assert_eq!(layout(&widths, &cells), "a    bb  c\n");
        assert_eq!(
            shown(&["".to_owned(), "x\ty".to_owned()]),
            ["-".to_owned(), "x y".to_owned()]
        );
    }
}
