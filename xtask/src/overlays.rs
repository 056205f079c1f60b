//! The project's overlays: `spec/overlays/*.yml`, OpenAPI Overlay 1.0 documents that add what
//! Telnyx documents but does not publish in a readable spec yet. They are applied in file-name
//! order to the assembled upstream spec, and each says (in its `info` and action descriptions)
//! where its facts come from.
//!
//! Each one is meant to be retired piece by piece: when the fetched upstream itself carries an
//! operation, webhook, schema, schema field or parameter that an overlay adds, [`apply`] says so.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Context;
use telnyx_reputation_codegen::{METHODS, parse_document, parse_overlay};

/// The folder under the spec directory that holds the overlays.
pub const DIR: &str = "overlays";

/// One overlay file as read.
#[derive(Debug)]
pub struct OverlayFile {
    /// Its file name, e.g. `2026-10-ownership.yml`.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// The overlays in `spec_dir/overlays/`, sorted by file name: every `.yml` and `.yaml` file. No
/// folder means no overlays.
pub fn read(spec_dir: &Path) -> anyhow::Result<Vec<OverlayFile>> {
    let dir = spec_dir.join(DIR);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot list {}", dir.display())),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name.ends_with(".yml") || name.ends_with(".yaml")) || name.starts_with('.') {
            continue;
        }
        let bytes = std::fs::read(entry.path())
            .with_context(|| format!("cannot read {}", entry.path().display()))?;
        files.push(OverlayFile { name, bytes });
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

/// The spec with every overlay applied, and what upstream now publishes itself.
#[derive(Debug)]
pub struct Overlaid {
    /// The spec's bytes: upstream's own when there is no overlay, otherwise YAML with keys
    /// sorted (as the merged form of [`crate::assemble`]).
    pub bytes: Vec<u8>,
    /// One line per addition of an overlay that the upstream spec already carries.
    pub retire: Vec<String>,
    /// One line per overlay that adds operations upstream does not publish yet, naming them.
    pub pending: Vec<String>,
}

/// Applies `overlays` in order to the upstream spec `upstream`. An error names the overlay
/// (`overlays/NAME`) and, for a failing action, the action.
pub fn apply(upstream: &[u8], overlays: &[OverlayFile]) -> anyhow::Result<Overlaid> {
    if overlays.is_empty() {
        return Ok(Overlaid {
            bytes: upstream.to_vec(),
            retire: Vec::new(),
            pending: Vec::new(),
        });
    }
    let text = std::str::from_utf8(upstream).context("not UTF-8 text")?;
    let before = parse_document(text)?;
    let mut doc = before.clone();
    let mut retire = Vec::new();
    let mut pending = Vec::new();
    let mut seen = BTreeSet::new();
    for file in overlays {
        let name = format!("{DIR}/{}", file.name);
        let text = std::str::from_utf8(&file.bytes)
            .map_err(|_| anyhow::anyhow!("not UTF-8 text"))
            .with_context(|| name.clone())?;
        let overlay = parse_overlay(text).with_context(|| name.clone())?;
        let applied = overlay.apply_to(&mut doc).with_context(|| name.clone())?;
        let mut operations = Vec::new();
        for pointer in applied.iter().flat_map(|a| &a.written) {
            let Some((what, is_operation)) = addition(pointer) else {
                continue;
            };
            if !seen.insert((file.name.clone(), what.clone())) {
                continue;
            }
            if before.pointer(pointer).is_some() {
                retire.push(format!(
                    "upstream now publishes {what}, added by overlay {}: the overlay can retire it",
                    file.name
                ));
            } else if is_operation {
                operations.push(what);
            }
        }
        if !operations.is_empty() {
            pending.push(format!(
                "overlay {} adds {} operation(s) upstream does not publish yet: {}",
                file.name,
                operations.len(),
                operations.join(", ")
            ));
        }
    }
    let bytes = serde_yaml::to_string(&doc)
        .context("cannot write the overlaid spec as YAML")?
        .into_bytes();
    Ok(Overlaid {
        bytes,
        retire,
        pending,
    })
}

/// What a written node is, when it is one a reader would name: an operation (`true`), a webhook,
/// a schema, a schema's field or a shared parameter. `None` for anything deeper or elsewhere.
fn addition(pointer: &str) -> Option<(String, bool)> {
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let what = match tokens.as_slice() {
        ["paths", path, method] if METHODS.contains(method) => {
            return Some((format!("{} {path}", method.to_ascii_uppercase()), true));
        }
        ["webhooks", name] => format!("webhook {name}"),
        ["components", "schemas", name] => format!("schema {name}"),
        ["components", "schemas", name, "properties", field] => format!("field {name}.{field}"),
        ["components", "parameters", name] => format!("parameter {name}"),
        _ => return None,
    };
    Some((what, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    const UPSTREAM: &str = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get: {operationId: getA, responses: {'204': {description: none}}}\ncomponents:\n  schemas:\n    S: {type: object, properties: {a: {type: string}}}\n";

    fn overlay(name: &str, actions: &str) -> OverlayFile {
        OverlayFile {
            name: name.into(),
            bytes: format!("overlay: 1.0.0\ninfo: {{title: t, version: '1'}}\nactions:\n{actions}")
                .into_bytes(),
        }
    }

    #[test]
    fn no_overlay_keeps_upstreams_bytes() {
        let out = apply(UPSTREAM.as_bytes(), &[]).unwrap();
        assert_eq!(out.bytes, UPSTREAM.as_bytes());
        assert!(out.retire.is_empty());
    }

    #[test]
    fn overlays_apply_in_order_and_what_upstream_already_has_is_named() {
        let first = overlay(
            "1-add.yml",
            "- target: $.paths\n  update:\n    /a: {post: {operationId: postA}}\n    /b: {get: {operationId: getB}}\n- target: $.components.schemas.S.properties\n  update: {a: {type: string}, b: {type: integer}}\n",
        );
        let second = overlay("2-remove.yml", "- target: $.paths['/b']\n  remove: true\n");
        let out = apply(UPSTREAM.as_bytes(), &[first, second]).unwrap();
        let doc = parse_document(std::str::from_utf8(&out.bytes).unwrap()).unwrap();
        assert_eq!(doc["paths"]["/a"]["post"]["operationId"], "postA");
        assert_eq!(
            doc["paths"].get("/b"),
            None,
            "the second overlay ran after the first"
        );
        assert_eq!(
            out.retire,
            [
                "upstream now publishes field S.a, added by overlay 1-add.yml: the overlay can retire it"
            ]
        );
        assert_eq!(
            out.pending,
            [
                "overlay 1-add.yml adds 2 operation(s) upstream does not publish yet: POST /a, GET /b"
            ]
        );
    }

    #[test]
    fn a_failing_action_names_its_overlay_file() {
        let bad = overlay("9-stale.yml", "- target: $.paths['/gone']\n  update: {}\n");
        let err = apply(UPSTREAM.as_bytes(), &[bad]).unwrap_err();
        assert_eq!(
            format!("{err:#}"),
            "overlays/9-stale.yml: overlay action #1 (target `$.paths['/gone']`): the target matches nothing in the document"
        );
    }

    #[test]
    fn additions_are_named_by_kind() {
        let named = |p: &str| addition(p).map(|(what, _)| what);
        assert_eq!(
            addition("/paths/~1a~1{id}/patch"),
            Some(("PATCH /a/{id}".into(), true))
        );
        assert_eq!(named("/paths/~1a/patch/description"), None);
        assert_eq!(
            named("/webhooks/n.flagged").as_deref(),
            Some("webhook n.flagged")
        );
        assert_eq!(
            addition("/components/schemas/S/properties/a"),
            Some(("field S.a".into(), false))
        );
        assert_eq!(
            named("/components/parameters/P").as_deref(),
            Some("parameter P")
        );
        assert_eq!(named("/paths/~1a/parameters"), None);
    }
}
