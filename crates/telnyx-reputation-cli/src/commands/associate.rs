//! `associate`: the main job. Inputs from arguments, a file, stdin or a CSV column; pre-flight,
//! batches, all-or-nothing or best effort, journal, progress, report.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};
use telnyx_reputation::bulk::{BulkOptions, Mode, Outcome, Parsing, Phase, Report};
use uuid::Uuid;

use crate::context::{Global, Output};
use crate::exit::{Exit, Failure};

/// Above this many numbers, associating against the real API asks first.
const CONFIRM_ABOVE: usize = 1000;

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

fn read_inputs(args: &Args) -> Result<Vec<String>, Failure> {
    let source: Option<Box<dyn BufRead>> = match args.inputs.as_slice() {
        [one] if one == "-" => Some(Box::new(std::io::stdin().lock())),
        [one] if !one.trim_start().starts_with('+') && std::path::Path::new(one).is_file() => {
            let f = std::fs::File::open(one)
                .map_err(|e| Failure::usage(format!("cannot read {one}: {e}")))?;
            Some(Box::new(std::io::BufReader::new(f)))
        }
        [] if args.column.is_some() => Some(Box::new(std::io::stdin().lock())),
        [] => {
            return Err(Failure::usage(
                "no numbers: give numbers, a FILE, or - for stdin",
            ));
        }
        _ => None,
    };
    let Some(reader) = source else {
        return Ok(args.inputs.clone());
    };
    let mut lines = reader.lines();
    let mut out = Vec::new();
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
    for line in lines {
        let line = line.map_err(|e| Failure::usage(format!("cannot read input: {e}")))?;
        let value = match column {
            None => line.trim().to_owned(),
            Some(i) => line
                .split(',')
                .nth(i)
                .unwrap_or("")
                .trim()
                .trim_matches('"')
                .to_owned(),
        };
        if !value.is_empty() {
            out.push(value);
        }
    }
    Ok(out)
}

/// Runs `associate`.
pub async fn run(args: Args, global: &Global) -> Result<Exit, Failure> {
    let inputs = read_inputs(&args)?;
    let parsing = if args.strict {
        Parsing::Strict
    } else {
        Parsing::Lenient
    };
    if args.dry_run {
        let batch_check = inputs.iter().map(|s| match parsing {
            Parsing::Strict => telnyx_e164::UsLocalNumber::parse_strict(s),
            Parsing::Lenient => telnyx_e164::UsLocalNumber::parse_lenient(s),
        });
        let mut bad = 0;
        for (i, r) in batch_check.enumerate() {
            if let Err(e) = r {
                bad += 1;
                println!("#{i} {:?}: {}: {}", e.input, e.code(), e.reason);
            }
        }
        println!(
            "dry run: {} inputs, {} refused at pre-flight; nothing sent",
            inputs.len(),
            bad
        );
        return Ok(if bad == 0 {
            Exit::Success
        } else {
            Exit::Refused
        });
    }
    let session = global.session().await?;
    if inputs.len() > CONFIRM_ABOVE {
        global.confirm_billable(
            &session.client,
            &format!("associating {} numbers", inputs.len()),
        )?;
    }
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
    let bar = progress_bar(inputs.len() as u64);
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
    let result = session
        .client
        .associate_all(args.enterprise, &inputs, options)
        .await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    session.close().await;
    let report = result.map_err(|e| Failure::usage(e.to_string()))?;
    print_report(&report, global.output);
    Ok(exit_of(&report))
}

fn progress_bar(total: u64) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(total);
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
        Output::Json => println!(
            "{}",
            serde_json::to_string_pretty(report).unwrap_or_default()
        ),
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
