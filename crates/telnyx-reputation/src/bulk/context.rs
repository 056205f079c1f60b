//! The state one run of a job shares between its batches: the client and the job's identity,
//! the journal, the stop flag and the hold on new sends, the request counter, the stall clock
//! and the progress.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::journal::{Event, Header, JournalError, Writer};
use super::operation::Operation;
use super::{BulkOptions, CancellationToken, Mode, Phase, Progress, ProgressFn};
use crate::Client;
use crate::patience::{Patience, Stall};

/// One run of a job: a new job, a resume or a rollback.
pub(super) struct JobContext {
    /// The client for the job's billable requests, bound by the job's stall rule; once the
    /// job's token is cancelled, a request still waiting to be sent (for the rate limit, or to
    /// be sent again after a 429) is not sent ([`crate::Error::Cancelled`]).
    pub client: Client,
    /// The same client for idempotent calls that must finish (lookups, disassociations): retried
    /// until they succeed or the job's stall rule ends them, by the client's one retry path.
    pub idempotent: Client,
    pub enterprise: Uuid,
    pub mode: Mode,
    /// What the job sends.
    pub operation: Operation,
    /// When the job first started (from its header), on this machine's clock: the reference
    /// of requests whose own time is not known, converted to the server's clock.
    pub started_at: DateTime<Utc>,
    pub concurrency: usize,
    /// How long a request may be in the server's hands, and a read lag behind a write: the
    /// wait before a lookup of a request whose answer was lost, and between the two lookups
    /// that prove it not applied or a refused number not there.
    pub settle: Duration,
    /// How many times numbers proved not applied may be sent again.
    pub resends: u32,
    journal: Option<Mutex<Writer>>,
    stop: AtomicBool,
    /// How many batches hold new sends back while they make sure of a refusal: see
    /// [`JobContext::hold_sends`].
    holds: tokio::sync::watch::Sender<u32>,
    /// The caller's interrupt ([`BulkOptions::cancel_on`]): once cancelled, no new batch.
    cancel: Option<CancellationToken>,
    requests: AtomicU64,
    lookups: AtomicU64,
    /// When this run began, for the stall clock.
    began: Instant,
    patience: Patience,
    progress_fn: Option<ProgressFn>,
    progress: Mutex<Progress>,
    /// Passed once this run may send refreshes: see [`JobContext::refresh_gate`].
    refresh_gate: tokio::sync::OnceCell<()>,
}

impl JobContext {
    pub fn new(
        client: &Client,
        header: &Header,
        operation: Operation,
        journal: Option<Writer>,
        options: &BulkOptions,
    ) -> JobContext {
        let began = Instant::now();
        let patience = Patience {
            stall_timeout: options
                .stall_timeout
                .unwrap_or(client.patience().stall_timeout),
            deadline: options
                .deadline
                .and_then(|d| began.checked_add(d))
                .or(client.patience().deadline),
        };
        let client = client.with_patience(patience);
        let settle = client.request_timeout();
        JobContext {
            // Lookups and disassociations decide what is in flight, and a rollback keeps the
            // job's promise: they are not cut short by the token.
            idempotent: client.with_retry(client.retry_policy().clone().until_stalled()),
            client: client.with_cancel(options.cancel.clone()),
            enterprise: header.enterprise_id,
            mode: header.mode,
            settle,
            resends: options.resends_or(operation.default_resends()),
            operation,
            started_at: header.started_at,
            concurrency: options.concurrency,
            journal: journal.map(Mutex::new),
            stop: AtomicBool::new(false),
            holds: tokio::sync::watch::Sender::new(0),
            cancel: options.cancel.clone(),
            requests: AtomicU64::new(0),
            lookups: AtomicU64::new(0),
            began,
            patience,
            progress_fn: options.progress.clone(),
            progress: Mutex::new(Progress {
                phase: Phase::Preflight,
                total: header.valid,
                done: 0,
                associated: 0,
                already_associated: 0,
                refused: 0,
                rolled_back: 0,
                requests: 0,
            }),
            refresh_gate: tokio::sync::OnceCell::new(),
        }
    }

    /// Before this run's first refresh request: one free reading of the server's clock (a
    /// lookup of `number`), then a wait of a second and that reading's round trip.
    ///
    /// A refresh whose answer was lost is judged by the number's `last_refreshed_at` against
    /// the server's clock when the job sent it, as a lower bound (the `floor` of its attempt).
    /// A `Date` header is cut to the second, so that bound can be most of a second early, and a
    /// refresh stamped in between (a scheduled one, or another client's, just before the run)
    /// looked like the job's own: the number was reported refreshed and nothing was billed.
    /// After the reading, the server's clock stood below its `Date` plus a second plus the
    /// round trip; once that much of our time has passed, every later floor is above any
    /// refresh stamped before the run. `Err` when the reading failed (nothing is sent).
    pub async fn refresh_gate(&self, number: telnyx_e164::UsNumber) -> Result<(), crate::Error> {
        self.refresh_gate
            .get_or_try_init(|| async {
                let asked = Instant::now();
                super::reconcile::lookup_page(self, number).await?;
                let round_trip = asked.elapsed();
                tokio::time::sleep(Duration::from_secs(1).saturating_add(round_trip)).await;
                Ok::<(), crate::Error>(())
            })
            .await
            .map(|_| ())
    }

    pub fn has_journal(&self) -> bool {
        self.journal.is_some()
    }

    /// Appends an event, built only when there is a journal, and fsyncs it.
    pub fn log(&self, event: impl FnOnce() -> Event) -> Result<(), JournalError> {
        self.write(event, true)
    }

    /// Appends without an fsync: durable only once a later [`log`](Self::log) returns.
    pub fn log_unsynced(&self, event: impl FnOnce() -> Event) -> Result<(), JournalError> {
        self.write(event, false)
    }

    fn write(&self, event: impl FnOnce() -> Event, sync: bool) -> Result<(), JournalError> {
        let Some(journal) = &self.journal else {
            return Ok(());
        };
        let event = event();
        let mut journal = journal
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if sync {
            journal.append(&event)
        } else {
            journal.append_unsynced(&event)
        }
    }

    /// Updates the progress counts and reports them.
    pub fn tick(&self, update: impl FnOnce(&mut Progress)) {
        let mut progress = self
            .progress
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        update(&mut progress);
        progress.requests = self.requests();
        if let Some(callback) = &self.progress_fn {
            callback(&progress);
        }
    }

    /// Whether no new batch may be sent: the job halted itself, or was interrupted.
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst) || self.interrupted()
    }

    /// Whether the caller's token ([`BulkOptions::cancel_on`]) has been cancelled.
    pub fn interrupted(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(CancellationToken::is_cancelled)
    }

    /// Whether a rollback must stop before its next disassociation: it was interrupted and
    /// a journal holds the rest. Without a journal, an interrupted all-or-nothing job's own
    /// rollback is how it keeps its promise, so it runs to the end.
    pub fn rollback_interrupted(&self) -> bool {
        self.has_journal() && self.interrupted()
    }

    /// Stops sending new batches.
    pub fn halt(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// Holds new sends back until the guard is dropped: while a batch makes sure of a refusal
    /// that may end the job, no other batch adds billed work that the job's rollback would
    /// then undo. Requests already sent go on. A batch that decides to end the job halts it
    /// before it drops the guard, so that no held batch is sent in between.
    pub fn hold_sends(&self) -> SendsHeld<'_> {
        self.holds.send_modify(|h| *h = h.saturating_add(1));
        SendsHeld(self)
    }

    /// Waits until no batch holds new sends back, or the caller's token is cancelled.
    pub async fn unheld(&self) {
        let mut holds = self.holds.subscribe();
        let released = holds.wait_for(|h| *h == 0);
        match &self.cancel {
            Some(token) => {
                tokio::select! {
                    _ = released => {}
                    () = token.cancelled() => {}
                }
            }
            // The sender lives as long as the context, so the wait ends only by a release.
            None => drop(released.await),
        }
    }

    pub fn count_request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Counts a lookup: a free request, made to learn what an uncertain one did.
    pub fn count_lookup(&self) {
        self.lookups.fetch_add(1, Ordering::Relaxed);
        self.count_request();
    }

    /// Lookups made so far (counted in [`requests`](Self::requests) too).
    pub fn lookups(&self) -> u64 {
        self.lookups.load(Ordering::Relaxed)
    }

    /// Which rule makes the job give up on the server, if one does: no request of this run
    /// has succeeded for the stall timeout, or the deadline has passed.
    pub fn gave_up(&self) -> Option<Stall> {
        let quiet = self.client.since_progress().min(self.began.elapsed());
        self.patience.check(quiet, Instant::now())
    }
}

/// A hold on new sends ([`JobContext::hold_sends`]), released when dropped: on every path out
/// of the batch that took it, a cancelled one included.
pub(super) struct SendsHeld<'a>(&'a JobContext);

impl Drop for SendsHeld<'_> {
    fn drop(&mut self) {
        self.0.holds.send_modify(|h| *h = h.saturating_sub(1));
    }
}

#[cfg(test)]
mod tests {
    use futures::FutureExt;

    use super::super::journal::VERSION;
    use super::*;
    use crate::{ApiKey, ClientConfig};

    fn context(options: &BulkOptions) -> JobContext {
        let client =
            Client::new(ClientConfig::new(ApiKey::new("key")).base_url("http://127.0.0.1:9"))
                .unwrap();
        let header = Header {
            v: VERSION,
            event: "job".into(),
            job_id: Uuid::nil(),
            enterprise_id: Uuid::nil(),
            mode: Mode::AllOrNothing,
            batch_size: 2,
            concurrency: 2,
            started_at: chrono::DateTime::UNIX_EPOCH,
            inputs: 2,
            valid: 2,
            endpoint: Default::default(),
        };
        JobContext::new(&client, &header, Operation::Associate, None, options)
    }

    #[tokio::test]
    async fn a_send_waits_until_every_hold_is_released() {
        let ctx = context(&BulkOptions::default());
        assert!(ctx.unheld().now_or_never().is_some(), "no hold: no wait");
        let first = ctx.hold_sends();
        let second = ctx.hold_sends();
        let mut waiting = std::pin::pin!(ctx.unheld());
        assert!(futures::poll!(waiting.as_mut()).is_pending());
        drop(first);
        assert!(
            futures::poll!(waiting.as_mut()).is_pending(),
            "one hold left"
        );
        drop(second);
        assert!(futures::poll!(waiting.as_mut()).is_ready());
    }

    #[tokio::test]
    async fn an_interrupted_job_does_not_wait_for_a_hold() {
        let token = CancellationToken::new();
        let ctx = context(&BulkOptions::default().cancel_on(token.clone()));
        let _held = ctx.hold_sends();
        let mut waiting = std::pin::pin!(ctx.unheld());
        assert!(futures::poll!(waiting.as_mut()).is_pending());
        token.cancel();
        assert!(futures::poll!(waiting.as_mut()).is_ready());
        assert!(ctx.stopped(), "and then sends nothing");
    }
}
