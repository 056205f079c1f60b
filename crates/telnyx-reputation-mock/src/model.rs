//! The emulator's wire shapes, written from the October 2026 edition of the API (the July
//! edition, `number-reputation-12de4dd.yml`, and what `edition-2026-10.md` adds: the number's
//! `source` and ownership fields, the settings' `external_verification_status` and
//! `webhook_url`, ownership proof, the ownership tracking detail and the three webhook events)
//! rather than taken from the generated client: the client is generated from whichever edition
//! `spec/` holds, and the emulator must answer the current one whatever that is. The conformance
//! run checks these shapes against the spec.
//!
//! Optional fields of the number record, the ownership detail and the ownership proof are left
//! out when unset (`confirm_by`, `flag_reason`, `removal_reason`, `removed_at`, `reviewed_at`,
//! `rejection_reason`); the settings' two new fields are written as `null` when unset, as the
//! documentation says.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `ReputationData`: a number's reputation snapshot. Every field is written, `null` included,
/// because upstream says its field set may grow and clients should read it by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReputationData {
    /// The coarse spam-risk bucket; `None` when the feed has too little data.
    pub spam_risk: Option<SpamRisk>,
    /// The feed's category label when the number is flagged.
    pub spam_category: Option<String>,
    /// 0–100, or `None` when data is insufficient.
    pub maturity_score: Option<i64>,
    /// 0–100, or `None` when data is insufficient.
    pub connection_score: Option<i64>,
    /// 0–100, or `None` when data is insufficient.
    pub engagement_score: Option<i64>,
    /// 0–100, or `None` when data is insufficient.
    pub sentiment_score: Option<i64>,
    /// When the data was last collected (a billable check).
    pub last_refreshed_at: Option<DateTime<Utc>>,
}

/// `ReputationData.spam_risk`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpamRisk {
    /// Not flagged.
    Low,
    /// Flagged by some carriers or analytics.
    Medium,
    /// Likely labelled as spam.
    High,
}

/// `ReputationPhoneNumber`: one monitored (or removed) number, as list, get, associate and
/// `ownership_confirm` return it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneNumberRecord {
    /// Record id.
    pub id: Uuid,
    /// E.164 with its `+`.
    pub phone_number: String,
    /// The enterprise that monitors it.
    pub enterprise_id: Uuid,
    /// When it was associated.
    pub created_at: DateTime<Utc>,
    /// When it last changed (a refresh or an ownership change included).
    pub updated_at: DateTime<Utc>,
    /// Where the number is hosted.
    pub source: NumberSource,
    /// Where its ownership checks stand.
    pub ownership_status: OwnershipStatus,
    /// The deadline to confirm ownership; only while `pending_confirmation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_by: Option<DateTime<Utc>>,
    /// Why its ownership was flagged; while `pending_confirmation` or `flagged`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag_reason: Option<FlagReason>,
    /// Why it was removed; only when `removed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removal_reason: Option<RemovalReason>,
    /// When it was removed; only when `removed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed_at: Option<DateTime<Utc>>,
    /// Cached data; `None` until the first check. Left out of associate's answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reputation_data: Option<ReputationData>,
}

/// `ReputationNumberSource`: where a number is hosted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberSource {
    /// In the account's Telnyx inventory (US local or toll-free).
    Telnyx,
    /// Owned by the enterprise but hosted with another provider (US local only; needs the
    /// enterprise's ownership proof approved).
    External,
}

impl NumberSource {
    /// The wire word.
    pub fn as_str(self) -> &'static str {
        match self {
            NumberSource::Telnyx => "telnyx",
            NumberSource::External => "external",
        }
    }
}

/// `ReputationOwnershipStatus`: the result of the ownership checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnershipStatus {
    /// With the carrier on record (every number starts here).
    Verified,
    /// A periodic re-verification went unanswered: still monitored, confirm to verify again.
    Flagged,
    /// The carrier changed or a re-verification is due: confirm before `confirm_by`.
    PendingConfirmation,
    /// No longer monitored.
    Removed,
}

impl OwnershipStatus {
    /// The wire word.
    pub fn as_str(self) -> &'static str {
        match self {
            OwnershipStatus::Verified => "verified",
            OwnershipStatus::Flagged => "flagged",
            OwnershipStatus::PendingConfirmation => "pending_confirmation",
            OwnershipStatus::Removed => "removed",
        }
    }
}

/// Why a number's ownership was flagged (the `number.flagged` event's enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagReason {
    /// An ownership check found the number with a different carrier.
    CarrierChanged,
    /// The periodic ownership re-verification is due.
    ReverificationDue,
}

impl FlagReason {
    /// The wire word.
    pub fn as_str(self) -> &'static str {
        match self {
            FlagReason::CarrierChanged => "carrier_changed",
            FlagReason::ReverificationDue => "reverification_due",
        }
    }
}

/// Why a number was removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemovalReason {
    /// `still_own: false` after a carrier change.
    PortedAway,
    /// A carrier change not confirmed by `confirm_by`.
    UnconfirmedOwnership,
    /// Reported permanently disconnected.
    Reassigned,
    /// `still_own: false` otherwise.
    CustomerReported,
    /// Disassociated (DELETE); the only reason no webhook announces.
    CustomerRemoved,
}

impl RemovalReason {
    /// The wire word.
    pub fn as_str(self) -> &'static str {
        match self {
            RemovalReason::PortedAway => "ported_away",
            RemovalReason::UnconfirmedOwnership => "unconfirmed_ownership",
            RemovalReason::Reassigned => "reassigned",
            RemovalReason::CustomerReported => "customer_reported",
            RemovalReason::CustomerRemoved => "customer_removed",
        }
    }
}

/// `ExternalVerificationStatus`: the review state of an enterprise's ownership proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExternalVerificationStatus {
    /// Submitted, not yet reviewed.
    Pending,
    /// Accepted: numbers hosted elsewhere can be associated.
    Approved,
    /// Refused, with a `rejection_reason`; a new submission replaces it.
    Rejected,
}

/// `ExternalVerificationWrapped.data`: an enterprise's ownership proof and its review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalVerification {
    /// The enterprise.
    pub enterprise_id: Uuid,
    /// The documents on file.
    pub document_ids: Vec<String>,
    /// The numbers listed with the documents (empty when none were).
    pub phone_numbers: Vec<String>,
    /// The review state.
    pub status: ExternalVerificationStatus,
    /// When the documents were (last) submitted.
    pub submitted_at: DateTime<Utc>,
    /// When the review ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_at: Option<DateTime<Utc>>,
    /// Why it was rejected; only when `rejected`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
}

/// The kinds of ownership history events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnershipEventType {
    /// Associated (again); the baseline carrier recorded.
    Added,
    /// An ownership check (a carrier change or a disconnection found).
    Check,
    /// Flagged: a confirmation asked for, or a deadline passed unanswered.
    Flag,
    /// `ownership_confirm` answered.
    Confirm,
    /// Removed from monitoring.
    Removed,
}

/// One entry of the ownership tracking history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnershipHistoryEntry {
    /// What happened.
    pub event_type: OwnershipEventType,
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// What it found or did (`verified`, `carrier_changed`, `reverification_due`,
    /// `disconnected`, `unconfirmed`, `still_own`, `not_owned`, or the removal reason).
    pub outcome: String,
}

/// `NumberRetrieveOwnershipResponse.data`: a number's ownership tracking detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnershipDetail {
    /// The number.
    pub phone_number: String,
    /// Where it is hosted.
    pub source: NumberSource,
    /// Where its checks stand.
    pub ownership_status: OwnershipStatus,
    /// SPID of the carrier that held it when its ownership was last established.
    pub baseline_carrier: String,
    /// When that baseline was recorded.
    pub baseline_recorded_at: DateTime<Utc>,
    /// When its ownership was last checked.
    pub last_checked_at: DateTime<Utc>,
    /// The confirmation deadline; only while `pending_confirmation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_by: Option<DateTime<Utc>>,
    /// Why it was flagged; while `pending_confirmation` or `flagged`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag_reason: Option<FlagReason>,
    /// The ownership events, most recent first.
    pub history: Vec<OwnershipHistoryEntry>,
}

/// `number-reputation_PaginationMeta`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageMeta {
    /// 1-based index of this page.
    pub page_number: u64,
    /// Rows in this page's `data` (at most 250).
    pub page_size: u64,
    /// Rows across every page.
    pub total_results: u64,
    /// Pages at the requested size.
    pub total_pages: u64,
}

/// A page of rows with its `meta`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The rows.
    pub data: Vec<T>,
    /// Where the page is.
    pub meta: PageMeta,
}

/// `{"data": ...}`, the wrapper of single-resource answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wrapped<T> {
    /// The resource.
    pub data: T,
}

/// `ReputationStatus`: where an enterprise's activation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReputationStatus {
    /// Enabled, vetting not finished.
    Pending,
    /// Vetted; numbers can be associated.
    Approved,
    /// Disabled.
    Deleted,
    /// Vetting refused it.
    Rejected,
}

/// `ReputationLoaStatusPublic`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoaStatus {
    /// Not yet reviewed.
    Pending,
    /// Accepted.
    Approved,
    /// Refused.
    Rejected,
}

/// `ReputationCheckFrequency`: how often the stored data is refreshed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckFrequency {
    /// Every business day (the default).
    #[default]
    BusinessDaily,
    /// Every day.
    Daily,
    /// Every week.
    Weekly,
    /// Every two weeks.
    Biweekly,
    /// Every month.
    Monthly,
    /// Never automatically.
    Never,
}

/// `EnterpriseReputationPublic`: an enterprise's reputation settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// The enterprise.
    pub enterprise_id: Uuid,
    /// The activation's status.
    pub status: ReputationStatus,
    /// The Letter of Authorization's review status.
    pub loa_status: LoaStatus,
    /// The signed LOA's document id.
    pub loa_document_id: Option<String>,
    /// The refresh cadence.
    pub check_frequency: CheckFrequency,
    /// Why vetting refused it, when `status` is `rejected`.
    pub rejection_reasons: Option<Vec<String>>,
    /// When reputation was enabled.
    pub created_at: DateTime<Utc>,
    /// When the settings last changed (approval included).
    pub updated_at: DateTime<Utc>,
    /// The ownership proof's review state; `null` until proof is submitted.
    pub external_verification_status: Option<ExternalVerificationStatus>,
    /// Where ownership events are delivered; `null` when unset.
    pub webhook_url: Option<String>,
}

/// `RemediationStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemediationStatus {
    /// Queued.
    Pending,
    /// Being worked on (in flight, as `pending` is).
    InProgress,
    /// Finished, with results.
    Completed,
    /// Failed.
    Failed,
    /// Cancelled.
    Cancelled,
}

impl RemediationStatus {
    /// Whether a request in this status holds its numbers (a new request for them is 409).
    pub fn in_flight(self) -> bool {
        matches!(
            self,
            RemediationStatus::Pending | RemediationStatus::InProgress
        )
    }
}

/// `RemediationPerNumberResults`: numbers by outcome. Empty lists are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemediationResults {
    /// Flagged and remediated.
    pub remediated: Vec<String>,
    /// Not flagged: nothing to do.
    pub not_flagged: Vec<String>,
    /// Needs a person to look (too little data to decide).
    pub requires_review: Vec<String>,
    /// Refused by the carriers.
    pub refused: Vec<String>,
    /// Rejected before submission (not monitored by this enterprise).
    pub ineligible: Vec<String>,
}

/// `RemediationRequest`: the full request, as submit and get return it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remediation {
    /// Its id.
    pub id: Uuid,
    /// Where it is.
    pub status: RemediationStatus,
    /// Numbers in the request.
    pub phone_numbers_count: u64,
    /// Numbers accepted (billed).
    pub phone_numbers_submitted: u64,
    /// Numbers rejected before submission.
    pub phone_numbers_ineligible: u64,
    /// How the numbers are used.
    pub call_purpose: String,
    /// Contact for the request.
    pub contact_email: Option<String>,
    /// Where status notifications would go.
    pub webhook_url: Option<String>,
    /// Per-number outcomes; `None` while pending.
    pub results: Option<RemediationResults>,
    /// When the first tier finished (the move to `in_progress`).
    pub tier1_completed_at: Option<DateTime<Utc>>,
    /// When the second tier finished (the move to `completed`).
    pub tier2_completed_at: Option<DateTime<Utc>>,
    /// When it was submitted.
    pub created_at: DateTime<Utc>,
    /// When its status last changed.
    pub updated_at: DateTime<Utc>,
}

/// `RemediationRequestListItem`: the slim form the list returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemediationListItem {
    /// Its id.
    pub id: Uuid,
    /// Where it is.
    pub status: RemediationStatus,
    /// Numbers in the request.
    pub phone_numbers_count: u64,
    /// How the numbers are used.
    pub call_purpose: String,
    /// When the first tier finished.
    pub tier1_completed_at: Option<DateTime<Utc>>,
    /// When the second tier finished.
    pub tier2_completed_at: Option<DateTime<Utc>>,
    /// When it was submitted.
    pub created_at: DateTime<Utc>,
    /// When its status last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&Remediation> for RemediationListItem {
    fn from(r: &Remediation) -> RemediationListItem {
        RemediationListItem {
            id: r.id,
            status: r.status,
            phone_numbers_count: r.phone_numbers_count,
            call_purpose: r.call_purpose.clone(),
            tier1_completed_at: r.tier1_completed_at,
            tier2_completed_at: r.tier2_completed_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// One number's outcome in a refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshResult {
    /// The number as sent.
    pub phone_number: String,
    /// Whether its data was refreshed (and billed).
    pub success: bool,
    /// Why not, when `success` is false.
    pub error: Option<String>,
}

/// `RefreshReputationResponse.data`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshOutcome {
    /// One result per number sent, in request order.
    pub results: Vec<RefreshResult>,
    /// Numbers sent.
    pub total_requested: u64,
    /// Numbers refreshed.
    pub total_successful: u64,
    /// Numbers not refreshed.
    pub total_failed: u64,
}

/// `TosAgreement`: the account's recorded agreement to the Number Reputation Terms of Service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TosAgreement {
    /// The agreement's id.
    pub id: Uuid,
    /// Always `number_reputation` here.
    pub product_type: String,
    /// The version agreed to.
    pub terms_version: String,
    /// The same as `terms_version`.
    pub version: String,
    /// When the account agreed.
    pub agreed_at: DateTime<Utc>,
    /// When the record was made.
    pub created_at: DateTime<Utc>,
}

/// `number-reputation_Error.meta`: the catalog entry of the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorMeta {
    /// Link to the error catalog entry for the code.
    pub url: String,
}

/// `number-reputation_Error.source`: the request part at fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorSource {
    /// JSON pointer into the body, e.g. `/phone_numbers/3`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// The query parameter at fault, e.g. `page[size]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

/// `number-reputation_Error`: one entry of the error envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// What a client branches on.
    pub code: String,
    /// Short category (`Bad Request`, `Forbidden`, ...).
    pub title: String,
    /// What went wrong on this request.
    pub detail: String,
    /// The catalog link.
    pub meta: ErrorMeta,
    /// The request part at fault, when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ErrorSource>,
}

/// `number-reputation_Errors`: the body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrors {
    /// One or more errors.
    pub errors: Vec<ApiError>,
}
