//! A number's reputation data, the library's one form of it: what a read or a list gives
//! ([`NumberReputation::reputation_data`](crate::NumberReputation::reputation_data)), what a
//! report row holds ([`report::Row`](crate::report::Row)) and what a snapshot line saves.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use telnyx_reputation_api::types::ReputationData;

/// A number's coarse spam-risk bucket: `Low`, `Medium` or `High`, or `Other` for a bucket the
/// API adds later, kept as sent (a list page carrying one still reads). Open: match with a `_`
/// arm. Reports order the known buckets with [`report::Risk`](crate::report::Risk).
pub use telnyx_reputation_api::SpamRisk;

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

impl std::fmt::Display for Score {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.field())
    }
}

/// A number's reputation data: the spam-risk bucket, the category label, the four 0–100
/// scores and when the API collected them. Every field may be `None`: the API has no data yet,
/// or not enough for that score. Read from the API's record, each score is checked to be
/// 0–100; a score outside that range is an error naming the score and the number, never kept.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Reputation {
    /// The coarse spam-risk bucket, as the API wrote it (an unknown one as
    /// [`SpamRisk::Other`]).
    pub spam_risk: Option<SpamRisk>,
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

    /// Reads the API's reputation data; the reason when a score is not 0–100.
    pub(crate) fn from_api(data: &ReputationData) -> Result<Reputation, String> {
        Ok(Reputation {
            spam_risk: data.spam_risk.clone(),
            spam_category: data.spam_category.as_deref().map(Box::from),
            maturity_score: score(Score::Maturity, data.maturity_score)?,
            connection_score: score(Score::Connection, data.connection_score)?,
            engagement_score: score(Score::Engagement, data.engagement_score)?,
            sentiment_score: score(Score::Sentiment, data.sentiment_score)?,
            last_refreshed_at: data.last_refreshed_at.map(|t| t.into_inner()),
        })
    }
}

/// A score as the API sends it (0–100); the reason for anything else.
fn score(score: Score, value: Option<i64>) -> Result<Option<u8>, String> {
    value
        .map(|v| {
            u8::try_from(v)
                .ok()
                .filter(|v| *v <= 100)
                .ok_or_else(|| format!("{score} {v} is not a score from 0 to 100"))
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(json: serde_json::Value) -> ReputationData {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn the_api_data_reads_with_scores_checked_and_an_unknown_bucket_kept() {
        let read = Reputation::from_api(&data(serde_json::json!({
            "spam_risk": "critical", "spam_category": "robocall", "maturity_score": 0,
            "connection_score": 100, "last_refreshed_at": "2026-04-26T18:09:24Z"
        })))
        .unwrap();
        assert_eq!(read.spam_risk, Some(SpamRisk::Other("critical".into())));
        assert_eq!(read.spam_category.as_deref(), Some("robocall"));
        assert_eq!(
            (
                read.maturity_score,
                read.connection_score,
                read.engagement_score
            ),
            (Some(0), Some(100), None)
        );
        assert_eq!(read.lowest_score(), Some(0));
        for (field, value) in [("maturity_score", 101), ("sentiment_score", -1)] {
            let error =
                Reputation::from_api(&data(serde_json::json!({ field: value }))).unwrap_err();
            assert_eq!(
                error,
                format!("{field} {value} is not a score from 0 to 100")
            );
        }
    }
}
