//! One monitored number as a report sees it: the number, its enterprise, its reputation
//! fields and its ownership tracking, in a compact form (a report of a million numbers sorted
//! in memory costs about 140 bytes a number), and the order of spam risk.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use telnyx_e164::UsNumber;
use uuid::Uuid;

use super::ownership::Tracking;
use crate::reputation::{Reputation, SpamRisk};

/// The API's coarse spam-risk buckets this client knows, ordered `Low < Medium < High`: the
/// levels of filters (`--risk`), sorts and alerts (`--fail-on`).
///
/// A number without reputation data, whose data has no bucket yet, or whose bucket this client
/// does not know ([`SpamRisk::Other`], a bucket the API added later) has no `Risk`
/// (`Option<Risk>` is `None`): it is below every level in filters and alerts. Its bucket is
/// still kept, printed and saved as the API wrote it ([`Reputation::spam_risk`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Risk {
    /// The API sees little spam risk.
    Low,
    /// The API sees some spam risk.
    Medium,
    /// The API considers the number likely to be flagged as spam.
    High,
}

impl Risk {
    /// The API's word for the bucket: `low`, `medium` or `high`.
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
        }
    }

    /// The level of an API bucket; `None` for one this client does not know, which reaches no
    /// level.
    ///
    /// ```
    /// use telnyx_reputation::{SpamRisk, report::Risk};
    /// assert_eq!(Risk::of(&SpamRisk::High), Some(Risk::High));
    /// assert_eq!(Risk::of(&SpamRisk::Other("critical".into())), None);
    /// ```
    pub fn of(bucket: &SpamRisk) -> Option<Risk> {
        match bucket {
            SpamRisk::Low => Some(Risk::Low),
            SpamRisk::Medium => Some(Risk::Medium),
            SpamRisk::High => Some(Risk::High),
            _ => None,
        }
    }

    /// Whether `risk` (possibly unknown) is at or above `self`; unknown is below every level.
    pub fn is_reached_by(self, risk: Option<Risk>) -> bool {
        risk.is_some_and(|r| r >= self)
    }
}

impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<Risk> for SpamRisk {
    /// The API's bucket of a level.
    fn from(risk: Risk) -> SpamRisk {
        match risk {
            Risk::Low => SpamRisk::Low,
            Risk::Medium => SpamRisk::Medium,
            Risk::High => SpamRisk::High,
        }
    }
}

/// A risk level that is not `low`, `medium` or `high`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a risk level: use low, medium or high")]
pub struct UnknownRisk(pub String);

impl FromStr for Risk {
    type Err = UnknownRisk;

    fn from_str(s: &str) -> Result<Risk, UnknownRisk> {
        match s.trim().to_ascii_lowercase().as_str() {
            "low" => Ok(Risk::Low),
            "medium" => Ok(Risk::Medium),
            "high" => Ok(Risk::High),
            _ => Err(UnknownRisk(s.to_owned())),
        }
    }
}

/// One monitored number: what a report prints and a snapshot line holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Row {
    /// The number, E.164.
    pub phone_number: UsNumber,
    /// The enterprise the number is monitored under, when the list says.
    pub enterprise_id: Option<Uuid>,
    /// Its reputation fields, flattened into the row; all null before the API's first
    /// collection.
    #[serde(flatten)]
    pub reputation: Reputation,
    /// Its ownership tracking (`source`, `ownership_status`, `confirm_by`), flattened into the
    /// row; all null when the server or an older snapshot does not say.
    #[serde(flatten)]
    pub tracking: Tracking,
}

impl Row {
    /// The number's risk level: `None` without data, and `None` for a bucket this client does
    /// not know (see [`Risk::of`]), which reaches no level of a filter, a sort or an alert.
    pub fn risk(&self) -> Option<Risk> {
        self.reputation.spam_risk.as_ref().and_then(Risk::of)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::ownership::{Ownership, Source};

    #[test]
    fn risk_orders_low_medium_high_and_unknown_reaches_no_level() {
        assert!(Risk::Low < Risk::Medium && Risk::Medium < Risk::High);
        assert!(Risk::Medium.is_reached_by(Some(Risk::High)));
        assert!(Risk::Medium.is_reached_by(Some(Risk::Medium)));
        assert!(!Risk::Medium.is_reached_by(Some(Risk::Low)));
        assert!(!Risk::Low.is_reached_by(None));
        assert_eq!("HIGH".parse::<Risk>(), Ok(Risk::High));
        let err = "severe".parse::<Risk>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"severe\" is not a risk level: use low, medium or high"
        );
    }

    #[test]
    fn a_row_stays_small_enough_to_sort_a_million_in_memory() {
        // The sorted report's budget is 200 bytes a number, the row included. The open bucket
        // (`SpamRisk`, whose `Other` holds a `String`) is 24 of the row's bytes.
        assert!(
            std::mem::size_of::<Row>() <= 120,
            "{}",
            std::mem::size_of::<Row>()
        );
    }

    #[test]
    fn a_row_is_one_flat_json_object_and_reads_back() {
        let row = Row {
            phone_number: "+16035551234".parse().unwrap(),
            enterprise_id: Some(Uuid::from_u128(7)),
            reputation: Reputation {
                spam_risk: Some(SpamRisk::Medium),
                spam_category: Some("robocall".into()),
                maturity_score: Some(72),
                connection_score: None,
                engagement_score: Some(64),
                sentiment_score: Some(75),
                last_refreshed_at: Some("2026-04-26T18:09:24Z".parse().unwrap()),
            },
            tracking: Tracking {
                source: Some(Source::External),
                ownership_status: Some(Ownership::PendingConfirmation),
                confirm_by: Some("2026-10-08T07:00:00Z".parse().unwrap()),
            },
        };
        let json = serde_json::to_string(&row).unwrap();
        assert_eq!(
            json,
            r#"{"phone_number":"+16035551234","enterprise_id":"00000000-0000-0000-0000-000000000007","spam_risk":"medium","spam_category":"robocall","maturity_score":72,"connection_score":null,"engagement_score":64,"sentiment_score":75,"last_refreshed_at":"2026-04-26T18:09:24Z","source":"external","ownership_status":"pending_confirmation","confirm_by":"2026-10-08T07:00:00Z"}"#
        );
        assert_eq!(serde_json::from_str::<Row>(&json).unwrap(), row);
        assert_eq!(row.reputation.lowest_score(), Some(64));
    }

    #[test]
    fn a_bucket_added_later_is_kept_as_written_and_reaches_no_level() {
        let line = r#"{"phone_number":"+16035551234","enterprise_id":null,"spam_risk":"critical","spam_category":null,"maturity_score":null,"connection_score":null,"engagement_score":null,"sentiment_score":null,"last_refreshed_at":null,"source":null,"ownership_status":null,"confirm_by":null}"#;
        let row: Row = serde_json::from_str(line).unwrap();
        assert_eq!(
            row.reputation.spam_risk,
            Some(SpamRisk::Other("critical".into()))
        );
        assert_eq!(row.risk(), None);
        assert!(!Risk::Low.is_reached_by(row.risk()));
        assert_eq!(serde_json::to_string(&row).unwrap(), line);
    }

    #[test]
    fn a_row_written_before_ownership_tracking_reads_with_it_unknown() {
        let old = r#"{"phone_number":"+16035551234","enterprise_id":null,"spam_risk":"low","spam_category":null,"maturity_score":72,"connection_score":null,"engagement_score":null,"sentiment_score":null,"last_refreshed_at":null}"#;
        let row: Row = serde_json::from_str(old).unwrap();
        assert_eq!(row.tracking, Tracking::default());
        assert_eq!(row.risk(), Some(Risk::Low));
    }
}
