//! One monitored number as a report sees it: the number, its enterprise, its reputation
//! fields and its ownership tracking, in a compact form (a report of a million numbers sorted
//! in memory costs about 100 bytes a number), and the order of spam risk.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use telnyx_e164::UsNumber;
use uuid::Uuid;

use super::ownership::Tracking;

/// The API's coarse spam-risk bucket, ordered `Low < Medium < High`.
///
/// A number without reputation data, or whose data has no bucket yet, has no `Risk`
/// (`Option<Risk>` is `None`); it is below every level in filters and alerts.
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

/// One of the four 0–100 scores of a number's reputation data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Score {
    /// How established the number is (higher is more established).
    Maturity,
    /// The API's connection score of calls from the number.
    Connection,
    /// How called parties engage with its calls (higher is more positive).
    Engagement,
    /// How called parties perceive its calls (higher is more positive).
    Sentiment,
}

impl Score {
    /// Every score, in the order reports print them.
    pub const ALL: [Score; 4] = [
        Score::Maturity,
        Score::Connection,
        Score::Engagement,
        Score::Sentiment,
    ];

    /// The field's name in the API and in snapshots, e.g. `maturity_score`.
    pub fn field(self) -> &'static str {
        match self {
            Score::Maturity => "maturity_score",
            Score::Connection => "connection_score",
            Score::Engagement => "engagement_score",
            Score::Sentiment => "sentiment_score",
        }
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.field())
    }
}

/// A number's reputation fields as the list operation returns them. Every field may be null:
/// the API has no data yet, or not enough for that score.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Reputation {
    /// The coarse spam-risk bucket.
    pub spam_risk: Option<Risk>,
    /// The feed's category label when the number is flagged, e.g. `"robocall"`.
    pub spam_category: Option<Box<str>>,
    /// How established the number is, 0–100.
    pub maturity_score: Option<u8>,
    /// The connection score, 0–100.
    pub connection_score: Option<u8>,
    /// How called parties engage with its calls, 0–100, higher is more positive.
    pub engagement_score: Option<u8>,
    /// How called parties perceive its calls, 0–100, higher is more positive.
    pub sentiment_score: Option<u8>,
    /// When the API last collected the data.
    pub last_refreshed_at: Option<DateTime<Utc>>,
}

impl Reputation {
    /// One score by name.
    pub fn score(&self, score: Score) -> Option<u8> {
        match score {
            Score::Maturity => self.maturity_score,
            Score::Connection => self.connection_score,
            Score::Engagement => self.engagement_score,
            Score::Sentiment => self.sentiment_score,
        }
    }

    /// The lowest of the scores the data has (the weakest signal), or `None` without any:
    /// what `--sort score` orders by, lowest first.
    pub fn lowest_score(&self) -> Option<u8> {
        Score::ALL.iter().filter_map(|s| self.score(*s)).min()
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
    /// The number's risk bucket, `None` without data.
    pub fn risk(&self) -> Option<Risk> {
        self.reputation.spam_risk
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
        // The sorted report's budget is 200 bytes a number, the row included.
        assert!(
            std::mem::size_of::<Row>() <= 96,
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
                spam_risk: Some(Risk::Medium),
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
    fn a_row_written_before_ownership_tracking_reads_with_it_unknown() {
        let old = r#"{"phone_number":"+16035551234","enterprise_id":null,"spam_risk":"low","spam_category":null,"maturity_score":72,"connection_score":null,"engagement_score":null,"sentiment_score":null,"last_refreshed_at":null}"#;
        let row: Row = serde_json::from_str(old).unwrap();
        assert_eq!(row.tracking, Tracking::default());
        assert_eq!(row.risk(), Some(Risk::Low));
    }
}
