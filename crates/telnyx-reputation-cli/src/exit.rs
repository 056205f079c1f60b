//! The one exit model: every command ends in an [`Exit`], and every failure carries the
//! [`Exit`] it ends with. No exit code is written as a number anywhere else.

use std::process::ExitCode;

use telnyx_reputation::bulk::{BulkError, JournalError};

/// The exit codes, as `--help` shows them (kept beside [`Exit::code`], which they describe).
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0    success (also when a closed pipe ends the output early)
  1    the API refused the job, some numbers, or the credentials (401, enterprise not found)
  2    usage or input error (bad flag, missing or unreadable file, unreadable journal)
  3    network or server failure after retries, a malformed answer, or an outcome unknown
  4    an alert was raised (`report --fail-on LEVEL`, `--fail-on-ownership`)
  130  interrupted (Ctrl-C, SIGTERM or SIGHUP)";

/// How the process ends. Each variant has one documented code; see [`EXIT_CODES_HELP`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: everything asked for was done.
    Success,
    /// 1: the API refused the job, some of its numbers, or the credentials. The same code on
    /// every subcommand, whether the refusal is a rule, a 401 or an unknown enterprise.
    Refused,
    /// 2: the command line or its input is wrong; nothing was sent.
    Usage,
    /// 3: the network or the server failed after retries, the server answered something
    /// malformed, or whether a request took effect is unknown.
    Unavailable,
    /// 4: a report found what `--fail-on` or `--fail-on-ownership` asked to alert on.
    Alert,
    /// 130: the user interrupted the command (the shell's code for SIGINT).
    Interrupted,
}

impl Exit {
    /// The process exit code.
    pub const fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Refused => 1,
            Exit::Usage => 2,
            Exit::Unavailable => 3,
            Exit::Alert => 4,
            Exit::Interrupted => 130,
        }
    }

    /// The more serious of two outcomes, for commands that act on several numbers one by one:
    /// an interruption over a failure over a refusal over success.
    pub fn worse(self, other: Exit) -> Exit {
        let rank = |e: Exit| match e {
            Exit::Success => 0,
            Exit::Refused => 1,
            Exit::Alert => 2,
            Exit::Usage => 3,
            Exit::Unavailable => 4,
            Exit::Interrupted => 5,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e.code())
    }
}

/// A command that could not do what was asked: one line for stderr, and how the process ends.
#[derive(Debug)]
pub struct Failure {
    /// How the process ends.
    pub exit: Exit,
    /// The line for stderr; empty when there is nothing to say (a closed output pipe).
    pub message: String,
}

impl Failure {
    /// A failure ending with `exit`.
    pub fn new(exit: Exit, message: impl Into<String>) -> Failure {
        Failure {
            exit,
            message: message.into(),
        }
    }

    /// A usage or input error.
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::new(Exit::Usage, message)
    }

    /// A refusal by the API.
    pub fn refused(message: impl Into<String>) -> Failure {
        Failure::new(Exit::Refused, message)
    }

    /// A network or server failure, or an outcome unknown.
    pub fn unavailable(message: impl Into<String>) -> Failure {
        Failure::new(Exit::Unavailable, message)
    }

    /// The reader of our output went away (`| head`): stop quietly, as a success.
    pub fn closed_pipe() -> Failure {
        Failure::new(Exit::Success, String::new())
    }

    /// Writing the output failed: quietly when the pipe was closed, else an output error.
    pub fn from_write(error: std::io::Error) -> Failure {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            Failure::closed_pipe()
        } else {
            Failure::usage(format!("cannot write output: {error}"))
        }
    }

    /// The failure of an API call, by its kind: refusals (4xx but 408 and 429, including 401
    /// and an unknown enterprise) are [`Exit::Refused`]; network, server and protocol failures
    /// (a malformed, wrong-shape or HTML 2xx, a list that does not end, a redirect not followed)
    /// are [`Exit::Unavailable`]; a request or configuration we could not build is
    /// [`Exit::Usage`].
    pub fn from_api(error: telnyx_reputation::Error) -> Failure {
        use telnyx_reputation::Error;
        match &error {
            Error::Config(_) | Error::InvalidRequest { .. } => Failure::usage(error.to_string()),
            Error::Cancelled { .. } => Failure::new(Exit::Interrupted, error.to_string()),
            Error::Protocol { .. } | Error::Pagination { .. } => Failure::unavailable(format!(
                "{error} (the server's answer is not what the API documents)"
            )),
            // A redirect the client did not follow (to another origin): the API documents none.
            Error::Api(e) if (300..400).contains(&e.status) => Failure::unavailable(format!(
                "{error} (a redirect to another origin, not followed: the API documents none)"
            )),
            e if e.is_transient() => {
                Failure::unavailable(format!("{error} (after retries; try again later)"))
            }
            Error::Api(_) => Failure::refused(error.to_string()),
            _ => Failure::unavailable(error.to_string()),
        }
    }

    /// The failure of a bulk job that could not run or finish.
    pub fn from_bulk(error: BulkError) -> Failure {
        match &error {
            BulkError::Interrupted(_) => Failure::new(Exit::Interrupted, error.to_string()),
            BulkError::NotStarted(_) => Failure::usage(format!("{error}: start it again")),
            BulkError::NotUndoable(path, _) => Failure::usage(format!(
                "{error}: `telnyx-reputation resume {}` finishes it",
                crate::journals::quoted(path)
            )),
            // The journal could not be written mid-job: the job stopped where it was, with
            // requests perhaps in flight, for `resume` or `rollback` to finish once the file
            // can be written again.
            BulkError::Journal(JournalError::Poisoned { path, .. }) => Failure::unavailable(
                format!("{error}\n{}", crate::journals::after_write_failure(path)),
            ),
            // A journal that cannot be read, verified or created, one that another process is
            // running, or one of another endpoint: the user's to sort out; nothing was sent.
            BulkError::Journal(JournalError::Exists(_)) => Failure::usage(format!(
                "{error}; resume or roll back that job, or choose another path"
            )),
            BulkError::Journal(_) => Failure::usage(error.to_string()),
            // A kind of failure this build does not know yet: nothing to add to its words.
            _ => Failure::unavailable(error.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_documented_in_the_help() {
        for exit in [
            Exit::Success,
            Exit::Refused,
            Exit::Usage,
            Exit::Unavailable,
            Exit::Alert,
            Exit::Interrupted,
        ] {
            let line = format!("\n  {:<4} ", exit.code());
            assert!(EXIT_CODES_HELP.contains(&line), "{exit:?} undocumented");
        }
    }

    #[test]
    fn worse_prefers_failures_over_refusals_over_success() {
        assert_eq!(Exit::Success.worse(Exit::Refused), Exit::Refused);
        assert_eq!(Exit::Unavailable.worse(Exit::Refused), Exit::Unavailable);
        assert_eq!(Exit::Refused.worse(Exit::Success), Exit::Refused);
    }
}
