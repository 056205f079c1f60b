//! The billing ledger: every event Telnyx would bill, counted by kind, so that a test can
//! assert that a command billed exactly what it said it would.

use serde::{Deserialize, Serialize};

/// Billable events since the emulator started or its state was last reset
/// (`DELETE /__mock/state`). Shown under `billing` in `GET /__mock/state`, and by
/// [`crate::MockHandle::billing`].
///
/// ```
/// let ledger = telnyx_reputation_mock::Billing { associate: 3, fresh_read: 1, ..Default::default() };
/// assert_eq!(ledger.checks(), 4);
/// assert_eq!(ledger.total(), 4);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Billing {
    /// Reputation enabled for an enterprise (the monthly fee starts).
    pub enable: u64,
    /// Numbers associated (one check each).
    pub associate: u64,
    /// Numbers refreshed successfully (one check each).
    pub refresh: u64,
    /// Reads with `fresh=true` (one check each).
    pub fresh_read: u64,
    /// Reads without `fresh` of a number that had no cached data (one check each).
    pub uncached_read: u64,
    /// Numbers submitted for remediation (ineligible ones are not).
    pub remediation: u64,
}

impl Billing {
    /// The reputation checks among these events ($0.10 each): associate, refresh, fresh and
    /// first reads.
    pub fn checks(&self) -> u64 {
        self.associate
            .saturating_add(self.refresh)
            .saturating_add(self.fresh_read)
            .saturating_add(self.uncached_read)
    }

    /// Every billable event.
    pub fn total(&self) -> u64 {
        self.checks()
            .saturating_add(self.enable)
            .saturating_add(self.remediation)
    }
}

/// The API's operations, for the ledger's per-operation view ([`Billing::by_operation`]). An
/// operation offered in both scopes (per enterprise and account-wide) is one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// `POST /terms_of_service/number_reputation/agree`.
    AgreeToTerms,
    /// `POST /enterprises/{id}/reputation` (billed: `enable`).
    EnableReputation,
    /// `GET /enterprises/{id}/reputation`.
    GetSettings,
    /// `DELETE /enterprises/{id}/reputation`.
    DisableReputation,
    /// `PATCH /enterprises/{id}/reputation/frequency`.
    UpdateFrequency,
    /// `POST /enterprises/{id}/reputation/loa`.
    RenderLoa,
    /// `PATCH /enterprises/{id}/reputation/loa`.
    ReplaceLoa,
    /// `GET .../reputation/numbers`, both scopes.
    ListNumbers,
    /// `POST /enterprises/{id}/reputation/numbers` (billed: `associate`, per number).
    AssociateNumbers,
    /// `POST /enterprises/{id}/reputation/numbers/refresh` (billed: `refresh`, per number).
    RefreshNumbers,
    /// `GET .../reputation/numbers/{n}`, both scopes (billed: `fresh_read`, `uncached_read`).
    GetNumber,
    /// `DELETE .../reputation/numbers/{n}`, both scopes.
    DisassociateNumber,
    /// `POST /enterprises/{id}/reputation/remediation` (billed: `remediation`, per number).
    SubmitRemediation,
    /// `GET /enterprises/{id}/reputation/remediation`.
    ListRemediations,
    /// `GET /enterprises/{id}/reputation/remediation/{rid}`.
    GetRemediation,
    /// `PATCH /enterprises/{id}/reputation/webhook` (October 2026).
    UpdateWebhook,
    /// `POST /enterprises/{id}/reputation/external_verification` (October 2026).
    SubmitExternalVerification,
    /// `GET /enterprises/{id}/reputation/external_verification` (October 2026).
    GetExternalVerification,
    /// `GET /enterprises/{id}/reputation/numbers/{n}/ownership` (October 2026).
    GetOwnership,
    /// `POST /enterprises/{id}/reputation/numbers/{n}/ownership_confirm` (October 2026).
    ConfirmOwnership,
}

impl Operation {
    /// Every operation, in the order of [`Billing::by_operation`].
    pub const ALL: [Operation; 20] = [
        Operation::AgreeToTerms,
        Operation::EnableReputation,
        Operation::GetSettings,
        Operation::DisableReputation,
        Operation::UpdateFrequency,
        Operation::RenderLoa,
        Operation::ReplaceLoa,
        Operation::ListNumbers,
        Operation::AssociateNumbers,
        Operation::RefreshNumbers,
        Operation::GetNumber,
        Operation::DisassociateNumber,
        Operation::SubmitRemediation,
        Operation::ListRemediations,
        Operation::GetRemediation,
        Operation::UpdateWebhook,
        Operation::SubmitExternalVerification,
        Operation::GetExternalVerification,
        Operation::GetOwnership,
        Operation::ConfirmOwnership,
    ];

    /// The operation a request of `method` to the route `route` (its template, as the router
    /// matched it: `/enterprises/{enterprise_id}/reputation/numbers`) calls, if any.
    pub(crate) fn of_route(method: &axum::http::Method, route: &str) -> Option<Operation> {
        use axum::http::Method;
        const E: &str = "/enterprises/{enterprise_id}/reputation";
        let tail = route.strip_prefix(E);
        let op = match (method, tail, route) {
            (&Method::POST, _, "/terms_of_service/number_reputation/agree") => {
                Operation::AgreeToTerms
            }
            (&Method::POST, Some(""), _) => Operation::EnableReputation,
            (&Method::GET, Some(""), _) => Operation::GetSettings,
            (&Method::DELETE, Some(""), _) => Operation::DisableReputation,
            (&Method::PATCH, Some("/frequency"), _) => Operation::UpdateFrequency,
            (&Method::POST, Some("/loa"), _) => Operation::RenderLoa,
            (&Method::PATCH, Some("/loa"), _) => Operation::ReplaceLoa,
            (&Method::GET, Some("/numbers"), _) | (&Method::GET, _, "/reputation/numbers") => {
                Operation::ListNumbers
            }
            (&Method::POST, Some("/numbers"), _) => Operation::AssociateNumbers,
            (&Method::POST, Some("/numbers/refresh"), _) => Operation::RefreshNumbers,
            (&Method::GET, Some("/numbers/{phone_number}"), _)
            | (&Method::GET, _, "/reputation/numbers/{phone_number}") => Operation::GetNumber,
            (&Method::DELETE, Some("/numbers/{phone_number}"), _)
            | (&Method::DELETE, _, "/reputation/numbers/{phone_number}") => {
                Operation::DisassociateNumber
            }
            (&Method::POST, Some("/remediation"), _) => Operation::SubmitRemediation,
            (&Method::GET, Some("/remediation"), _) => Operation::ListRemediations,
            (&Method::GET, Some("/remediation/{remediation_id}"), _) => Operation::GetRemediation,
            (&Method::PATCH, Some("/webhook"), _) => Operation::UpdateWebhook,
            (&Method::POST, Some("/external_verification"), _) => {
                Operation::SubmitExternalVerification
            }
            (&Method::GET, Some("/external_verification"), _) => Operation::GetExternalVerification,
            (&Method::GET, Some("/numbers/{phone_number}/ownership"), _) => Operation::GetOwnership,
            (&Method::POST, Some("/numbers/{phone_number}/ownership_confirm"), _) => {
                Operation::ConfirmOwnership
            }
            _ => return None,
        };
        Some(op)
    }

    /// The events of `billing` this operation was billed for, or `None` when Telnyx does not
    /// bill it at all (the five operations of October 2026 among them: none is marked
    /// billable).
    pub fn billed(self, billing: &Billing) -> Option<u64> {
        match self {
            Operation::EnableReputation => Some(billing.enable),
            Operation::AssociateNumbers => Some(billing.associate),
            Operation::RefreshNumbers => Some(billing.refresh),
            Operation::GetNumber => Some(billing.fresh_read.saturating_add(billing.uncached_read)),
            Operation::SubmitRemediation => Some(billing.remediation),
            _ => None,
        }
    }
}

/// One operation's line of the ledger's per-operation view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationBilling {
    /// The operation.
    pub operation: Operation,
    /// Whether Telnyx bills it.
    pub billable: bool,
    /// Events billed for it so far (always 0 when not billable).
    pub billed: u64,
}

impl Billing {
    /// Every operation with what it was billed: the billable ones with their counts, the
    /// others (reads, settings, and the five ownership operations of October 2026) marked
    /// not billable at zero. `GET /__mock/billing/operations` answers it.
    ///
    /// ```
    /// use telnyx_reputation_mock::{Billing, Operation};
    /// let view = Billing { associate: 2, ..Default::default() }.by_operation();
    /// let line = |op| view.iter().find(|l| l.operation == op).copied().unwrap();
    /// assert_eq!((line(Operation::AssociateNumbers).billable, line(Operation::AssociateNumbers).billed), (true, 2));
    /// assert_eq!((line(Operation::ConfirmOwnership).billable, line(Operation::ConfirmOwnership).billed), (false, 0));
    /// ```
    pub fn by_operation(&self) -> Vec<OperationBilling> {
        Operation::ALL
            .iter()
            .map(|&operation| {
                let billed = operation.billed(self);
                OperationBilling {
                    operation,
                    billable: billed.is_some(),
                    billed: billed.unwrap_or(0),
                }
            })
            .collect()
    }
}
