//! `associate`: the main job. Inputs from arguments, a file, stdin or a CSV column; pre-flight,
//! batches, all-or-nothing or best effort, journal, progress, report.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};
use telnyx_reputation::bulk::{BulkOptions, Mode, Outcome, Parsing, Phase, Report};
use uuid::Uuid;

use crate::context::{Global, Output};
use crate::exit::{Exit, Failure};

/// Above this many numbers, associating against the real API asks first.
const CONFIRM_ABOVE: u64 = 1000;

/// How refusals affect the job.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ModeArg {
    /// Every number, or none (the default).
    AllOrNothing,
    /// Every number that can be.
    BestEffort,
}

/// Arguments of `associate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The enterprise (UUID).
    #[arg(long)]
    enterprise: Uuid,
    /// Numbers, or one FILE (one number a line), or `-` for standard input.
    inputs: Vec<String>,
    /// Read the numbers from this CSV column (by header name) of FILE or stdin.
    #[arg(long)]
    column: Option<String>,
    /// What a refusal does to the job.
    #[arg(long, value_enum, default_value_t = ModeArg::AllOrNothing)]
    mode: ModeArg,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Numbers per request (1–100).
    #[arg(long, default_value_t = 100)]
    batch_size: usize,
    /// Write-ahead journal, for `resume` and `rollback` after a crash.
    #[arg(long)]
    journal: Option<PathBuf>,
    /// Pre-flight only: report what would be sent, send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Accept only `+` and digits (by default human US forms are read and sent canonical).
    #[arg(long)]
    strict: bool,
}

/// Where [`Inputs`] leaves a read error, for the caller to report before anything is sent.
type ReadError = std::rc::Rc<std::cell::RefCell<Option<std::io::Error>>>;

/// The inputs, read lazily: one value a line (or a CSV column), blank lines skipped. A read
/// error ends the stream and is kept in `error`.
struct Inputs {
    lines: Box<dyn Iterator<Item = std::io::Result<String>>>,
    column: Option<usize>,
    error: ReadError,
}

impl Iterator for Inputs {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        loop {
            let line = match self.lines.next()? {
                Ok(line) => line,
                Err(e) => {
                    *self.error.borrow_mut() = Some(e);
                    return None;
                }
            };
            let value = match self.column {
                None => line.trim(),
                Some(i) => line
                    .split(',')
                    .nth(i)
                    .unwrap_or("")
                    .trim()
                    .trim_matches('"'),
            };
            if !value.is_empty() {
                return Some(value.to_owned());
            }
        }
    }
}

/// Opens the inputs: numbers given as arguments, or one FILE, or `-` for stdin. Nothing is
/// collected: a file of any size is read line by line as the job's pre-flight consumes it.
fn open_inputs(args: &Args) -> Result<(Inputs, ReadError), Failure> {
    let source: Option<Box<dyn BufRead>> = match args.inputs.as_slice() {
        [one] if one == "-" => Some(Box::new(std::io::BufReader::new(std::io::stdin()))),
        [one] if !one.trim_start().starts_with('+') && std::path::Path::new(one).is_file() => {
            let f = std::fs::File::open(one)
                .map_err(|e| Failure::usage(format!("cannot read {one}: {e}")))?;
            Some(Box::new(std::io::BufReader::with_capacity(1 << 16, f)))
        }
        [] if args.column.is_some() => Some(Box::new(std::io::BufReader::new(std::io::stdin()))),
        [] => {
            return Err(Failure::usage(
                "no numbers: give numbers, a FILE, or - for stdin",
            ));
        }
        _ => None,
    };
    let error: ReadError = Default::default();
    let Some(reader) = source else {
        let given: Vec<std::io::Result<String>> = args.inputs.iter().cloned().map(Ok).collect();
        let inputs = Inputs {
            lines: Box::new(given.into_iter()),
            column: None,
            error: error.clone(),
        };
        return Ok((inputs, error));
    };
    let mut lines = reader.lines();
    let column = match &args.column {
        None => None,
        Some(name) => {
            let header = lines
                .next()
                .transpose()
                .map_err(|e| Failure::usage(format!("cannot read input: {e}")))?
                .unwrap_or_default();
            let index = header
                .split(',')
                .position(|h| h.trim().trim_matches('"') == name)
                .ok_or_else(|| {
                    Failure::usage(format!("no column {name:?} in the CSV header {header:?}"))
                })?;
            Some(index)
        }
    };
    let inputs = Inputs {
        lines: Box::new(lines),
        column,
        error: error.clone(),
    };
    Ok((inputs, error))
}

fn read_failed(error: &ReadError) -> Result<(), Failure> {
    match error.borrow_mut().take() {
        Some(e) => Err(Failure::usage(format!(
            "cannot read input: {e}; nothing was sent"
        ))),
        None => Ok(()),
    }
}

/// Runs `associate`.
pub async fn run(args: Args, global: &Global) -> Result<Exit, Failure> {
    let (inputs, read_error) = open_inputs(&args)?;
    let parsing = if args.strict {
        Parsing::Strict
    } else {
        Parsing::Lenient
    };
    if args.dry_run {
        let mut bad = 0u64;
        let mut count = 0u64;
        for (i, input) in inputs.enumerate() {
            count += 1;
            let checked = match parsing {
                Parsing::Strict => telnyx_e164::UsLocalNumber::parse_strict(&input),
                Parsing::Lenient => telnyx_e164::UsLocalNumber::parse_lenient(&input),
            };
            if let Err(e) = checked {
                bad += 1;
                println!("#{i} {:?}: {}: {}", e.input, e.code(), e.reason);
            }
        }
        read_failed(&read_error)?;
        println!("dry run: {count} inputs, {bad} refused at pre-flight; nothing sent");
        return Ok(if bad == 0 {
            Exit::Success
        } else {
            Exit::Refused
        });
    }
    let session = global.session().await?;
    let mut options = BulkOptions::default()
        .mode(match args.mode {
            ModeArg::AllOrNothing => Mode::AllOrNothing,
            ModeArg::BestEffort => Mode::BestEffort,
        })
        .batch_size(args.batch_size)
        .concurrency(args.concurrency)
        .parsing(parsing);
    if let Some(path) = &args.journal {
        options = options.journal(path);
    }
    let bar = progress_bar();
    if let Some(bar) = bar.clone() {
        options = options.progress(move |p| {
            bar.set_length(p.total.max(1));
            bar.set_position(p.done);
            let phase = match p.phase {
                Phase::Preflight => "checking",
                Phase::Associating => "associating",
                Phase::RollingBack => "rolling back",
                Phase::Finished => "done",
            };
            bar.set_message(format!(
                "{phase}: {} associated, {} refused, {} requests",
                p.associated, p.refused, p.requests
            ));
        });
    }
    // Pre-flight reads the inputs as a stream; nothing is sent until `run`.
    let job = session.client.prepare_all(args.enterprise, inputs, options);
    read_failed(&read_error)?;
    if job.will_send() && job.valid() > CONFIRM_ABOVE {
        global.confirm_billable(
            &session.client,
            &format!("associating {} numbers", job.valid()),
        )?;
    }
    let result = job.run().await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    session.close().await;
    let report = result.map_err(|e| Failure::usage(e.to_string()))?;
    print_report(&report, global.output);
    Ok(exit_of(&report))
}

fn progress_bar() -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    Some(bar)
}

/// The exit code a report means.
pub fn exit_of(report: &Report) -> Exit {
    match report.outcome {
        Outcome::Completed => Exit::Success,
        Outcome::Partial | Outcome::Refused | Outcome::RolledBack => {
            if report.refused.is_empty() && !report.failed.is_empty() {
                Exit::Unavailable
            } else {
                Exit::Refused
            }
        }
        Outcome::Failed => Exit::Unavailable,
    }
}

/// Prints a report as a table, JSON or CSV.
pub fn print_report(report: &Report, output: Output) {
    match output {
        Output::Json => {
            // Written as it is serialized: a report of a million numbers is never one string.
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let _ = serde_json::to_writer_pretty(&mut out, report);
            let _ = writeln!(out);
        }
        Output::Csv => {
            println!("number,status,code,detail");
            for n in &report.associated {
                println!("{n},associated,,");
            }
            for n in &report.already_associated {
                println!("{n},already_associated,,");
            }
            for r in &report.refused {
                println!(
                    "{},refused,{},\"{}\"",
                    r.input,
                    r.code,
                    r.detail.replace('"', "'")
                );
            }
            for f in &report.failed {
                println!("{},failed,,\"{}\"", f.number, f.reason.replace('"', "'"));
            }
        }
        Output::Table => {
            println!("job          {}", report.job_id);
            println!("enterprise   {}", report.enterprise_id);
            println!("mode         {:?}", report.mode);
            println!("outcome      {}", report.outcome.as_str());
            println!(
                "inputs       {} ({} valid, {} duplicates dropped)",
                report.inputs,
                report.valid,
                report.duplicates.len()
            );
            println!("associated   {}", report.associated.len());
            println!("already      {}", report.already_associated.len());
            println!("refused      {}", report.refused.len());
            println!("failed       {}", report.failed.len());
            println!("not sent     {}", report.not_sent);
            println!("rolled back  {}", report.rolled_back);
            println!("requests     {}", report.requests);
            for r in report.refused.iter().take(50) {
                let at = r.index.map(|i| format!("#{i} ")).unwrap_or_default();
                println!("  refused {at}{}: {}: {}", r.input, r.code, r.detail);
            }
            if report.refused.len() > 50 {
                println!(
                    "  ... {} more refused (use --output json for all)",
                    report.refused.len() - 50
                );
            }
            for d in report.duplicates.iter().take(10) {
                println!(
                    "  duplicate #{} {} (same as #{})",
                    d.index, d.input, d.first_index
                );
            }
            if let Some(e) = &report.error {
                println!("error        {e}");
            }
        }
    }
}
