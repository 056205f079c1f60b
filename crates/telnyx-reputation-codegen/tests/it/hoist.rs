//! Inline enumerations of component schemas' properties are hoisted into component schemas of
//! their own (so that `OPEN_ENUMS` can reach them) without changing the generated code: the
//! same type names, field types, doc comments and defaults typify gives them inline.

use serde_json::{Value, json};
use telnyx_reputation_codegen::{generate, normalise, parse_document};

use crate::committed;

fn normalised(text: &str) -> Value {
    serde_json::to_value(normalise(parse_document(text).unwrap()).unwrap()).unwrap()
}

const THING: &str = r#"
openapi: 3.1.0
info: {title: T, version: "1"}
paths:
  /thing:
    get:
      operationId: GetThing
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}
components:
  schemas:
    Thing:
      type: object
      required: [kind]
      properties:
        kind: {description: The kind., type: string, enum: [a, b]}
        mode: {description: The mode., type: string, enum: ["on", "off"], default: "on"}
        level: {type: [string, "null"], enum: [low, high, null]}
        record_type: {const: thing}
        items: {type: array, items: {type: string, enum: [x, y]}}
"#;

#[test]
fn the_generated_code_is_what_typify_makes_of_the_inline_enumerations() {
    let code = generate(THING).unwrap();
    for expected in [
        // Required and documented: the field keeps its doc comment, the enum its own.
        "///The kind.\n        pub kind: ThingKind,",
        "///The kind.\n    #[derive(",
        // Optional with a default: serde's default, and the enum's `Default`.
        "///The mode.\n        #[serde(default = \"defaults::thing_mode\")]\n        pub mode: ThingMode,",
        "impl ::std::default::Default for ThingMode",
        // Nullable (null among the values): an option of the enum without null.
        "pub level: ::std::option::Option<ThingLevel>,",
        "pub enum ThingLevel {\n        #[serde(rename = \"low\")]\n        Low,\n        #[serde(rename = \"high\")]\n        High,\n    }",
        // A `const` is a one-value enumeration.
        "pub enum ThingRecordType {",
        // Deeper enumerations stay inline, under typify's name.
        "pub items: ::std::vec::Vec<ThingItemsItem>,",
    ] {
        assert!(code.contains(expected), "missing {expected:?} in\n{code}");
    }
    let doc = normalised(THING);
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let names: Vec<&String> = schemas.keys().collect();
    assert_eq!(
        names,
        [
            "Thing",
            "ThingKind",
            "ThingLevel",
            "ThingMode",
            "ThingRecordType"
        ]
    );
}

#[test]
fn the_committed_specs_inline_enumerations_are_hoisted_under_typifys_names() {
    let doc = normalised(&committed::spec());
    let schemas = &doc["components"]["schemas"];
    for name in [
        "ReputationDataSpamRisk",
        "NumberReputationNumberFlaggedPayloadOwnershipStatus",
        "NumberReputationNumberFlaggedPayloadRecordType",
        "NumberReputationNumberRemovedPayloadOwnershipStatus",
        "NumberReputationNumberRemovedPayloadRecordType",
        "NumberReputationExternalVerificationStatusChangedPayloadRecordType",
    ] {
        assert_eq!(schemas[name]["type"], "string", "{name}: {}", schemas[name]);
    }
    assert_eq!(
        schemas["ReputationDataSpamRisk"]["enum"],
        json!(["low", "medium", "high"])
    );
    // Nullable, in the form every nullable reference takes.
    assert_eq!(
        schemas["ReputationData"]["properties"]["spam_risk"],
        json!({
            "allOf": [{"$ref": "#/components/schemas/ReputationDataSpamRisk"}],
            "nullable": true,
            "description": "Overall spam-risk classification."
        })
    );
    // The events' `data` is an inline object: its enumerations stay inline, named by typify.
    let code = committed::code();
    assert!(code.contains("pub enum NumberReputationNumberFlaggedEventDataEventType {"));
    assert!(code.contains("pub enum NumberReputationNumberFlaggedPayloadRecordType {"));
}
