//! Bulk association throughput against the emulator with injected latency, at several
//! concurrency levels, as a fraction of the bound `concurrency × batch size / latency`.
//!
//! ```sh
//! cargo bench -p telnyx-reputation --bench throughput -- [NUMBERS] [LATENCY_MS] [URL]
//! ```
//!
//! Without `URL` the emulator runs in this process; with it, the emulator at `URL` (started
//! with `telnyx-reputation mock serve --latency-ms LATENCY_MS`) is used. Each level runs two
//! rows side by side: `associate_all` (the bulk engine), and the bare floor it is compared
//! with: `concurrency` tasks each calling `Client::associate` on pre-built batches in a loop,
//! with no pre-flight, journal, reconciliation or report. `THROUGHPUT_LEVELS=1,4,16` picks the
//! levels.

use std::time::{Duration, Instant};

use telnyx_e164::Batch;
use telnyx_reputation::bulk::{BulkOptions, Outcome};
use telnyx_reputation::{ApiKey, Client, ClientConfig};
use telnyx_reputation_mock::{DEMO_API_KEY, DEMO_ENTERPRISE, Faults, MockConfig, MockHandle};

/// `count` distinct valid numbers starting at line `first` of area code 603.
fn numbers(first: u32, count: u32) -> Vec<String> {
    (first..first + count)
        .map(|i| format!("+1603{:03}{:04}", 200 + i / 10_000, i % 10_000))
        .collect()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` appends `--bench` after the arguments given behind `--`.
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let count: u32 = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let latency_ms: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(20);
    let external: Option<String> = args.next();
    let levels: Vec<usize> = match std::env::var("THROUGHPUT_LEVELS") {
        Ok(v) => v.split(',').map(str::parse).collect::<Result<_, _>>()?,
        Err(_) => vec![1, 4, 16],
    };
    println!(
        "| concurrency | what | numbers | seconds | numbers/s | bound numbers/s | fraction of bound |"
    );
    println!("|---|---|---|---|---|---|---|");
    // Every run associates numbers no earlier run used (at most 8,000,000 lines per area code).
    let mut next_first = 0u32;
    for concurrency in levels {
        let bound = concurrency as f64 * 100.0 / Duration::from_millis(latency_ms).as_secs_f64();
        for engine in [true, false] {
            let mock: Option<MockHandle> = match &external {
                Some(_) => None,
                None => {
                    let mut config = MockConfig::demo();
                    config.faults = Faults {
                        latency_ms,
                        ..Faults::default()
                    };
                    Some(telnyx_reputation_mock::start(config).await?)
                }
            };
            let base = match (&external, &mock) {
                (Some(url), _) => url.clone(),
                (None, Some(m)) => m.base_url().to_string(),
                (None, None) => unreachable!("one of the two is set"),
            };
            let client = Client::new(ClientConfig::new(ApiKey::new(DEMO_API_KEY)).base_url(base))?;
            let inputs = numbers(next_first, count);
            next_first += count;
            let mut what = String::from("bare `Client::associate` loop");
            let elapsed = if engine {
                // `associate_all` is these two steps; timed apart to show what pre-flight costs.
                let start = Instant::now();
                let job = client.prepare_all(
                    DEMO_ENTERPRISE,
                    &inputs,
                    BulkOptions::default().concurrency(concurrency),
                );
                let preflight = start.elapsed();
                let report = job.run().await?;
                let elapsed = start.elapsed();
                assert_eq!(report.outcome, Outcome::Completed);
                assert_eq!(report.associated.len(), count as usize);
                what = format!(
                    "`associate_all` (pre-flight {:.1} ms)",
                    preflight.as_secs_f64() * 1e3
                );
                elapsed
            } else {
                let batches: Vec<Batch> = inputs
                    .chunks(100)
                    .map(telnyx_e164::validate_batch)
                    .collect::<Result<_, _>>()?;
                let queue = std::sync::Arc::new(std::sync::Mutex::new(batches));
                let start = Instant::now();
                let mut tasks = tokio::task::JoinSet::new();
                for _ in 0..concurrency {
                    let (client, queue) = (client.clone(), queue.clone());
                    tasks.spawn(async move {
                        loop {
                            let next = queue.lock().expect("not poisoned").pop();
                            let Some(batch) = next else { break };
                            client.associate(DEMO_ENTERPRISE, &batch).await?;
                        }
                        Ok::<_, telnyx_reputation::Error>(())
                    });
                }
                while let Some(done) = tasks.join_next().await {
                    done??;
                }
                start.elapsed()
            };
            let rate = f64::from(count) / elapsed.as_secs_f64();
            println!(
                "| {concurrency} | {what} | {count} | {:.2} | {:.0} | {:.0} | {:.1} % |",
                elapsed.as_secs_f64(),
                rate,
                bound,
                100.0 * rate / bound
            );
            if let Some(mock) = mock {
                mock.shutdown().await;
            }
        }
    }
    Ok(())
}
