//! `cargo xtask regen` with the committed overlays: the July upstream file plus
//! `spec/overlays/` rebuilds the committed spec byte for byte, repairs a spec directory broken by
//! hand (bad YAML, then a spec the generator refuses), refuses a stale overlay naming it, and
//! `--check` says which overlay additions upstream now publishes itself.

use std::path::{Path, PathBuf};
use std::process::Command;

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec");
/// The July 2026 upstream file (team-telnyx/openapi 12de4dd, the reputation extract).
const UPSTREAM: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/number-reputation-12de4dd.yml"
);
const OVERLAY: &str = "2026-10-ownership.yml";

/// A copy of the committed `spec/`: the spec, its lock and the overlays.
fn spec_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for f in ["phone-numbers.yml", "phone-numbers.lock"] {
        std::fs::copy(format!("{COMMITTED}/{f}"), dir.path().join(f)).unwrap();
    }
    std::fs::create_dir(dir.path().join("overlays")).unwrap();
    for entry in std::fs::read_dir(format!("{COMMITTED}/overlays")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(
            entry.path(),
            dir.path().join("overlays").join(entry.file_name()),
        )
        .unwrap();
    }
    let path = dir.path().to_owned();
    (dir, path)
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

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

fn committed(name: &str) -> String {
    std::fs::read_to_string(format!("{COMMITTED}/{name}")).unwrap()
}

/// The lock's lines other than `fetched_at`, which records when regen ran.
fn lock_without_time(lock: &str) -> Vec<&str> {
    lock.lines()
        .filter(|l| !l.starts_with("fetched_at"))
        .collect()
}

#[test]
fn the_july_file_and_the_committed_overlays_rebuild_the_committed_spec() {
    let (_keep, dir) = spec_copy();
    let (code, out, err) = regen(&dir, &["--check", "--from", UPSTREAM]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert!(out.contains("is up to date"), "{out}");
    assert!(!out.contains("does not match"), "{out}");
    assert!(!out.contains("upstream now publishes"), "{out}");
    assert!(
        out.contains("overlay 2026-10-ownership.yml adds 5 operation(s) upstream does not publish yet: PATCH /enterprises/{enterprise_id}/reputation/webhook, POST /enterprises/{enterprise_id}/reputation/external_verification, GET /enterprises/{enterprise_id}/reputation/external_verification, GET /enterprises/{enterprise_id}/reputation/numbers/{phone_number}/ownership, POST /enterprises/{enterprise_id}/reputation/numbers/{phone_number}/ownership_confirm\n"),
        "{out}"
    );

    let (code, _, err) = regen(&dir, &["--from", UPSTREAM]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        read(&dir, "phone-numbers.yml"),
        committed("phone-numbers.yml")
    );
    let lock = read(&dir, "phone-numbers.lock");
    let overlay = std::fs::read(format!("{COMMITTED}/overlays/{OVERLAY}")).unwrap();
    assert!(
        lock.contains(&format!(
            "overlay = {OVERLAY}\noverlay_sha256 = {}\n",
            sha256_hex(&overlay)
        )),
        "{lock}"
    );
    // The same sources, overlays, digest and size as the committed lock.
    let committed_lock = committed("phone-numbers.lock");
    let ours: Vec<&str> = lock_without_time(&lock)
        .into_iter()
        .filter(|l| !l.starts_with("source ="))
        .collect();
    let theirs: Vec<&str> = lock_without_time(&committed_lock)
        .into_iter()
        .filter(|l| !l.starts_with("source ="))
        .collect();
    assert_eq!(ours, theirs);
}

#[test]
fn regen_from_a_good_upstream_repairs_a_broken_spec_directory() {
    let good = committed("phone-numbers.yml");
    // A generated client cannot even be attempted from these: the first is not YAML, the
    // second is a valid OpenAPI document whose schema reference the generator cannot resolve.
    let broken = [
        "openapi: 3.1.0\npaths: {/a: [\n".to_owned(),
        good.replacen(
            "$ref: '#/components/schemas/ReputationData'",
            "$ref: '#/components/schemas/ReputationDataGone'",
            1,
        ),
    ];
    // Each broken spec in a spec directory of its own, both at once: generating and checking
    // a spec is most of the test's time.
    std::thread::scope(|scope| {
        for (i, text) in broken.iter().enumerate() {
            let good = &good;
            scope.spawn(move || {
                let (_keep, dir) = spec_copy();
                let spec = dir.join("phone-numbers.yml");
                std::fs::write(&spec, text).unwrap();
                let reason = match telnyx_reputation_codegen::generate(text) {
                    Ok(_) => panic!("broken spec {i} generates"),
                    Err(e) => e.to_string(),
                };
                if i == 1 {
                    assert!(reason.starts_with("the generator refused"), "{reason}");
                }

                let (code, out, _) = regen(&dir, &["--check", "--from", UPSTREAM]);
                assert_eq!(code, 1, "broken spec {i}: --check reports drift: {out}");
                assert!(out.contains("does not match"), "{out}");

                let (code, out, err) = regen(&dir, &["--from", UPSTREAM]);
                assert_eq!(code, 0, "broken spec {i}: {err}");
                assert!(out.contains("\nwrote spec/phone-numbers.yml"), "{out}");
                assert_eq!(&read(&dir, "phone-numbers.yml"), good, "broken spec {i}");
                telnyx_reputation_codegen::generate(&read(&dir, "phone-numbers.yml"))
                    .expect("the repaired spec generates");

                let (code, out, _) = regen(&dir, &["--check", "--from", UPSTREAM]);
                assert_eq!(code, 0, "{out}");
                assert!(out.contains("is up to date"), "{out}");
                assert!(!out.contains("does not match"), "{out}");
            });
        }
    });
}

#[test]
fn check_says_which_overlay_additions_upstream_now_publishes() {
    let (_keep, dir) = spec_copy();
    let before = read(&dir, "phone-numbers.yml");
    // Upstream starts publishing the webhook operation and its body schema, exactly as the
    // overlay adds them (the overlay's own text, moved into the upstream file).
    let july = std::fs::read_to_string(UPSTREAM).unwrap();
    let newer = july
        .replacen(
            "paths:\n",
            "paths:\n  /enterprises/{enterprise_id}/reputation/webhook:\n    patch:\n      operationId: updateReputationWebhook\n      parameters:\n      - $ref: '#/components/parameters/EnterpriseId'\n      requestBody:\n        required: true\n        content:\n          application/json:\n            schema:\n              $ref: '#/components/schemas/EnterpriseReputationWebhookUpdate'\n      responses:\n        '200':\n          description: Updated.\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/EnterpriseReputationPublicWrapped'\n",
            1,
        )
        .replacen(
            "  schemas:\n",
            "  schemas:\n    EnterpriseReputationWebhookUpdate:\n      properties:\n        webhook_url:\n          type: [string, 'null']\n      required: [webhook_url]\n      type: object\n",
            1,
        );
    let source = dir.join("upstream-newer.yml");
    std::fs::write(&source, newer).unwrap();
    let (_, out, _) = regen(&dir, &["--check", "--from", source.to_str().unwrap()]);
    let retire: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("upstream now publishes"))
        .collect();
    assert_eq!(
        retire,
        [
            "upstream now publishes PATCH /enterprises/{enterprise_id}/reputation/webhook, added by overlay 2026-10-ownership.yml: the overlay can retire it",
            "upstream now publishes schema EnterpriseReputationWebhookUpdate, added by overlay 2026-10-ownership.yml: the overlay can retire it",
            "upstream now publishes field EnterpriseReputationWebhookUpdate.webhook_url, added by overlay 2026-10-ownership.yml: the overlay can retire it",
        ],
        "{out}"
    );
    assert!(
        out.contains("overlay 2026-10-ownership.yml adds 4 operation(s) upstream does not publish yet: POST /enterprises/{enterprise_id}/reputation/external_verification, "),
        "the webhook operation is no longer counted: {out}"
    );
    assert_eq!(
        read(&dir, "phone-numbers.yml"),
        before,
        "--check writes nothing"
    );
}

#[test]
fn an_overlay_whose_target_upstream_dropped_is_refused_naming_it() {
    let (_keep, dir) = spec_copy();
    let before = read(&dir, "phone-numbers.yml");
    // Upstream renamed the settings schema the overlay extends.
    let july = std::fs::read_to_string(UPSTREAM).unwrap();
    let renamed = july.replace(
        "EnterpriseReputationPublic:",
        "EnterpriseReputationSettings:",
    );
    let source = dir.join("upstream-renamed.yml");
    std::fs::write(&source, renamed).unwrap();
    let source = source.to_str().unwrap().to_owned();
    let (code, out, err) = regen(&dir, &["--from", &source]);
    assert_eq!(code, 2, "{out}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "regen: {source}: overlays/{OVERLAY}: overlay action #11 (target `$.components.schemas.EnterpriseReputationPublic.properties`"
        )),
        "{err}"
    );
    assert!(
        err.ends_with("the target matches nothing in the document\n"),
        "{err}"
    );
    assert_eq!(read(&dir, "phone-numbers.yml"), before);
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
