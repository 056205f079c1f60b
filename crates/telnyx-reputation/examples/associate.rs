//! The main job against a loopback emulator: associate numbers with an enterprise, all or
//! nothing, then read one number's spam score back.
//!
//! `cargo run -p telnyx-reputation --example associate`

use std::time::Duration;

use telnyx_reputation::bulk::{BulkOptions, Mode};
use telnyx_reputation::{ApiKey, Client, ClientConfig, Freshness, RetryPolicy, Scope};
use telnyx_reputation_mock::{DEMO_API_KEY, DEMO_ENTERPRISE, MockConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = telnyx_reputation_mock::start(MockConfig::demo()).await?;
    println!(
        "emulator at {} (loopback; nothing billable)",
        mock.base_url()
    );

    let client = Client::new(
        ClientConfig::new(ApiKey::new(DEMO_API_KEY))
            .base_url(mock.base_url())
            .retry(RetryPolicy::default().base_delay(Duration::from_millis(10))),
    )?;
    let inputs: Vec<String> = (0..250).map(|i| format!("+1603555{i:04}")).collect();
    let report = client
        .associate_all(
            DEMO_ENTERPRISE,
            &inputs,
            BulkOptions::default().mode(Mode::AllOrNothing),
        )
        .await?;
    println!(
        "{:?}: {} associated, {} already, {} refused, {} requests",
        report.outcome,
        report.associated.len(),
        report.already_associated.len(),
        report.refused.len(),
        report.requests
    );

    let number = "+16035550042".parse()?;
    let reputation = client
        .get(
            Scope::Enterprise(DEMO_ENTERPRISE),
            number,
            Freshness::Cached,
        )
        .await?;
    println!(
        "{number}: {:?}",
        reputation
            .reputation_data
            .map(|d| (d.spam_risk, d.maturity_score))
    );
    mock.shutdown().await;
    Ok(())
}
