//! The open enumerations: a documented value reads as its variant and writes back unchanged; a
//! later one is kept as `Other`.

use telnyx_reputation_api::{
    FlagReason, NumberSource, OwnershipEventType, OwnershipStatus, RemovalReason, SpamRisk,
    VerificationStatus,
};

#[test]
fn every_known_value_reads_as_its_variant_and_writes_back_unchanged() {
    for wire in RemovalReason::KNOWN {
        let json = format!("\"{wire}\"");
        let value: RemovalReason = serde_json::from_str(&json).unwrap();
        assert!(value.is_known(), "{wire}");
        assert_eq!(serde_json::to_string(&value).unwrap(), json);
        assert_eq!(value.to_string(), *wire);
    }
    assert_eq!(NumberSource::from("external"), NumberSource::External);
    assert_eq!(
        VerificationStatus::from(String::from("approved")),
        VerificationStatus::Approved
    );
    assert_eq!(FlagReason::KNOWN, ["carrier_changed", "reverification_due"]);
    assert_eq!(
        OwnershipEventType::KNOWN,
        ["added", "check", "flag", "confirm", "removed"]
    );
    assert_eq!(SpamRisk::KNOWN, ["low", "medium", "high"]);
    assert_eq!("medium".parse::<SpamRisk>(), Ok(SpamRisk::Medium));
}

#[test]
fn an_unknown_value_is_kept_and_a_non_string_is_refused() {
    let value: NumberSource = serde_json::from_str("\"partner\"").unwrap();
    assert_eq!(value, NumberSource::Other("partner".into()));
    assert_eq!(String::from(value), "partner");
    // The case is part of the value: `Telnyx` is not `telnyx`.
    assert_eq!(
        NumberSource::from("Telnyx"),
        NumberSource::Other("Telnyx".into())
    );
    let err = serde_json::from_str::<NumberSource>("3").unwrap_err();
    assert!(err.to_string().contains("expected a string"), "{err}");
    assert!(serde_json::from_str::<NumberSource>("null").is_err());
}

#[test]
fn the_json_schema_is_a_string_listing_the_known_values() {
    let schema = schemars::schema_for!(OwnershipStatus);
    let value = serde_json::to_value(&schema).unwrap();
    assert_eq!(value["title"], "OwnershipStatus");
    assert_eq!(
        value["anyOf"][0]["enum"],
        serde_json::json!(["verified", "flagged", "pending_confirmation", "removed"])
    );
    assert_eq!(value["anyOf"][1], serde_json::json!({"type": "string"}));
}
