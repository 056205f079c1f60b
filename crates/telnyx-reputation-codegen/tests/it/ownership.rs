//! What the October 2026 edition (the committed spec, with `spec/overlays/2026-10-ownership.yml`
//! applied) becomes in the normalised document and in the generated client: `2XX` successes,
//! the 3.1 `webhooks` left out, nullable new fields, and the growing enumerations read by the API
//! crate's open enums instead of generated closed ones.

use serde_json::{Value, json};
use telnyx_reputation_codegen::{OPEN_ENUMS, normalise, parse_document};

use crate::committed;

fn normalised() -> Value {
    let spec = normalise(parse_document(&committed::spec()).unwrap()).unwrap();
    serde_json::to_value(spec).unwrap()
}

#[test]
fn the_committed_spec_carries_the_webhooks_and_the_generator_does_not_see_them() {
    let doc = parse_document(&committed::spec()).unwrap();
    let events: Vec<&String> = doc["webhooks"].as_object().unwrap().keys().collect();
    assert_eq!(
        events,
        [
            "number_reputation.external_verification.status_changed",
            "number_reputation.number.flagged",
            "number_reputation.number.removed"
        ]
    );
    let normalised = normalised();
    assert_eq!(normalised.get("webhooks"), None);
    // Their payload schemas stay, normalised like every other.
    assert_eq!(
        normalised["components"]["schemas"]["NumberReputationExternalVerificationStatusChangedPayload"]
            ["properties"]["rejection_reason"],
        json!({"type": "string", "nullable": true, "description": "Set only when `status` is `rejected`."})
    );
}

#[test]
fn undocumented_success_codes_are_a_2xx_range_and_only_the_documented_404_is_an_error() {
    let doc = normalised();
    let get = &doc["paths"]["/enterprises/{enterprise_id}/reputation/external_verification"]["get"];
    let codes: Vec<&String> = get["responses"].as_object().unwrap().keys().collect();
    assert_eq!(codes, ["2XX", "404"]);
    let patch = &doc["paths"]["/enterprises/{enterprise_id}/reputation/webhook"]["patch"];
    let codes: Vec<&String> = patch["responses"].as_object().unwrap().keys().collect();
    assert_eq!(codes, ["2XX"]);

    let code = committed::code();
    assert!(code.contains("200..=299 => crate::decode::from_response(response).await"));
}

#[test]
fn new_optional_fields_are_nullable_and_the_webhook_url_key_is_required() {
    let doc = normalised();
    let record = &doc["components"]["schemas"]["ReputationPhoneNumber"]["properties"];
    for field in [
        "source",
        "ownership_status",
        "confirm_by",
        "flag_reason",
        "removal_reason",
        "removed_at",
    ] {
        assert_eq!(
            record[field]["nullable"], true,
            "{field}: {}",
            record[field]
        );
    }
    let body = &doc["components"]["schemas"]["EnterpriseReputationWebhookUpdate"];
    assert_eq!(body["required"], json!(["webhook_url"]));
    assert_eq!(
        body["properties"]["webhook_url"],
        json!({"type": "string", "nullable": true, "description": body["properties"]["webhook_url"]["description"]})
    );
}

#[test]
fn growing_enumerations_are_the_api_crates_open_enums() {
    let code = committed::code();
    for (schema, rust_type) in OPEN_ENUMS {
        assert!(
            !code.contains(&format!("pub enum {schema} "))
                && !code.contains(&format!("pub enum {schema}{{")),
            "{schema} is generated as a closed enum"
        );
        assert!(code.contains(rust_type), "{rust_type} is not used");
    }
    assert!(code.contains("pub source: ::std::option::Option<crate::NumberSource>"));
    assert!(
        code.contains("pub removal_reason: crate::RemovalReason"),
        "the removed event's reason"
    );
    assert!(
        code.contains("V: std::convert::TryInto<crate::OwnershipStatus>"),
        "the list filter"
    );
}
