//! Whole-document normalisation: the OpenAPI 3.1 file as upstream publishes it, rewritten into
//! the OpenAPI 3.0 document that progenitor accepts.
//!
//! Order matters: vendor extensions go first (so no `x-` key can steer the generator), then the
//! version, then every schema wherever it sits (the component schemas' inline enumerations
//! hoisted once they are in their 3.0 form, see `hoist`), then each operation's request body
//! and responses.

use serde_json::{Map, Value};

use crate::error::CodegenError;
use crate::hoist;
use crate::pointer;
use crate::responses::resolve_responses;
use crate::schema::{Site, normalise_schema};

/// The HTTP methods an OpenAPI path item may hold.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Parses YAML (or JSON, which is YAML) into a JSON value.
pub fn parse_document(text: &str) -> Result<Value, CodegenError> {
    let value: Value =
        serde_yaml::from_str(text).map_err(|e| CodegenError::NotYaml(e.to_string()))?;
    if !value.is_object() {
        return Err(CodegenError::NotOpenApi(
            "the document is not a mapping".into(),
        ));
    }
    Ok(value)
}

/// Rewrites an OpenAPI 3.0 or 3.1 document (as a JSON value) into the 3.0 form progenitor accepts,
/// and parses it.
pub fn normalise(mut doc: Value) -> Result<openapiv3::OpenAPI, CodegenError> {
    let version = doc
        .get("openapi")
        .and_then(Value::as_str)
        .ok_or_else(|| CodegenError::NotOpenApi("no `openapi` version field".into()))?
        .to_owned();
    if version.starts_with("3.1.") {
        doc["openapi"] = Value::String("3.0.3".into());
    } else if !version.starts_with("3.0.") {
        return Err(CodegenError::NotOpenApi(format!(
            "version {version} (expected 3.0.x or 3.1.x)"
        )));
    }
    if !doc.get("paths").is_some_and(Value::is_object) {
        return Err(CodegenError::NotOpenApi("no `paths` mapping".into()));
    }

    // 3.1's top-level `webhooks` (requests the API sends, not operations of the client) has no
    // 3.0 form; the client is generated from `paths`. Their payload schemas live in
    // `components` and are generated with the others.
    if let Some(obj) = doc.as_object_mut() {
        obj.remove("webhooks");
    }
    strip_vendor_extensions(&mut doc);
    normalise_component_schemas(&mut doc)?;
    normalise_operations(&mut doc)?;

    serde_json::from_value(doc).map_err(|e| CodegenError::NotOpenApi(e.to_string()))
}

/// Removes every `x-` key that is an extension (not a property name or example data), so that
/// no upstream extension (`x-rust-type`, `x-dropshot-pagination`, ...) can change the client.
fn strip_vendor_extensions(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|k, _| !k.starts_with("x-"));
            for (key, child) in map.iter_mut() {
                match key.as_str() {
                    // User-named keys: strip inside each value, never the names themselves.
                    "properties" => {
                        if let Value::Object(props) = child {
                            props.values_mut().for_each(strip_vendor_extensions);
                        }
                    }
                    // Data, not document structure.
                    "example" | "examples" | "default" | "enum" | "const" => {}
                    _ => strip_vendor_extensions(child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_vendor_extensions),
        _ => {}
    }
}

fn normalise_component_schemas(doc: &mut Value) -> Result<(), CodegenError> {
    let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    if let Some(Value::Object(schemas)) = components.get_mut("schemas") {
        for (name, schema) in schemas.iter_mut() {
            let subject = format!("schema {name}");
            let site = Site {
                subject: &subject,
                pointer: pointer::push("/components/schemas", name),
            };
            normalise_schema(schema, &site)?;
        }
        // Once every schema is in its 3.0 form (a `const` is an `enum` by now).
        hoist::inline_enums(schemas)?;
    }
    for (section, kind) in [
        ("parameters", "parameter"),
        ("headers", "header"),
        ("responses", "response"),
        ("requestBodies", "request body"),
    ] {
        if let Some(Value::Object(items)) = components.get_mut(section) {
            for (name, item) in items.iter_mut() {
                let subject = format!("{kind} {name}");
                let base = pointer::push(&format!("/components/{section}"), name);
                normalise_embedded_schemas(item, &subject, &base)?;
            }
        }
    }
    Ok(())
}

/// Normalises the schemas inside a parameter, header, response or request body: its own
/// `schema`, and those of its `content` media types and `headers`.
fn normalise_embedded_schemas(
    item: &mut Value,
    subject: &str,
    base: &str,
) -> Result<(), CodegenError> {
    let Some(obj) = item.as_object_mut() else {
        return Ok(());
    };
    if let Some(schema) = obj.get_mut("schema") {
        let site = Site {
            subject,
            pointer: pointer::push(base, "schema"),
        };
        normalise_schema(schema, &site)?;
    }
    if let Some(Value::Object(content)) = obj.get_mut("content") {
        for (media, media_type) in content.iter_mut() {
            if let Some(schema) = media_type.get_mut("schema") {
                let site = Site {
                    subject,
                    pointer: pointer::push(
                        &pointer::push(&pointer::push(base, "content"), media),
                        "schema",
                    ),
                };
                normalise_schema(schema, &site)?;
            }
        }
    }
    if let Some(Value::Object(headers)) = obj.get_mut("headers") {
        for (name, header) in headers.iter_mut() {
            let header_base = pointer::push(&pointer::push(base, "headers"), name);
            normalise_embedded_schemas(header, subject, &header_base)?;
        }
    }
    Ok(())
}

fn normalise_operations(doc: &mut Value) -> Result<(), CodegenError> {
    let components = doc.get("components").cloned();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (path, item) in paths.iter_mut() {
        let path_pointer = pointer::push("/paths", path);
        let Some(item) = item.as_object_mut() else {
            return Err(CodegenError::NotOpenApi(format!(
                "path item {path_pointer} is not a mapping"
            )));
        };
        if item.contains_key("$ref") {
            return Err(CodegenError::Untranslatable {
                subject: format!("path {path}"),
                pointer: path_pointer,
                reason: "a path item given by `$ref` is not supported by the generator".into(),
            });
        }
        if let Some(Value::Array(params)) = item.get_mut("parameters") {
            for (i, param) in params.iter_mut().enumerate() {
                let base =
                    pointer::push(&pointer::push(&path_pointer, "parameters"), &i.to_string());
                normalise_embedded_schemas(param, &format!("path {path}"), &base)?;
            }
        }
        let item_params = item.get("parameters").cloned();
        for method in METHODS {
            let Some(operation) = item.get_mut(*method).and_then(Value::as_object_mut) else {
                continue;
            };
            let op_pointer = pointer::push(&path_pointer, method);
            let subject = match operation.get("operationId").and_then(Value::as_str) {
                Some(id) => format!("operation {id}"),
                None => {
                    return Err(CodegenError::Untranslatable {
                        subject: format!("operation {} {path}", method.to_ascii_uppercase()),
                        pointer: op_pointer,
                        reason: "the operation has no operationId, which names its client method"
                            .into(),
                    });
                }
            };
            if let Some(Value::Array(params)) = operation.get_mut("parameters") {
                for (i, param) in params.iter_mut().enumerate() {
                    let base =
                        pointer::push(&pointer::push(&op_pointer, "parameters"), &i.to_string());
                    normalise_embedded_schemas(param, &subject, &base)?;
                }
            }
            check_path_parameters(
                path,
                item_params.as_ref(),
                operation,
                components.as_ref(),
                &subject,
                &op_pointer,
            )?;
            if let Some(body) = operation.get_mut("requestBody") {
                let base = pointer::push(&op_pointer, "requestBody");
                normalise_embedded_schemas(body, &subject, &base)?;
                choose_request_media_type(body, &subject, &base)?;
            }
            if let Some(Value::Object(responses)) = operation.get_mut("responses") {
                for (status, response) in responses.iter_mut() {
                    let base = pointer::push(&pointer::push(&op_pointer, "responses"), status);
                    normalise_embedded_schemas(response, &subject, &base)?;
                    drop_json_encodings(response);
                    give_json_bodies_a_schema(response);
                }
            }
            resolve_responses(operation, components.as_ref(), &subject, &op_pointer)?;
        }
    }
    Ok(())
}

/// The `{name}`s of a path template and the declared `in: path` parameters must be the same
/// set: progenitor silently drops a declared parameter that the template lacks.
fn check_path_parameters(
    path: &str,
    item_params: Option<&Value>,
    operation: &Map<String, Value>,
    components: Option<&Value>,
    subject: &str,
    op_pointer: &str,
) -> Result<(), CodegenError> {
    let pointer = pointer::push(op_pointer, "parameters");
    let error = |reason: String| CodegenError::Untranslatable {
        subject: subject.to_owned(),
        pointer: pointer.clone(),
        reason,
    };
    let mut in_template = std::collections::BTreeSet::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            return Err(error(format!("the path {path} has an unclosed {{")));
        };
        in_template.insert(rest[open + 1..open + close].to_owned());
        rest = &rest[open + close + 1..];
    }
    let mut declared = std::collections::BTreeSet::new();
    let op_params = operation.get("parameters");
    for list in [item_params, op_params].into_iter().flatten() {
        for param in list.as_array().into_iter().flatten() {
            let param = match param.get("$ref").and_then(Value::as_str) {
                Some(reference) => reference
                    .strip_prefix("#/components/parameters/")
                    .and_then(|name| components?.get("parameters")?.get(name))
                    .ok_or_else(|| {
                        error(format!("parameter reference {reference} points at nothing"))
                    })?,
                None => param,
            };
            if param.get("in").and_then(Value::as_str) == Some("path")
                && let Some(name) = param.get("name").and_then(Value::as_str)
            {
                declared.insert(name.to_owned());
            }
        }
    }
    if let Some(name) = declared.difference(&in_template).next() {
        return Err(error(format!(
            "path parameter `{name}` is declared but the path {path} has no {{{name}}}"
        )));
    }
    if let Some(name) = in_template.difference(&declared).next() {
        return Err(error(format!(
            "the path {path} has {{{name}}} but no path parameter declares it"
        )));
    }
    Ok(())
}

/// A request body offered in several media types is sent as JSON; the generator takes one.
fn choose_request_media_type(
    body: &mut Value,
    subject: &str,
    base: &str,
) -> Result<(), CodegenError> {
    drop_json_encodings(body);
    let Some(content) = body.get_mut("content").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    if content.len() <= 1 {
        return Ok(());
    }
    let json = content
        .keys()
        .find(|m| *m == "application/json" || m.starts_with("application/json;"))
        .cloned();
    match json {
        Some(keep) => {
            content.retain(|k, _| *k == keep);
            Ok(())
        }
        None => Err(CodegenError::Untranslatable {
            subject: subject.to_owned(),
            pointer: pointer::push(base, "content"),
            reason: format!(
                "the request body offers {} media types and none is JSON",
                content.len()
            ),
        }),
    }
}

/// `encoding` only means something for multipart and form bodies; on JSON it is noise that the
/// generator refuses.
fn drop_json_encodings(item: &mut Value) {
    if let Some(Value::Object(content)) = item.get_mut("content") {
        for (media, media_type) in content.iter_mut() {
            if media.starts_with("application/json")
                && let Some(obj) = media_type.as_object_mut()
            {
                obj.remove("encoding");
            }
        }
    }
}

/// A JSON response without a schema is any JSON value; the generator wants that said.
fn give_json_bodies_a_schema(response: &mut Value) {
    if let Some(Value::Object(content)) = response.get_mut("content") {
        for (media, media_type) in content.iter_mut() {
            if media.starts_with("application/json")
                && let Some(obj) = media_type.as_object_mut()
            {
                obj.entry("schema")
                    .or_insert_with(|| Value::Object(Map::new()));
            }
        }
    }
}

/// The operations of a document, keyed by operationId: `(method, path)`.
pub fn operations(doc: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                if let Some(op) = item.get(*method) {
                    let id = op
                        .get("operationId")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                        .unwrap_or_else(|| format!("{} {path}", method.to_ascii_uppercase()));
                    out.insert(
                        id,
                        Value::Array(vec![
                            Value::String(method.to_ascii_uppercase()),
                            Value::String(path.clone()),
                        ]),
                    );
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn minimal(extra_paths: Value) -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": extra_paths,
        })
    }

    #[test]
    fn version_3_1_becomes_3_0_3() {
        let spec = normalise(minimal(json!({}))).unwrap();
        assert_eq!(spec.openapi, "3.0.3");
    }

    #[test]
    fn webhooks_are_dropped_and_their_component_schemas_kept() {
        let mut doc = minimal(json!({}));
        doc["webhooks"] = json!({"thing.happened": {"post": {
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}}},
            "responses": {"200": {"description": "ack"}}
        }}});
        doc["components"] = json!({"schemas": {"Event": {"type": "object", "properties": {"reason": {"type": ["string", "null"]}}}}});
        let spec = serde_json::to_value(normalise(doc).unwrap()).unwrap();
        assert_eq!(spec.get("webhooks"), None);
        assert_eq!(
            spec["components"]["schemas"]["Event"]["properties"]["reason"],
            json!({"type": "string", "nullable": true})
        );
    }

    #[test]
    fn version_3_0_is_kept() {
        let mut doc = minimal(json!({}));
        doc["openapi"] = json!("3.0.1");
        assert_eq!(normalise(doc).unwrap().openapi, "3.0.1");
    }

    #[test]
    fn other_versions_and_non_documents_are_refused() {
        let mut doc = minimal(json!({}));
        doc["openapi"] = json!("2.0");
        assert!(matches!(normalise(doc), Err(CodegenError::NotOpenApi(_))));
        assert!(matches!(
            normalise(json!({"swagger": "2.0", "paths": {}})),
            Err(CodegenError::NotOpenApi(_))
        ));
        assert!(matches!(
            parse_document("- a\n- b\n"),
            Err(CodegenError::NotOpenApi(_))
        ));
        assert!(matches!(
            parse_document("a: [b"),
            Err(CodegenError::NotYaml(_))
        ));
    }

    #[test]
    fn vendor_extensions_are_ignored_but_properties_named_x_are_kept() {
        let doc = json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1", "x-logo": "l"},
            "x-top": 1,
            "paths": {"/a": {"get": {
                "operationId": "A",
                "x-codeSamples": [{"lang": "sh", "source": "curl"}],
                "x-rust-type": {"crate": "evil", "version": "1", "path": "evil::T"},
                "responses": {"200": {"description": "ok"}}
            }}},
            "components": {"schemas": {"S": {
                "type": "object",
                "x-rust-type": {"crate": "evil", "version": "1", "path": "evil::T"},
                "properties": {"x-request-id": {"type": "string"}}
            }}}
        });
        let mut stripped = doc.clone();
        strip_vendor_extensions(&mut stripped);
        assert_eq!(stripped.get("x-top"), None);
        assert_eq!(stripped["paths"]["/a"]["get"].get("x-codeSamples"), None);
        assert_eq!(
            stripped["components"]["schemas"]["S"].get("x-rust-type"),
            None
        );
        assert_eq!(
            stripped["components"]["schemas"]["S"]["properties"]["x-request-id"],
            json!({"type": "string"})
        );
        assert!(normalise(doc).is_ok());
    }

    #[test]
    fn missing_operation_id_is_refused_naming_method_and_path() {
        let err = normalise(minimal(json!({"/a": {"get": {"responses": {}}}}))).unwrap_err();
        assert_eq!(
            err,
            CodegenError::Untranslatable {
                subject: "operation GET /a".into(),
                pointer: "/paths/~1a/get".into(),
                reason: "the operation has no operationId, which names its client method".into(),
            }
        );
    }

    #[test]
    fn schemas_in_parameters_bodies_and_responses_are_normalised() {
        let doc = minimal(json!({"/a/{id}": {"post": {
            "operationId": "A",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": ["string", "null"]}}],
            "requestBody": {"content": {
                "application/json": {"schema": {"type": "object", "properties": {"n": {"const": 1}}}},
                "application/x-www-form-urlencoded": {"schema": {"type": "object"}}
            }},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": ["integer", "null"]}}}}}
        }}}));
        let spec = normalise(doc).unwrap();
        let op = spec.paths.paths["/a/{id}"]
            .as_item()
            .unwrap()
            .post
            .as_ref()
            .unwrap();
        let body = op.request_body.as_ref().unwrap().as_item().unwrap();
        assert_eq!(body.content.len(), 1, "only the JSON body is kept");
        let as_json = serde_json::to_value(op).unwrap();
        assert_eq!(
            as_json["responses"]["200"]["content"]["application/json"]["schema"],
            json!({"type": "integer", "nullable": true})
        );
        assert_eq!(
            as_json["requestBody"]["content"]["application/json"]["schema"]["properties"]["n"],
            json!({"type": "integer", "enum": [1]})
        );
    }

    #[test]
    fn untranslatable_parameter_schema_names_the_operation_and_pointer() {
        let doc = minimal(json!({"/a": {"get": {
            "operationId": "A",
            "parameters": [{"name": "q", "in": "query", "schema": {"type": ["string", "integer"]}}],
            "responses": {}
        }}}));
        let err = normalise(doc).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot translate operation A at /paths/~1a/get/parameters/0/schema/type: a value of several types [\"string\", \"integer\"] has no OpenAPI 3.0 form"
        );
    }

    #[test]
    fn operations_are_listed_by_operation_id() {
        let ops = operations(&minimal(
            json!({"/a": {"get": {"operationId": "A"}, "post": {}}}),
        ));
        assert_eq!(ops["A"], json!(["GET", "/a"]));
        assert_eq!(ops["POST /a"], json!(["POST", "/a"]));
    }
}
