//! Why an operation was refused, before [`crate::envelope::refusal`] makes it an HTTP answer.

use uuid::Uuid;

/// Why an operation was refused, before it becomes an HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Unknown enterprise (404).
    UnknownEnterprise(Uuid),
    /// Reputation not enabled for the enterprise, or not yet approved (403).
    NotApproved(Uuid),
    /// Reputation never enabled (or disabled) for the enterprise: no settings (404).
    NotEnabled(Uuid),
    /// The account has not agreed to the Number Reputation Terms of Service (403).
    TermsNotAgreed,
    /// Reputation is enabled for the enterprise already (400).
    AlreadyEnabled(Uuid),
    /// The activation is still pending approval (400, on a frequency change).
    Pending(Uuid),
    /// The body breaks the operation's schema (422): the field at fault, and why.
    Invalid {
        /// JSON pointer to the field, e.g. `/loa_document_id`.
        pointer: String,
        /// A sentence naming the rule.
        detail: String,
    },
    /// Numbers that have a remediation in flight (409): index in the request and number.
    InFlight(Vec<(usize, String)>),
    /// No remediation request with this id under the enterprise (404).
    UnknownRemediation(Uuid),
    /// The number is not associated (404).
    NotAssociated(String),
    /// Numbers refused by the associate rules (400), in request order.
    Numbers(Vec<NumberRefusal>),
    /// The request's list of numbers as a whole is refused (400).
    Batch(BatchRefusal),
    /// The number was removed from monitoring: it cannot be confirmed or flagged (409).
    Removed(String),
    /// The enterprise's ownership proof is approved and cannot be changed (409).
    ProofApproved(Uuid),
    /// The enterprise has submitted no ownership proof (404).
    NoProof(Uuid),
    /// The enterprise's ownership proof is not under review (409, admin review only).
    NotUnderReview(Uuid),
}

/// One number an associate refused, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberRefusal {
    /// Its index in the request (the error's pointer is `/phone_numbers/<index>`).
    pub index: usize,
    /// The number as sent.
    pub number: String,
    /// The rule it broke.
    pub rule: NumberRule,
    /// A sentence naming the number and the rule.
    pub detail: String,
}

/// The associate rules a single number can break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberRule {
    /// Not a number the API takes (a valid US local or toll-free number in E.164, and US local
    /// when hosted elsewhere); the code is `telnyx-e164`'s (`missing_plus`, `non_us`,
    /// `toll_free`, ...).
    Invalid(&'static str),
    /// The number appears earlier in the same request.
    Duplicate,
    /// The account does not have the number in service.
    NotOwned,
    /// The number is associated with an enterprise already.
    AlreadyAssociated,
    /// The number is hosted elsewhere and the enterprise's ownership proof is not approved.
    ExternalVerificationRequired,
}

impl NumberRule {
    /// The error code the answer carries.
    pub fn code(self) -> &'static str {
        match self {
            NumberRule::Invalid(code) => code,
            NumberRule::Duplicate => "duplicate",
            NumberRule::NotOwned => "not_owned",
            NumberRule::AlreadyAssociated => "already_associated",
            NumberRule::ExternalVerificationRequired => "external_verification_required",
        }
    }
}

/// The rules the list of numbers as a whole can break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchRefusal {
    /// No numbers.
    Empty,
    /// More numbers than one request may carry (this many).
    TooMany(usize),
}

impl BatchRefusal {
    /// The error code the answer carries.
    pub fn code(self) -> &'static str {
        match self {
            BatchRefusal::Empty => "empty",
            BatchRefusal::TooMany(_) => "too_many",
        }
    }

    /// A sentence saying what was wrong.
    pub fn detail(self) -> String {
        match self {
            BatchRefusal::Empty => "phone_numbers must hold at least one number".into(),
            BatchRefusal::TooMany(n) => format!(
                "phone_numbers holds {n} numbers; at most {} are accepted",
                telnyx_e164::Batch::MAX_SIZE
            ),
        }
    }
}
