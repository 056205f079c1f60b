//! Refresh: new reputation data for up to 100 monitored numbers, answered per number (not
//! atomic: a number the enterprise does not monitor fails alone), each success billed.

use chrono::{DateTime, Utc};
use telnyx_e164::E164;
use uuid::Uuid;

use crate::model::{RefreshOutcome, RefreshResult};
use crate::state::{BatchRefusal, Refusal, World};

impl World {
    /// Refreshes each number the enterprise monitors: 403 before approval, 400 for an empty
    /// or oversized list.
    pub fn refresh(
        &mut self,
        account: usize,
        enterprise_id: Uuid,
        numbers: &[impl AsRef<str>],
        now: DateTime<Utc>,
    ) -> Result<RefreshOutcome, Refusal> {
        self.require_approved(account, enterprise_id, now)?;
        if numbers.is_empty() {
            return Err(Refusal::Batch(BatchRefusal::Empty));
        }
        if numbers.len() > telnyx_e164::Batch::MAX_SIZE {
            return Err(Refusal::Batch(BatchRefusal::TooMany(numbers.len())));
        }
        let mut results = Vec::with_capacity(numbers.len());
        let mut ok = 0u64;
        for raw in numbers {
            let raw = raw.as_ref();
            let record = E164::parse_strict(raw)
                .ok()
                .and_then(|k| self.associations.get_mut(&k))
                .filter(|a| a.account == account && a.enterprise_id == enterprise_id);
            let error = match record {
                Some(record) => {
                    record.check(now);
                    ok = ok.saturating_add(1);
                    None
                }
                None => Some(format!(
                    "{raw} is not monitored by enterprise {enterprise_id}"
                )),
            };
            results.push(RefreshResult {
                phone_number: raw.to_owned(),
                success: error.is_none(),
                error,
            });
        }
        self.billing.refresh = self.billing.refresh.saturating_add(ok);
        let requested = results.len() as u64;
        Ok(RefreshOutcome {
            results,
            total_requested: requested,
            total_successful: ok,
            total_failed: requested.saturating_sub(ok),
        })
    }
}
