//! Response rules: every operation ends with exactly one success type and one error type.
//!
//! progenitor sorts responses into success (`2xx`, `2XX`, `default`) and error (`4xx`, `5xx`,
//! `4XX`, `5XX`, `default`) and asserts that each side has at most one body type; a `default`
//! next to a typed success response would land on both sides and trip that assertion. Here
//! `default` is resolved into the ranges it stands for, and two different types on one side are
//! an error that names the operation, rather than a panic inside the generator.

use serde_json::{Map, Value};

use crate::error::CodegenError;
use crate::pointer;

/// What a response carries, as far as the generated code is concerned.
#[derive(Debug, Clone, PartialEq)]
enum Body {
    /// No content: the client returns an empty value.
    Empty,
    /// A JSON body with this schema.
    Json(Value),
    /// A body of another media type: the client returns a byte stream.
    Raw,
}

impl Body {
    fn describe(&self) -> String {
        match self {
            Body::Empty => "no body".into(),
            Body::Json(schema) => match schema.get("$ref").and_then(Value::as_str) {
                Some(r) => format!("JSON {}", r.rsplit('/').next().unwrap_or(r)),
                None => "an inline JSON schema".into(),
            },
            Body::Raw => "a non-JSON body".into(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Success,
    Error,
    Other,
}

fn side_of(key: &str) -> Side {
    match key.as_bytes() {
        [b'2', b'X', b'X'] => Side::Success,
        [b'4' | b'5', b'X', b'X'] => Side::Error,
        _ => match key.parse::<u16>() {
            Ok(200..=299) => Side::Success,
            Ok(400..=599) => Side::Error,
            _ => Side::Other,
        },
    }
}

/// Resolves the responses of one operation in place.
///
/// `components` is the document's `components` object, used to follow `$ref`s to shared
/// responses; `subject` and `op_pointer` name the operation in errors.
pub(crate) fn resolve_responses(
    operation: &mut Map<String, Value>,
    components: Option<&Value>,
    subject: &str,
    op_pointer: &str,
) -> Result<(), CodegenError> {
    let responses_pointer = pointer::push(op_pointer, "responses");
    let error_at = |pointer: &str, reason: String| CodegenError::Untranslatable {
        subject: subject.to_owned(),
        pointer: pointer.to_owned(),
        reason,
    };
    let Some(responses) = operation.get_mut("responses") else {
        return Ok(());
    };
    let Some(responses) = responses.as_object_mut() else {
        return Err(error_at(
            &responses_pointer,
            "`responses` must be an object".into(),
        ));
    };

    // `2xx` is as valid as `2XX`; the generator only reads the upper-case form.
    let keys: Vec<String> = responses.keys().cloned().collect();
    for key in keys {
        let upper = key.to_ascii_uppercase();
        if upper != key
            && side_of(&upper) != Side::Other
            && let Some(v) = responses.remove(&key)
        {
            responses.insert(upper, v);
        }
    }

    if let Some(default) = responses.get("default").cloned() {
        let has_success = responses.keys().any(|k| side_of(k) == Side::Success);
        let has_error = responses.keys().any(|k| side_of(k) == Side::Error);
        if has_success {
            // With success described, `default` can only mean the error statuses not listed.
            responses.remove("default");
            for range in ["4XX", "5XX"] {
                responses
                    .entry(range.to_owned())
                    .or_insert_with(|| default.clone());
            }
        } else if has_error {
            // With only errors described, `default` is what success looks like.
            let default_body = body_of(&default, components, &responses_pointer, &error_at)?;
            let error_body = responses
                .iter()
                .find(|(k, _)| side_of(k) == Side::Error)
                .map(|(_, v)| body_of(v, components, &responses_pointer, &error_at))
                .transpose()?;
            if error_body.as_ref() != Some(&default_body) {
                responses.remove("default");
                responses.insert("2XX".into(), default);
            }
        }
    }

    for side in [Side::Success, Side::Error] {
        let mut seen: Option<(String, Body)> = None;
        for (key, response) in responses.iter() {
            if side_of(key) != side {
                continue;
            }
            let body = body_of(response, components, &responses_pointer, &error_at)?;
            match &seen {
                None => seen = Some((key.clone(), body)),
                Some((first_key, first_body)) if *first_body != body => {
                    let which = if side == Side::Success {
                        "success"
                    } else {
                        "error"
                    };
                    return Err(error_at(
                        &responses_pointer,
                        format!(
                            "{which} responses {first_key} ({}) and {key} ({}) differ; the client needs one {which} type",
                            first_body.describe(),
                            body.describe()
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

/// What a response (inline or `$ref` to `#/components/responses/...`) carries.
fn body_of(
    response: &Value,
    components: Option<&Value>,
    responses_pointer: &str,
    error_at: &dyn Fn(&str, String) -> CodegenError,
) -> Result<Body, CodegenError> {
    let response = match response.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference
                .strip_prefix("#/components/responses/")
                .ok_or_else(|| {
                    error_at(
                        responses_pointer,
                        format!(
                            "response reference {reference} is not under #/components/responses"
                        ),
                    )
                })?;
            components
                .and_then(|c| c.get("responses"))
                .and_then(|r| r.get(name))
                .ok_or_else(|| {
                    error_at(
                        responses_pointer,
                        format!("response reference {reference} points at nothing"),
                    )
                })?
        }
        None => response,
    };
    let Some(content) = response.get("content").and_then(Value::as_object) else {
        return Ok(Body::Empty);
    };
    if content.is_empty() {
        return Ok(Body::Empty);
    }
    let json = content
        .iter()
        .find(|(media, _)| *media == "application/json" || media.starts_with("application/json;"));
    Ok(match json {
        Some((_, media)) => Body::Json(media.get("schema").cloned().unwrap_or(Value::Null)),
        None => Body::Raw,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn components() -> Value {
        json!({
            "responses": {
                "NotFound": {"description": "nf", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Err"}}}}
            }
        })
    }

    fn run(responses: Value) -> Result<Value, CodegenError> {
        let mut op = json!({ "responses": responses });
        let components = components();
        resolve_responses(
            op.as_object_mut().unwrap(),
            Some(&components),
            "operation Op",
            "/paths/~1x/get",
        )?;
        Ok(op["responses"].clone())
    }

    fn json_body(name: &str) -> Value {
        json!({"description": "d", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}}})
    }

    #[test]
    fn default_beside_a_success_becomes_the_error_ranges() {
        let out = run(json!({"200": json_body("Ok"), "default": json_body("Err")})).unwrap();
        assert_eq!(out.get("default"), None);
        assert_eq!(out["4XX"], json_body("Err"));
        assert_eq!(out["5XX"], json_body("Err"));
        assert_eq!(out["200"], json_body("Ok"));
    }

    #[test]
    fn default_does_not_override_an_explicit_error_range() {
        let out = run(json!({
            "201": json_body("Ok"),
            "4XX": json_body("Err"),
            "default": json_body("Err")
        }))
        .unwrap();
        assert_eq!(out["4XX"], json_body("Err"));
        assert_eq!(out["5XX"], json_body("Err"));
    }

    #[test]
    fn default_beside_only_errors_of_another_type_is_the_success() {
        let out = run(json!({"404": json_body("Err"), "default": json_body("Ok")})).unwrap();
        assert_eq!(out["2XX"], json_body("Ok"));
        assert_eq!(out.get("default"), None);
    }

    #[test]
    fn lower_case_ranges_are_read_as_ranges() {
        let out = run(json!({"2xx": json_body("Ok"), "4xx": json_body("Err")})).unwrap();
        assert_eq!(out["2XX"], json_body("Ok"));
        assert_eq!(out["4XX"], json_body("Err"));
    }

    #[test]
    fn success_range_and_code_of_the_same_type_are_kept() {
        let out = run(json!({"200": json_body("Ok"), "2XX": json_body("Ok")})).unwrap();
        assert_eq!(out["2XX"], json_body("Ok"));
    }

    #[test]
    fn referenced_and_inline_error_of_the_same_schema_agree() {
        let out = run(json!({
            "204": {"description": "gone"},
            "404": {"$ref": "#/components/responses/NotFound"},
            "4XX": json_body("Err")
        }));
        assert!(out.is_ok(), "{out:?}");
    }

    #[test]
    fn two_success_types_are_refused_naming_the_operation() {
        let err = run(json!({"200": json_body("Ok"), "204": {"description": "none"}})).unwrap_err();
        assert_eq!(
            err,
            CodegenError::Untranslatable {
                subject: "operation Op".into(),
                pointer: "/paths/~1x/get/responses".into(),
                reason: "success responses 200 (JSON Ok) and 204 (no body) differ; the client needs one success type".into(),
            }
        );
    }

    #[test]
    fn two_error_types_are_refused() {
        let err = run(json!({
            "200": json_body("Ok"),
            "400": json_body("Err"),
            "5XX": json_body("OtherErr")
        }))
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("error responses 400 (JSON Err) and 5XX (JSON OtherErr) differ"),
            "{err}"
        );
    }

    #[test]
    fn dangling_response_reference_is_refused() {
        let err =
            run(json!({"200": json_body("Ok"), "404": {"$ref": "#/components/responses/Gone"}}))
                .unwrap_err();
        assert!(err.to_string().contains("points at nothing"), "{err}");
    }
}
