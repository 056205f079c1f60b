//! The documented lifecycle with the SDK, against a loopback emulator whose enterprise starts
//! without reputation on an account that has not agreed to the Terms: agree, render the LOA,
//! enable, wait for approval, associate, list, refresh, remediation. Prints each step's answer
//! and, at the end, what the emulator billed.
//!
//! `cargo run -p telnyx-reputation --example lifecycle`

use std::time::Duration;

use telnyx_reputation::{
    ApiKey, CheckFrequency, Client, ClientConfig, LoaDocumentId, LoaRender, LoaStatus, Page,
    RemediationSubmission, ReputationStatus, Scope, e164,
};
use telnyx_reputation_mock::{
    AccountConfig, DEMO_API_KEY, EnterpriseConfig, Inventory, MockConfig,
};
use uuid::Uuid;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let enterprise = Uuid::parse_str("0b6f1c2e-5d4a-4e8b-9c3f-2a7d1e6b4c90")?;
    let mut config = MockConfig::demo();
    config.accounts = vec![AccountConfig {
        api_key: DEMO_API_KEY.into(),
        enterprises: vec![EnterpriseConfig {
            id: enterprise,
            approved: false,
        }],
        inventory: Inventory::All,
        terms_agreed: false,
    }];
    let mock = telnyx_reputation_mock::start(config).await?;
    let client =
        Client::new(ClientConfig::new(ApiKey::new(DEMO_API_KEY)).base_url(mock.base_url()))?;
    let document = LoaDocumentId::new("doc-1")?;

    match client
        .enable(enterprise, &document, CheckFrequency::Weekly)
        .await
    {
        Ok(_) => return Err("enabling before agreeing to the Terms should be refused".into()),
        Err(e) => println!("enable before agreeing: {e}"),
    }
    let agreement = client.agree_to_terms().await?;
    println!("agreed:      {}", serde_json::to_string(agreement.raw())?);

    let pdf = client.render_loa(enterprise, &LoaRender::default()).await?;
    println!(
        "LOA:         {} bytes, starts {:?}",
        pdf.len(),
        String::from_utf8_lossy(pdf.get(..8).unwrap_or_default())
    );

    let enabled = client
        .enable(enterprise, &document, CheckFrequency::Weekly)
        .await?;
    println!("enabled:     {}", serde_json::to_string(enabled.raw())?);
    // Telnyx takes minutes to vet; the emulator a second. Read the settings until approved.
    loop {
        let settings = client.settings(enterprise).await?;
        if settings.status == ReputationStatus::Approved
            && settings.loa_status == Some(LoaStatus::Approved)
        {
            println!("approved:    {}", serde_json::to_string(settings.raw())?);
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let batch = e164::validate_batch(["+16035550100", "+16035550101", "+16035550102"])?;
    let associated = client.associate(enterprise, &batch).await?;
    println!("associated:  {} numbers", associated.len());

    let refreshed = client.refresh(enterprise, &batch).await?;
    println!(
        "refreshed:   {} of {}",
        refreshed.total_successful, refreshed.total_requested
    );
    let page = client
        .numbers(Scope::Enterprise(enterprise))
        .page(Page::new(1, 100))
        .await?;
    for row in &page.data {
        let risk = row
            .reputation_data
            .as_ref()
            .and_then(|d| d.spam_risk.as_ref());
        println!(
            "listed:      {} {}",
            row.phone_number,
            risk.map_or("-", |r| r.as_str())
        );
    }

    let flagged: Vec<e164::E164> = batch.iter().take(2).map(|n| n.as_e164()).collect();
    let submission = RemediationSubmission::new(flagged, "Appointment reminders")?;
    let submitted = client.submit_remediation(enterprise, &submission).await?;
    println!("remediation: {} {}", submitted.id, submitted.status);
    // Pending, then in progress, then completed: one `--remediation-step-ms` (a second) apart.
    mock.advance_clock(Duration::from_secs(2));
    let done = client.remediation(enterprise, submitted.id).await?;
    println!("remediation: {} {:?}", done.status, done.results);

    println!("billed:      {:?}", mock.billing());
    mock.shutdown().await;
    Ok(())
}
