//! Reading a report's rows from the list operation: each list record becomes a [`Row`], and
//! [`Client::reputation_report`] streams them. Only list pages are read (free); no per-number
//! read is ever made, so a report bills nothing.

use futures::{Stream, StreamExt};

use super::{Ownership, Reputation, Row, Source, Tracking};
use crate::client::{Client, NumberReputation, Scope};
use crate::error::Error;

impl Row {
    /// The row of one list record; the reason when the record is not one a report can hold
    /// (no number, a number that is neither US local nor US toll-free, a score outside 0–100,
    /// an unknown source or ownership status that cannot be kept: see
    /// [`Word`](super::Word)).
    pub fn from_record(record: &NumberReputation) -> Result<Row, String> {
        let number = record
            .phone_number
            .as_deref()
            .ok_or_else(|| "a listed record has no phone_number".to_owned())?;
        let phone_number = number
            .parse()
            .map_err(|e| format!("listed number {number:?}: {e}"))?;
        let reputation = match &record.reputation_data {
            None => Reputation::default(),
            Some(data) => {
                Reputation::from_api(data).map_err(|e| format!("listed number {number}: {e}"))?
            }
        };
        let tracking = Tracking {
            source: record
                .source
                .as_ref()
                .map(Source::from_api)
                .transpose()
                .map_err(|e| format!("listed number {number}: source {e}"))?,
            ownership_status: record
                .ownership_status
                .as_ref()
                .map(Ownership::from_api)
                .transpose()
                .map_err(|e| format!("listed number {number}: ownership_status {e}"))?,
            confirm_by: record.confirm_by.map(|t| t.into_inner()),
        };
        Ok(Row {
            phone_number,
            enterprise_id: record.enterprise_id,
            reputation,
            tracking,
        })
    }
}

impl Client {
    /// Every monitored number in `scope` as a report [`Row`], in list order, read with
    /// [`NumberQuery::stream`](crate::NumberQuery::stream) (`concurrency` pages in flight).
    /// Never makes a per-number read, so it never causes a billed check. A record that is not a
    /// valid row ends the stream with [`Error::Protocol`].
    pub fn reputation_report(
        &self,
        scope: Scope,
        concurrency: usize,
    ) -> impl Stream<Item = Result<Row, Error>> + Send + 'static + use<> {
        let operation = crate::pages::scope_operation(scope);
        self.numbers(scope)
            .concurrency(concurrency)
            .stream()
            .map(move |record| {
                record.and_then(|record| {
                    Row::from_record(&record)
                        .map_err(|detail| Error::Protocol { operation, detail })
                })
            })
    }
}
