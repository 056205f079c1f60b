//! Exit codes: 0 success; 1 the API (or pre-flight) refused the job or some numbers; 2 usage or
//! input error; 3 network or server failure after retries.

use std::process::ExitCode;

/// How a command ended, when it ran to the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything asked for was done.
    Success,
    /// Refused, in part or in whole.
    Refused,
    /// Network or server failure.
    Unavailable,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(match e {
            Exit::Success => 0,
            Exit::Refused => 1,
            Exit::Unavailable => 3,
        })
    }
}

/// A command that could not run: one line for stderr, and its exit code.
#[derive(Debug)]
pub struct Failure {
    /// The line.
    pub message: String,
    /// 1, 2 or 3.
    pub code: u8,
}

impl Failure {
    /// A usage or input error (2).
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            code: 2,
        }
    }

    /// A refusal by the API (1).
    pub fn refused(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            code: 1,
        }
    }

    /// A network or server failure (3).
    pub fn unavailable(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            code: 3,
        }
    }

    /// The failure of an API call: refusals are 1, network and server failures 3.
    pub fn from_api(error: telnyx_reputation::Error) -> Failure {
        match &error {
            telnyx_reputation::Error::Config(_) => Failure::usage(error.to_string()),
            e if e.is_transient() => {
                Failure::unavailable(format!("{error} (after retries; try again later)"))
            }
            _ => Failure::refused(error.to_string()),
        }
    }
}
