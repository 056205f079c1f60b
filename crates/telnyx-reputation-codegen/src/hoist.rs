//! Inline enumerations of component schemas' properties, hoisted into component schemas of
//! their own.
//!
//! progenitor's replacements ([`crate::OPEN_ENUMS`]) reach named component schemas only. An
//! enumeration written inline in a property (`ReputationData.spam_risk: {type: string, enum:
//! [low, medium, high]}`) is generated as a closed enum that no replacement can reach, and one
//! value the server adds later makes every answer carrying it undecodable. Hoisting gives each
//! such enumeration a name, so that it can be listed in `OPEN_ENUMS` like any other.
//!
//! The rule, applied after every component schema is normalised:
//!
//! - **What:** a *direct* property of a component schema whose schema is an inline string
//!   enumeration (`enum` of strings, `type: string` or no type; `null` among the values counts
//!   as nullability). Enumerations deeper inside (array items, an inline object's properties,
//!   `allOf` branches) stay inline, with the name typify gives them.
//! - **Name:** the name typify gives the inline enumeration, so that generated names do not
//!   change: the property's `title` when it has one, else the schema's name and the property's
//!   name joined, in PascalCase (`ReputationData` + `spam_risk` = `ReputationDataSpamRisk`).
//! - **Where things go:** the new schema is the enumeration as it was (without `null` among
//!   its values, and `type: string` made explicit). The property refers to it and keeps what
//!   typify reads from a field: `description` (the field's doc comment), `default` (serde's
//!   default), `readOnly`, `writeOnly` and `deprecated`, each kept on the enumeration too as
//!   the inline schema had it. A bare `{$ref}` when there is nothing else to keep and the
//!   property is not nullable; else `{allOf: [{$ref}], ...}` (a `$ref`'s siblings are ignored
//!   in 3.0), with `nullable: true` when it is nullable: the form normalisation gives every
//!   nullable `$ref`. The generated code is then what it was, the enum included.
//! - **Clash:** a name that is already a component schema (or another hoisted enumeration)
//!   is an error naming the property, its pointer and the name: the document must be fixed
//!   (or the property given a `title`), never one enumeration silently made another's.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::error::CodegenError;
use crate::pointer;

/// Keywords typify reads from a field (beside `description`): the property keeps them.
const FIELD_KEYWORDS: &[&str] = &["readOnly", "writeOnly", "deprecated", "default"];

/// Hoists every direct property of `schemas` (the document's `components.schemas`) that is an
/// inline string enumeration into a schema of its own; see the [module](self) for the rule.
pub(crate) fn inline_enums(schemas: &mut Map<String, Value>) -> Result<(), CodegenError> {
    let mut taken: BTreeSet<String> = schemas.keys().map(|name| type_name(name)).collect();
    let mut hoisted = Vec::new();
    for (schema_name, schema) in schemas.iter_mut() {
        let Some(Value::Object(properties)) = schema.get_mut("properties") else {
            continue;
        };
        for (property, value) in properties.iter_mut() {
            let Some(enumeration) = value.as_object().filter(|v| is_string_enum(v)) else {
                continue;
            };
            let name = match enumeration.get("title").and_then(Value::as_str) {
                Some(title) => type_name(title),
                None => type_name(&format!("{schema_name}_{property}")),
            };
            if !taken.insert(name.clone()) {
                let at = pointer::push(
                    &pointer::push(
                        &pointer::push("/components/schemas", schema_name),
                        "properties",
                    ),
                    property,
                );
                return Err(CodegenError::Untranslatable {
                    subject: format!("schema {schema_name}"),
                    pointer: at,
                    reason: format!(
                        "its inline enumeration would become the schema {name}, a name the \
                         document already uses (give the property a `title`)"
                    ),
                });
            }
            let (field, enum_schema) = split(enumeration, &name);
            *value = Value::Object(field);
            hoisted.push((name, Value::Object(enum_schema)));
        }
    }
    schemas.extend(hoisted);
    Ok(())
}

/// Whether a property's schema is an inline enumeration of strings (`null` allowed among the
/// values).
fn is_string_enum(schema: &Map<String, Value>) -> bool {
    let Some(Value::Array(values)) = schema.get("enum") else {
        return false;
    };
    let typed_string = match schema.get("type") {
        None => true,
        Some(t) => t == "string",
    };
    typed_string
        && !schema.contains_key("$ref")
        && values.iter().any(Value::is_string)
        && values.iter().all(|v| v.is_string() || v.is_null())
}

/// The property's own schema (a reference to `name`, nullable when the enumeration was) and
/// the enumeration's schema.
fn split(enumeration: &Map<String, Value>, name: &str) -> (Map<String, Value>, Map<String, Value>) {
    let mut value = enumeration.clone();
    let mut nullable = value.remove("nullable") == Some(Value::Bool(true));
    if let Some(Value::Array(values)) = value.get_mut("enum") {
        let before = values.len();
        values.retain(|v| !v.is_null());
        nullable |= values.len() != before;
    }
    value
        .entry("type")
        .or_insert_with(|| Value::String("string".into()));

    let mut field = Map::new();
    if let Some(description) = value.get("description") {
        field.insert("description".into(), description.clone());
    }
    for keyword in FIELD_KEYWORDS {
        if let Some(v) = value.get(*keyword) {
            field.insert((*keyword).into(), v.clone());
        }
    }
    let mut reference = Map::new();
    reference.insert(
        "$ref".into(),
        Value::String(format!("#/components/schemas/{name}")),
    );
    if nullable || !field.is_empty() {
        field.insert("allOf".into(), Value::Array(vec![Value::Object(reference)]));
        if nullable {
            field.insert("nullable".into(), Value::Bool(true));
        }
    } else {
        field.extend(reference);
    }
    (field, value)
}

/// The name typify gives a type it names from `input` (its `sanitize` in PascalCase): quotes
/// dropped, every character that cannot continue an identifier a word break, the words in
/// PascalCase (heck's, as typify's), `X` before a name that cannot start an identifier, and
/// `_` after `Self`.
pub(crate) fn type_name(input: &str) -> String {
    use heck::ToPascalCase as _;
    let cleaned: String = input
        .chars()
        .filter(|c| *c != '\'')
        .map(|c| {
            if unicode_ident::is_xid_continue(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let name = cleaned.to_pascal_case();
    let name = match name.chars().next() {
        None => "X".to_owned(),
        Some(c) if unicode_ident::is_xid_start(c) => name,
        Some(_) => format!("X{name}"),
    };
    if name == "Self" {
        format!("{name}_")
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn hoist(schemas: Value) -> Result<Value, CodegenError> {
        let Value::Object(mut schemas) = schemas else {
            unreachable!("the tests pass a mapping")
        };
        inline_enums(&mut schemas)?;
        Ok(Value::Object(schemas))
    }

    #[test]
    fn names_are_typifys_schema_and_property_in_pascal_case() {
        assert_eq!(
            type_name("ReputationData_spam_risk"),
            "ReputationDataSpamRisk"
        );
        assert_eq!(
            type_name("NumberReputationNumberFlaggedPayload_ownership_status"),
            "NumberReputationNumberFlaggedPayloadOwnershipStatus"
        );
        assert_eq!(type_name("Thing_x-request.kind"), "ThingXRequestKind");
        assert_eq!(type_name("1st_kind"), "X1stKind");
        assert_eq!(type_name("self"), "Self_");
        // A name already in PascalCase is its own name, as typify reads a component's name.
        for name in ["ReputationDataSpamRisk", "TosProductType", "X1stKind"] {
            assert_eq!(type_name(name), name);
        }
    }

    #[test]
    fn a_nullable_inline_enum_becomes_a_schema_and_a_nullable_reference() {
        let out = hoist(json!({"ReputationData": {"type": "object", "properties": {
            "spam_risk": {"type": "string", "enum": ["low", "medium", "high"], "nullable": true,
                          "description": "Overall spam-risk classification.", "example": "low"},
            "spam_category": {"type": "string", "nullable": true}
        }}}))
        .unwrap();
        assert_eq!(
            out["ReputationData"]["properties"]["spam_risk"],
            json!({
                "allOf": [{"$ref": "#/components/schemas/ReputationDataSpamRisk"}],
                "nullable": true,
                "description": "Overall spam-risk classification."
            })
        );
        assert_eq!(
            out["ReputationDataSpamRisk"],
            json!({"type": "string", "enum": ["low", "medium", "high"],
                   "description": "Overall spam-risk classification.", "example": "low"})
        );
        assert_eq!(
            out["ReputationData"]["properties"]["spam_category"],
            json!({"type": "string", "nullable": true}),
            "a property that is no enumeration is left alone"
        );
    }

    #[test]
    fn null_among_the_values_is_nullability_and_a_plain_enum_a_plain_reference() {
        let out = hoist(json!({"Payload": {"properties": {
            "kind": {"enum": ["a", "b", null]},
            "record_type": {"type": "string", "enum": ["event"]}
        }}}))
        .unwrap();
        assert_eq!(
            out["Payload"]["properties"]["kind"],
            json!({"allOf": [{"$ref": "#/components/schemas/PayloadKind"}], "nullable": true})
        );
        assert_eq!(
            out["PayloadKind"],
            json!({"type": "string", "enum": ["a", "b"]})
        );
        assert_eq!(
            out["Payload"]["properties"]["record_type"],
            json!({"$ref": "#/components/schemas/PayloadRecordType"})
        );
        assert_eq!(
            out["PayloadRecordType"],
            json!({"type": "string", "enum": ["event"]})
        );
    }

    #[test]
    fn what_typify_reads_from_the_field_stays_on_the_property() {
        let out = hoist(json!({"Thing": {"properties": {
            "mode": {"type": "string", "enum": ["on", "off"], "default": "on",
                     "description": "The mode.", "readOnly": true}
        }}}))
        .unwrap();
        assert_eq!(
            out["Thing"]["properties"]["mode"],
            json!({"allOf": [{"$ref": "#/components/schemas/ThingMode"}],
                   "description": "The mode.", "default": "on", "readOnly": true})
        );
        assert_eq!(
            out["ThingMode"],
            json!({"type": "string", "enum": ["on", "off"], "default": "on",
                   "description": "The mode.", "readOnly": true})
        );
    }

    #[test]
    fn a_title_names_the_schema_as_it_names_typifys_type() {
        let out = hoist(json!({"Thing": {"properties": {
            "state": {"type": "string", "enum": ["on", "off"], "title": "power state"}
        }}}))
        .unwrap();
        assert_eq!(
            out["Thing"]["properties"]["state"],
            json!({"$ref": "#/components/schemas/PowerState"})
        );
        assert_eq!(out["PowerState"]["title"], "power state");
    }

    #[test]
    fn deeper_and_non_string_enums_and_references_stay_inline() {
        let schemas = json!({"Thing": {"properties": {
            "levels": {"type": "array", "items": {"type": "string", "enum": ["a"]}},
            "data": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["x"]}}},
            "code": {"type": "integer", "enum": [1, 2]},
            "mixed": {"enum": ["a", 1]},
            "only_null": {"enum": [null]},
            "source": {"$ref": "#/components/schemas/Source"}
        }}});
        assert_eq!(hoist(schemas.clone()).unwrap(), schemas);
    }

    #[test]
    fn a_name_the_document_uses_already_is_an_error_naming_the_property() {
        let err = hoist(json!({
            "Thing": {"properties": {"kind": {"type": "string", "enum": ["a"]}}},
            "ThingKind": {"type": "string"}
        }))
        .unwrap_err();
        assert_eq!(
            err,
            CodegenError::Untranslatable {
                subject: "schema Thing".into(),
                pointer: "/components/schemas/Thing/properties/kind".into(),
                reason: "its inline enumeration would become the schema ThingKind, a name the \
                         document already uses (give the property a `title`)"
                    .into(),
            }
        );
        // Two hoisted enumerations under one name clash too: `Foo.bar_baz` and `FooBar.baz`.
        let err = hoist(json!({
            "Foo": {"properties": {"bar_baz": {"type": "string", "enum": ["x"]}}},
            "FooBar": {"properties": {"baz": {"type": "string", "enum": ["y"]}}}
        }))
        .unwrap_err();
        assert!(err.to_string().contains("the schema FooBarBaz"), "{err}");
    }
}
