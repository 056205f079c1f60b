//! The rows of the API's records that several commands print: a monitored number (`get`,
//! `list`) and an enterprise's reputation settings (`settings`, `loa replace`).

use serde::Serialize;
use telnyx_reputation::{NumberReputation, Settings};

use crate::exit::Failure;
use crate::output::{self, JsonRows, Output, Sink};

/// The columns of a number row: its reputation, then where it is hosted (`source`) and where
/// its ownership stands (`ownership`, the API's `ownership_status`). The two ownership columns
/// come last so that the reputation columns keep their places.
pub const NUMBER_HEADERS: [&str; 11] = [
    "phone_number",
    "enterprise_id",
    "spam_risk",
    "spam_category",
    "maturity",
    "connection",
    "engagement",
    "sentiment",
    "last_refreshed_at",
    "source",
    "ownership",
];

/// The cells of `r`'s row, under [`NUMBER_HEADERS`].
pub fn number_cells(r: &NumberReputation) -> Vec<String> {
    let d = r.reputation_data.clone().unwrap_or_default();
    let opt = |v: Option<u8>| v.map(|v| v.to_string()).unwrap_or_default();
    vec![
        r.phone_number.to_string(),
        r.enterprise_id.map(|e| e.to_string()).unwrap_or_default(),
        d.spam_risk.map(|s| s.to_string()).unwrap_or_default(),
        d.spam_category.map(String::from).unwrap_or_default(),
        opt(d.maturity_score),
        opt(d.connection_score),
        opt(d.engagement_score),
        opt(d.sentiment_score),
        d.last_refreshed_at
            .map(|t| t.to_rfc3339())
            .unwrap_or_default(),
        r.source.as_ref().map(|s| s.to_string()).unwrap_or_default(),
        r.ownership_status
            .as_ref()
            .map(|s| s.to_string())
            .unwrap_or_default(),
    ]
}

/// Settings as a row.
#[derive(Serialize)]
struct Row {
    enterprise_id: String,
    status: String,
    loa_status: String,
    loa_document_id: String,
    check_frequency: String,
    external_verification: String,
    webhook_url: String,
    updated_at: String,
}

const HEADERS: [&str; 8] = [
    "enterprise_id",
    "status",
    "loa_status",
    "loa_document_id",
    "check_frequency",
    "external_verification",
    "webhook_url",
    "updated_at",
];

/// Prints settings: the API's object as JSON, else one row.
pub fn print_settings(s: &Settings, output: Output) -> Result<(), Failure> {
    if output == Output::Json {
        return output::json(s.raw());
    }
    let text = |v: Option<String>| v.unwrap_or_default();
    let row = Row {
        enterprise_id: s.enterprise_id.to_string(),
        status: s.status.to_string(),
        loa_status: text(s.loa_status.as_ref().map(|v| v.to_string())),
        loa_document_id: text(s.loa_document_id.clone()),
        check_frequency: text(s.check_frequency.as_ref().map(|v| v.to_string())),
        external_verification: text(
            s.external_verification_status
                .as_ref()
                .map(|v| v.to_string()),
        ),
        webhook_url: text(s.webhook_url.clone()),
        updated_at: text(s.updated_at.as_ref().map(|t| t.to_rfc3339())),
    };
    let cells = [
        row.enterprise_id.clone(),
        row.status.clone(),
        row.loa_status.clone(),
        row.loa_document_id.clone(),
        row.check_frequency.clone(),
        row.external_verification.clone(),
        row.webhook_url.clone(),
        row.updated_at.clone(),
    ];
    let mut sink = Sink::new(output, &HEADERS, JsonRows::Array)?;
    sink.row(&row, &cells)?;
    sink.finish()
}
