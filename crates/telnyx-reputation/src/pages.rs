//! Walking a list page by page, with the rules that end the walk whatever the server says.
//!
//! A walk stops:
//! - at an empty page that is the first page's `total_pages`th or later;
//! - after the page numbered by the **first** page's `total_pages` (later pages cannot extend
//!   it);
//! - with [`Error::Pagination`] when a page repeats the previous one, when the server answers
//!   another page than the one asked for, when a page before the first page's `total_pages`
//!   is empty (the list is not what its first page said), or at once when the first page's
//!   `total_pages` is more than the walk's page limit ([`Client::MAX_PAGES`] by default): a
//!   server that never ends a list cannot make a caller loop, or hold memory, for ever.
//!
//! A walk holds one page at a time, plus the identities of the previous page's rows.
//!
//! The walks here are what the list queries ([`NumberQuery`](crate::NumberQuery),
//! [`RemediationQuery`](crate::RemediationQuery)) run: [`walk`] page by page, [`concurrent`]
//! with several pages in flight.

use std::collections::VecDeque;
use std::sync::Arc;

use futures::{Stream, stream};
use tokio::sync::Semaphore;
use tokio_util::task::AbortOnDropHandle;

use crate::client::{Client, Page, Scope};
use crate::error::{Error, PaginationKind};
use crate::filter::NumberFilter;
use crate::record::{NumberPage, NumberReputation};

/// A page of a list as the walk reads it: where it sits among the pages, and its rows.
pub(crate) trait ListPage: Send + 'static {
    /// One row of the list.
    type Row: Send + 'static;
    /// What identifies a row, to tell a repeated page.
    type Key: PartialEq + Send;
    /// The page's number, as the server gave it.
    fn page_number(&self) -> i64;
    /// How many pages the list has, as the server gave it.
    fn total_pages(&self) -> i64;
    /// The page's rows.
    fn rows(&self) -> &[Self::Row];
    /// The page's rows, taken.
    fn into_rows(self) -> Vec<Self::Row>;
    /// The identity of `row`.
    fn key(row: &Self::Row) -> Self::Key;
}

/// The state of a walk through a list's pages: which page comes next, and what the rules need
/// to remember. Pure: [`Walk::take`] decides from a page alone, so the rules are tested without
/// a server.
pub(crate) struct Walk<P: ListPage> {
    max_pages: u64,
    next: Option<u64>,
    /// Set when the list goes on past the page limit: the walk ends with this error.
    over: Option<PaginationKind>,
    total_pages: Option<u64>,
    previous: Option<Vec<P::Key>>,
}

impl<P: ListPage> Walk<P> {
    /// A walk from page 1, at most `max_pages` pages.
    pub fn new(max_pages: u64) -> Walk<P> {
        Walk {
            max_pages: max_pages.max(1),
            next: Some(1),
            over: None,
            total_pages: None,
            previous: None,
        }
    }

    /// The page to ask for next; `None` when the walk is over; the reason when it must end
    /// in an error (the list goes on past the page limit).
    pub fn next_page(&self) -> Result<Option<u64>, PaginationKind> {
        match self.over {
            Some(kind) => Err(kind),
            None => Ok(self.next),
        }
    }

    /// The page count the first page gave, once it has been taken.
    pub fn total_pages(&self) -> Option<u64> {
        self.total_pages
    }

    /// Takes the answer for page `number`: `Ok` with the rows to yield (the walk then knows
    /// whether another page follows), or the reason the walk must end in an error.
    pub fn take(&mut self, number: u64, page: P) -> Result<Vec<P::Row>, PaginationKind> {
        self.next = None;
        let answered = page.page_number();
        if u64::try_from(answered).ok() != Some(number) {
            return Err(PaginationKind::WrongPage {
                asked: number,
                answered,
            });
        }
        if number == 1 {
            // Negative counts are read as none: an empty list.
            let total = u64::try_from(page.total_pages()).unwrap_or(0);
            self.total_pages = Some(total);
            if total > self.max_pages {
                return Err(PaginationKind::TooManyPages {
                    total_pages: total,
                    max_pages: self.max_pages,
                });
            }
        }
        if page.rows().is_empty() {
            if let Some(total) = self.total_pages.filter(|total| number < *total) {
                return Err(PaginationKind::EmptyPage {
                    page: number,
                    total_pages: total,
                });
            }
            return Ok(page.into_rows());
        }
        let keys: Vec<P::Key> = page.rows().iter().map(P::key).collect();
        if self.previous.as_ref() == Some(&keys) {
            return Err(PaginationKind::RepeatedPage { page: number });
        }
        self.previous = Some(keys);
        let more = self.total_pages.is_some_and(|total| number < total);
        if more {
            if number >= self.max_pages {
                self.over = Some(PaginationKind::PastMaxPages {
                    max_pages: self.max_pages,
                });
            } else {
                self.next = number.checked_add(1);
            }
        }
        Ok(page.into_rows())
    }
}

/// The most pages a list query walks by default (25 million numbers at 250 a page) before it
/// ends with [`Error::Pagination`].
pub(crate) const MAX_PAGES: u64 = 100_000;

/// How many pages a list query asks for at once after the first one, by default.
pub(crate) const LIST_CONCURRENCY: usize = 8;

/// A list's pages, one at a time, each asked for by `fetch` (given the page number) only once
/// the one before it was taken, under the rules of [`Walk`]; `operation` names the list in
/// errors.
pub(crate) fn walk<P, F, Fut>(
    operation: &'static str,
    max_pages: u64,
    fetch: F,
) -> impl Stream<Item = Result<Vec<P::Row>, Error>> + Send + 'static + use<P, F, Fut>
where
    P: ListPage,
    F: Fn(u64) -> Fut + Send + 'static,
    Fut: Future<Output = Result<P, Error>> + Send + 'static,
{
    let failed = move |page: u64, kind: PaginationKind| Error::Pagination {
        operation,
        page,
        kind,
    };
    stream::try_unfold(Walk::<P>::new(max_pages), move |mut walk| {
        let asked = walk
            .next_page()
            .map(|next| next.map(|number| (number, fetch(number))));
        async move {
            let (number, answer) = match asked {
                Ok(Some(asked)) => asked,
                Ok(None) => return Ok(None),
                Err(kind) => return Err(failed(max_pages.max(1), kind)),
            };
            match walk.take(number, answer.await?) {
                Ok(rows) if rows.is_empty() => Ok(None),
                Ok(rows) => Ok(Some((rows, walk))),
                Err(kind) => Err(failed(number, kind)),
            }
        }
    })
}

/// What a walk of the monitored numbers asks for: which list, with which filter, in pages of
/// which size, at most how many pages.
#[derive(Debug, Clone)]
pub(crate) struct NumberList {
    pub scope: Scope,
    pub filter: NumberFilter,
    pub page_size: u64,
    pub max_pages: u64,
}

/// The pages of `list`, in order and under the rules of [`Walk`], with up to `concurrency`
/// (at least 1) requests in flight once page 1 has given the page count. Pages past the first
/// page's `total_pages` or past `max_pages` are never asked for; the requests already in
/// flight when the walk ends (an empty page, an error) or when the stream is dropped are
/// cancelled.
///
/// Each page after the first is fetched and decoded (read into the library's records) on a task
/// of its own, up to twice `concurrency` pages ahead of the caller, with at most `concurrency` requests out at once:
/// a request goes out as soon as another page has arrived, whatever its place in the list, so
/// the requests in flight stay at `concurrency` while the caller works through the rows, and
/// decoding runs beside that work on a multi-threaded runtime. At most twice `concurrency`
/// pages are held decoded ahead of the caller.
pub(crate) fn concurrent(
    client: Client,
    list: NumberList,
    concurrency: usize,
) -> impl Stream<Item = Result<Vec<NumberReputation>, Error>> + Send + 'static {
    struct State {
        client: Client,
        list: NumberList,
        walk: Walk<NumberPage>,
        /// The pages after the first, asked for once the first gave the count.
        rest: Option<Window>,
        done: bool,
    }
    let concurrency = concurrency.max(1);
    let (scope, max_pages) = (list.scope, list.max_pages);
    let failed = move |page: u64, kind: PaginationKind| Error::Pagination {
        operation: scope_operation(scope),
        page,
        kind,
    };
    let state = State {
        client,
        walk: Walk::new(max_pages),
        list,
        rest: None,
        done: false,
    };
    stream::unfold(state, move |mut state| async move {
        if state.done {
            return None;
        }
        let number = match state.walk.next_page() {
            Ok(Some(number)) => number,
            Ok(None) => return None,
            Err(kind) => {
                state.done = true;
                return Some((Err(failed(max_pages.max(1), kind)), state));
            }
        };
        let answer = match state.rest.as_mut() {
            None => {
                let list = &state.list;
                let page = Page::new(number, list.page_size);
                state
                    .client
                    .list(list.scope, page, list.filter.clone())
                    .await
            }
            Some(window) => match window.take(number).await {
                Some(answer) => answer,
                // The requests follow the walk page by page; any other answer ends it.
                None => return None,
            },
        };
        let taken = answer.and_then(|page| {
            state
                .walk
                .take(number, page)
                .map_err(|kind| failed(number, kind))
        });
        // The other pages are asked for only once page 1 was good.
        if state.rest.is_none() && number == 1 && taken.is_ok() {
            let last = state.walk.total_pages().unwrap_or(0).min(max_pages.max(1));
            state.rest = Some(Window::open(
                state.client.clone(),
                state.list.clone(),
                last,
                concurrency,
            ));
        }
        match taken {
            Ok(rows) if rows.is_empty() => None,
            Ok(rows) => Some((Ok(rows), state)),
            Err(error) => {
                state.done = true;
                Some((Err(error), state))
            }
        }
    })
}

/// The operation id of a list in `scope`, for errors.
pub(crate) fn scope_operation(scope: Scope) -> &'static str {
    match scope {
        Scope::Enterprise(_) => "list_reputation_numbers",
        Scope::Account => "list_reputation_numbers_simplified",
    }
}

/// Pages 2 to `last` of a list, asked for in order with a fixed number of requests in flight.
/// Each page is a task that fetches and decodes it; dropping the window aborts them.
///
/// Twice as many tasks as requests in flight are started ahead of the caller, and each holds
/// one of the `concurrency` places only until its page has arrived: a page that arrives while
/// an earlier one is still on its way frees its place at once for the next page, instead of
/// the window moving only as fast as its oldest page.
struct Window {
    client: Arc<Client>,
    /// One place per request in flight.
    places: Arc<Semaphore>,
    list: NumberList,
    /// The next page to ask for.
    next: u64,
    /// The last page to ask for.
    last: u64,
    /// The pages asked for and not yet taken, in page order.
    pages: VecDeque<(u64, AbortOnDropHandle<Result<NumberPage, Error>>)>,
}

impl Window {
    /// Asks for pages 2, 3, … twice `concurrency` of them (and none past `last`), `concurrency`
    /// of them at a time.
    fn open(client: Client, list: NumberList, last: u64, concurrency: usize) -> Window {
        let ahead = concurrency.saturating_mul(2);
        let mut window = Window {
            client: Arc::new(client),
            places: Arc::new(Semaphore::new(concurrency.min(Semaphore::MAX_PERMITS))),
            list,
            next: 2,
            last,
            pages: VecDeque::with_capacity(ahead),
        };
        for _ in 0..ahead {
            window.ask();
        }
        window
    }

    /// Asks for the next page, unless every page has been asked for.
    fn ask(&mut self) {
        let number = self.next;
        if number > self.last {
            return;
        }
        self.next = number.saturating_add(1);
        let client = Arc::clone(&self.client);
        let places = Arc::clone(&self.places);
        let (scope, filter) = (self.list.scope, self.list.filter.clone());
        let page = Page::new(number, self.list.page_size);
        let task = tokio::spawn(async move {
            // The semaphore is never closed. The place is given back as soon as the page's
            // body has arrived (decoding it is no request in flight), or when the task ends.
            let place = places.acquire_owned().await;
            telnyx_reputation_api::on_body(
                Box::new(move || drop(place)),
                client.list(scope, page, filter),
            )
            .await
        });
        self.pages.push_back((number, AbortOnDropHandle::new(task)));
    }

    /// The answer for page `number`, which must be the oldest page asked for; `None` when it
    /// is not (the walk and the window disagree) or when nothing is left. Once the page has
    /// arrived, the next one is asked for before the answer is returned, so that as many pages
    /// stay asked for as the window opened with.
    async fn take(&mut self, number: u64) -> Option<Result<NumberPage, Error>> {
        let (asked, task) = self.pages.front_mut()?;
        if *asked != number {
            return None;
        }
        let joined = task.await;
        self.pages.pop_front();
        self.ask();
        Some(match joined {
            Ok(answer) => answer,
            // A panic in the page's task is the caller's panic.
            Err(join) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
            Err(_) => Err(Error::Pagination {
                operation: scope_operation(self.list.scope),
                page: number,
                kind: PaginationKind::Cancelled,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Page `number` of `size` rows, starting at row `first`, saying there are `total_pages`.
    fn page(number: i64, first: u64, size: u64, total_pages: i64) -> NumberPage {
        let data: Vec<serde_json::Value> = (first..first + size)
            .map(|i| serde_json::json!({"phone_number": format!("+1201555{i:04}")}))
            .collect();
        let raw = serde_json::from_value(serde_json::json!({
            "data": data,
            "meta": {"page_number": number, "page_size": size, "total_pages": total_pages,
                     "total_results": total_pages.saturating_mul(size as i64)},
        }))
        .unwrap();
        NumberPage::from_api("list_reputation_numbers", raw).unwrap()
    }

    #[test]
    fn the_first_pages_total_ends_the_walk() {
        let mut walk = Walk::<NumberPage>::new(100);
        assert_eq!(walk.take(1, page(1, 0, 2, 2)).unwrap().len(), 2);
        assert_eq!(walk.next_page(), Ok(Some(2)));
        // A later page cannot extend the list.
        assert_eq!(walk.take(2, page(2, 2, 2, 9)).unwrap().len(), 2);
        assert_eq!(walk.next_page(), Ok(None));
    }

    #[test]
    fn an_empty_page_before_the_first_pages_total_is_an_error() {
        let mut walk = Walk::<NumberPage>::new(100);
        walk.take(1, page(1, 0, 2, 50)).unwrap();
        let reason = walk.take(2, page(2, 2, 0, 50)).unwrap_err().to_string();
        assert!(
            reason.contains("page 2 is empty") && reason.contains("50 pages"),
            "{reason}"
        );
        assert_eq!(walk.next_page(), Ok(None));
        // An empty last page, or an empty list, ends the walk quietly.
        let mut walk = Walk::<NumberPage>::new(100);
        walk.take(1, page(1, 0, 2, 2)).unwrap();
        assert!(walk.take(2, page(2, 2, 0, 2)).unwrap().is_empty());
        assert_eq!(walk.next_page(), Ok(None));
        let mut walk = Walk::<NumberPage>::new(100);
        assert!(walk.take(1, page(1, 0, 0, 0)).unwrap().is_empty());
        assert!(walk.take(1, page(1, 0, 0, 1)).unwrap().is_empty());
    }

    #[test]
    fn a_repeated_page_is_an_error() {
        let mut walk = Walk::<NumberPage>::new(100);
        walk.take(1, page(1, 0, 2, 9)).unwrap();
        let mut again = page(1, 0, 2, 9);
        again.meta.page_number = 2;
        let reason = walk.take(2, again).unwrap_err().to_string();
        assert!(reason.contains("page 2 repeats page 1"), "{reason}");
        assert_eq!(walk.next_page(), Ok(None));
    }

    #[test]
    fn another_page_than_the_one_asked_for_is_an_error() {
        let mut walk = Walk::<NumberPage>::new(100);
        walk.take(1, page(1, 0, 2, 9)).unwrap();
        let reason = walk.take(2, page(1, 2, 2, 9)).unwrap_err().to_string();
        assert!(reason.contains("answered page 1"), "{reason}");
    }

    #[test]
    fn a_first_page_claiming_more_pages_than_the_limit_ends_the_walk_at_once() {
        let mut walk = Walk::<NumberPage>::new(3);
        let reason = walk
            .take(1, page(1, 0, 2, 10_000_000_000_000_000))
            .unwrap_err()
            .to_string();
        assert!(
            reason.contains("10000000000000000 pages") && reason.contains("limit of 3"),
            "{reason}"
        );
        assert_eq!(walk.next_page(), Ok(None), "no other page is asked for");
        // The last page of an exact fit is fine.
        let mut walk = Walk::<NumberPage>::new(3);
        for n in 1..=3 {
            walk.take(n, page(n as i64, n * 2, 2, 3)).unwrap();
        }
        assert_eq!(walk.next_page(), Ok(None));
    }

    #[test]
    fn a_zero_total_is_an_empty_list() {
        // (A negative count never reaches the walk: the page is refused as it is read.)
        let mut walk = Walk::<NumberPage>::new(100);
        walk.take(1, page(1, 0, 2, 0)).unwrap();
        assert_eq!(walk.next_page(), Ok(None));
    }
}
