//! The emulator's in-memory world: accounts, enterprises, inventories and associations, and the
//! rules of each operation over them.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use telnyx_e164::{E164, UsLocalNumber};
use telnyx_reputation_api::types::{ReputationData, ReputationDataSpamRisk, ReputationPhoneNumber};
use uuid::Uuid;

/// Which numbers an account owns and has in service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Inventory {
    /// Every valid US local number.
    All,
    /// Exactly these numbers.
    Numbers(HashSet<UsLocalNumber>),
}

impl Inventory {
    fn owns(&self, n: &UsLocalNumber) -> bool {
        match self {
            Inventory::All => true,
            Inventory::Numbers(set) => set.contains(n),
        }
    }
}

/// An enterprise of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnterpriseConfig {
    /// Its id.
    pub id: Uuid,
    /// Whether it is approved for Number Reputation (status and LOA both approved).
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
    /// The number.
    pub phone_number: UsLocalNumber,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was last changed (including a reputation refresh).
    pub updated_at: DateTime<Utc>,
    /// Cached reputation data, once fetched (boxed: most records never have any, and a record
    /// is kept small because the emulator holds millions).
    pub reputation: Option<Box<ReputationData>>,
    /// Insertion sequence: the stable list order.
    pub seq: u64,
}

impl Association {
    /// The record as the associate call returns it.
    pub fn public(&self) -> ReputationPhoneNumber {
        ReputationPhoneNumber {
            id: Some(self.id),
            phone_number: Some(self.phone_number.to_string()),
            enterprise_id: Some(self.enterprise_id),
            created_at: Some(self.created_at.into()),
            updated_at: Some(self.updated_at.into()),
            reputation_data: None,
        }
    }

    /// The record as list and get return it.
    pub fn with_reputation(&self) -> ReputationPhoneNumber {
        ReputationPhoneNumber {
            id: Some(self.id),
            phone_number: Some(self.phone_number.to_string()),
            enterprise_id: Some(self.enterprise_id),
            created_at: Some(self.created_at.into()),
            updated_at: Some(self.updated_at.into()),
            reputation_data: self.reputation.as_deref().cloned(),
        }
    }
}

/// Why an operation was refused, before it becomes an HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Unknown enterprise (404).
    UnknownEnterprise(Uuid),
    /// Enterprise not approved (403 on get; 400 on associate).
    NotApproved(Uuid),
    /// The number is not associated (404).
    NotAssociated(String),
    /// Numbers refused by the associate rules (400), in request order.
    Numbers(Vec<NumberRefusal>),
    /// The request's list of numbers as a whole is refused (400).
    Batch(BatchRefusal),
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
    /// Not a valid US local number in E.164; the code is `telnyx-e164`'s (`missing_plus`,
    /// `toll_free`, ...).
    Invalid(&'static str),
    /// The number appears earlier in the same request.
    Duplicate,
    /// The account does not have the number in service.
    NotOwned,
    /// The number is associated with an enterprise already.
    AlreadyAssociated,
}

impl NumberRule {
    /// The error code the answer carries.
    pub fn code(self) -> &'static str {
        match self {
            NumberRule::Invalid(code) => code,
            NumberRule::Duplicate => "duplicate",
            NumberRule::NotOwned => "not_owned",
            NumberRule::AlreadyAssociated => "already_associated",
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

/// The whole world.
#[derive(Debug, Clone, Default, Serialize)]
pub struct World {
    /// The accounts.
    pub accounts: Vec<AccountConfig>,
    /// Associations by number (a number is associated with at most one enterprise anywhere).
    pub associations: BTreeMap<E164, Association>,
    #[serde(skip)]
    next_seq: u64,
    /// Key of the record-id generator, drawn once per world.
    #[serde(skip)]
    id_key: u64,
}

/// SplitMix64's finaliser: a bijection on `u64`.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A random-looking v4 record id, unique per `(key, seq)`: a bijection of `seq` under the key
/// fills bits that the version and variant never overwrite, so two records of one world never
/// share an id. One `getrandom` per world instead of one per record (which was an eighth of the
/// emulator's associate time).
fn record_id(key: u64, seq: u64) -> Uuid {
    let unique = mix(key ^ seq).to_be_bytes();
    let filler = mix(key.rotate_left(32).wrapping_add(seq)).to_be_bytes();
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&unique[..6]);
    bytes[6] = filler[0]; // high nibble: the version
    bytes[7] = unique[6];
    bytes[8] = filler[1]; // top bits: the variant
    bytes[9] = unique[7];
    bytes[10..].copy_from_slice(&filler[2..]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// Reputation data computed from the number alone, so it is the same on every run.
pub fn reputation_of(number: &UsLocalNumber, now: DateTime<Utc>) -> ReputationData {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for b in number.as_str().bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let score = |shift: u32| i64::try_from((h >> shift) % 101).unwrap_or(0);
    const CATEGORIES: [&str; 4] = ["Telemarketing", "Debt Collector", "Survey", "Political"];
    let risk = match h % 10 {
        0..=5 => ReputationDataSpamRisk::Low,
        6..=8 => ReputationDataSpamRisk::Medium,
        _ => ReputationDataSpamRisk::High,
    };
    ReputationData {
        spam_risk: Some(risk),
        spam_category: (risk != ReputationDataSpamRisk::Low)
            .then(|| CATEGORIES[((h >> 8) % 4) as usize].to_owned()),
        maturity_score: Some(score(8)),
        connection_score: Some(score(16)),
        engagement_score: Some(score(24)),
        sentiment_score: Some(score(32)),
        last_refreshed_at: Some(now.into()),
    }
}

impl World {
    /// A world with these accounts and nothing associated.
    pub fn new(accounts: Vec<AccountConfig>) -> World {
        World {
            accounts,
            associations: BTreeMap::new(),
            next_seq: 0,
            id_key: Uuid::new_v4().as_u64_pair().0,
        }
    }

    /// The account a bearer token authenticates.
    pub fn account_for_key(&self, key: &str) -> Option<usize> {
        self.accounts.iter().position(|a| a.api_key == key)
    }

    fn enterprise(&self, account: usize, id: Uuid) -> Result<&EnterpriseConfig, Refusal> {
        self.accounts[account]
            .enterprises
            .iter()
            .find(|e| e.id == id)
            .ok_or(Refusal::UnknownEnterprise(id))
    }

    /// Associates numbers atomically: every rule is checked first; any failure changes nothing.
    pub fn associate(
        &mut self,
        account: usize,
        enterprise_id: Uuid,
        numbers: &[impl AsRef<str>],
        now: DateTime<Utc>,
    ) -> Result<Vec<Association>, Refusal> {
        if !self.enterprise(account, enterprise_id)?.approved {
            return Err(Refusal::NotApproved(enterprise_id));
        }
        if numbers.is_empty() {
            return Err(Refusal::Batch(BatchRefusal::Empty));
        }
        if numbers.len() > telnyx_e164::Batch::MAX_SIZE {
            return Err(Refusal::Batch(BatchRefusal::TooMany(numbers.len())));
        }
        let inventory = &self.accounts[account].inventory;
        let mut refused = Vec::new();
        let mut valid = Vec::with_capacity(numbers.len());
        let mut seen: HashMap<UsLocalNumber, usize> = HashMap::with_capacity(numbers.len());
        for (index, raw) in numbers.iter().enumerate() {
            let raw: &str = raw.as_ref();
            let number = match UsLocalNumber::parse_strict(raw) {
                Ok(n) => n,
                Err(e) => {
                    refused.push(NumberRefusal {
                        index,
                        number: raw.to_owned(),
                        rule: NumberRule::Invalid(e.code()),
                        detail: format!("{raw}: {}", e.reason),
                    });
                    continue;
                }
            };
            if let Some(first) = seen.insert(number, index) {
                refused.push(NumberRefusal {
                    index,
                    number: raw.to_owned(),
                    rule: NumberRule::Duplicate,
                    detail: format!("{raw} appears twice in the request (first at index {first})"),
                });
                continue;
            }
            if !inventory.owns(&number) {
                refused.push(NumberRefusal {
                    index,
                    number: raw.to_owned(),
                    rule: NumberRule::NotOwned,
                    detail: format!("{raw} is not in service on this account"),
                });
                continue;
            }
            if let Some(existing) = self.associations.get(&number.as_e164()) {
                let whose = if existing.enterprise_id == enterprise_id {
                    "this enterprise"
                } else {
                    "another enterprise"
                };
                refused.push(NumberRefusal {
                    index,
                    number: raw.to_owned(),
                    rule: NumberRule::AlreadyAssociated,
                    detail: format!("{raw} is already associated with {whose}"),
                });
                continue;
            }
            valid.push(number);
        }
        if !refused.is_empty() {
            return Err(Refusal::Numbers(refused));
        }
        let mut created = Vec::with_capacity(valid.len());
        for number in valid {
            self.next_seq += 1;
            let record = Association {
                id: record_id(self.id_key, self.next_seq),
                account,
                enterprise_id,
                phone_number: number,
                created_at: now,
                updated_at: now,
                reputation: None,
                seq: self.next_seq,
            };
            self.associations.insert(number.as_e164(), record.clone());
            created.push(record);
        }
        Ok(created)
    }

    /// The associations visible to a list: of one enterprise, or of all the account's.
    pub fn list(
        &self,
        account: usize,
        enterprise_id: Option<Uuid>,
        filter: Option<&str>,
    ) -> Result<Vec<&Association>, Refusal> {
        if let Some(id) = enterprise_id {
            self.enterprise(account, id)?;
        }
        let matches = |a: &&Association| {
            a.account == account && enterprise_id.is_none_or(|id| a.enterprise_id == id)
        };
        let mut out: Vec<&Association> = match filter {
            Some(f) => match E164::parse_strict(f) {
                Ok(n) => self
                    .associations
                    .get(&n)
                    .into_iter()
                    .filter(matches)
                    .collect(),
                Err(_) => Vec::new(),
            },
            None => self.associations.values().filter(matches).collect(),
        };
        out.sort_by_key(|a| a.seq);
        Ok(out)
    }

    fn find_mut(
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
    ) -> Result<ReputationPhoneNumber, Refusal> {
        if let Some(id) = enterprise_id
            && !self.enterprise(account, id)?.approved
        {
            return Err(Refusal::NotApproved(id));
        }
        let record = self.find_mut(account, enterprise_id, number)?;
        if fresh || record.reputation.is_none() {
            record.reputation = Some(Box::new(reputation_of(&record.phone_number, now)));
            record.updated_at = now;
        }
        Ok(record.with_reputation())
    }

    /// Removes an association.
    pub fn disassociate(
        &mut self,
        account: usize,
        enterprise_id: Option<Uuid>,
        number: &str,
    ) -> Result<(), Refusal> {
        let key = self
            .find_mut(account, enterprise_id, number)?
            .phone_number
            .as_e164();
        self.associations.remove(&key);
        Ok(())
    }

    /// Forgets every association.
    pub fn reset(&mut self) {
        self.associations.clear();
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
