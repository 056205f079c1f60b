//! Client CPU per associate request: the SDK's `Client::associate` (typed batch, generated
//! client, retry wrapper, error mapping) against a bare `reqwest` POST of the same body, both
//! sent to the same emulator process, side by side in one run. CPU is this process's user+system
//! time from /proc/self/stat, so the emulator's own work is not counted.
//!
//! ```sh
//! telnyx-reputation mock serve --addr 127.0.0.1:18585 &
//! cargo bench -p telnyx-reputation --bench client_cpu -- http://127.0.0.1:18585 3000
//! ```
//!
//! A third argument, `bare` or `sdk`, runs one side only (and prints nothing but its count), for
//! counting instructions under `valgrind --tool=callgrind`: run each side at two request counts,
//! and the difference divided by the extra requests is the cost of one request, free of start-up
//! (the TLS root store, the runtime) and of the clock's 10 ms tick.

use telnyx_e164::validate_batch;
use telnyx_reputation::{ApiKey, Client, ClientConfig};
use telnyx_reputation_mock::{DEMO_API_KEY, DEMO_ENTERPRISE};

/// This process's CPU time (user + system) in seconds.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of stat (utime, stime), counted after the ")" as 12 and 13 (0-based 11, 12).
    let ticks: f64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0)
        + fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}

fn batch_numbers(round: u32, offset: u32) -> Vec<String> {
    (0..100)
        .map(|i| format!("+1603{:07}", 2_000_000 + offset + round * 100 + i))
        .collect()
}

/// The bare side: the same POST with plain `reqwest`, its body read as untyped JSON.
async fn bare_associate(
    bare: &reqwest::Client,
    url: &str,
    numbers: Vec<String>,
) -> Result<(), reqwest::Error> {
    let body = serde_json::json!({ "phone_numbers": numbers });
    let response = bare
        .post(url)
        .bearer_auth(DEMO_API_KEY)
        .json(&body)
        .send()
        .await?;
    assert_eq!(response.status().as_u16(), 201);
    let _: serde_json::Value = response.json().await?;
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` appends `--bench` after the arguments given behind `--`.
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let base = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:18585".into());
    let rounds: u32 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(3000);
    let only = args.next();
    let url = format!("{base}/enterprises/{DEMO_ENTERPRISE}/reputation/numbers");
    // The bare side gets the same TLS set-up as the SDK's client (plain http: no roots read).
    let bare =
        telnyx_reputation_tls::client_builder(telnyx_reputation_tls::Trust::Nothing)?.build()?;
    let sdk = Client::new(ClientConfig::new(ApiKey::new(DEMO_API_KEY)).base_url(base.as_str()))?;

    if let Some(side) = only {
        // Numbers never sent before by either side of a normal run on a fresh emulator.
        let offset = if side == "bare" { 1_000_000 } else { 6_000_000 };
        for r in 0..rounds {
            if side == "bare" {
                bare_associate(&bare, &url, batch_numbers(r, offset)).await?;
            } else {
                let batch = validate_batch(batch_numbers(r, offset))?;
                sdk.associate(DEMO_ENTERPRISE, &batch).await?;
            }
        }
        println!("{side}: {rounds} requests");
        return Ok(());
    }
    // Alternate blocks so that drift in machine load falls on both sides alike.
    let (mut bare_cpu, mut sdk_cpu) = (0.0, 0.0);
    let block = 250;
    let mut round = 0;
    while round < rounds {
        let n = block.min(rounds - round);
        let t = cpu_seconds();
        for r in round..round + n {
            bare_associate(&bare, &url, batch_numbers(r, 0)).await?;
        }
        bare_cpu += cpu_seconds() - t;
        let t = cpu_seconds();
        for r in round..round + n {
            let batch = validate_batch(batch_numbers(r, 5_000_000))?;
            sdk.associate(DEMO_ENTERPRISE, &batch).await?;
        }
        sdk_cpu += cpu_seconds() - t;
        round += n;
    }
    let per = |cpu: f64| cpu * 1e6 / f64::from(rounds);
    println!("| client | requests | CPU s | CPU µs/request |");
    println!("|---|---|---|---|");
    println!(
        "| bare reqwest POST + JSON parse | {rounds} | {bare_cpu:.2} | {:.0} |",
        per(bare_cpu)
    );
    println!(
        "| SDK Client::associate (incl. validate_batch) | {rounds} | {sdk_cpu:.2} | {:.0} |",
        per(sdk_cpu)
    );
    println!("ratio SDK / bare: {:.3}", sdk_cpu / bare_cpu);
    Ok(())
}
