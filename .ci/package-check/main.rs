//! A service outside the workspace that takes the SDK from its packaged `.crate` files: it starts
//! the packaged emulator on loopback, associates numbers all or nothing through the packaged
//! client, and checks what the emulator then holds. `.ci/package-check.sh` builds and runs it.

use std::time::Duration;

use telnyx_reputation::bulk::{BulkOptions, Mode, Outcome};
use telnyx_reputation::{ApiKey, Client, ClientConfig, Freshness, RetryPolicy, Scope};
use telnyx_reputation_mock::{DEMO_API_KEY, DEMO_ENTERPRISE, MockConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = telnyx_reputation_mock::start(MockConfig::demo()).await?;
    let client = Client::new(
        ClientConfig::new(ApiKey::new(DEMO_API_KEY))
            .base_url(mock.base_url())
            .retry(RetryPolicy::default().base_delay(Duration::from_millis(10))),
    )?;
    let options = || BulkOptions::default().mode(Mode::AllOrNothing);

    // Three US local numbers: all associated in one request.
    let good = ["+16035550100", "+16035550101", "+16035550102"].map(String::from);
    let report = client
        .associate_all(DEMO_ENTERPRISE, &good, options())
        .await?;
    assert_eq!(report.outcome, Outcome::Completed, "{report:?}");
    assert_eq!(report.associated.len(), 3, "{report:?}");

    // A Canadian number among good ones: refused before anything is sent.
    let mixed = ["+16035550103", "+14165550104"].map(String::from);
    let report = client
        .associate_all(DEMO_ENTERPRISE, &mixed, options())
        .await?;
    assert_eq!(report.outcome, Outcome::Refused, "{report:?}");
    assert_eq!(report.requests, 0, "{report:?}");

    // The emulator holds the first three, and not the one refused with the Canadian number.
    let held = client
        .get(Scope::Enterprise(DEMO_ENTERPRISE), "+16035550102".parse()?, Freshness::Cached)
        .await?;
    assert_eq!(held.phone_number.as_str(), "+16035550102");
    assert!(
        client
            .get(Scope::Enterprise(DEMO_ENTERPRISE), "+16035550103".parse()?, Freshness::Cached)
            .await
            .is_err(),
        "+16035550103 was refused with its batch, so it is not under monitoring"
    );
    mock.shutdown().await;
    println!("package-check: the packaged SDK associated 3 numbers and refused a mixed batch");
    Ok(())
}
