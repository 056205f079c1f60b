//! Why a job ended short of its promise ([`EndCause`]), and why a number's outcome stayed
//! undecided ([`FailureReason`]): typed, so that callers branch on the cause rather than on
//! words, with Display text that says what happened (and never what to run next: that is the
//! caller's to say).

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::patience::Stall;

/// Why a job ended short of its promise ([`JobReport::end`](super::JobReport::end)); `None`
/// there when nothing cut it short (refusals of numbers are in the report's lists, not here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EndCause {
    /// The API refused a request of the job as a whole (not number by number) for a reason
    /// that sending again cannot change; nothing more was sent.
    Rejected {
        /// The HTTP status, when the server answered.
        status: Option<u16>,
        /// The error, in words.
        detail: String,
    },
    /// The API refused the credentials or the enterprise (401, 403, or 404 on the billable
    /// call): nothing more, a rollback included, can be done with the same key.
    Denied {
        /// 401, 403 or 404.
        status: u16,
        /// The error, in words.
        detail: String,
        /// For an all-or-nothing job that therefore tried no rollback: how many numbers it had
        /// associated, which are still associated (listed as associated in the report).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        still_associated: Option<u64>,
    },
    /// No request of the job succeeded for the stall timeout: the job gave up on the server,
    /// with the outcome of what was in flight unknown and no rollback tried (it would stall
    /// too).
    Stalled {
        /// What the job kept getting, in words.
        detail: String,
    },
    /// The job's deadline passed: it ended as a stall does.
    Deadline {
        /// What the job kept getting, in words.
        detail: String,
    },
    /// The caller's token ([`BulkOptions::cancel_on`](super::BulkOptions::cancel_on)) stopped
    /// the job before every batch was sent.
    Cancelled,
    /// The caller's token stopped the rollback before every number was undone; the rest are
    /// listed as associated, for a rollback of the journal to undo.
    RollbackInterrupted,
    /// The rollback did not undo every number: those it could not undo or look up are
    /// reported failed, and may still be associated.
    RollbackIncomplete,
}

impl EndCause {
    /// The cause of a request's failure that ends the job: [`EndCause::Denied`] for a 401, 403
    /// or 404, else [`EndCause::Rejected`].
    pub(crate) fn of_error(e: &Error) -> EndCause {
        match e.status() {
            Some(status @ (401 | 403 | 404)) => EndCause::Denied {
                status,
                detail: e.to_string(),
                still_associated: None,
            },
            status => EndCause::Rejected {
                status,
                detail: e.to_string(),
            },
        }
    }

    /// The job gave up on the server: `stall` says which rule ended it, `detail` what it kept
    /// getting.
    pub(crate) fn gave_up(stall: &Stall, detail: String) -> EndCause {
        match stall {
            Stall::Deadline => EndCause::Deadline { detail },
            Stall::NoProgress(_) => EndCause::Stalled { detail },
        }
    }

    /// Whether the job gave up on the server ([`Stalled`](Self::Stalled) or
    /// [`Deadline`](Self::Deadline)): what was in flight has an unknown outcome.
    pub fn gave_up_on_server(&self) -> bool {
        matches!(self, EndCause::Stalled { .. } | EndCause::Deadline { .. })
    }

    /// The HTTP status of the answer that ended the job, when one did.
    pub fn status(&self) -> Option<u16> {
        match self {
            EndCause::Rejected { status, .. } => *status,
            EndCause::Denied { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl std::fmt::Display for EndCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EndCause::Rejected { detail, .. } => f.write_str(detail),
            EndCause::Denied {
                detail,
                still_associated: None,
                ..
            } => f.write_str(detail),
            EndCause::Denied {
                detail,
                still_associated: Some(0),
                ..
            } => write!(
                f,
                "{detail} (no rollback was tried with the credentials or enterprise the API refused; nothing was associated, so there is nothing to roll back)"
            ),
            EndCause::Denied {
                detail,
                still_associated: Some(n),
                ..
            } => write!(
                f,
                "{detail} (no rollback was tried with the credentials or enterprise the API refused; {n} numbers associated before it are still associated)"
            ),
            EndCause::Stalled { detail } | EndCause::Deadline { detail } => {
                write!(f, "outcome unknown: {detail}")
            }
            EndCause::Cancelled => f.write_str("interrupted before every batch was sent"),
            EndCause::RollbackInterrupted => {
                f.write_str("interrupted: the rollback stopped before it finished")
            }
            EndCause::RollbackIncomplete => f.write_str(
                "the rollback did not finish; the numbers reported failed may still be associated",
            ),
        }
    }
}

/// Why a number's outcome stayed undecided, or why it was not done
/// ([`NumberFailure::reason`](super::NumberFailure::reason)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FailureReason {
    /// Its request failed in a way that proves it was not applied (a refused key, a
    /// connection that never opened...), and the job did not send it again.
    NotApplied {
        /// The HTTP status, when the server answered.
        status: Option<u16>,
        /// The error, in words.
        detail: String,
    },
    /// Proved not applied after every send the job allowed
    /// ([`BulkOptions::resends`](super::BulkOptions::resends)); not sent again.
    ResendsUsedUp,
    /// Its request may or may not have been applied, and looking the number up failed: check
    /// before sending it again.
    LookupFailed {
        /// The HTTP status of the failed lookup, when the server answered.
        status: Option<u16>,
        /// The error, in words.
        detail: String,
    },
    /// Its request was refused, and the refused numbers could not be looked up to tell which
    /// were already associated.
    RefusedUnchecked {
        /// The HTTP status of the failed lookup, when the server answered.
        status: Option<u16>,
        /// The error, in words.
        detail: String,
    },
    /// The job built a request the API's rules refuse (a defect of this library); it was
    /// never sent.
    Invalid {
        /// The rule it broke.
        rule: String,
    },
    /// The rollback could not look the number up, so it could not tell whether to undo it:
    /// it may still be associated.
    RollbackLookupFailed {
        /// The HTTP status, when the server answered.
        status: Option<u16>,
        /// The error, in words.
        detail: String,
    },
    /// The rollback could not disassociate the number: it may still be associated.
    RollbackFailed {
        /// The HTTP status, when the server answered.
        status: Option<u16>,
        /// The error, in words.
        detail: String,
    },
}

impl FailureReason {
    /// Whether the number was proved not done ([`NotApplied`](Self::NotApplied),
    /// [`ResendsUsedUp`](Self::ResendsUsedUp)), rather than of unknown outcome.
    pub fn proved_not_done(&self) -> bool {
        matches!(
            self,
            FailureReason::NotApplied { .. } | FailureReason::ResendsUsedUp
        )
    }

    /// The HTTP status of the answer behind the failure, when the server gave one.
    pub fn status(&self) -> Option<u16> {
        match self {
            FailureReason::NotApplied { status, .. }
            | FailureReason::LookupFailed { status, .. }
            | FailureReason::RefusedUnchecked { status, .. }
            | FailureReason::RollbackLookupFailed { status, .. }
            | FailureReason::RollbackFailed { status, .. } => *status,
            FailureReason::ResendsUsedUp | FailureReason::Invalid { .. } => None,
        }
    }
}

impl std::fmt::Display for FailureReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FailureReason::NotApplied { detail, .. } => write!(f, "not applied: {detail}"),
            FailureReason::ResendsUsedUp => {
                f.write_str("not sent again: proved not applied after every send")
            }
            FailureReason::LookupFailed { detail, .. } => {
                write!(f, "outcome unknown and lookup failed: {detail}")
            }
            FailureReason::RefusedUnchecked { detail, .. } => write!(
                f,
                "refused, and the refused numbers could not be looked up: {detail}"
            ),
            FailureReason::Invalid { rule } => write!(f, "internal error: batch refused: {rule}"),
            FailureReason::RollbackLookupFailed { detail, .. } => {
                write!(f, "rollback could not look the number up: {detail}")
            }
            FailureReason::RollbackFailed { detail, .. } => write!(f, "rollback failed: {detail}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_and_reasons_round_trip_and_name_no_command() {
        let causes = [
            EndCause::Denied {
                status: 403,
                detail: "HTTP 403".into(),
                still_associated: Some(2),
            },
            EndCause::Stalled {
                detail: "no request succeeded for 1.0 s".into(),
            },
            EndCause::Cancelled,
            EndCause::RollbackInterrupted,
            EndCause::RollbackIncomplete,
        ];
        for cause in causes {
            let json = serde_json::to_string(&cause).unwrap();
            assert_eq!(serde_json::from_str::<EndCause>(&json).unwrap(), cause);
            let text = cause.to_string();
            assert!(!text.contains("run ") && !text.contains("--"), "{text}");
        }
        let reason = FailureReason::NotApplied {
            status: Some(401),
            detail: "HTTP 401".into(),
        };
        let json = serde_json::to_string(&reason).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"not_applied","status":401,"detail":"HTTP 401"}"#
        );
        assert_eq!(
            serde_json::from_str::<FailureReason>(&json).unwrap(),
            reason
        );
        assert!(reason.proved_not_done());
        assert_eq!(reason.status(), Some(401));
        assert!(!FailureReason::Invalid { rule: "x".into() }.proved_not_done());
    }
}
