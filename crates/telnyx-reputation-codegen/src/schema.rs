//! Schema rules: JSON Schema 2020-12 (OpenAPI 3.1) constructs rewritten into their OpenAPI 3.0
//! equivalents, which progenitor (through typify) understands.
//!
//! Each rule works on one schema object in place; [`normalise_schema`] applies them all, depth
//! first. A construct without a faithful 3.0 equivalent is an error naming the subject and the
//! pointer: a client that silently accepts the wrong shape is worse than no client.

use serde_json::{Map, Value};

use crate::error::CodegenError;
use crate::pointer;

/// Keywords that change the shape of a value and have no OpenAPI 3.0 equivalent.
const UNTRANSLATABLE: &[&str] = &[
    "prefixItems",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "patternProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "$defs",
    "$dynamicRef",
    "$dynamicAnchor",
];

/// Keywords that only annotate or validate and that 3.0 does not know; dropping them cannot change
/// the generated types.
const ANNOTATIONS_ONLY: &[&str] = &[
    "$schema",
    "$id",
    "$anchor",
    "$comment",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
    "contains",
    "minContains",
    "maxContains",
    "dependentRequired",
    "propertyNames",
];

/// Where a schema sits: which operation or component owns it, and its pointer.
#[derive(Clone)]
pub(crate) struct Site<'a> {
    pub subject: &'a str,
    pub pointer: String,
}

impl Site<'_> {
    fn child(&self, token: &str) -> Site<'_> {
        Site {
            subject: self.subject,
            pointer: pointer::push(&self.pointer, token),
        }
    }

    fn error(&self, reason: impl Into<String>) -> CodegenError {
        CodegenError::Untranslatable {
            subject: self.subject.to_owned(),
            pointer: self.pointer.clone(),
            reason: reason.into(),
        }
    }
}

/// Normalises one schema (and everything inside it) in place.
pub(crate) fn normalise_schema(schema: &mut Value, site: &Site<'_>) -> Result<(), CodegenError> {
    let Some(obj) = schema.as_object_mut() else {
        // `true`/`false` schemas are 3.1 shorthand for "anything" and "nothing".
        return match schema {
            Value::Bool(true) => {
                *schema = Value::Object(Map::new());
                Ok(())
            }
            _ => Err(site.error(format!("a schema must be an object, found {schema}"))),
        };
    };
    if obj.contains_key("$ref") {
        // Siblings of `$ref` are annotations (3.1) or ignored (3.0); the target is normalised
        // where it is defined. One sibling is not an annotation: `nullable: true`, which upstream
        // writes the 3.0 way inside its 3.1 file. In 3.0 it would be ignored next to `$ref`, and a
        // one-element `allOf` is where it takes effect.
        nullable_reference(obj);
        return Ok(());
    }
    if let Some(keyword) = UNTRANSLATABLE.iter().find(|k| obj.contains_key(**k)) {
        return Err(site.error(format!(
            "`{keyword}` has no OpenAPI 3.0 equivalent (the generated type would not match)"
        )));
    }
    for keyword in ANNOTATIONS_ONLY {
        obj.remove(*keyword);
    }

    collapse_nullable_union(obj, site, "oneOf")?;
    collapse_nullable_union(obj, site, "anyOf")?;
    type_array_to_nullable(obj, site)?;
    const_to_enum(obj, site)?;
    examples_to_example(obj);
    numeric_exclusive_bounds(obj);

    // Children, depth first.
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        let props_site = site.child("properties");
        for (name, prop) in props.iter_mut() {
            normalise_schema(prop, &props_site.child(name))?;
        }
    }
    for keyword in ["items", "not"] {
        if let Some(child) = obj.get_mut(keyword) {
            normalise_schema(child, &site.child(keyword))?;
        }
    }
    if let Some(child @ Value::Object(_)) = obj.get_mut("additionalProperties") {
        normalise_schema(child, &site.child("additionalProperties"))?;
    }
    for keyword in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(branches)) = obj.get_mut(keyword) {
            let list_site = site.child(keyword);
            for (i, branch) in branches.iter_mut().enumerate() {
                normalise_schema(branch, &list_site.child(&i.to_string()))?;
            }
        }
    }
    Ok(())
}

/// `{$ref: R, nullable: true, ...}` becomes `{allOf: [{$ref: R}], nullable: true, ...}`.
fn nullable_reference(obj: &mut Map<String, Value>) {
    if obj.get("nullable") != Some(&Value::Bool(true)) {
        return;
    }
    if let Some(reference) = obj.remove("$ref") {
        let mut target = Map::new();
        target.insert("$ref".into(), reference);
        obj.insert("allOf".into(), Value::Array(vec![Value::Object(target)]));
    }
}

/// Whether a branch of a union admits only `null` (or, as upstream writes it, "an empty object or
/// null", which carries no data either way).
fn is_null_branch(branch: &Value) -> bool {
    let Some(obj) = branch.as_object() else {
        return false;
    };
    if obj.contains_key("$ref") {
        return false;
    }
    match obj.get("type") {
        Some(Value::String(t)) if t == "null" => return true,
        Some(Value::Array(ts)) if ts.len() == 1 && ts[0] == "null" => return true,
        _ => {}
    }
    if obj.get("enum") == Some(&Value::Array(vec![Value::Null])) {
        return true;
    }
    if obj.get("const") == Some(&Value::Null) {
        return true;
    }
    let nullable = obj.get("nullable") == Some(&Value::Bool(true));
    let untyped_or_object = match obj.get("type") {
        None => true,
        Some(Value::String(t)) => t == "object",
        _ => false,
    };
    let shapes_data = [
        "properties",
        "additionalProperties",
        "required",
        "items",
        "allOf",
        "oneOf",
        "anyOf",
        "enum",
        "not",
    ]
    .iter()
    .any(|k| match obj.get(*k) {
        None => false,
        Some(Value::Object(m)) => !m.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(_) => true,
    });
    nullable && untyped_or_object && !shapes_data
}

/// `oneOf`/`anyOf` of one schema and a null (or nullable-empty) schema becomes that schema,
/// nullable. More than one non-null branch stays a union, made nullable.
fn collapse_nullable_union(
    obj: &mut Map<String, Value>,
    site: &Site<'_>,
    keyword: &str,
) -> Result<(), CodegenError> {
    let Some(Value::Array(branches)) = obj.get(keyword) else {
        return Ok(());
    };
    let (nulls, rest): (Vec<&Value>, Vec<&Value>) =
        branches.iter().partition(|b| is_null_branch(b));
    if nulls.is_empty() {
        return Ok(());
    }
    match rest.len() {
        0 => Err(site
            .child(keyword)
            .error("every branch of the union admits only null")),
        1 => {
            let kept = rest[0].clone();
            obj.remove(keyword);
            obj.insert("nullable".into(), Value::Bool(true));
            match kept {
                Value::Object(k) if k.contains_key("$ref") => {
                    // A `$ref` cannot carry `nullable` in 3.0; a one-element `allOf` can.
                    obj.insert("allOf".into(), Value::Array(vec![Value::Object(k)]));
                }
                Value::Object(k) => {
                    for (key, value) in k {
                        match obj.get(&key) {
                            None => {
                                obj.insert(key, value);
                            }
                            Some(existing) if *existing == value => {}
                            // The outer schema's own annotations win.
                            Some(_) if key == "description" || key == "title" => {}
                            Some(_) => {
                                return Err(site.child(keyword).error(format!(
                                    "the union's schema and its non-null branch both set `{key}` differently"
                                )));
                            }
                        }
                    }
                }
                other => {
                    return Err(site.child(keyword).error(format!(
                        "a union branch must be a schema object, found {other}"
                    )));
                }
            }
            Ok(())
        }
        _ => {
            let kept: Vec<Value> = rest.into_iter().cloned().collect();
            obj.insert(keyword.into(), Value::Array(kept));
            obj.insert("nullable".into(), Value::Bool(true));
            Ok(())
        }
    }
}

/// `type: [T, "null"]` becomes `type: T, nullable: true`.
fn type_array_to_nullable(
    obj: &mut Map<String, Value>,
    site: &Site<'_>,
) -> Result<(), CodegenError> {
    match obj.get("type") {
        Some(Value::Array(types)) => {
            let mut nullable = false;
            let mut others = Vec::new();
            for t in types {
                match t.as_str() {
                    Some("null") => nullable = true,
                    Some(name) => others.push(name.to_owned()),
                    None => {
                        return Err(site
                            .child("type")
                            .error(format!("a type name must be a string, found {t}")));
                    }
                }
            }
            match others.as_slice() {
                [one] => {
                    obj.insert("type".into(), Value::String(one.clone()));
                }
                [] => {
                    return Err(site
                        .child("type")
                        .error("a schema whose only type is null carries no data"));
                }
                many => {
                    return Err(site.child("type").error(format!(
                        "a value of several types {many:?} has no OpenAPI 3.0 form"
                    )));
                }
            }
            if nullable {
                obj.insert("nullable".into(), Value::Bool(true));
            }
            Ok(())
        }
        Some(Value::String(t)) if t == "null" => Err(site
            .child("type")
            .error("a schema whose only type is null carries no data")),
        _ => Ok(()),
    }
}

/// `const: v` becomes a one-value `enum`, with the type made explicit when it was implied.
fn const_to_enum(obj: &mut Map<String, Value>, site: &Site<'_>) -> Result<(), CodegenError> {
    let Some(value) = obj.remove("const") else {
        return Ok(());
    };
    if obj.contains_key("enum") {
        return Err(site.error("both `const` and `enum` are set"));
    }
    if !obj.contains_key("type") {
        let implied = match &value {
            Value::String(_) => "string",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::Object(_) => "object",
            Value::Array(_) => "array",
            Value::Null => {
                return Err(site.child("const").error("`const: null` carries no data"));
            }
        };
        obj.insert("type".into(), Value::String(implied.into()));
    }
    obj.insert("enum".into(), Value::Array(vec![value]));
    Ok(())
}

/// `examples: [a, b]` (3.1) becomes `example: a` (3.0).
fn examples_to_example(obj: &mut Map<String, Value>) {
    if let Some(Value::Array(list)) = obj.remove("examples")
        && !obj.contains_key("example")
        && let Some(first) = list.into_iter().next()
    {
        obj.insert("example".into(), first);
    }
}

/// Numeric `exclusiveMinimum: n` (3.1) becomes `minimum: n, exclusiveMinimum: true` (3.0).
fn numeric_exclusive_bounds(obj: &mut Map<String, Value>) {
    for (exclusive, inclusive) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(bound @ Value::Number(_)) = obj.get(exclusive).cloned() {
            obj.insert(inclusive.into(), bound);
            obj.insert(exclusive.into(), Value::Bool(true));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn run(mut schema: Value) -> Result<Value, CodegenError> {
        let site = Site {
            subject: "schema Test",
            pointer: "/components/schemas/Test".into(),
        };
        normalise_schema(&mut schema, &site)?;
        Ok(schema)
    }

    #[test]
    fn nullable_beside_a_reference_becomes_a_nullable_one_element_all_of() {
        let out =
            run(json!({"$ref": "#/components/schemas/R", "nullable": true, "description": "d"}))
                .unwrap();
        assert_eq!(
            out,
            json!({"allOf": [{"$ref": "#/components/schemas/R"}], "nullable": true, "description": "d"})
        );
        let plain = json!({"$ref": "#/components/schemas/R", "description": "d"});
        assert_eq!(run(plain.clone()).unwrap(), plain);
    }

    #[test]
    fn type_array_with_null_becomes_nullable() {
        let out = run(json!({"type": ["integer", "null"], "minimum": 0})).unwrap();
        assert_eq!(
            out,
            json!({"type": "integer", "nullable": true, "minimum": 0})
        );
    }

    #[test]
    fn type_array_without_null_becomes_single_type() {
        let out = run(json!({"type": ["string"]})).unwrap();
        assert_eq!(out, json!({"type": "string"}));
    }

    #[test]
    fn type_array_of_two_real_types_is_refused_with_its_pointer() {
        let err = run(json!({"properties": {"v": {"type": ["string", "integer"]}}})).unwrap_err();
        assert_eq!(
            err,
            CodegenError::Untranslatable {
                subject: "schema Test".into(),
                pointer: "/components/schemas/Test/properties/v/type".into(),
                reason:
                    "a value of several types [\"string\", \"integer\"] has no OpenAPI 3.0 form"
                        .into(),
            }
        );
    }

    #[test]
    fn one_of_ref_and_nullable_empty_object_becomes_nullable_ref() {
        let out = run(json!({
            "oneOf": [
                {"$ref": "#/components/schemas/ReputationData"},
                {"type": "object", "nullable": true}
            ],
            "description": "Reputation metrics (null if not yet fetched)"
        }))
        .unwrap();
        assert_eq!(
            out,
            json!({
                "allOf": [{"$ref": "#/components/schemas/ReputationData"}],
                "nullable": true,
                "description": "Reputation metrics (null if not yet fetched)"
            })
        );
    }

    #[test]
    fn any_of_inline_schema_and_null_type_becomes_nullable_inline_schema() {
        let out = run(json!({
            "anyOf": [{"type": "string", "enum": ["low", "high"]}, {"type": "null"}],
            "description": "risk"
        }))
        .unwrap();
        assert_eq!(
            out,
            json!({"type": "string", "enum": ["low", "high"], "nullable": true, "description": "risk"})
        );
    }

    #[test]
    fn union_of_two_schemas_and_null_stays_a_nullable_union() {
        let out =
            run(json!({"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]}))
                .unwrap();
        assert_eq!(
            out,
            json!({"oneOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
        );
    }

    #[test]
    fn union_without_null_is_left_alone() {
        let input = json!({"oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]});
        assert_eq!(run(input.clone()).unwrap(), input);
    }

    #[test]
    fn union_of_only_nulls_is_refused() {
        let err = run(json!({"oneOf": [{"type": "null"}]})).unwrap_err();
        assert!(
            matches!(err, CodegenError::Untranslatable { ref pointer, .. } if pointer == "/components/schemas/Test/oneOf")
        );
    }

    #[test]
    fn examples_array_becomes_first_example() {
        let out = run(json!({"type": "string", "examples": ["Telemarketing", "Debt Collector"]}))
            .unwrap();
        assert_eq!(out, json!({"type": "string", "example": "Telemarketing"}));
    }

    #[test]
    fn const_becomes_one_value_enum_with_its_type() {
        let out = run(json!({"const": "reputation_number"})).unwrap();
        assert_eq!(
            out,
            json!({"type": "string", "enum": ["reputation_number"]})
        );
        let out = run(json!({"type": "integer", "const": 3})).unwrap();
        assert_eq!(out, json!({"type": "integer", "enum": [3]}));
    }

    #[test]
    fn numeric_exclusive_minimum_becomes_boolean_form() {
        let out = run(json!({"type": "integer", "exclusiveMinimum": 0})).unwrap();
        assert_eq!(
            out,
            json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true})
        );
    }

    #[test]
    fn nested_schemas_are_normalised() {
        let out = run(json!({
            "type": "object",
            "properties": {
                "list": {"type": "array", "items": {"type": ["string", "null"]}},
                "map": {"type": "object", "additionalProperties": {"const": true}},
                "all": {"allOf": [{"type": ["integer", "null"]}]}
            }
        }))
        .unwrap();
        assert_eq!(
            out["properties"]["list"]["items"],
            json!({"type": "string", "nullable": true})
        );
        assert_eq!(
            out["properties"]["map"]["additionalProperties"],
            json!({"type": "boolean", "enum": [true]})
        );
        assert_eq!(
            out["properties"]["all"]["allOf"][0],
            json!({"type": "integer", "nullable": true})
        );
    }

    #[test]
    fn shape_keywords_without_3_0_form_are_refused() {
        for keyword in [
            "prefixItems",
            "if",
            "patternProperties",
            "unevaluatedProperties",
        ] {
            let mut schema = json!({"type": "object"});
            schema[keyword] = json!({});
            let err = run(schema).unwrap_err();
            let CodegenError::Untranslatable {
                reason, pointer, ..
            } = err
            else {
                panic!("expected Untranslatable for {keyword}");
            };
            assert!(reason.contains(keyword), "{reason}");
            assert_eq!(pointer, "/components/schemas/Test");
        }
    }

    #[test]
    fn annotation_keywords_are_dropped() {
        let out = run(json!({"type": "string", "$comment": "x", "contentMediaType": "text/plain"}))
            .unwrap();
        assert_eq!(out, json!({"type": "string"}));
    }

    #[test]
    fn boolean_true_schema_becomes_empty_schema_and_false_is_refused() {
        assert_eq!(run(json!(true)).unwrap(), json!({}));
        assert!(run(json!(false)).is_err());
    }
}
