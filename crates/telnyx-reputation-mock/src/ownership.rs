//! Ownership tracking of monitored numbers (`edition-2026-10.md` §5.1): every number starts
//! `verified` with its carrier as the baseline; a carrier change or a due re-verification asks
//! for a confirmation by `confirm_by` (`pending_confirmation`, event `number.flagged`); an
//! unanswered carrier change is removed at the deadline (`unconfirmed_ownership`, event
//! `number.removed`), an unanswered re-verification is `flagged` (no event); `ownership_confirm`
//! verifies again or removes at once (`ported_away` after a carrier change, else
//! `customer_reported`); a disconnection removes (`reassigned`); DELETE removes silently
//! (`customer_removed`).
//!
//! Removed numbers leave the monitored map for [`World::removed`], listed only with
//! `filter[ownership_status]=removed`; associating one again makes it active and verified.

use std::borrow::Cow;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use telnyx_e164::E164;
use uuid::Uuid;

use crate::model::{
    FlagReason, OwnershipDetail, OwnershipEventType, OwnershipHistoryEntry, OwnershipStatus,
    PhoneNumberRecord, RemovalReason,
};
use crate::reputation::{mix, number_hash};
use crate::schedule::Job;
use crate::state::{Association, Refusal, World};

/// History entries kept per number (the oldest go first).
pub const HISTORY_MAX: usize = 100;

/// `number_reputation.number.flagged`.
pub const FLAGGED: &str = "number_reputation.number.flagged";
/// `number_reputation.number.removed`.
pub const REMOVED: &str = "number_reputation.number.removed";

/// How long the ownership steps take, by the emulator's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OwnershipTimings {
    /// From an ownership proof's submission to its approval.
    pub review: TimeDelta,
    /// From a flag to its `confirm_by`.
    pub confirm_window: TimeDelta,
    /// From an unacknowledged delivery to the next attempt.
    pub webhook_retry: TimeDelta,
}

impl Default for OwnershipTimings {
    fn default() -> OwnershipTimings {
        OwnershipTimings {
            review: TimeDelta::seconds(1),
            confirm_window: TimeDelta::days(3),
            webhook_retry: TimeDelta::seconds(1),
        }
    }
}

/// A number's ownership tracking once anything happened to it. A number with none is
/// `verified`, its baseline the carrier it had when associated ([`Ownership::initial`]):
/// most numbers never need more, and the emulator holds millions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ownership {
    /// Where its checks stand.
    pub status: OwnershipStatus,
    /// Why it was flagged, while `pending_confirmation` or `flagged`.
    pub flag_reason: Option<FlagReason>,
    /// The confirmation deadline, while `pending_confirmation`.
    pub confirm_by: Option<DateTime<Utc>>,
    /// Why it was removed.
    pub removal_reason: Option<RemovalReason>,
    /// When it was removed.
    pub removed_at: Option<DateTime<Utc>>,
    /// SPID of the carrier when ownership was last established.
    pub baseline_carrier: String,
    /// When that was.
    pub baseline_recorded_at: DateTime<Utc>,
    /// The carrier a check found instead of the baseline, until confirmed.
    pub carrier_found: Option<String>,
    /// When ownership was last checked.
    pub last_checked_at: DateTime<Utc>,
    /// The document the last confirmation named.
    pub evidence_document_id: Option<String>,
    /// The events, oldest first, at most [`HISTORY_MAX`].
    pub history: Vec<OwnershipHistoryEntry>,
}

/// The SPID (four digits) of the `n`-th carrier a number has had, from the number alone.
fn carrier_of(number: &E164, n: u64) -> String {
    format!("{:04}", mix(number_hash(number) ^ n) % 10_000)
}

impl Ownership {
    /// The tracking of a number associated at `at`: verified, its carrier the baseline.
    pub fn initial(number: &E164, at: DateTime<Utc>) -> Ownership {
        Ownership {
            status: OwnershipStatus::Verified,
            flag_reason: None,
            confirm_by: None,
            removal_reason: None,
            removed_at: None,
            baseline_carrier: carrier_of(number, 0),
            baseline_recorded_at: at,
            carrier_found: None,
            last_checked_at: at,
            evidence_document_id: None,
            history: vec![OwnershipHistoryEntry {
                event_type: OwnershipEventType::Added,
                occurred_at: at,
                outcome: "verified".into(),
            }],
        }
    }

    /// Adds an event to the history, dropping the oldest past [`HISTORY_MAX`].
    fn note(&mut self, event_type: OwnershipEventType, at: DateTime<Utc>, outcome: &str) {
        if self.history.len() >= HISTORY_MAX {
            self.history.remove(0);
        }
        self.history.push(OwnershipHistoryEntry {
            event_type,
            occurred_at: at,
            outcome: outcome.to_owned(),
        });
    }

    /// Associated again at `at` after a removal: verified, the carrier it has now the baseline.
    pub(crate) fn readded(&mut self, at: DateTime<Utc>) {
        if let Some(carrier) = self.carrier_found.take() {
            self.baseline_carrier = carrier;
        }
        self.status = OwnershipStatus::Verified;
        self.flag_reason = None;
        self.confirm_by = None;
        self.removal_reason = None;
        self.removed_at = None;
        self.baseline_recorded_at = at;
        self.last_checked_at = at;
        self.note(OwnershipEventType::Added, at, "verified");
    }
}

impl Association {
    /// Where its ownership checks stand.
    pub fn ownership_status(&self) -> OwnershipStatus {
        self.ownership
            .as_deref()
            .map_or(OwnershipStatus::Verified, |o| o.status)
    }

    /// Its ownership tracking.
    pub fn ownership(&self) -> Cow<'_, Ownership> {
        match self.ownership.as_deref() {
            Some(o) => Cow::Borrowed(o),
            None => Cow::Owned(Ownership::initial(&self.phone_number, self.created_at)),
        }
    }

    /// Its ownership tracking, made explicit to be changed.
    pub(crate) fn ownership_mut(&mut self) -> &mut Ownership {
        let (number, at) = (self.phone_number, self.created_at);
        self.ownership
            .get_or_insert_with(|| Box::new(Ownership::initial(&number, at)))
    }

    /// The tracking detail `GET .../ownership` answers.
    pub fn ownership_detail(&self) -> OwnershipDetail {
        let o = self.ownership();
        OwnershipDetail {
            phone_number: self.phone_number.to_string(),
            source: self.source,
            ownership_status: o.status,
            baseline_carrier: o.baseline_carrier.clone(),
            baseline_recorded_at: o.baseline_recorded_at,
            last_checked_at: o.last_checked_at,
            confirm_by: o.confirm_by,
            flag_reason: o.flag_reason,
            history: o.history.iter().rev().cloned().collect(),
        }
    }
}

/// What `POST /__mock/ownership` reports about a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnershipChange {
    /// The daily check found the number with another carrier.
    CarrierChanged,
    /// The periodic re-verification is due.
    ReverificationDue,
    /// The number was reported permanently disconnected.
    Disconnected,
}

impl World {
    /// An ownership event of a monitored number of `enterprise` (any account's): a carrier
    /// change or a due re-verification asks for a confirmation, a disconnection removes it.
    /// 404 when the enterprise does not monitor the number, 409 when it was removed.
    pub fn ownership_change(
        &mut self,
        enterprise: Uuid,
        number: &str,
        change: OwnershipChange,
        now: DateTime<Utc>,
    ) -> Result<PhoneNumberRecord, Refusal> {
        let not_found = || Refusal::NotAssociated(number.to_owned());
        let key = E164::parse_strict(number).map_err(|_| not_found())?;
        if self
            .associations
            .get(&key)
            .is_none_or(|a| a.enterprise_id != enterprise)
        {
            return match self.removed.get(&key) {
                Some(a) if a.enterprise_id == enterprise => {
                    Err(Refusal::Removed(number.to_owned()))
                }
                _ => Err(not_found()),
            };
        }
        match change {
            OwnershipChange::CarrierChanged => self.flag(key, FlagReason::CarrierChanged, now),
            OwnershipChange::ReverificationDue => {
                self.flag(key, FlagReason::ReverificationDue, now)
            }
            OwnershipChange::Disconnected => {
                if let Some(a) = self.associations.get_mut(&key) {
                    let o = a.ownership_mut();
                    o.last_checked_at = now;
                    o.note(OwnershipEventType::Check, now, "disconnected");
                }
                self.remove_number(key, RemovalReason::Reassigned, now);
            }
        }
        self.associations
            .get(&key)
            .or_else(|| self.removed.get(&key))
            .map(Association::record)
            .ok_or_else(not_found)
    }

    /// Asks for a confirmation of a monitored number by now + the confirmation window.
    fn flag(&mut self, key: E164, reason: FlagReason, now: DateTime<Utc>) {
        let confirm_by = now
            .checked_add_signed(self.ownership_timings.confirm_window)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let Some(a) = self.associations.get_mut(&key) else {
            return;
        };
        a.updated_at = now;
        let (account, enterprise, source) = (a.account, a.enterprise_id, a.source);
        let o = a.ownership_mut();
        if reason == FlagReason::CarrierChanged {
            let n = o.history.len() as u64;
            let mut carrier = carrier_of(&key, n.saturating_add(1));
            if carrier == o.baseline_carrier {
                carrier = carrier_of(&key, n.saturating_add(2));
            }
            o.carrier_found = Some(carrier);
            o.last_checked_at = now;
            o.note(OwnershipEventType::Check, now, reason.as_str());
        }
        o.status = OwnershipStatus::PendingConfirmation;
        o.flag_reason = Some(reason);
        o.confirm_by = Some(confirm_by);
        o.note(OwnershipEventType::Flag, now, reason.as_str());
        self.timers.schedule(
            confirm_by,
            Job::ConfirmDeadline {
                number: key,
                confirm_by,
            },
        );
        let payload = serde_json::json!({
            "record_type": "reputation_phone_number",
            "phone_number": key.as_str(),
            "enterprise_id": enterprise,
            "source": source,
            "ownership_status": OwnershipStatus::PendingConfirmation,
            "flag_reason": reason,
            "confirm_by": confirm_by,
        });
        self.raise(account, enterprise, FLAGGED, now, payload);
    }

    /// Removes a monitored number from monitoring: it moves to [`World::removed`] with its
    /// reason, and every reason but `customer_removed` (DELETE) raises `number.removed`.
    pub(crate) fn remove_number(&mut self, key: E164, reason: RemovalReason, now: DateTime<Utc>) {
        let Some(mut a) = self.associations.remove(&key) else {
            return;
        };
        self.index.remove(a.account, a.enterprise_id, a.seq);
        a.updated_at = now;
        let o = a.ownership_mut();
        o.status = OwnershipStatus::Removed;
        o.removal_reason = Some(reason);
        o.removed_at = Some(now);
        o.confirm_by = None;
        o.flag_reason = None;
        o.note(OwnershipEventType::Removed, now, reason.as_str());
        let (seq, _) = self.next_record();
        a.seq = seq;
        let (account, enterprise, source) = (a.account, a.enterprise_id, a.source);
        self.removed_index.push(account, enterprise, seq, key);
        self.removed.insert(key, a);
        if reason != RemovalReason::CustomerRemoved {
            let payload = serde_json::json!({
                "record_type": "reputation_phone_number",
                "phone_number": key.as_str(),
                "enterprise_id": enterprise,
                "source": source,
                "ownership_status": OwnershipStatus::Removed,
                "removal_reason": reason,
                "removed_at": now,
            });
            self.raise(account, enterprise, REMOVED, now, payload);
        }
    }

    /// A confirmation deadline passed: an unconfirmed carrier change is removed
    /// (`unconfirmed_ownership`), an unconfirmed re-verification is `flagged` (no event). A
    /// deadline the number has left behind (confirmed, flagged again, removed) does nothing.
    pub(crate) fn deadline_passed(&mut self, key: E164, confirm_by: DateTime<Utc>) {
        let reason = match self
            .associations
            .get(&key)
            .and_then(|a| a.ownership.as_deref())
        {
            Some(o)
                if o.status == OwnershipStatus::PendingConfirmation
                    && o.confirm_by == Some(confirm_by) =>
            {
                o.flag_reason
            }
            _ => return,
        };
        if reason == Some(FlagReason::CarrierChanged) {
            self.remove_number(key, RemovalReason::UnconfirmedOwnership, confirm_by);
        } else if let Some(a) = self.associations.get_mut(&key) {
            a.updated_at = confirm_by;
            let o = a.ownership_mut();
            o.status = OwnershipStatus::Flagged;
            o.confirm_by = None;
            o.note(OwnershipEventType::Flag, confirm_by, "unconfirmed");
        }
    }

    /// A number of the enterprise, monitored or removed (404 otherwise).
    fn tracked(
        &self,
        account: usize,
        enterprise: Uuid,
        number: &str,
    ) -> Result<&Association, Refusal> {
        self.enterprise(account, enterprise)?;
        E164::parse_strict(number)
            .ok()
            .and_then(|k| self.associations.get(&k).or_else(|| self.removed.get(&k)))
            .filter(|a| a.account == account && a.enterprise_id == enterprise)
            .ok_or_else(|| Refusal::NotAssociated(number.to_owned()))
    }

    /// The ownership tracking detail of a number of the enterprise, removed ones included.
    pub fn ownership_detail(
        &self,
        account: usize,
        enterprise: Uuid,
        number: &str,
    ) -> Result<OwnershipDetail, Refusal> {
        self.tracked(account, enterprise, number)
            .map(Association::ownership_detail)
    }

    /// `ownership_confirm`: `still_own` verifies a `pending_confirmation` or `flagged` number
    /// again (a changed carrier becomes the baseline; a `verified` one is answered as it is);
    /// `!still_own` removes it at once (`ported_away` while a carrier change is pending, else
    /// `customer_reported`) and raises `number.removed`. On a removed number, `!still_own`
    /// answers it as it is and `still_own` is 409.
    pub fn confirm_ownership(
        &mut self,
        account: usize,
        enterprise: Uuid,
        number: &str,
        still_own: bool,
        evidence_document_id: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<PhoneNumberRecord, Refusal> {
        let tracked = self.tracked(account, enterprise, number)?;
        let key = tracked.phone_number;
        match (tracked.ownership_status(), still_own) {
            (OwnershipStatus::Removed, false) | (OwnershipStatus::Verified, true) => {
                return Ok(tracked.record());
            }
            (OwnershipStatus::Removed, true) => return Err(Refusal::Removed(number.to_owned())),
            _ => {}
        }
        let Some(a) = self.associations.get_mut(&key) else {
            return Err(Refusal::NotAssociated(number.to_owned()));
        };
        a.updated_at = now;
        let o = a.ownership_mut();
        if evidence_document_id.is_some() {
            o.evidence_document_id = evidence_document_id;
        }
        if still_own {
            if let Some(carrier) = o.carrier_found.take() {
                o.baseline_carrier = carrier;
                o.baseline_recorded_at = now;
            }
            o.status = OwnershipStatus::Verified;
            o.flag_reason = None;
            o.confirm_by = None;
            o.note(OwnershipEventType::Confirm, now, "still_own");
            return Ok(a.record());
        }
        let reason = if o.status == OwnershipStatus::PendingConfirmation
            && o.flag_reason == Some(FlagReason::CarrierChanged)
        {
            RemovalReason::PortedAway
        } else {
            RemovalReason::CustomerReported
        };
        o.note(OwnershipEventType::Confirm, now, "not_owned");
        self.remove_number(key, reason, now);
        self.removed
            .get(&key)
            .map(Association::record)
            .ok_or_else(|| Refusal::NotAssociated(number.to_owned()))
    }
}
