//! The state one run of a job shares between its batches: the client and the job's identity,
//! the journal, the stop flag, the request counter, the stall clock and the progress.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::journal::{Event, Header, Journal, JournalError};
use super::{BulkOptions, Mode, Phase, Progress, ProgressFn};
use crate::Client;

/// The first pause before an idempotent call is tried again, doubled each time up to
/// [`MAX_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(10);
const MAX_PAUSE: Duration = Duration::from_secs(2);

/// One run of a job: a new job, a resume or a rollback.
pub(super) struct JobContext {
    pub client: Client,
    pub enterprise: Uuid,
    pub mode: Mode,
    /// When the job first started (from its header): the ownership rule's reference.
    pub started_at: DateTime<Utc>,
    pub concurrency: usize,
    journal: Option<Mutex<Journal>>,
    stop: AtomicBool,
    requests: AtomicU64,
    /// When this run began, for the stall clock.
    began: Instant,
    /// Milliseconds after `began` of the last request that succeeded.
    last_success_ms: AtomicU64,
    stall_timeout: Duration,
    deadline: Option<Instant>,
    progress_fn: Option<ProgressFn>,
    progress: Mutex<Progress>,
}

impl JobContext {
    pub fn new(
        client: &Client,
        header: &Header,
        journal: Option<Journal>,
        options: &BulkOptions,
    ) -> JobContext {
        let began = Instant::now();
        JobContext {
            client: client.clone(),
            enterprise: header.enterprise_id,
            mode: header.mode,
            started_at: header.started_at,
            concurrency: options.concurrency,
            journal: journal.map(Mutex::new),
            stop: AtomicBool::new(false),
            requests: AtomicU64::new(0),
            began,
            last_success_ms: AtomicU64::new(0),
            stall_timeout: options.stall_timeout,
            deadline: options.deadline.and_then(|d| began.checked_add(d)),
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
        }
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

    /// Whether no new batch may be sent.
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Stops sending new batches.
    pub fn halt(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    pub fn count_request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Records that a request succeeded: the server makes progress.
    pub fn succeeded(&self) {
        let ms = u64::try_from(self.began.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_success_ms.fetch_max(ms, Ordering::Relaxed);
    }

    /// Why the job must give up on the server, if it must: no request has succeeded for the
    /// stall timeout, or the deadline has passed.
    pub fn gave_up(&self) -> Option<String> {
        let now = Instant::now();
        if self.deadline.is_some_and(|d| now >= d) {
            return Some("the job's deadline passed".into());
        }
        let last = self
            .began
            .checked_add(Duration::from_millis(
                self.last_success_ms.load(Ordering::Relaxed),
            ))
            .unwrap_or(now);
        let quiet = now.saturating_duration_since(last);
        (quiet >= self.stall_timeout).then(|| {
            format!(
                "no request succeeded for {} s (stall timeout)",
                self.stall_timeout.as_secs()
            )
        })
    }

    /// Waits before an idempotent call is tried again: `pause` is `None` before the first wait.
    pub async fn pause(&self, pause: &mut Option<Duration>) {
        let next = pause.map_or(FIRST_PAUSE, |p| p.saturating_mul(2).min(MAX_PAUSE));
        *pause = Some(next);
        tokio::time::sleep(next).await;
    }
}
