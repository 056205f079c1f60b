//! Which operations a new spec adds, removes or changes, with `$ref`s resolved (so a changed
//! schema shows on every operation that uses it) and vendor extensions ignored. Operations are
//! matched by method and path: an operation whose `operationId` was renamed (upstream changed
//! their case between editions) is the same operation, changed.

use std::collections::BTreeMap;

use serde_json::Value;
use telnyx_reputation_codegen::METHODS;

/// One operation: its operationId (or `METHOD path` without one) and its definition with
/// references resolved.
struct Operation {
    id: String,
    body: Value,
}

fn operations(doc: &Value) -> BTreeMap<String, Operation> {
    let mut out = BTreeMap::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let route = format!("{} {path}", method.to_ascii_uppercase());
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| route.clone());
            let mut body = resolve(op, doc, 0);
            if let Some(shared) = item.get("parameters") {
                body["pathParameters"] = resolve(shared, doc, 0);
            }
            out.insert(route, Operation { id, body });
        }
    }
    out
}

/// The value with every local `$ref` replaced by its target and every `x-` key dropped.
fn resolve(value: &Value, doc: &Value, depth: usize) -> Value {
    if depth > 64 {
        return Value::String("<recursive>".into());
    }
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref")
                && let Some(pointer) = r.strip_prefix('#')
                && let Some(target) = doc.pointer(pointer)
            {
                return resolve(target, doc, depth + 1);
            }
            Value::Object(
                map.iter()
                    .filter(|(k, _)| !k.starts_with("x-"))
                    .map(|(k, v)| (k.clone(), resolve(v, doc, depth + 1)))
                    .collect(),
            )
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| resolve(v, doc, depth + 1)).collect())
        }
        other => other.clone(),
    }
}

/// What differs between two versions of one operation, in a few words.
fn changed_parts(old: &Operation, new: &Operation) -> Vec<String> {
    let mut parts = Vec::new();
    if old.id != new.id {
        parts.push(format!("operationId was {}", old.id));
    }
    let keys: std::collections::BTreeSet<&String> = old
        .body
        .as_object()
        .into_iter()
        .chain(new.body.as_object())
        .flat_map(|m| m.keys())
        .collect();
    for key in keys {
        let (a, b) = (old.body.get(key), new.body.get(key));
        if a == b || key == "operationId" {
            continue;
        }
        if key == "responses" {
            let codes: std::collections::BTreeSet<&String> = [a, b]
                .into_iter()
                .flatten()
                .filter_map(Value::as_object)
                .flat_map(|m| m.keys())
                .collect();
            for code in codes {
                if a.and_then(|v| v.get(code)) != b.and_then(|v| v.get(code)) {
                    parts.push(format!("responses.{code}"));
                }
            }
        } else {
            parts.push(key.clone());
        }
    }
    parts
}

/// The report: one line per added (`+`), removed (`-`) or changed (`~`) operation (or "no
/// operation changes"), and whether there was any such line.
pub fn report(old: &Value, new: &Value) -> (String, bool) {
    let (old_ops, new_ops) = (operations(old), operations(new));
    let mut lines = Vec::new();
    for (route, op) in &new_ops {
        match old_ops.get(route) {
            None => lines.push(format!("+ {}  {route}", op.id)),
            Some(before) => {
                let parts = changed_parts(before, op);
                if !parts.is_empty() {
                    lines.push(format!("~ {}  {route} ({})", op.id, parts.join(", ")));
                }
            }
        }
    }
    for (route, op) in &old_ops {
        if !new_ops.contains_key(route) {
            lines.push(format!("- {}  {route}", op.id));
        }
    }
    let changed = !lines.is_empty();
    if lines.is_empty() {
        lines.push("no operation changes".into());
    }
    (lines.join("\n") + "\n", changed)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_changed_shared_schema_shows_on_the_operation_and_extensions_do_not() {
        let old = json!({"paths": {"/a": {"get": {"operationId": "A", "x-codeSamples": [1], "responses": {"200": {"$ref": "#/components/responses/R"}}}}},
            "components": {"responses": {"R": {"description": "r", "content": {"application/json": {"schema": {"type": "string"}}}}}}});
        let mut new = old.clone();
        new["paths"]["/a"]["get"]["x-codeSamples"] = json!([2]);
        assert_eq!(report(&old, &new), ("no operation changes\n".into(), false));
        new["components"]["responses"]["R"]["content"]["application/json"]["schema"]["type"] =
            json!("integer");
        new["paths"]["/b"] = json!({"post": {"operationId": "B"}});
        let (text, changed) = report(&old, &new);
        assert!(changed);
        assert_eq!(text, "~ A  GET /a (responses.200)\n+ B  POST /b\n");
        let (text, _) = report(&new, &old);
        assert!(text.contains("- B  POST /b"), "{text}");
    }

    #[test]
    fn operations_match_by_method_and_path_across_an_operation_id_rename() {
        let old = json!({"paths": {"/a": {"get": {"operationId": "GetA", "parameters": []}}}});
        let new = json!({"paths": {"/a": {"get": {"operationId": "getA", "parameters": [{"name": "q", "in": "query"}]}}}});
        let (text, changed) = report(&old, &new);
        assert!(changed);
        assert_eq!(text, "~ getA  GET /a (operationId was GetA, parameters)\n");
    }
}
