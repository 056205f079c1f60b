//! Ctrl-C, SIGTERM and SIGHUP (the terminal closed, an SSH session dropped) during a bulk job
//! (`associate`, `resume`, `rollback`, `sync`, `refresh`, `remediation submit`).
//!
//! The first signal cancels the job's token ([`BulkOptions::cancel_on`]):
//! no new batch is sent, the requests in flight are decided, and the job keeps its promise
//! (rolls back, or leaves its journal; a refresh or remediation reports the numbers it never
//! sent), then the command prints what happened and exits 130. The second signal exits at once
//! (130), after saying what is left and naming the journal. Other commands keep the default
//! action of both signals.
//!
//! [`BulkOptions::cancel_on`]: telnyx_reputation::bulk::BulkOptions::cancel_on

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::ProgressBar;
use telnyx_reputation::bulk::CancellationToken;

use crate::exit::{Exit, Failure};

/// What to say on each signal.
pub struct Messages {
    /// After the first: what the job does before it stops.
    pub first: String,
    /// After the second, just before exiting: what may be left and how to get back.
    pub second: String,
}

/// Signals being watched for one job; once dropped, a signal exits at once and quietly (the
/// job is over, only its report is being written).
pub struct Watch {
    over: Arc<AtomicBool>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.over.store(true, Ordering::SeqCst);
    }
}

/// The signals that stop a job: SIGINT, SIGTERM and SIGHUP (handled as SIGTERM is).
#[cfg(unix)]
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
    hangup: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    /// Registers the handlers now, so that a signal sent after this returns is caught.
    fn register() -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            hangup: signal(SignalKind::hangup())?,
        })
    }

    /// The next SIGINT, SIGTERM or SIGHUP.
    async fn next(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
            _ = self.hangup.recv() => {}
        }
    }
}

/// The signal that stops a job: Ctrl-C.
#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    /// Nothing to register ahead: Ctrl-C is watched from the first wait.
    fn register() -> std::io::Result<Signals> {
        Ok(Signals)
    }

    /// The next Ctrl-C.
    async fn next(&mut self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Watches for SIGINT, SIGTERM and SIGHUP until the returned [`Watch`] is dropped: the first
/// cancels `token`, the second exits 130. The handlers are in place when this returns. What is
/// said goes to stderr if it still can: after a hangup the terminal may be gone, and a message
/// that cannot be written is dropped rather than end the job.
pub fn watch(
    token: CancellationToken,
    messages: Messages,
    bar: Option<ProgressBar>,
) -> Result<Watch, Failure> {
    let mut signals = Signals::register()
        .map_err(|e| Failure::unavailable(format!("cannot handle Ctrl-C: {e}")))?;
    let over = Arc::new(AtomicBool::new(false));
    let done = Arc::clone(&over);
    tokio::spawn(async move {
        let say = |text: &str| {
            let write = || {
                use std::io::Write;
                let _ = writeln!(std::io::stderr(), "{text}");
            };
            match &bar {
                Some(bar) => bar.suspend(write),
                None => write(),
            }
        };
        signals.next().await;
        if done.load(Ordering::SeqCst) {
            std::process::exit(Exit::Interrupted.code().into());
        }
        token.cancel();
        say(&messages.first);
        signals.next().await;
        if !done.load(Ordering::SeqCst) {
            say(&messages.second);
        }
        std::process::exit(Exit::Interrupted.code().into());
    });
    Ok(Watch { over })
}
