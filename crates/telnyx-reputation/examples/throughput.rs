//! Bulk association throughput against the emulator with injected latency, at several
//! concurrency levels, as a fraction of the bound `concurrency × batch size / latency`.
//!
//! `cargo run --release -p telnyx-reputation --example throughput -- [NUMBERS] [LATENCY_MS]`

use std::time::{Duration, Instant};

use telnyx_reputation::bulk::{BulkOptions, Outcome};
use telnyx_reputation::{ApiKey, Client, ClientConfig};
use telnyx_reputation_mock::{DEMO_API_KEY, DEMO_ENTERPRISE, Faults, MockConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let numbers: u32 = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let latency_ms: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(20);
    println!(
        "| concurrency | numbers | seconds | numbers/s | bound numbers/s | fraction of bound |"
    );
    println!("|---|---|---|---|---|---|");
    for concurrency in [1usize, 4, 16] {
        let mut config = MockConfig::demo();
        config.faults = Faults {
            latency_ms,
            ..Faults::default()
        };
        let mock = telnyx_reputation_mock::start(config).await?;
        let client =
            Client::new(ClientConfig::new(ApiKey::new(DEMO_API_KEY)).base_url(mock.base_url()))?;
        let inputs: Vec<String> = (0..numbers)
            .map(|i| format!("+1603{:07}", 2_000_000 + i))
            .collect();
        let start = Instant::now();
        let report = client
            .associate_all(
                DEMO_ENTERPRISE,
                &inputs,
                BulkOptions::default().concurrency(concurrency),
            )
            .await?;
        let elapsed = start.elapsed();
        assert_eq!(report.outcome, Outcome::Completed);
        let rate = f64::from(numbers) / elapsed.as_secs_f64();
        let bound = concurrency as f64 * 100.0 / Duration::from_millis(latency_ms).as_secs_f64();
        println!(
            "| {concurrency} | {numbers} | {:.2} | {:.0} | {:.0} | {:.1} % |",
            elapsed.as_secs_f64(),
            rate,
            bound,
            100.0 * rate / bound
        );
        mock.shutdown().await;
    }
    Ok(())
}
