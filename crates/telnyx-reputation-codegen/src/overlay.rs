//! OpenAPI Overlay 1.0.0: a document of ordered actions that change an OpenAPI document, each
//! aimed at nodes by an RFC 9535 JSONPath `target`.
//!
//! - `update` is merged into every node the target selects. Into an object it merges deeply:
//!   objects key by key, arrays by appending the update's items, anything else replaced. Into an
//!   array it appends the update as one entry. A target that selects a string, number, boolean or
//!   null cannot be updated (the 1.0.0 text defines updates of objects and arrays only).
//! - `remove: true` deletes every selected node from its parent (and ignores `update`).
//! - A target that selects nothing is an error naming the action: an overlay written for one
//!   edition of the upstream file must not pass silently over another.
//!
//! Pure: the overlay's text in, the document out, errors as values.
//!
//! ```
//! use serde_json::json;
//! let doc = json!({"openapi": "3.1.0", "paths": {"/a": {"get": {"tags": ["A"]}}}});
//! let overlay = r#"
//! overlay: 1.0.0
//! info: {title: Tag B, version: "1"}
//! actions:
//!   - target: "$.paths['/a'].get"
//!     update: {tags: [B], summary: Read A}
//! "#;
//! let out = telnyx_reputation_codegen::apply_overlay(doc, overlay).unwrap();
//! assert_eq!(out["paths"]["/a"]["get"], json!({"tags": ["A", "B"], "summary": "Read A"}));
//! ```

use serde_json::{Map, Value};
use serde_json_path::JsonPath;

use crate::error::CodegenError;
use crate::pointer;

/// A parsed overlay document.
#[derive(Debug, Clone)]
pub struct Overlay {
    /// `info.title`.
    pub title: String,
    /// `info.version`: the overlay's own version, not the document's.
    pub version: String,
    actions: Vec<Action>,
}

/// One action: where, and what to do there.
#[derive(Debug, Clone)]
struct Action {
    /// 1-based position in `actions`, used in errors.
    number: usize,
    target: String,
    path: JsonPath,
    description: Option<String>,
    change: Change,
}

#[derive(Debug, Clone)]
enum Change {
    Update(Value),
    Remove,
}

/// What one action did, as JSON pointers (RFC 6901) into the document it was applied to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The action's 1-based position in the overlay.
    pub action: usize,
    /// Every node the action's `update` writes, at every depth: for an update `{a: {b: 1}}` of
    /// the node at `/x`, both `/x/a` and `/x/a/b` (whether or not they existed before). An
    /// appended array entry is named by its new index.
    pub written: Vec<String>,
    /// The nodes a `remove` action deleted.
    pub removed: Vec<String>,
}

impl Action {
    /// How errors name this action: its number, target and description.
    fn name(&self) -> String {
        match &self.description {
            Some(d) => format!("#{} (target `{}`, \"{d}\")", self.number, self.target),
            None => format!("#{} (target `{}`)", self.number, self.target),
        }
    }

    fn error(&self, reason: impl Into<String>) -> CodegenError {
        CodegenError::OverlayAction {
            action: self.name(),
            reason: reason.into(),
        }
    }
}

/// One step of a location: an object member or an array index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Name(String),
    Index(usize),
}

fn not_overlay(reason: impl Into<String>) -> CodegenError {
    CodegenError::NotOverlay(reason.into())
}

/// Parses an overlay's text (YAML or JSON), checking its structure and every target's syntax.
pub fn parse_overlay(text: &str) -> Result<Overlay, CodegenError> {
    let doc: Value =
        serde_yaml::from_str(text).map_err(|e| CodegenError::NotYaml(e.to_string()))?;
    let Some(doc) = doc.as_object() else {
        return Err(not_overlay("the document is not a mapping"));
    };
    match doc.get("overlay").and_then(Value::as_str) {
        Some(v) if v.starts_with("1.0.") => {}
        Some(v) => return Err(not_overlay(format!("version {v} (expected 1.0.x)"))),
        None => return Err(not_overlay("no `overlay` version field")),
    }
    let info_field = |name: &str| {
        doc.get("info")
            .and_then(|i| i.get(name))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| not_overlay(format!("`info.{name}` is missing or not a string")))
    };
    let (title, version) = (info_field("title")?, info_field("version")?);
    let Some(list) = doc.get("actions").and_then(Value::as_array) else {
        return Err(not_overlay("`actions` is missing or not a list"));
    };
    if list.is_empty() {
        return Err(not_overlay("`actions` is empty"));
    }
    let actions = list
        .iter()
        .enumerate()
        .map(|(i, raw)| parse_action(i + 1, raw))
        .collect::<Result<_, _>>()?;
    Ok(Overlay {
        title,
        version,
        actions,
    })
}

fn parse_action(number: usize, raw: &Value) -> Result<Action, CodegenError> {
    let unnamed = |reason: String| CodegenError::OverlayAction {
        action: format!("#{number}"),
        reason,
    };
    let Some(obj) = raw.as_object() else {
        return Err(unnamed("an action must be a mapping".into()));
    };
    if let Some(key) = obj.keys().find(|k| {
        !k.starts_with("x-")
            && !matches!(k.as_str(), "target" | "description" | "update" | "remove")
    }) {
        return Err(unnamed(format!(
            "unknown field `{key}` (an action has target, description, update and remove)"
        )));
    }
    let Some(target) = obj.get("target").and_then(Value::as_str) else {
        return Err(unnamed("`target` is missing or not a string".into()));
    };
    let description = match obj.get("description") {
        None => None,
        Some(Value::String(d)) => Some(d.clone()),
        Some(_) => return Err(unnamed("`description` is not a string".into())),
    };
    let path = JsonPath::parse(target).map_err(|e| CodegenError::OverlayAction {
        action: format!("#{number} (target `{target}`)"),
        reason: format!("the target is not an RFC 9535 JSONPath: {e}"),
    })?;
    let remove = match obj.get("remove") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(unnamed("`remove` is not a boolean".into())),
    };
    let change = match (remove, obj.get("update")) {
        (true, _) => Change::Remove,
        (false, Some(update)) => Change::Update(update.clone()),
        (false, None) => {
            return Err(unnamed(
                "the action has neither an `update` nor `remove: true`".into(),
            ));
        }
    };
    Ok(Action {
        number,
        target: target.to_owned(),
        path,
        description,
        change,
    })
}

impl Overlay {
    /// Applies the actions in order to `doc`, in place. On an error `doc` may hold the actions
    /// before the failing one; callers that need all or nothing apply to a copy.
    pub fn apply_to(&self, doc: &mut Value) -> Result<Vec<Applied>, CodegenError> {
        self.actions.iter().map(|a| apply_action(a, doc)).collect()
    }
}

/// Applies the overlay `overlay_text` to `document` and returns the changed document.
pub fn apply_overlay(mut document: Value, overlay_text: &str) -> Result<Value, CodegenError> {
    parse_overlay(overlay_text)?.apply_to(&mut document)?;
    Ok(document)
}

fn apply_action(action: &Action, doc: &mut Value) -> Result<Applied, CodegenError> {
    let mut locations: Vec<Vec<Step>> = action
        .path
        .query_located(doc)
        .locations()
        .map(|location| {
            location
                .iter()
                .map(|e| match e.as_index() {
                    Some(i) => Step::Index(i),
                    None => Step::Name(e.as_name().unwrap_or_default().to_owned()),
                })
                .collect()
        })
        .collect();
    if locations.is_empty() {
        return Err(action.error("the target matches nothing in the document"));
    }
    let mut applied = Applied {
        action: action.number,
        written: Vec::new(),
        removed: Vec::new(),
    };
    match &action.change {
        Change::Update(update) => {
            for location in &locations {
                let at = to_pointer(location);
                let Some(node) = doc.pointer_mut(&at) else {
                    return Err(action.error(format!("the node at {at} vanished")));
                };
                match node {
                    Value::Object(map) => {
                        let Value::Object(update) = update else {
                            return Err(action.error(format!(
                                "the target selects an object at `{at}`, so the update must be an object, not {}",
                                kind(update)
                            )));
                        };
                        written_pointers(&at, update, &mut applied.written);
                        merge_object(map, update);
                    }
                    Value::Array(items) => {
                        let entry = pointer::push(&at, &items.len().to_string());
                        if let Value::Object(update) = update {
                            written_pointers(&entry, update, &mut applied.written);
                        }
                        applied.written.push(entry);
                        items.push(update.clone());
                    }
                    other => {
                        return Err(action.error(format!(
                            "the target selects {} at `{at}`; an update merges into objects and appends to arrays only",
                            kind(other)
                        )));
                    }
                }
            }
        }
        Change::Remove => {
            // Deepest and highest index first, so that no removal shifts a later one.
            locations.sort();
            locations.dedup();
            for location in locations.iter().rev() {
                let Some((last, parent)) = location.split_last() else {
                    return Err(action.error("the target selects the document itself"));
                };
                let at = to_pointer(location);
                match (doc.pointer_mut(&to_pointer(parent)), last) {
                    (Some(Value::Object(map)), Step::Name(name)) => {
                        map.remove(name);
                    }
                    (Some(Value::Array(items)), Step::Index(i)) if *i < items.len() => {
                        items.remove(*i);
                    }
                    // Inside a node this action already removed.
                    _ => continue,
                }
                applied.removed.push(at);
            }
        }
    }
    Ok(applied)
}

/// Merges `update` into `into`: objects key by key, arrays appended, anything else replaced.
fn merge_object(into: &mut Map<String, Value>, update: &Map<String, Value>) {
    for (key, value) in update {
        match (into.get_mut(key), value) {
            (Some(Value::Object(existing)), Value::Object(update)) => {
                merge_object(existing, update)
            }
            (Some(Value::Array(existing)), Value::Array(more)) => {
                existing.extend(more.iter().cloned())
            }
            (Some(existing), _) => *existing = value.clone(),
            (None, _) => {
                into.insert(key.clone(), value.clone());
            }
        }
    }
}

/// Pushes the pointer of every key of `update`, at every depth of nested objects, under `at`.
fn written_pointers(at: &str, update: &Map<String, Value>, out: &mut Vec<String>) {
    for (key, value) in update {
        let child = pointer::push(at, key);
        out.push(child.clone());
        if let Value::Object(inner) = value {
            written_pointers(&child, inner, out);
        }
    }
}

fn to_pointer(location: &[Step]) -> String {
    location.iter().fold(String::new(), |acc, step| match step {
        Step::Name(name) => pointer::push(&acc, name),
        Step::Index(i) => pointer::push(&acc, &i.to_string()),
    })
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn doc() -> Value {
        json!({
            "openapi": "3.1.0",
            "paths": {
                "/a": {"get": {"operationId": "getA", "parameters": [{"name": "p"}], "tags": ["A"]}},
                "/b": {"get": {"operationId": "getB", "parameters": [{"name": "p"}, {"name": "q"}]}}
            },
            "components": {"schemas": {"S": {"type": "object", "properties": {"a": {"type": "string"}}}}}
        })
    }

    fn overlay(actions: &str) -> String {
        format!("overlay: 1.0.0\ninfo: {{title: t, version: '1'}}\nactions:\n{actions}")
    }

    #[test]
    fn update_merges_deeply_appends_arrays_and_replaces_scalars() {
        let out = apply_overlay(
            doc(),
            &overlay(
                "- target: $.components.schemas.S\n  update:\n    description: d\n    required: [a]\n    properties: {b: {type: integer}, a: {type: [string, 'null']}}\n- target: $.paths['/a'].get\n  update: {tags: [B], operationId: readA}\n",
            ),
        )
        .unwrap();
        assert_eq!(
            out["components"]["schemas"]["S"],
            json!({"type": "object", "description": "d", "required": ["a"],
                   "properties": {"a": {"type": ["string", "null"]}, "b": {"type": "integer"}}})
        );
        assert_eq!(out["paths"]["/a"]["get"]["tags"], json!(["A", "B"]));
        assert_eq!(out["paths"]["/a"]["get"]["operationId"], "readA");
    }

    #[test]
    fn an_array_target_gets_the_update_appended_once_per_match() {
        let text =
            overlay("- target: \"$.paths['/a','/b'].get.parameters\"\n  update: {name: filter}\n");
        let parsed = parse_overlay(&text).unwrap();
        let mut d = doc();
        let applied = parsed.apply_to(&mut d).unwrap();
        assert_eq!(
            d["paths"]["/b"]["get"]["parameters"],
            json!([{"name": "p"}, {"name": "q"}, {"name": "filter"}])
        );
        assert_eq!(
            d["paths"]["/a"]["get"]["parameters"][1],
            json!({"name": "filter"})
        );
        assert_eq!(
            applied[0].written,
            [
                "/paths/~1a/get/parameters/1/name",
                "/paths/~1a/get/parameters/1",
                "/paths/~1b/get/parameters/2/name",
                "/paths/~1b/get/parameters/2"
            ]
        );
    }

    #[test]
    fn remove_deletes_every_match_without_shifting_the_next() {
        let text = overlay(
            "- target: $.paths.*.get.parameters[*]\n  remove: true\n- target: $.paths['/a']\n  remove: true\n",
        );
        let mut d = doc();
        let applied = parse_overlay(&text).unwrap().apply_to(&mut d).unwrap();
        assert_eq!(
            d["paths"],
            json!({"/b": {"get": {"operationId": "getB", "parameters": []}}})
        );
        assert_eq!(
            applied[0].removed,
            [
                "/paths/~1b/get/parameters/1",
                "/paths/~1b/get/parameters/0",
                "/paths/~1a/get/parameters/0"
            ]
        );
        assert_eq!(applied[1].removed, ["/paths/~1a"]);
    }

    #[test]
    fn a_target_that_matches_nothing_is_an_error_naming_the_action() {
        let text = overlay(
            "- target: $.paths\n  update: {}\n- target: $.paths['/gone'].get\n  description: Retag the old op\n  update: {tags: [X]}\n",
        );
        let err = apply_overlay(doc(), &text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "overlay action #2 (target `$.paths['/gone'].get`, \"Retag the old op\"): the target matches nothing in the document"
        );
    }

    #[test]
    fn malformed_overlays_and_updates_are_refused_with_the_rule() {
        let cases = [
            (
                "overlay: 2.0.0\ninfo: {title: t, version: '1'}\nactions: []\n",
                "not an Overlay 1.0 document: version 2.0.0 (expected 1.0.x)",
            ),
            (
                "overlay: 1.0.0\ninfo: {title: t}\nactions: [{target: $, update: {}}]\n",
                "not an Overlay 1.0 document: `info.version` is missing or not a string",
            ),
            (
                "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions: []\n",
                "not an Overlay 1.0 document: `actions` is empty",
            ),
            (
                &overlay("- target: $.paths[\n  update: {}\n"),
                "overlay action #1 (target `$.paths[`): the target is not an RFC 9535 JSONPath",
            ),
            (
                &overlay("- target: $.paths\n  updates: {}\n"),
                "overlay action #1: unknown field `updates`",
            ),
            (
                &overlay("- target: $.paths\n"),
                "overlay action #1: the action has neither an `update` nor `remove: true`",
            ),
            (
                &overlay("- target: $.openapi\n  update: {a: 1}\n"),
                "overlay action #1 (target `$.openapi`): the target selects a string at `/openapi`",
            ),
            (
                &overlay("- target: $.paths\n  update: [1]\n"),
                "overlay action #1 (target `$.paths`): the target selects an object at `/paths`, so the update must be an object, not a list",
            ),
            (
                &overlay("- target: $\n  remove: true\n"),
                "overlay action #1 (target `$`): the target selects the document itself",
            ),
        ];
        for (text, expected) in cases {
            let err = apply_overlay(doc(), text).unwrap_err().to_string();
            assert!(err.starts_with(expected), "{err}\n  expected: {expected}");
        }
    }
}
