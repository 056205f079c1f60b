//! Reputation data and record ids, computed rather than stored: the same number gives the same
//! data on every run, and a populated enterprise is the same for the same seed.

use chrono::{DateTime, Utc};
use telnyx_e164::E164;
use uuid::Uuid;

use crate::model::{ReputationData, SpamRisk};

/// SplitMix64's finaliser: a bijection on `u64`.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A random-looking v4 record id, unique per `(key, seq)`: a bijection of `seq` under the key
/// fills bits that the version and variant never overwrite, so two records of one world never
/// share an id. One `getrandom` per world instead of one per record (which was an eighth of the
/// emulator's associate time).
pub(crate) fn record_id(key: u64, seq: u64) -> Uuid {
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

/// FNV-1a of the number's text: what every value computed from a number starts from.
pub(crate) fn number_hash(number: &E164) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for b in number.as_str().bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

const CATEGORIES: [&str; 4] = ["Telemarketing", "Debt Collector", "Survey", "Political"];

/// Data from a hash: the risk from its low bits (six in ten low, three medium, one high), a
/// category when flagged, four scores.
fn data_from(h: u64, risk: Option<SpamRisk>, now: DateTime<Utc>) -> ReputationData {
    let score = |shift: u32| i64::try_from((h >> shift) % 101).ok();
    let known = risk.is_some();
    ReputationData {
        spam_risk: risk,
        spam_category: risk
            .filter(|r| *r != SpamRisk::Low)
            .and_then(|_| CATEGORIES.get(((h >> 8) % 4) as usize))
            .map(|c| (*c).to_owned()),
        maturity_score: score(8).filter(|_| known),
        connection_score: score(16).filter(|_| known),
        engagement_score: score(24).filter(|_| known),
        sentiment_score: score(32).filter(|_| known),
        last_refreshed_at: Some(now),
    }
}

fn risk_of(h: u64) -> SpamRisk {
    match h % 10 {
        0..=5 => SpamRisk::Low,
        6..=8 => SpamRisk::Medium,
        _ => SpamRisk::High,
    }
}

/// Reputation data computed from the number alone, so it is the same on every run.
pub fn reputation_of(number: &E164, now: DateTime<Utc>) -> ReputationData {
    reputation_after(number, 0, now)
}

/// The data of the `checks`-th check of a number: the risk and category stay those of
/// [`reputation_of`], the scores move a little with each check (as a live feed's do), so a
/// refresh visibly changes `reputation_data`.
pub fn reputation_after(number: &E164, checks: u32, now: DateTime<Utc>) -> ReputationData {
    let h = number_hash(number);
    let mut data = data_from(h, Some(risk_of(h)), now);
    if checks > 0 {
        let drift = mix(h ^ u64::from(checks));
        for (i, score) in [
            &mut data.maturity_score,
            &mut data.connection_score,
            &mut data.engagement_score,
            &mut data.sentiment_score,
        ]
        .into_iter()
        .enumerate()
        {
            // -5..=5, clamped to the 0–100 range.
            let step = i64::try_from((drift >> (i * 8)) % 11).unwrap_or(5) - 5;
            *score = score.map(|s| s.saturating_add(step).clamp(0, 100));
        }
    }
    data
}

/// Seeded data for `mock serve --populate`: per seed and number, the risk is low (half),
/// medium (a fifth), high (a fifth) or unknown (a tenth, with every score null too).
pub fn populated_reputation(number: &E164, seed: u64, now: DateTime<Utc>) -> ReputationData {
    let h = mix(number_hash(number) ^ mix(seed));
    let risk = match h % 10 {
        0..=4 => Some(SpamRisk::Low),
        5 | 6 => Some(SpamRisk::Medium),
        7 | 8 => Some(SpamRisk::High),
        _ => None,
    };
    data_from(h >> 4, risk, now)
}
