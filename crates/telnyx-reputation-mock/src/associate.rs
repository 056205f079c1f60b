//! Associate (`POST .../reputation/numbers`), atomic, with the October 2026 rules: a number of
//! the account's inventory may be US local or toll-free (`source: telnyx`); a number hosted
//! elsewhere (an external prefix) must be US local and needs the enterprise's ownership proof
//! approved (`external_verification_required`); both kinds may be mixed; Canadian and other
//! non-US numbers are refused as before. A removed number may be associated again.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use telnyx_e164::{E164, NumberKind};
use uuid::Uuid;

use crate::hosting::{Hosting, hosting};
use crate::model::NumberSource;
use crate::state::{Association, BatchRefusal, NumberRefusal, NumberRule, Refusal, World};

/// A number's refusal, with the sentence that names it and the rule.
fn refused(index: usize, raw: &str, rule: NumberRule, detail: String) -> NumberRefusal {
    NumberRefusal {
        index,
        number: raw.to_owned(),
        rule,
        detail,
    }
}

impl World {
    /// Associates numbers atomically: every rule is checked first; any failure changes nothing.
    pub fn associate(
        &mut self,
        account: usize,
        enterprise_id: Uuid,
        numbers: &[impl AsRef<str>],
        now: DateTime<Utc>,
    ) -> Result<Vec<Association>, Refusal> {
        self.require_approved(account, enterprise_id, now)?;
        if numbers.is_empty() {
            return Err(Refusal::Batch(BatchRefusal::Empty));
        }
        if numbers.len() > telnyx_e164::Batch::MAX_SIZE {
            return Err(Refusal::Batch(BatchRefusal::TooMany(numbers.len())));
        }
        let inventory = &self
            .accounts
            .get(account)
            .ok_or(Refusal::UnknownEnterprise(enterprise_id))?
            .inventory;
        let proof_approved = self.proof_approved(account, enterprise_id);
        let mut refusals = Vec::new();
        let mut valid = Vec::with_capacity(numbers.len());
        let mut seen: HashMap<E164, usize> = HashMap::with_capacity(numbers.len());
        for (index, raw) in numbers.iter().enumerate() {
            let raw: &str = raw.as_ref();
            let number = match E164::parse_strict(raw) {
                Ok(n) => n,
                Err(e) => {
                    let detail = format!("{raw}: {}", e.reason);
                    refusals.push(refused(index, raw, NumberRule::Invalid(e.code()), detail));
                    continue;
                }
            };
            let kind = telnyx_e164::classify(&number);
            if !crate::hosting::inventory_kind(kind) {
                let (code, rule) = match kind.refusal() {
                    Some(reason) => (reason.code(), reason.rule()),
                    None => (kind.name(), "not a number Number Reputation takes"),
                };
                let detail = format!("{raw}: {rule}");
                refusals.push(refused(index, raw, NumberRule::Invalid(code), detail));
                continue;
            }
            if let Some(first) = seen.insert(number, index) {
                let detail = format!("{raw} appears twice in the request (first at index {first})");
                refusals.push(refused(index, raw, NumberRule::Duplicate, detail));
                continue;
            }
            let source = match hosting(&number, kind, inventory, &self.external) {
                Hosting::Telnyx => NumberSource::Telnyx,
                Hosting::External if kind == NumberKind::TollFree => {
                    let detail = format!(
                        "{raw} is hosted elsewhere and toll-free: numbers hosted elsewhere \
                         must be US local (toll-free numbers are taken from your Telnyx \
                         inventory only)"
                    );
                    refusals.push(refused(
                        index,
                        raw,
                        NumberRule::Invalid("toll_free"),
                        detail,
                    ));
                    continue;
                }
                Hosting::External if !proof_approved => {
                    let detail = format!(
                        "{raw} is hosted elsewhere: external_verification_required (enterprise \
                         {enterprise_id}'s ownership proof must be approved first; POST \
                         /enterprises/{enterprise_id}/reputation/external_verification)"
                    );
                    let rule = NumberRule::ExternalVerificationRequired;
                    refusals.push(refused(index, raw, rule, detail));
                    continue;
                }
                Hosting::External => NumberSource::External,
                Hosting::NotOwned => {
                    let detail = format!("{raw} is not in service on this account");
                    refusals.push(refused(index, raw, NumberRule::NotOwned, detail));
                    continue;
                }
            };
            if let Some(existing) = self.associations.get(&number) {
                let whose = if existing.enterprise_id == enterprise_id {
                    "this enterprise"
                } else {
                    "another enterprise"
                };
                let detail = format!("{raw} is already associated with {whose}");
                refusals.push(refused(index, raw, NumberRule::AlreadyAssociated, detail));
                continue;
            }
            valid.push((number, source));
        }
        if !refusals.is_empty() {
            return Err(Refusal::Numbers(refusals));
        }
        let mut created = Vec::with_capacity(valid.len());
        for (number, source) in valid {
            created.push(self.insert(account, enterprise_id, number, source, now, None));
        }
        self.billing.associate = self.billing.associate.saturating_add(created.len() as u64);
        Ok(created)
    }

    /// Stores a new association (its rules already checked) and indexes it. A removed record
    /// of the number is taken back: under the same enterprise it becomes active again (its id,
    /// creation time, data and history kept, verified anew); under another it is forgotten.
    pub(crate) fn insert(
        &mut self,
        account: usize,
        enterprise_id: Uuid,
        number: E164,
        source: NumberSource,
        now: DateTime<Utc>,
        reputation: Option<crate::model::ReputationData>,
    ) -> Association {
        let (seq, id) = self.next_record();
        let revived = match self.removed.remove(&number) {
            Some(old) => {
                self.removed_index
                    .remove(old.account, old.enterprise_id, old.seq);
                (old.account == account && old.enterprise_id == enterprise_id).then_some(old)
            }
            None => None,
        };
        let record = match revived {
            Some(mut old) => {
                // The same record, monitored again: its association is new, so a client can
                // tell it from one that never left (a sync resumed after it leaves it alone).
                old.seq = seq;
                old.source = source;
                old.created_at = now;
                old.updated_at = now;
                old.ownership_mut().readded(now);
                old
            }
            None => Association {
                id,
                account,
                enterprise_id,
                phone_number: number,
                source,
                created_at: now,
                updated_at: now,
                reputation: reputation.map(Box::new),
                seq,
                checks: 0,
                ownership: None,
            },
        };
        self.index.push(account, enterprise_id, seq, number);
        self.associations.insert(number, record.clone());
        record
    }
}
