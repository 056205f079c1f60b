//! The emulator's in-memory world: accounts, enterprises, inventories and associations, and the
//! rules of each operation over them.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use telnyx_e164::{E164, NumberKind};
use uuid::Uuid;

use crate::ledger::Billing;
use crate::lifecycle::SettingsRecord;
use crate::listing::OrderIndex;
use crate::model::{PhoneNumberRecord, TosAgreement};
pub use crate::refusal::{BatchRefusal, NumberRefusal, NumberRule, Refusal};
use crate::remediation::RemediationRecord;
use crate::reputation::{record_id, reputation_after};

/// Which numbers an account owns and has in service with Telnyx (`source: telnyx`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Inventory {
    /// Every valid US local and US toll-free number (but those an external prefix names:
    /// [`crate::MockConfig::external`]).
    All,
    /// Exactly these numbers (US local or toll-free).
    Numbers(HashSet<E164>),
}

impl Inventory {
    /// Whether the inventory holds `n`, a number of kind `kind`.
    pub(crate) fn owns(&self, n: &E164, kind: NumberKind) -> bool {
        match self {
            Inventory::All => crate::hosting::inventory_kind(kind),
            Inventory::Numbers(set) => set.contains(n),
        }
    }
}

/// An enterprise of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnterpriseConfig {
    /// Its id.
    pub id: Uuid,
    /// Whether Number Reputation is enabled and approved for it at start (status and LOA both
    /// approved); otherwise it exists with reputation not enabled.
    pub approved: bool,
}

/// An account: its API key, enterprises and inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountConfig {
    /// The bearer token that authenticates it.
    pub api_key: String,
    /// Its enterprises.
    pub enterprises: Vec<EnterpriseConfig>,
    /// The numbers it owns.
    pub inventory: Inventory,
    /// Whether it has agreed to the Number Reputation Terms of Service at start (the
    /// agreement belongs to the account, not to an enterprise).
    pub terms_agreed: bool,
}

/// One association, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Association {
    /// Record id.
    pub id: Uuid,
    /// The account that made it.
    pub account: usize,
    /// The enterprise the number is associated with.
    pub enterprise_id: Uuid,
    /// The number (US local, or toll-free from the inventory).
    pub phone_number: E164,
    /// Where it is hosted.
    pub source: crate::model::NumberSource,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was last changed (including a reputation refresh).
    pub updated_at: DateTime<Utc>,
    /// Cached reputation data, once fetched (boxed: most records never have any, and a record
    /// is kept small because the emulator holds millions).
    pub reputation: Option<Box<crate::model::ReputationData>>,
    /// Insertion sequence: the stable list order.
    pub seq: u64,
    /// Checks made of it so far (fresh reads, first reads, refreshes).
    pub checks: u32,
    /// Its ownership tracking once anything happened to it (`None`: verified since it was
    /// associated; see [`Association::ownership`]). Boxed, as `reputation` is.
    pub ownership: Option<Box<crate::ownership::Ownership>>,
}

impl Association {
    /// The record as list and get return it (associate's answer leaves `reputation_data` out).
    pub fn record(&self) -> PhoneNumberRecord {
        let o = self.ownership.as_deref();
        PhoneNumberRecord {
            id: self.id,
            phone_number: self.phone_number.to_string(),
            enterprise_id: self.enterprise_id,
            created_at: self.created_at,
            updated_at: self.updated_at,
            source: self.source,
            ownership_status: self.ownership_status(),
            confirm_by: o.and_then(|o| o.confirm_by),
            flag_reason: o.and_then(|o| o.flag_reason),
            removal_reason: o.and_then(|o| o.removal_reason),
            removed_at: o.and_then(|o| o.removed_at),
            reputation_data: self.reputation.as_deref().cloned(),
        }
    }

    /// Makes a check: new data, one more check, `updated_at` now.
    pub(crate) fn check(&mut self, now: DateTime<Utc>) {
        self.checks = self.checks.saturating_add(1);
        self.reputation = Some(Box::new(reputation_after(
            &self.phone_number,
            self.checks.saturating_sub(1),
            now,
        )));
        self.updated_at = now;
    }
}

/// The whole world.
#[derive(Debug, Clone, Default, Serialize)]
pub struct World {
    /// The accounts.
    pub accounts: Vec<AccountConfig>,
    /// Monitored numbers (a number is associated with at most one enterprise anywhere).
    pub associations: BTreeMap<E164, Association>,
    /// Numbers removed from monitoring (disassociated, or removed for an ownership reason),
    /// listed only with `filter[ownership_status]=removed`, until associated again.
    pub removed: BTreeMap<E164, Association>,
    /// Each account's reputation settings, by enterprise (absent: never enabled, or disabled).
    pub settings: Vec<BTreeMap<Uuid, SettingsRecord>>,
    /// Each account's Terms of Service agreement, once made.
    pub terms: Vec<Option<TosAgreement>>,
    /// Remediation requests, in submission order.
    pub remediations: Vec<RemediationRecord>,
    /// Billable events so far.
    pub billing: Billing,
    /// How long a new activation stays pending.
    #[serde(skip)]
    pub(crate) approve_after: TimeDelta,
    /// How long each remediation stage lasts (pending, then in progress).
    #[serde(skip)]
    pub(crate) remediation_step: TimeDelta,
    /// The list order of each scope, so a page costs its own size.
    #[serde(skip)]
    pub(crate) index: OrderIndex,
    /// The removed numbers' list order (by removal).
    #[serde(skip)]
    pub(crate) removed_index: OrderIndex,
    /// Prefixes of numbers hosted elsewhere (`source: external`).
    #[serde(skip)]
    pub(crate) external: Vec<crate::hosting::NumberPrefix>,
    /// How long a review, a confirmation window and a redelivery wait take.
    #[serde(skip)]
    pub(crate) ownership_timings: crate::ownership::OwnershipTimings,
    /// Jobs due at an instant of the emulator's clock.
    #[serde(skip)]
    pub(crate) timers: crate::schedule::Timers,
    /// Webhook deliveries: the queue to the sender, and the log.
    #[serde(skip)]
    pub(crate) webhooks: crate::webhook::Outgoing,
    /// Each number's latest remediation (an index into `remediations`).
    #[serde(skip)]
    pub(crate) latest_remediation: HashMap<E164, usize>,
    #[serde(skip)]
    next_seq: u64,
    /// Key of the record-id generator, drawn once per world.
    #[serde(skip)]
    pub(crate) id_key: u64,
}

impl World {
    /// A world with these accounts and nothing associated: each enterprise configured
    /// `approved` has reputation enabled and approved, each account configured `terms_agreed`
    /// has agreed. New activations are approved a second after they are made, and
    /// remediations move a stage a second ([`World::set_timings`] changes both).
    pub fn new(accounts: Vec<AccountConfig>) -> World {
        let mut world = World {
            accounts,
            approve_after: TimeDelta::seconds(1),
            remediation_step: TimeDelta::seconds(1),
            id_key: Uuid::new_v4().as_u64_pair().0,
            ..World::default()
        };
        world.start(Utc::now());
        world
    }

    /// The state at start: the configured settings and agreements, nothing else.
    fn start(&mut self, now: DateTime<Utc>) {
        self.associations.clear();
        self.removed.clear();
        self.removed_index = OrderIndex::default();
        self.timers.clear();
        self.webhooks.log.clear();
        self.remediations.clear();
        self.latest_remediation.clear();
        self.index = OrderIndex::default();
        self.billing = Billing::default();
        self.settings = self
            .accounts
            .iter()
            .map(|a| {
                a.enterprises
                    .iter()
                    .filter(|e| e.approved)
                    .map(|e| (e.id, SettingsRecord::approved_at_start(e.id, now)))
                    .collect()
            })
            .collect();
        self.terms = self
            .accounts
            .iter()
            .enumerate()
            .map(|(i, a)| {
                a.terms_agreed
                    .then(|| crate::lifecycle::agreement(self.id_key, i, now))
            })
            .collect();
    }

    /// How long a new activation stays pending, and how long each remediation stage lasts.
    pub fn set_timings(&mut self, approve_after: TimeDelta, remediation_step: TimeDelta) {
        self.approve_after = approve_after;
        self.remediation_step = remediation_step;
    }

    /// Which numbers are hosted elsewhere, and how long ownership steps take.
    pub(crate) fn set_ownership(
        &mut self,
        external: Vec<crate::hosting::NumberPrefix>,
        timings: crate::ownership::OwnershipTimings,
    ) {
        self.external = external;
        self.ownership_timings = timings;
    }

    /// The next record sequence number and its id.
    pub(crate) fn next_record(&mut self) -> (u64, Uuid) {
        self.next_seq = self.next_seq.saturating_add(1);
        (self.next_seq, record_id(self.id_key, self.next_seq))
    }

    /// The account a bearer token authenticates.
    pub fn account_for_key(&self, key: &str) -> Option<usize> {
        self.accounts.iter().position(|a| a.api_key == key)
    }

    /// The enterprise, if the account has it.
    pub(crate) fn enterprise(
        &self,
        account: usize,
        id: Uuid,
    ) -> Result<&EnterpriseConfig, Refusal> {
        self.accounts
            .get(account)
            .and_then(|a| a.enterprises.iter().find(|e| e.id == id))
            .ok_or(Refusal::UnknownEnterprise(id))
    }

    /// Refuses unless the enterprise exists and its reputation is approved at `now`.
    pub(crate) fn require_approved(
        &self,
        account: usize,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), Refusal> {
        self.enterprise(account, id)?;
        match self.settings_record(account, id) {
            Some(s) if s.is_approved(now) => Ok(()),
            _ => Err(Refusal::NotApproved(id)),
        }
    }

    pub(crate) fn find_mut(
        &mut self,
        account: usize,
        enterprise_id: Option<Uuid>,
        number: &str,
    ) -> Result<&mut Association, Refusal> {
        if let Some(id) = enterprise_id {
            self.enterprise(account, id)?;
        }
        let not_found = || Refusal::NotAssociated(number.to_owned());
        let key = E164::parse_strict(number).map_err(|_| not_found())?;
        match self.associations.get_mut(&key) {
            Some(a)
                if a.account == account && enterprise_id.is_none_or(|id| a.enterprise_id == id) =>
            {
                Ok(a)
            }
            _ => Err(not_found()),
        }
    }

    /// Reads a number's reputation, refreshing it when asked or when there is none yet.
    pub fn get(
        &mut self,
        account: usize,
        enterprise_id: Option<Uuid>,
        number: &str,
        fresh: bool,
        now: DateTime<Utc>,
    ) -> Result<PhoneNumberRecord, Refusal> {
        if let Some(id) = enterprise_id {
            self.require_approved(account, id, now)?;
        }
        let record = self.find_mut(account, enterprise_id, number)?;
        let uncached = record.reputation.is_none();
        if fresh || uncached {
            record.check(now);
        }
        let answer = record.record();
        if fresh {
            self.billing.fresh_read = self.billing.fresh_read.saturating_add(1);
        } else if uncached {
            self.billing.uncached_read = self.billing.uncached_read.saturating_add(1);
        }
        Ok(answer)
    }

    /// Disassociates a number: it is removed from monitoring (`customer_removed`, no
    /// webhook) and listed with the removed numbers.
    pub fn disassociate(
        &mut self,
        account: usize,
        enterprise_id: Option<Uuid>,
        number: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Refusal> {
        let key = self.find_mut(account, enterprise_id, number)?.phone_number;
        self.remove_number(key, crate::model::RemovalReason::CustomerRemoved, now);
        Ok(())
    }

    /// Back to the state at start: no associations, removed numbers, remediations, timers,
    /// webhook log or billed events, the configured settings and agreements only.
    pub fn reset(&mut self) {
        self.start(Utc::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ids_are_v4_and_distinct() {
        let key = 0x0123_4567_89ab_cdef;
        let ids: HashSet<Uuid> = (0..100_000).map(|seq| record_id(key, seq)).collect();
        assert_eq!(ids.len(), 100_000);
        assert!(
            ids.iter()
                .all(|id| id.get_version_num() == 4 && id.get_variant() == uuid::Variant::RFC4122)
        );
    }
}
