//! From what upstream publishes to the one spec file we keep, in either published form:
//!
//! - the per-product files (`phone-numbers.yml`, `settings.yml`, `remediation.yml`), merged:
//!   paths and components identical in several files are kept once, and a component (or
//!   operation) with one name and different content in two files is an error naming both;
//! - the combined `spec3.yml` of every Telnyx API, from which the paths that contain
//!   `reputation` are selected, with the components they reference, transitively.
//!
//! Both go through the same two steps (merge, then select), so a single file that already holds
//! exactly the reputation surface is kept byte for byte.

use std::collections::BTreeSet;

use anyhow::{Context, bail};
use serde_json::{Map, Value};
use telnyx_reputation_codegen::{METHODS, parse_document};

/// The word every path of the Reputation API contains, and no other API's path does.
pub const SELECT: &str = "reputation";

/// One fetched source: where it came from and its bytes.
pub struct Source {
    /// The path or URL it was read from.
    pub name: String,
    /// Its bytes, as fetched.
    pub bytes: Vec<u8>,
}

/// The spec file's bytes for these sources: the one source's own bytes when the selection keeps
/// all of it, otherwise the merged selection as YAML (keys sorted, so the output is stable).
pub fn assemble(sources: &[Source]) -> anyhow::Result<Vec<u8>> {
    let mut docs = Vec::with_capacity(sources.len());
    for source in sources {
        // One source is named by the caller; of several, say which one failed.
        let which = |e: anyhow::Error| match sources.len() {
            1 => e,
            _ => e.context(source.name.clone()),
        };
        let text = std::str::from_utf8(&source.bytes)
            .map_err(|_| which(anyhow::anyhow!("not UTF-8 text")))?;
        let doc = parse_document(text).map_err(|e| which(e.into()))?;
        docs.push((source.name.as_str(), doc));
    }
    let Some(((first_name, first), rest)) = docs.split_first() else {
        bail!("no source given");
    };
    let mut merged = first.clone();
    for (name, doc) in rest {
        merge(&mut merged, first_name, doc, name)?;
    }
    let selected = select(&merged);
    if sources.len() == 1 && selected == *first {
        return Ok(sources[0].bytes.clone());
    }
    if selected
        .get("paths")
        .and_then(Value::as_object)
        .is_none_or(Map::is_empty)
    {
        bail!("no path contains `{SELECT}`");
    }
    Ok(serde_yaml::to_string(&selected)
        .context("cannot write the merged spec as YAML")?
        .into_bytes())
}

/// Merges `doc` (from `name`) into `into` (from `into_name`, and any merged before it). Top-level
/// fields other than paths, webhooks and components are taken from the first file.
pub fn merge(into: &mut Value, into_name: &str, doc: &Value, name: &str) -> anyhow::Result<()> {
    for section in ["paths", "webhooks"] {
        let Some(paths) = doc.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (path, item) in paths {
            let target = ensure_object(into, &[section, path]);
            let Some(item) = item.as_object() else {
                bail!("{name}: {section} entry {path} is not a mapping");
            };
            for (key, value) in item {
                add_once(target, key, value, || {
                    format!(
                        "{} {path} differs between {into_name} and {name}",
                        key.to_ascii_uppercase()
                    )
                })?;
            }
        }
    }
    if let Some(components) = doc.get("components").and_then(Value::as_object) {
        for (section, items) in components {
            let Some(items) = items.as_object() else {
                continue;
            };
            let target = ensure_object(into, &["components", section]);
            for (item_name, value) in items {
                add_once(target, item_name, value, || {
                    format!(
                        "component {section}/{item_name} differs between {into_name} and {name}"
                    )
                })?;
            }
        }
    }
    Ok(())
}

/// Adds `value` under `key` to `target`: kept once when `target` already has the same value
/// there, and the error `differs` names when it has another.
fn add_once(
    target: &mut Map<String, Value>,
    key: &str,
    value: &Value,
    differs: impl FnOnce() -> String,
) -> anyhow::Result<()> {
    match target.get(key) {
        None => {
            target.insert(key.to_owned(), value.clone());
        }
        Some(existing) if existing == value => {}
        Some(_) => bail!("{}", differs()),
    }
    Ok(())
}

/// The object at `keys` under `value`, created (empty) where missing or not an object.
fn ensure_object<'a>(value: &'a mut Value, keys: &[&str]) -> &'a mut Map<String, Value> {
    if !value.is_object() {
        *value = Value::Object(Map::new());
    }
    let Value::Object(map) = value else {
        unreachable!("replaced by an object above")
    };
    match keys.split_first() {
        None => map,
        Some((key, rest)) => ensure_object(map.entry(*key).or_insert(Value::Null), rest),
    }
}

/// The paths and webhooks that contain [`SELECT`], the components they reference
/// (transitively), the security schemes and the tags they use; other top-level fields as they
/// are.
pub fn select(doc: &Value) -> Value {
    let mut out = doc.clone();
    let Some(obj) = out.as_object_mut() else {
        return out;
    };
    let paths: Map<String, Value> = doc
        .get("paths")
        .and_then(Value::as_object)
        .map(|paths| {
            paths
                .iter()
                .filter(|(path, _)| path.contains(SELECT))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();

    // The 3.1 `webhooks` (events the API sends) whose names contain the word, likewise.
    let webhooks: Option<Map<String, Value>> =
        doc.get("webhooks").and_then(Value::as_object).map(|hooks| {
            hooks
                .iter()
                .filter(|(name, _)| name.contains(SELECT))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        });

    // Every `#/components/...` reference reachable from the kept paths and webhooks.
    let mut seen = BTreeSet::new();
    let mut queue = Vec::new();
    collect_refs(&Value::Object(paths.clone()), &mut queue);
    if let Some(webhooks) = &webhooks {
        collect_refs(&Value::Object(webhooks.clone()), &mut queue);
    }
    while let Some(reference) = queue.pop() {
        if !seen.insert(reference.clone()) {
            continue;
        }
        if let Some(target) = reference
            .strip_prefix('#')
            .and_then(|pointer| doc.pointer(pointer))
        {
            collect_refs(target, &mut queue);
        }
    }
    if let Some(Value::Object(components)) = obj.get_mut("components") {
        for (section, items) in components.iter_mut() {
            if section == "securitySchemes" {
                continue;
            }
            if let Value::Object(items) = items {
                items.retain(|name, _| {
                    seen.contains(&format!(
                        "#/components/{section}/{}",
                        name.replace('~', "~0").replace('/', "~1")
                    ))
                });
            }
        }
        components.retain(|_, items| !items.as_object().is_some_and(Map::is_empty));
        if components.is_empty() {
            obj.remove("components");
        }
    }
    if let Some(Value::Array(tags)) = obj.get_mut("tags") {
        let used: BTreeSet<&str> = paths
            .values()
            .filter_map(Value::as_object)
            .flat_map(|item| METHODS.iter().filter_map(|m| item.get(*m)))
            .filter_map(|op| op.get("tags").and_then(Value::as_array))
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        tags.retain(|tag| {
            tag.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| used.contains(n))
        });
    }
    obj.insert("paths".into(), Value::Object(paths));
    match webhooks {
        Some(hooks) if !hooks.is_empty() => {
            obj.insert("webhooks".into(), Value::Object(hooks));
        }
        Some(_) => {
            obj.remove("webhooks");
        }
        None => {}
    }
    out
}

/// Pushes every `$ref` string found inside `value`.
fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(child, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn merging_keeps_what_two_files_share_once_and_refuses_an_operation_that_differs() {
        let a = json!({"paths": {"/r": {"get": {"operationId": "getR"}}}});
        let same = json!({"paths": {"/r": {"get": {"operationId": "getR"}, "post": {}}}});
        let mut into = a.clone();
        merge(&mut into, "a.yml", &same, "b.yml").unwrap();
        assert_eq!(into, same, "the shared GET once, the POST added");

        let other = json!({"paths": {"/r": {"get": {"operationId": "getOther"}}}});
        let err = merge(&mut a.clone(), "a.yml", &other, "c.yml").unwrap_err();
        assert_eq!(err.to_string(), "GET /r differs between a.yml and c.yml");
    }

    #[test]
    fn selection_keeps_reputation_paths_and_what_they_reference_transitively() {
        let doc = json!({
            "openapi": "3.1.0",
            "tags": [{"name": "Reputation"}, {"name": "Calls"}],
            "paths": {
                "/reputation/a": {"get": {"tags": ["Reputation"], "responses": {"200": {"$ref": "#/components/responses/R"}}}},
                "/calls": {"get": {"tags": ["Calls"], "responses": {"200": {"$ref": "#/components/responses/C"}}}}
            },
            "components": {
                "responses": {"R": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}},
                              "C": {"description": "c"}},
                "schemas": {"A": {"properties": {"b": {"$ref": "#/components/schemas/B"}}},
                            "B": {"type": "string"}, "Unused": {"type": "string"}},
                "securitySchemes": {"bearerAuth": {"type": "http"}}
            }
        });
        let out = select(&doc);
        assert_eq!(
            out["paths"].as_object().unwrap().keys().collect::<Vec<_>>(),
            ["/reputation/a"]
        );
        assert_eq!(
            out["components"]["schemas"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["A", "B"]
        );
        assert_eq!(
            out["components"]["responses"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["R"]
        );
        assert_eq!(
            out["components"]["securitySchemes"],
            doc["components"]["securitySchemes"]
        );
        assert_eq!(out["tags"], json!([{"name": "Reputation"}]));
    }

    #[test]
    fn reputation_webhooks_are_kept_with_their_payload_schemas() {
        let doc = json!({
            "openapi": "3.1.0",
            "paths": {"/reputation/a": {"get": {"responses": {}}}},
            "webhooks": {
                "number_reputation.number.flagged": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Flagged"}}}}}},
                "call.hangup": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Hangup"}}}}}}
            },
            "components": {"schemas": {
                "Flagged": {"properties": {"source": {"$ref": "#/components/schemas/Source"}}},
                "Source": {"type": "string"},
                "Hangup": {"type": "object"}
            }}
        });
        let out = select(&doc);
        assert_eq!(
            out["webhooks"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["number_reputation.number.flagged"]
        );
        assert_eq!(
            out["components"]["schemas"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["Flagged", "Source"]
        );
    }

    #[test]
    fn identical_components_merge_and_different_ones_name_both_files() {
        let a = json!({"paths": {"/reputation/a": {"get": {"operationId": "A"}}},
            "components": {"schemas": {"E": {"type": "string"}}}});
        let b = json!({"paths": {"/reputation/b": {"get": {"operationId": "B"}}},
            "components": {"schemas": {"E": {"type": "string"}, "F": {"type": "integer"}}}});
        let mut merged = a.clone();
        merge(&mut merged, "a.yml", &b, "b.yml").unwrap();
        assert_eq!(merged["paths"].as_object().unwrap().len(), 2);
        assert_eq!(
            merged["components"]["schemas"].as_object().unwrap().len(),
            2
        );

        let c = json!({"components": {"schemas": {"E": {"type": "integer"}}}});
        let err = merge(&mut merged, "a.yml", &c, "c.yml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "component schemas/E differs between a.yml and c.yml"
        );
        let d = json!({"paths": {"/reputation/a": {"get": {"operationId": "Other"}}}});
        let err = merge(&mut merged, "a.yml", &d, "d.yml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "GET /reputation/a differs between a.yml and d.yml"
        );
    }
}
