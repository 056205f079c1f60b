//! The list operations over an order index: each scope (an enterprise, and an account as a
//! whole) keeps its numbers in association order, so a page is a slice of its scope and costs
//! its own size, not the scope's. Only `filter[phone_number][contains]` scans its scope, since
//! no index answers a substring; `eq` is one lookup.

use std::collections::HashMap;

use telnyx_e164::E164;
use uuid::Uuid;

use crate::state::{Association, Refusal, World};

/// One scope's numbers by sequence: appended in order (sequences only grow), removed by binary
/// search.
type Ordered = Vec<(u64, E164)>;

/// The list order of every scope: `(account, Some(enterprise))` and `(account, None)`.
#[derive(Debug, Clone, Default)]
pub(crate) struct OrderIndex {
    scopes: HashMap<(usize, Option<Uuid>), Ordered>,
}

impl OrderIndex {
    /// Adds a number at the end of its enterprise's and its account's order.
    pub fn push(&mut self, account: usize, enterprise: Uuid, seq: u64, number: E164) {
        for scope in [(account, Some(enterprise)), (account, None)] {
            self.scopes.entry(scope).or_default().push((seq, number));
        }
    }

    /// Removes the number of sequence `seq` from both of its scopes.
    pub fn remove(&mut self, account: usize, enterprise: Uuid, seq: u64) {
        for scope in [(account, Some(enterprise)), (account, None)] {
            if let Some(list) = self.scopes.get_mut(&scope)
                && let Ok(at) = list.binary_search_by_key(&seq, |(s, _)| *s)
            {
                list.remove(at);
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
            let seqs: std::collections::HashSet<u64> = gone.iter().map(|(s, _)| *s).collect();
            all.retain(|(s, _)| !seqs.contains(s));
        }
        gone.into_iter().map(|(_, n)| n).collect()
    }

    fn scope(&self, account: usize, enterprise: Option<Uuid>) -> &[(u64, E164)] {
        self.scopes
            .get(&(account, enterprise))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// The number filters of a list.
#[derive(Debug, Clone, Default)]
pub(crate) struct NumberFilter {
    /// `filter[phone_number][eq]`: exactly this number.
    pub eq: Option<String>,
    /// `filter[phone_number][contains]`: these digits somewhere in the number.
    pub contains: Option<String>,
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
        let visible = |a: &&Association| {
            a.account == account && enterprise.is_none_or(|id| a.enterprise_id == id)
        };
        if let Some(eq) = &filter.eq {
            let found: Vec<&Association> = E164::parse_strict(eq)
                .ok()
                .and_then(|n| self.associations.get(&n))
                .filter(visible)
                .filter(|a| {
                    filter
                        .contains
                        .as_deref()
                        .is_none_or(|c| a.phone_number.as_str().contains(c))
                })
                .into_iter()
                .collect();
            let total = found.len() as u64;
            return Ok(ListPage {
                rows: found.into_iter().skip(skip).take(take).collect(),
                total,
            });
        }
        let scope = self.index.scope(account, enterprise);
        let row = |(_, n): &(u64, E164)| self.associations.get(n);
        if let Some(digits) = &filter.contains {
            // A substring has no index: the scope is scanned, its matches counted, and only
            // the page's rows looked up.
            let mut total = 0u64;
            let mut rows = Vec::new();
            for entry in scope {
                if entry.1.as_str().contains(digits.as_str()) {
                    if total >= skip as u64 && rows.len() < take {
                        rows.extend(row(entry));
                    }
                    total += 1;
                }
            }
            return Ok(ListPage { rows, total });
        }
        let start = skip.min(scope.len());
        let end = start.saturating_add(take).min(scope.len());
        Ok(ListPage {
            rows: scope[start..end].iter().filter_map(row).collect(),
            total: scope.len() as u64,
        })
    }
}
