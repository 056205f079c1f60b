//! Where long work is: progress bars (with a rate and an ETA) on a terminal, and the logs on
//! stderr. At the default verbosity the retry warnings of a run are counted, not printed, and
//! summed up in one line at the end; `-v` prints each; `-q` prints nothing but errors.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use telnyx_reputation::Client;
use telnyx_reputation::bulk::{BulkOptions, Phase};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::context::Global;

/// Counts the warnings a run logged without printing them.
#[derive(Clone, Default)]
pub struct Warnings(Arc<AtomicU64>);

impl Warnings {
    /// The one summary line, when warnings were counted and not shown.
    pub fn summary(&self) -> Option<String> {
        match self.0.load(Ordering::Relaxed) {
            0 => None,
            n => Some(format!(
                "note: {n} warning(s) (retries, lookups) during the run; -v shows them"
            )),
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for Warnings {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if *event.metadata().level() == tracing::Level::WARN {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Installs the logger for these flags; returns the warning counter when warnings are counted
/// rather than shown (the default verbosity).
pub fn init_logs(global: &Global) -> Option<Warnings> {
    let filter = match (global.quiet, global.verbose) {
        (true, _) => "error",
        (false, 0) => "error",
        (false, 1) => "warn,telnyx_reputation=info",
        _ => "debug",
    };
    let env =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| filter.into());
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_filter(env);
    let counted = (!global.quiet && global.verbose == 0).then(Warnings::default);
    let counter = counted
        .clone()
        .map(|w| w.with_filter(tracing_subscriber::filter::LevelFilter::WARN));
    // A second init (only in tests of this binary's functions) is harmless.
    let _ = tracing_subscriber::registry()
        .with(fmt)
        .with(counter)
        .try_init();
    counted
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
