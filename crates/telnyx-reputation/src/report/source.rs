//! Reading a report's rows from the list operation: each list record becomes a [`Row`], and
//! [`Client::reputation_report`] streams them. Only list pages are read (free); no per-number
//! read is ever made, so a report bills nothing.

use futures::{Stream, StreamExt};

use super::{Ownership, Reputation, Row, Source, Tracking};
use crate::client::{Client, Scope};
use crate::error::Error;
use crate::record::NumberReputation;

impl Row {
    /// The row of one monitored number; the reason when its source or ownership status is a
    /// value this client does not know and cannot keep in a row (see [`Word`](super::Word)).
    /// The record's reputation data is the row's as it is (a number without data has every
    /// field `None`).
    pub fn from_record(record: &NumberReputation) -> Result<Row, String> {
        Row::with_reputation(record, record.reputation_data.clone().unwrap_or_default())
    }

    /// The row of `record` with `reputation`, taken from the record by a caller that owns it.
    fn with_reputation(record: &NumberReputation, reputation: Reputation) -> Result<Row, String> {
        let number = record.phone_number;
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
            confirm_by: record.confirm_by,
        };
        Ok(Row {
            phone_number: number,
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
                record.and_then(|mut record| {
                    let reputation = record.reputation_data.take().unwrap_or_default();
                    Row::with_reputation(&record, reputation)
                        .map_err(|detail| Error::Protocol { operation, detail })
                })
            })
    }
}
