//! `cargo xtask regen` over both forms upstream publishes, from small fixture files: the three
//! per-product files merged, and a combined spec of several APIs narrowed to the reputation
//! paths. Both give the same spec; a conflict between files is refused naming both, with the
//! spec directory byte for byte as it was.

use std::path::{Path, PathBuf};
use std::process::Command;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

/// A spec directory that starts empty, so that every operation reads as added.
fn spec_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    (dir, path)
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

fn regen(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("regen")
        .args(args)
        .arg("--spec-dir")
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn per_product_args() -> Vec<String> {
    ["phone-numbers.yml", "settings.yml", "remediation.yml"]
        .iter()
        .flat_map(|f| ["--from".to_owned(), fixture(f)])
        .collect()
}

#[test]
fn the_per_product_files_merge_into_one_spec_with_every_source_in_the_lock() {
    let (_keep, dir) = spec_copy();
    let args = per_product_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = regen(&dir, &args);
    assert_eq!(code, 0, "{err}");
    for line in [
        "+ listReputationNumbersSimplified  GET /reputation/numbers",
        "+ getReputationSettings  GET /enterprises/{enterprise_id}/reputation",
        "+ submitReputationRemediation  POST /enterprises/{enterprise_id}/reputation/remediation",
    ] {
        assert!(out.contains(line), "{line} in {out}");
    }
    let spec = std::fs::read_to_string(dir.join("phone-numbers.yml")).unwrap();
    let doc: serde_json::Value = serde_yaml::from_str(&spec).unwrap();
    assert_eq!(doc["paths"].as_object().unwrap().len(), 3);
    // The error schema all three files carry is merged into one.
    assert_eq!(
        doc["components"]["schemas"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["Errors", "NumberList", "Settings"]
    );
    let lock = std::fs::read_to_string(dir.join("phone-numbers.lock")).unwrap();
    let sources: Vec<&str> = lock
        .lines()
        .filter_map(|l| l.strip_prefix("source = "))
        .collect();
    assert_eq!(
        sources,
        [
            fixture("phone-numbers.yml"),
            fixture("settings.yml"),
            fixture("remediation.yml")
        ]
    );
    assert_eq!(
        lock.lines()
            .filter(|l| l.starts_with("source_sha256 = "))
            .count(),
        3
    );

    // --check with the same files finds no drift.
    let mut check = vec!["--check"];
    check.extend(&args);
    let (code, out, err) = regen(&dir, &check);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert!(out.contains("is up to date"), "{out}");
}

#[test]
fn the_combined_spec_is_narrowed_to_the_reputation_paths_and_equals_the_merged_files() {
    let (_keep, dir) = spec_copy();
    let combined = fixture("spec3.yml");
    let (code, out, err) = regen(&dir, &["--from", &combined]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("listCalls"), "{out}");
    let spec = std::fs::read_to_string(dir.join("phone-numbers.yml")).unwrap();
    assert!(
        !spec.contains("/calls") && !spec.contains("Unreferenced"),
        "{spec}"
    );

    // The same API in the other published form is the same spec, byte for byte.
    let args = per_product_args();
    let mut check = vec!["--check"];
    check.extend(args.iter().map(String::as_str));
    let (code, out, err) = regen(&dir, &check);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert!(out.contains("is up to date"), "{out}");
    let (code, out, _) = regen(&dir, &["--check", "--from", &combined]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_component_that_differs_between_files_is_refused_naming_both() {
    let (_keep, dir) = spec_copy();
    regen(&dir, &["--from", &fixture("spec3.yml")]);
    let before = snapshot(&dir);
    let (a, b) = (
        fixture("phone-numbers.yml"),
        fixture("settings-conflicting.yml"),
    );
    for extra in [&[][..], &["--check"][..]] {
        let mut args = extra.to_vec();
        args.extend(["--from", &a, "--from", &b]);
        let (code, out, err) = regen(&dir, &args);
        assert_eq!(code, 2, "{out}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(
            err.contains(&format!(
                "component schemas/Errors differs between {a} and {b}"
            )),
            "{err}"
        );
        assert_eq!(snapshot(&dir), before, "spec dir untouched");
    }
}

#[test]
fn an_invalid_file_among_several_is_named_and_nothing_is_written() {
    let (_keep, dir) = spec_copy();
    regen(&dir, &["--from", &fixture("spec3.yml")]);
    let before = snapshot(&dir);
    let not_yaml = dir.join("not-yaml.txt");
    std::fs::write(&not_yaml, "{{{ not: [yaml").unwrap();
    let before_with = {
        let mut b = before.clone();
        b.push(("not-yaml.txt".into(), std::fs::read(&not_yaml).unwrap()));
        b.sort();
        b
    };
    let bad = not_yaml.to_string_lossy().into_owned();
    let (code, _, err) = regen(&dir, &["--from", &fixture("settings.yml"), "--from", &bad]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains(&format!("{bad}: not YAML")), "{err}");
    assert_eq!(snapshot(&dir), before_with);
}
