//! `settings get|enable|disable|frequency|webhook`: an enterprise's reputation settings.
//! `enable` is billable (the monthly fee starts): it says so before sending and, against the
//! real API, asks first unless `--yes`. `webhook URL` sets where the ownership events go,
//! `webhook --clear` stops them.

use telnyx_reputation::{CheckFrequency, LoaDocumentId, WebhookUrl};
use uuid::Uuid;

use crate::args::{Enterprise, loa_document};
use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::rows::print_settings;

/// The `settings` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Show the enterprise's reputation settings (404, exit 1, if never enabled).
    Get(Enterprise),
    /// Enable reputation for the enterprise (billable: a monthly fee).
    Enable(EnableArgs),
    /// Disable reputation: every number of the enterprise is de-registered.
    Disable(Enterprise),
    /// Change how often the enterprise's numbers are refreshed.
    Frequency(FrequencyArgs),
    /// Set the URL that receives the enterprise's ownership events, or stop them (--clear).
    Webhook(WebhookArgs),
}

/// A frequency this client knows (the library keeps any other value the API sends, but one
/// typed on the command line is a typo until the API documents it).
fn frequency(s: &str) -> Result<CheckFrequency, String> {
    let value = CheckFrequency::from(s);
    if value.is_known() {
        Ok(value)
    } else {
        Err(format!("one of {}", CheckFrequency::KNOWN.join(", ")))
    }
}

/// Arguments of `settings enable`.
#[derive(Debug, clap::Args)]
pub struct EnableArgs {
    /// The enterprise (UUID).
    #[arg(long)]
    enterprise: Uuid,
    /// The signed Letter of Authorization's document id (from the Documents API).
    #[arg(long, value_parser = loa_document)]
    loa_document_id: LoaDocumentId,
    /// How often numbers are refreshed (each refresh is a billable check).
    #[arg(long, default_value = "business_daily", value_parser = frequency)]
    check_frequency: CheckFrequency,
}

fn webhook_url(s: &str) -> Result<WebhookUrl, String> {
    WebhookUrl::new(s).map_err(|e| e.to_string())
}

/// Arguments of `settings webhook`.
#[derive(Debug, clap::Args)]
pub struct WebhookArgs {
    /// The enterprise (UUID).
    #[arg(long)]
    enterprise: Uuid,
    /// An https:// URL on a publicly routable host (against the emulator, also
    /// http://127.0.0.1:PORT/...), receiving the three ownership events
    /// (`webhooks listen` shows them).
    #[arg(value_parser = webhook_url, required_unless_present = "clear")]
    url: Option<WebhookUrl>,
    /// Stop the ownership events (the URL is set to null).
    #[arg(long, conflicts_with = "url")]
    clear: bool,
}

/// Arguments of `settings frequency`.
#[derive(Debug, clap::Args)]
pub struct FrequencyArgs {
    /// The enterprise (UUID).
    #[arg(long)]
    enterprise: Uuid,
    /// business_daily, daily, weekly, biweekly, monthly or never.
    #[arg(value_parser = frequency)]
    check_frequency: CheckFrequency,
}

/// Runs a `settings` subcommand.
pub async fn run(command: Command, global: &Global) -> Result<Exit, Failure> {
    let session = global.session().await?;
    let result = match &command {
        Command::Get(a) => session.client.settings(a.enterprise).await.map(Some),
        Command::Enable(a) => {
            eprintln!(
                "settings enable: 1 billable event (the monthly fee for enterprise {})",
                a.enterprise
            );
            if let Err(e) = global.confirm_billable(
                &session.client,
                &format!("enabling reputation for enterprise {}", a.enterprise),
            ) {
                session.close().await;
                return Err(e);
            }
            session
                .client
                .enable(a.enterprise, &a.loa_document_id, a.check_frequency.clone())
                .await
                .map(Some)
        }
        Command::Disable(a) => session.client.disable(a.enterprise).await.map(|()| None),
        Command::Frequency(a) => session
            .client
            .set_check_frequency(a.enterprise, a.check_frequency.clone())
            .await
            .map(Some),
        Command::Webhook(a) => session
            .client
            .set_webhook_url(a.enterprise, if a.clear { None } else { a.url.as_ref() })
            .await
            .map(Some),
    };
    session.close().await;
    match result.map_err(Failure::from_api)? {
        Some(settings) => print_settings(&settings, global.output())?,
        None => global.note("disabled: every number of the enterprise is de-registered"),
    }
    Ok(Exit::Success)
}
