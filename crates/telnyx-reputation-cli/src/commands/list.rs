//! `list`: every monitored number, written page by page as the pages arrive. Nothing is
//! collected: JSON and CSV rows are written and flushed one page at a time, and a table is laid
//! out with column widths that only grow ([`output::PagedTable`]), so that each page is printed
//! as soon as it is read.

use clap::builder::TypedValueParser as _;
use futures::TryStreamExt;
use telnyx_reputation::{Client, Contains, NumberFilter, NumberSource, OwnershipStatus};
use uuid::Uuid;

use crate::args::number;
use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::output::{self, JsonRows, Output, PagedTable, Sink};
use crate::rows::{NUMBER_HEADERS, number_cells};

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

/// Runs `list`: each page's rows are written as the page arrives, one request in flight, with
/// at most the next two pages asked for ahead of the rows being written.
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
                    // JSON rows are the API's records, as they came.
                    for record in &page {
                        sink.row(record.raw(), &number_cells(record))?;
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
