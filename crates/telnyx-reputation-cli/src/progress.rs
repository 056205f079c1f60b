//! Where long work is: progress bars (with a rate and an ETA) on a terminal, and the logs on
//! stderr. At the default verbosity the retry warnings of a run are counted, not printed, and
//! summed up in one line at the end; `-v` prints each; `-q` prints nothing but errors.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use telnyx_reputation::Client;
use telnyx_reputation::bulk::{BulkOptions, Phase};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{FilterExt, LevelFilter, dynamic_filter_fn};
use tracing_subscriber::layer::Filter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::context::Global;

/// Counts the warnings a run logged without printing them.
#[derive(Clone, Default)]
struct Warnings(Arc<AtomicU64>);

impl<S: tracing::Subscriber> Layer<S> for Warnings {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if *event.metadata().level() == tracing::Level::WARN {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// A run's logs: printed on stderr as the flags ask, and at the default verbosity the warnings
/// counted for one summary line.
pub struct Logs {
    /// The counter, when warnings are counted rather than shown (the default verbosity).
    counted: Option<Warnings>,
    /// Cleared by [`Logs::close`]: nothing is printed or counted after.
    open: Arc<AtomicBool>,
}

impl Logs {
    /// Ends the run's logs, once its command has ended and before its runtime shuts down.
    ///
    /// The runtime's shutdown drops its tasks, the HTTP connections among them, and a request
    /// task that was running at that moment (a list page asked for ahead, when `| head` closed
    /// the output) can meet its connection gone and log a retry it will never make. That is
    /// not part of the run: it is neither printed nor counted.
    pub fn close(&self) {
        self.open.store(false, Ordering::Release);
    }

    /// The one summary line, when warnings were counted and not shown.
    pub fn summary(&self) -> Option<String> {
        match self.counted.as_ref()?.0.load(Ordering::Relaxed) {
            0 => None,
            n => Some(format!(
                "note: {n} warning(s) (retries, lookups) during the run; -v shows them"
            )),
        }
    }
}

/// Installs the logger for these flags.
pub fn init_logs(global: &Global) -> Logs {
    let (subscriber, logs) = subscriber(global);
    // A second init (only in tests of this binary's functions) is harmless.
    let _ = subscriber.try_init();
    logs
}

/// The logger for these flags, and its handle.
fn subscriber(global: &Global) -> (impl tracing::Subscriber + Send + Sync + 'static, Logs) {
    let filter = match (global.quiet, global.verbose) {
        (true, _) => "error",
        (false, 0) => "error",
        (false, 1) => "warn,telnyx_reputation=info",
        _ => "debug",
    };
    let env =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| filter.into());
    let open = Arc::new(AtomicBool::new(true));
    let env_hint = env.max_level_hint();
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_filter(env.and(while_open(Arc::clone(&open), env_hint)));
    let counted = (!global.quiet && global.verbose == 0).then(Warnings::default);
    let counter = counted.clone().map(|w| {
        w.with_filter(LevelFilter::WARN.and(while_open(Arc::clone(&open), Some(LevelFilter::WARN))))
    });
    let subscriber = tracing_subscriber::registry().with(fmt).with(counter);
    (subscriber, Logs { counted, open })
}

/// Passes events while `open` is set. It is a dynamic filter, asked at every event:
/// tracing-subscriber may keep the answer of a filter of the metadata alone per call site. `hint`
/// is the most verbose level the filter it narrows passes, so that the levels both drop stay
/// cheap to skip.
fn while_open<S>(open: Arc<AtomicBool>, hint: Option<LevelFilter>) -> impl Filter<S> {
    let filter = dynamic_filter_fn(move |_, _| open.load(Ordering::Acquire));
    match hint {
        Some(hint) => filter.with_max_level_hint(hint),
        None => filter,
    }
}

/// A bar, when stderr is a terminal and `-q` is not given.
pub fn bar(global: &Global) -> Option<ProgressBar> {
    if global.quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {per_sec} ETA {eta} {msg} {prefix}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    Some(bar)
}

/// A counter of input lines read, for pre-flight of a large file.
pub fn reading(global: &Global) -> Option<ProgressBar> {
    if global.quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} checking inputs: {pos} lines read ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    Some(bar)
}

/// `options` reporting to `bar`, if there is one. While the server's rate limit holds requests
/// back, the bar also says so ("waiting for the rate limit: 0.8 s"), read from `client`'s pacer.
pub fn hook(options: BulkOptions, bar: Option<ProgressBar>, client: &Client) -> BulkOptions {
    let Some(bar) = bar else {
        return options;
    };
    let (watched, client) = (bar.clone(), client.clone());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_millis(200));
        while !watched.is_finished() {
            tick.tick().await;
            watched.set_prefix(match client.rate_limit_wait() {
                Some(wait) => format!("waiting for the rate limit: {:.1} s", wait.as_secs_f64()),
                None => String::new(),
            });
        }
    });
    options.progress(move |p| {
        bar.set_length(p.total.max(1));
        bar.set_position(p.done);
        let phase = match p.phase {
            Phase::Preflight => "checking",
            Phase::Associating => "associating",
            Phase::RollingBack => "rolling back",
            Phase::Finished => "done",
            _ => "working",
        };
        bar.set_message(format!(
            "{phase}: {} associated, {} refused, {} rolled back, {} requests",
            p.associated, p.refused, p.rolled_back, p.requests
        ));
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::global_from;

    #[test]
    fn a_warning_after_the_run_is_closed_is_not_counted() {
        let global = global_from(&[]);
        let (subscriber, logs) = subscriber(&global);
        tracing::subscriber::with_default(subscriber, || {
            // One call site, logged while the run is open and again after it has closed.
            for _ in 0..2 {
                tracing::warn!("retrying");
                logs.close();
            }
        });
        assert_eq!(
            logs.summary().as_deref(),
            Some("note: 1 warning(s) (retries, lookups) during the run; -v shows them")
        );
    }
}
