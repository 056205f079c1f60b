//! The `mock serve` process: its arguments (every [`Faults`] field is a flag, by derivation)
//! and its run until a signal.

use std::net::SocketAddr;

use uuid::Uuid;

use crate::{
    AccountConfig, DEMO_ENTERPRISE, EnterpriseConfig, Faults, Inventory, MockConfig, NumberPrefix,
};

/// `telnyx-reputation mock serve`: the emulator as a process.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The API key of the (single) account.
    #[arg(long, default_value = crate::DEMO_API_KEY)]
    pub api_key: String,
    /// Enterprises with reputation enabled and approved (repeatable). With any, the account
    /// has agreed to the Terms of Service. Without this flag and `--new-enterprise`: the demo
    /// enterprise.
    #[arg(long = "enterprise")]
    pub enterprises: Vec<Uuid>,
    /// Enterprises that exist with reputation not enabled (repeatable). Given alone, the
    /// account has not agreed to the Terms of Service yet.
    #[arg(long = "new-enterprise")]
    pub new_enterprises: Vec<Uuid>,
    /// How long a new activation stays `pending` before it is approved.
    #[arg(long, default_value_t = 1000)]
    pub approve_after_ms: u64,
    /// How long a remediation request stays `pending`, then `in_progress`, before it completes.
    #[arg(long, default_value_t = 1000)]
    pub remediation_step_ms: u64,
    /// Numbers already associated with each approved enterprise at start, with reputation data
    /// seeded by `--seed` (spam risk low, medium, high or null); at most 10,000,000.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(..=10_000_000))]
    pub populate: u64,
    /// Owned numbers in the Telnyx inventory: `all` (every valid US local and US toll-free
    /// number no `--external` prefix matches) or a file with one E.164 number (US local or
    /// toll-free) a line.
    #[arg(long, default_value = "all")]
    pub inventory: String,
    /// An E.164 prefix (e.g. `+1312`) of numbers the enterprises own but host with another
    /// provider (repeatable): they are `source: external`, must be US local, and need the
    /// enterprise's ownership proof approved to be associated.
    #[arg(long = "external", value_name = "PREFIX")]
    pub external: Vec<NumberPrefix>,
    /// How long a submitted ownership proof stays `pending` before it is approved.
    #[arg(long, default_value_t = 1000)]
    pub verification_review_ms: u64,
    /// How long a flagged number has to confirm its ownership (`confirm_by`; default 3 days).
    #[arg(long, default_value_t = crate::DEFAULT_CONFIRM_WINDOW_MS)]
    pub confirm_window_ms: u64,
    /// How long after an unacknowledged webhook delivery it is sent again.
    #[arg(long, default_value_t = 1000)]
    pub webhook_retry_ms: u64,
    /// Accept a raw `+` in paths.
    #[arg(long)]
    pub allow_raw_plus: bool,
    /// Seed of fault decisions and of `--populate`.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Faults and the rate limit.
    #[command(flatten)]
    pub faults: Faults,
}

impl ServeArgs {
    /// The configuration these arguments describe.
    pub fn config(&self) -> Result<MockConfig, String> {
        let inventory = if self.inventory == "all" {
            Inventory::All
        } else {
            let text = std::fs::read_to_string(&self.inventory)
                .map_err(|e| format!("inventory {}: {e}", self.inventory))?;
            let mut set = std::collections::HashSet::new();
            for (i, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let n = telnyx_e164::E164::parse_strict(line.trim())
                    .map_err(|e| format!("inventory {} line {}: {e}", self.inventory, i + 1))?;
                let kind = telnyx_e164::classify(&n);
                if !crate::hosting::inventory_kind(kind) {
                    return Err(format!(
                        "inventory {} line {}: {n} is {}, not a US local or toll-free number",
                        self.inventory,
                        i + 1,
                        kind.name()
                    ));
                }
                set.insert(n);
            }
            Inventory::Numbers(set)
        };
        let approved = if self.enterprises.is_empty() && self.new_enterprises.is_empty() {
            vec![DEMO_ENTERPRISE]
        } else {
            self.enterprises.clone()
        };
        let terms_agreed = !approved.is_empty();
        let enterprises = approved
            .into_iter()
            .map(|id| EnterpriseConfig { id, approved: true })
            .chain(self.new_enterprises.iter().map(|id| EnterpriseConfig {
                id: *id,
                approved: false,
            }))
            .collect();
        Ok(MockConfig {
            addr: self.addr,
            accounts: vec![AccountConfig {
                api_key: self.api_key.clone(),
                enterprises,
                inventory,
                terms_agreed,
            }],
            allow_raw_plus: self.allow_raw_plus,
            faults: self.faults.clone(),
            seed: self.seed,
            approve_after_ms: self.approve_after_ms,
            remediation_step_ms: self.remediation_step_ms,
            populate: self.populate,
            external: self.external.clone(),
            verification_review_ms: self.verification_review_ms,
            confirm_window_ms: self.confirm_window_ms,
            webhook_retry_ms: self.webhook_retry_ms,
        })
    }
}

/// Runs the emulator until SIGINT or SIGTERM, after printing its base URL, key, webhook public
/// key and enterprise ids as its first lines (`base_url URL`, `api_key KEY`,
/// `webhook_public_key BASE64`, then `enterprise ID` for approved ones and `new_enterprise ID`
/// for those without reputation).
pub async fn serve(args: ServeArgs) -> Result<(), String> {
    let config = args.config()?;
    let enterprises: Vec<EnterpriseConfig> = config
        .accounts
        .first()
        .map(|a| a.enterprises.clone())
        .unwrap_or_default();
    let handle = crate::start(config)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    println!("base_url {}", handle.base_url());
    println!("api_key {}", args.api_key);
    println!("webhook_public_key {}", handle.webhook_public_key());
    for e in enterprises {
        let kind = if e.approved {
            "enterprise"
        } else {
            "new_enterprise"
        };
        println!("{kind} {}", e.id);
    }
    wait_for_signal().await;
    handle.shutdown().await;
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Command {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn parse(args: &[&str]) -> Result<ServeArgs, clap::Error> {
        Command::try_parse_from(std::iter::once("serve").chain(args.iter().copied()))
            .map(|c| c.serve)
    }

    /// A flag, and a value unlike the default, for each field of `Faults` as JSON names it: a
    /// field added later is covered without touching this test.
    #[test]
    fn every_fault_is_settable_from_the_command_line() {
        let defaults = serde_json::to_value(Faults::default()).unwrap();
        let fields = defaults.as_object().unwrap();
        assert!(fields.len() >= 9, "{fields:?}");
        for (name, default) in fields {
            let flag = format!("--{}", name.replace('_', "-"));
            let value = match default {
                serde_json::Value::Bool(_) => None,
                serde_json::Value::Number(n) if n.is_f64() => Some("0.25".to_owned()),
                serde_json::Value::Number(n) => Some((n.as_u64().unwrap() + 7).to_string()),
                serde_json::Value::Null => Some("3".to_owned()),
                serde_json::Value::Array(_) => Some("associate_numbers".to_owned()),
                other => panic!("{name}: no test value for {other}"),
            };
            let mut args = vec![flag.as_str()];
            args.extend(value.as_deref());
            let parsed = parse(&args).unwrap_or_else(|e| panic!("{flag}: {e}"));
            let set = serde_json::to_value(&parsed.faults).unwrap();
            assert_ne!(set[name], *default, "{flag} changed nothing");
            let expected = match &value {
                None => serde_json::Value::Bool(true),
                Some(v) if default.is_array() => serde_json::json!([v]),
                Some(v) => serde_json::from_str(v).unwrap(),
            };
            assert_eq!(set[name], expected, "{flag}");
            let mut others = set.as_object().unwrap().clone();
            others.remove(name);
            let mut default_others = fields.clone();
            default_others.remove(name);
            assert_eq!(others, default_others, "{flag} changed another field");
        }
    }

    #[test]
    fn the_flags_reach_the_configuration() {
        let args = parse(&[
            "--rate-limit",
            "50",
            "--rate-limit-window-ms",
            "250",
            "--latency-ms",
            "20",
            "--omit-pointers",
            "--seed",
            "9",
        ])
        .unwrap();
        let config = args.config().unwrap();
        assert_eq!(config.faults.rate_limit.map(|n| n.get()), Some(50));
        assert_eq!(
            config.faults.rate_limit_window(),
            std::time::Duration::from_millis(250)
        );
        assert_eq!(config.faults.latency_ms, 20);
        assert!(config.faults.omit_pointers);
        assert_eq!(config.seed, 9);
        assert_eq!(parse(&[]).unwrap().faults, Faults::default());
    }

    #[test]
    fn the_demo_enterprise_only_without_enterprise_flags_and_terms_follow_enterprise() {
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        let of = |args: &[&str]| {
            let c = parse(args).unwrap().config().unwrap();
            let account = c.accounts[0].clone();
            let ents: Vec<(Uuid, bool)> = account
                .enterprises
                .iter()
                .map(|e| (e.id, e.approved))
                .collect();
            (ents, account.terms_agreed)
        };
        assert_eq!(of(&[]), (vec![(DEMO_ENTERPRISE, true)], true));
        let (a_s, b_s) = (a.to_string(), b.to_string());
        assert_eq!(of(&["--enterprise", &a_s]), (vec![(a, true)], true));
        assert_eq!(of(&["--new-enterprise", &b_s]), (vec![(b, false)], false));
        assert_eq!(
            of(&["--enterprise", &a_s, "--new-enterprise", &b_s]),
            (vec![(a, true), (b, false)], true)
        );
        let c = parse(&[
            "--populate",
            "7",
            "--approve-after-ms",
            "5",
            "--remediation-step-ms",
            "6",
        ])
        .unwrap()
        .config()
        .unwrap();
        assert_eq!(
            (c.populate, c.approve_after_ms, c.remediation_step_ms),
            (7, 5, 6)
        );
    }

    #[test]
    fn the_ownership_flags_reach_the_configuration() {
        let c = parse(&[
            "--external",
            "+1312",
            "--external",
            "+1773",
            "--verification-review-ms",
            "5",
            "--confirm-window-ms",
            "6",
            "--webhook-retry-ms",
            "7",
        ])
        .unwrap()
        .config()
        .unwrap();
        let prefixes: Vec<&str> = c.external.iter().map(NumberPrefix::as_str).collect();
        assert_eq!(prefixes, ["+1312", "+1773"]);
        assert_eq!(
            (
                c.verification_review_ms,
                c.confirm_window_ms,
                c.webhook_retry_ms
            ),
            (5, 6, 7)
        );
        let d = parse(&[]).unwrap().config().unwrap();
        assert!(d.external.is_empty());
        assert_eq!(
            (
                d.verification_review_ms,
                d.confirm_window_ms,
                d.webhook_retry_ms
            ),
            (1000, crate::DEFAULT_CONFIRM_WINDOW_MS, 1000)
        );
        for bad in ["1312", "+", "+13x"] {
            let e = parse(&["--external", bad]).err().unwrap().to_string();
            assert!(e.contains("external prefix"), "{bad}: {e}");
        }
    }

    #[test]
    fn an_inventory_file_takes_us_local_and_toll_free_numbers_only() {
        let dir = std::env::temp_dir().join(format!("mock-inventory-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.txt");
        std::fs::write(&good, "+16035550100\n\n+18005550100\n").unwrap();
        let c = parse(&["--inventory", good.to_str().unwrap()])
            .unwrap()
            .config()
            .unwrap();
        let Inventory::Numbers(set) = &c.accounts[0].inventory else {
            panic!("a file inventory");
        };
        assert_eq!(set.len(), 2);
        let bad = dir.join("bad.txt");
        std::fs::write(&bad, "+16035550100\n+442079460000\n").unwrap();
        let e = parse(&["--inventory", bad.to_str().unwrap()])
            .unwrap()
            .config()
            .unwrap_err();
        assert!(e.contains("line 2") && e.contains("non_us"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn out_of_range_values_are_refused() {
        for args in [
            &["--rate-limit", "0"][..],
            &["--rate-limit-window-ms", "0"],
            &["--error-rate", "1.5"],
            &["--throttle-rate", "-0.1"],
        ] {
            assert!(parse(args).is_err(), "{args:?}");
        }
    }
}
