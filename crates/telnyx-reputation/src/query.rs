//! The list queries: [`NumberQuery`] ([`Client::numbers`]) and [`RemediationQuery`]
//! ([`Client::remediations`]). Each owns a clone of the client, so a query, and the streams it
//! makes, live as long as the caller wants (`'static`): a service can hand a stream to a task
//! of its own. One page, or every row in list order; the walk's rules are those of
//! [`pages`](crate::pages) whatever the server answers.

use futures::{Stream, TryStreamExt, stream};
use uuid::Uuid;

use crate::client::{Client, Page, Scope};
use crate::error::Error;
use crate::filter::NumberFilter;
use crate::pages::{self, NumberList};
use crate::record::{NumberPage, NumberReputation};
use crate::remediation::{RemediationFilter, RemediationPage, RemediationSummary};

impl Client {
    /// The most pages a list query walks by default (25 million numbers at 250 a page) before
    /// it ends with [`Error::Pagination`] ([`NumberQuery::max_pages`] changes it).
    pub const MAX_PAGES: u64 = pages::MAX_PAGES;

    /// How many pages [`NumberQuery::stream`] asks for at once after the first one, by default
    /// ([`NumberQuery::concurrency`] changes it).
    pub const LIST_CONCURRENCY: usize = pages::LIST_CONCURRENCY;

    /// The monitored numbers in `scope` (`ListReputationNumbers` /
    /// `ListReputationNumbersSimplified`): a query to narrow with [`NumberQuery::filter`], then
    /// read one [`page`](NumberQuery::page) or [`stream`](NumberQuery::stream) every row. List
    /// pages are never billed.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), telnyx_reputation::Error> {
    /// use futures::TryStreamExt;
    /// use telnyx_reputation::{Client, NumberFilter, Scope};
    /// let client = Client::from_env()?;
    /// let rows: Vec<_> = client
    ///     .numbers(Scope::Account)
    ///     .filter(NumberFilter::default())
    ///     .stream()
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn numbers(&self, scope: Scope) -> NumberQuery {
        NumberQuery {
            client: self.clone(),
            list: NumberList {
                scope,
                filter: NumberFilter::default(),
                page_size: Page::MAX_SIZE,
                max_pages: Self::MAX_PAGES,
            },
            concurrency: Self::LIST_CONCURRENCY,
        }
    }

    /// The remediation requests of `enterprise_id` (`listReputationRemediations`): a query to
    /// narrow with [`RemediationQuery::filter`], then read one
    /// [`page`](RemediationQuery::page) or [`stream`](RemediationQuery::stream) every request.
    pub fn remediations(&self, enterprise_id: Uuid) -> RemediationQuery {
        RemediationQuery {
            client: self.clone(),
            enterprise_id,
            filter: RemediationFilter::default(),
            page_size: Page::MAX_SIZE,
            max_pages: Self::MAX_PAGES,
        }
    }
}

/// A list of the monitored numbers in one [`Scope`], made by [`Client::numbers`]: which numbers
/// ([`filter`](Self::filter)), in pages of which size, with how many page requests in flight.
/// Owns a clone of the client; cheap to clone.
#[derive(Debug, Clone)]
#[must_use = "a query sends nothing until it is read"]
pub struct NumberQuery {
    client: Client,
    list: NumberList,
    concurrency: usize,
}

impl NumberQuery {
    /// Keeps only the numbers `filter` keeps (a [`NumberFilter`], or an `Option<E164>` for one
    /// number). A filter on an enterprise only means something account-wide: in the enterprise
    /// scope the list is refused before anything is sent ([`Error::InvalidRequest`]).
    pub fn filter(mut self, filter: impl Into<NumberFilter>) -> NumberQuery {
        self.list.filter = filter.into();
        self
    }

    /// Pages of `size` rows (clamped to 1..=[`Page::MAX_SIZE`], the default) for
    /// [`stream`](Self::stream) and [`pages`](Self::pages): smaller pages are more requests,
    /// each answered sooner.
    pub fn page_size(mut self, size: u64) -> NumberQuery {
        self.list.page_size = size.clamp(1, Page::MAX_SIZE);
        self
    }

    /// At most `concurrency` (at least 1) page requests in flight once page 1 has given the
    /// page count ([`Client::LIST_CONCURRENCY`] by default); the rows still come out in page
    /// order. Even with 1, the next page is asked for while the caller works through the one
    /// before it (at most twice `concurrency` pages are held ahead of the caller).
    pub fn concurrency(mut self, concurrency: usize) -> NumberQuery {
        self.concurrency = concurrency.max(1);
        self
    }

    /// Ends the walk with [`Error::Pagination`] when the list has more than `max_pages` (at
    /// least 1) pages ([`Client::MAX_PAGES`] by default): no other page is asked for once the
    /// first page says so.
    pub fn max_pages(mut self, max_pages: u64) -> NumberQuery {
        self.list.max_pages = max_pages.max(1);
        self
    }

    /// One page of the list: its numbers (`data`) and where it sits among the pages (`meta`).
    /// Removed numbers are listed only with [`NumberFilter::removed`], each with its
    /// `removal_reason` and `removed_at`. A record that breaks a rule of [`NumberReputation`]
    /// fails the page with [`Error::Protocol`].
    pub async fn page(&self, page: Page) -> Result<NumberPage, Error> {
        let list = &self.list;
        self.client
            .list(list.scope, page, list.filter.clone())
            .await
    }

    /// The list's pages' rows, one page at a time, in order, under the walk's rules: the walk stops at an empty page or after the first page's
    /// `total_pages`, and ends with [`Error::Pagination`] when a page repeats the previous one,
    /// when the server answers another page than the one asked for, when a page before the
    /// last is empty, or when there would be more than [`max_pages`](Self::max_pages) pages.
    ///
    /// Each page after the first is fetched and decoded on a task of its own, up to twice
    /// [`concurrency`](Self::concurrency) pages ahead of the caller; dropping the stream
    /// cancels the requests in flight.
    pub fn pages(
        &self,
    ) -> impl Stream<Item = Result<Vec<NumberReputation>, Error>> + Send + 'static + use<> {
        pages::concurrent(self.client.clone(), self.list.clone(), self.concurrency)
    }

    /// Every number of the list, one row at a time, in page order: the rows of
    /// [`pages`](Self::pages).
    pub fn stream(
        &self,
    ) -> impl Stream<Item = Result<NumberReputation, Error>> + Send + 'static + use<> {
        self.pages()
            .map_ok(|rows| stream::iter(rows.into_iter().map(Ok)))
            .try_flatten()
    }
}

/// A list of one enterprise's remediation requests, made by [`Client::remediations`]: which
/// requests ([`filter`](Self::filter)), in pages of which size. Owns a clone of the client;
/// cheap to clone.
#[derive(Debug, Clone)]
#[must_use = "a query sends nothing until it is read"]
pub struct RemediationQuery {
    client: Client,
    enterprise_id: Uuid,
    filter: RemediationFilter,
    page_size: u64,
    max_pages: u64,
}

impl RemediationQuery {
    /// Keeps only the requests `filter` keeps.
    pub fn filter(mut self, filter: RemediationFilter) -> RemediationQuery {
        self.filter = filter;
        self
    }

    /// Pages of `size` requests (clamped to 1..=[`Page::MAX_SIZE`], the default) for
    /// [`stream`](Self::stream).
    pub fn page_size(mut self, size: u64) -> RemediationQuery {
        self.page_size = size.clamp(1, Page::MAX_SIZE);
        self
    }

    /// Ends the walk with [`Error::Pagination`] when the list has more than `max_pages` (at
    /// least 1) pages ([`Client::MAX_PAGES`] by default).
    pub fn max_pages(mut self, max_pages: u64) -> RemediationQuery {
        self.max_pages = max_pages.max(1);
        self
    }

    /// One page of the requests (without per-number results), with where it sits among the
    /// pages.
    pub async fn page(&self, page: Page) -> Result<RemediationPage, Error> {
        self.client
            .remediation_page(self.enterprise_id, page, &self.filter)
            .await
    }

    /// Every request of the list, in page order, one page asked for at a time (an enterprise's
    /// requests are few) under the rules of [`NumberQuery::pages`].
    pub fn stream(
        &self,
    ) -> impl Stream<Item = Result<RemediationSummary, Error>> + Send + 'static + use<> {
        let query = self.clone();
        pages::walk(
            "list_reputation_remediations",
            self.max_pages,
            move |number| {
                let query = query.clone();
                async move { query.page(Page::new(number, query.page_size)).await }
            },
        )
        .map_ok(|rows| stream::iter(rows.into_iter().map(Ok)))
        .try_flatten()
    }
}
