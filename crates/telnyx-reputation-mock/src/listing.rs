//! The list operations over an order index: each scope (an enterprise, and an account as a
//! whole) keeps its numbers in association order, so a page is a slice of its scope and costs
//! its own size, not the scope's. Removed numbers have an index of their own (in removal
//! order), read only for `filter[ownership_status]=removed`. `filter[phone_number][contains]`,
//! `filter[source]` and the other ownership statuses scan their scope, since no index answers
//! them (the last two look each number up); `eq` is one lookup.

use std::collections::HashMap;

use telnyx_e164::E164;
use uuid::Uuid;

use crate::model::{NumberSource, OwnershipStatus};
use crate::state::{Association, Refusal, World};

/// Entries per chunk of a scope's order.
const CHUNK: usize = 1024;

/// One scope's numbers by sequence, in chunks of at most [`CHUNK`]: appended at the end
/// (sequences only grow), removed within their chunk (found by binary search on the chunks'
/// first sequence), so neither a removal nor a page moves more than a chunk, and finding a
/// page's first row steps over whole chunks.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ordered {
    chunks: Vec<Vec<(u64, E164)>>,
    len: usize,
}

impl Ordered {
    fn push(&mut self, seq: u64, number: E164) {
        match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK => last.push((seq, number)),
            _ => {
                let mut chunk = Vec::with_capacity(CHUNK);
                chunk.push((seq, number));
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
    }

    fn remove(&mut self, seq: u64) {
        // The last chunk whose first sequence is at most `seq`.
        let at = self
            .chunks
            .partition_point(|c| c.first().is_some_and(|(s, _)| *s <= seq));
        let Some(i) = at.checked_sub(1) else {
            return;
        };
        let Some(chunk) = self.chunks.get_mut(i) else {
            return;
        };
        if let Ok(j) = chunk.binary_search_by_key(&seq, |(s, _)| *s) {
            chunk.remove(j);
            self.len -= 1;
            if chunk.is_empty() {
                self.chunks.remove(i);
            }
        }
    }

    fn len(&self) -> usize {
        self.len
    }

    /// Every entry in order.
    fn iter(&self) -> impl Iterator<Item = &(u64, E164)> {
        self.chunks.iter().flatten()
    }

    /// Up to `take` entries from position `skip`.
    fn page(&self, skip: usize, take: usize) -> impl Iterator<Item = &(u64, E164)> {
        let mut start = skip;
        let mut first = self.chunks.len();
        for (i, c) in self.chunks.iter().enumerate() {
            if start < c.len() {
                first = i;
                break;
            }
            start -= c.len();
        }
        self.chunks
            .get(first..)
            .unwrap_or(&[])
            .iter()
            .flatten()
            .skip(start)
            .take(take)
    }
}

/// The list order of every scope: `(account, Some(enterprise))` and `(account, None)`.
#[derive(Debug, Clone, Default)]
pub(crate) struct OrderIndex {
    scopes: HashMap<(usize, Option<Uuid>), Ordered>,
}

impl OrderIndex {
    /// Adds a number at the end of its enterprise's and its account's order.
    pub fn push(&mut self, account: usize, enterprise: Uuid, seq: u64, number: E164) {
        for scope in [(account, Some(enterprise)), (account, None)] {
            self.scopes.entry(scope).or_default().push(seq, number);
        }
    }

    /// Removes the number of sequence `seq` from both of its scopes.
    pub fn remove(&mut self, account: usize, enterprise: Uuid, seq: u64) {
        for scope in [(account, Some(enterprise)), (account, None)] {
            if let Some(list) = self.scopes.get_mut(&scope) {
                list.remove(seq);
            }
        }
    }

    /// Removes every number of an enterprise (a disable): its scope, and its numbers from the
    /// account's.
    pub fn remove_enterprise(&mut self, account: usize, enterprise: Uuid) -> Vec<E164> {
        let gone = self
            .scopes
            .remove(&(account, Some(enterprise)))
            .unwrap_or_default();
        if let Some(all) = self.scopes.get_mut(&(account, None)) {
            for (seq, _) in gone.iter() {
                all.remove(*seq);
            }
        }
        gone.iter().map(|(_, n)| *n).collect()
    }

    fn scope(&self, account: usize, enterprise: Option<Uuid>) -> Option<&Ordered> {
        self.scopes.get(&(account, enterprise))
    }
}

/// The number filters of a list.
#[derive(Debug, Clone, Default)]
pub(crate) struct NumberFilter {
    /// `filter[phone_number][eq]`: exactly this number.
    pub eq: Option<String>,
    /// `filter[phone_number][contains]`: these digits somewhere in the number.
    pub contains: Option<String>,
    /// `filter[source]`.
    pub source: Option<NumberSource>,
    /// `filter[ownership_status]`; `removed` lists the removed numbers, which no other value
    /// (nor its absence) shows.
    pub status: Option<OwnershipStatus>,
}

impl NumberFilter {
    /// Whether a filter needs the record itself, not just the number.
    fn reads_records(&self) -> bool {
        self.source.is_some() || self.status.is_some_and(|s| s != OwnershipStatus::Removed)
    }

    /// Whether a record of the scope passes every filter but `eq`.
    fn passes(&self, a: &Association) -> bool {
        self.contains
            .as_deref()
            .is_none_or(|c| a.phone_number.as_str().contains(c))
            && self.source.is_none_or(|s| a.source == s)
            && self.status.is_none_or(|s| a.ownership_status() == s)
    }
}

/// One page of a scope, and the scope's size after filtering.
pub(crate) struct ListPage<'a> {
    /// The page's rows.
    pub rows: Vec<&'a Association>,
    /// Rows across every page.
    pub total: u64,
}

impl World {
    /// A page of the numbers of one enterprise, or of the whole account, in association order,
    /// `size` rows from row `(page - 1) * size`.
    pub(crate) fn list_page(
        &self,
        account: usize,
        enterprise: Option<Uuid>,
        filter: &NumberFilter,
        page: u64,
        size: u64,
    ) -> Result<ListPage<'_>, Refusal> {
        if let Some(id) = enterprise {
            self.enterprise(account, id)?;
        }
        let skip =
            usize::try_from(page.saturating_sub(1).saturating_mul(size)).unwrap_or(usize::MAX);
        let take = usize::try_from(size).unwrap_or(usize::MAX);
        let (records, index) = if filter.status == Some(OwnershipStatus::Removed) {
            (&self.removed, &self.removed_index)
        } else {
            (&self.associations, &self.index)
        };
        let visible = |a: &&Association| {
            a.account == account && enterprise.is_none_or(|id| a.enterprise_id == id)
        };
        if let Some(eq) = &filter.eq {
            let found: Vec<&Association> = E164::parse_strict(eq)
                .ok()
                .and_then(|n| records.get(&n))
                .filter(visible)
                .filter(|a| filter.passes(a))
                .into_iter()
                .collect();
            let total = found.len() as u64;
            return Ok(ListPage {
                rows: found.into_iter().skip(skip).take(take).collect(),
                total,
            });
        }
        let empty = Ordered::default();
        let scope = index.scope(account, enterprise).unwrap_or(&empty);
        let row = |(_, n): &(u64, E164)| records.get(n);
        if filter.contains.is_some() || filter.reads_records() {
            // No index answers these: the scope is scanned (the number alone decides
            // `contains`; the others look the record up), its matches counted, and only the
            // page's rows kept.
            let mut total = 0u64;
            let mut rows = Vec::new();
            for entry in scope.iter() {
                if filter
                    .contains
                    .as_deref()
                    .is_some_and(|c| !entry.1.as_str().contains(c))
                {
                    continue;
                }
                let record = if filter.reads_records() {
                    match row(entry).filter(|a| filter.passes(a)) {
                        Some(a) => Some(a),
                        None => continue,
                    }
                } else {
                    None
                };
                if total >= skip as u64 && rows.len() < take {
                    rows.extend(record.or_else(|| row(entry)));
                }
                total += 1;
            }
            return Ok(ListPage { rows, total });
        }
        Ok(ListPage {
            rows: scope.page(skip, take).filter_map(row).collect(),
            total: scope.len() as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(i: u64) -> E164 {
        E164::parse_strict(&format!("+1603{:07}", 5_000_000 + i)).unwrap()
    }

    #[test]
    fn pages_and_removals_across_chunks_keep_the_order() {
        let mut ordered = Ordered::default();
        let mut model: Vec<u64> = Vec::new();
        for seq in 1..=3000u64 {
            ordered.push(seq, number(seq));
            model.push(seq);
        }
        // Remove a whole chunk's worth and scattered ones, the first and the last.
        for seq in (1..=3000u64)
            .filter(|s| (1100..2200).contains(s) || s % 7 == 0 || *s == 1 || *s == 3000)
        {
            ordered.remove(seq);
            model.retain(|m| *m != seq);
        }
        ordered.remove(99_999); // absent: nothing happens
        assert_eq!(ordered.len(), model.len());
        for (skip, take) in [
            (0, 250),
            (250, 250),
            (1000, 250),
            (model.len() - 10, 250),
            (model.len(), 5),
        ] {
            let got: Vec<u64> = ordered.page(skip, take).map(|(s, _)| *s).collect();
            let want: Vec<u64> = model.iter().copied().skip(skip).take(take).collect();
            assert_eq!(got, want, "{skip}+{take}");
        }
        let all: Vec<u64> = ordered.iter().map(|(s, _)| *s).collect();
        assert_eq!(all, model);
    }
}
