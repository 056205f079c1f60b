#!/usr/bin/env bash
# Emulator conformance: schemathesis (from PyPI) sends schema-valid requests to all 23 operations
# of the emulator on loopback (the July 2026 edition's 18 and the five the October overlay adds)
# and validates every answer — status code, content type, body — against the spec as the
# generator reads it (`cargo xtask normalised-spec`: spec/phone-numbers.yml, the overlay applied;
# upstream's 3.1 file has an ambiguous oneOf that strict validators reject). The emulator runs
# with --allow-raw-plus because schemathesis does not percent-encode `+` in paths; the %2B rule
# has its own Rust tests.
#
# Random path identifiers would only ever meet 404s, so the run is given real ones (see the
# configuration below), and each operation that changes what another one reads gets its own:
# - the approved demo enterprise, a number associated with it (and one more for each of the two
#   disassociations, so that the reads keep one to read; a disassociation answers 204 once, then
#   404, as documented), and a remediation request of it;
# - for enabling and disabling only, a second enterprise that starts without reputation.
#   Disabling the demo enterprise would make every later associate 403, a status the spec does
#   not list for that operation, so the demo enterprise is never disabled;
# - numbers hosted elsewhere (`--external`): the demo enterprise's ownership proof is approved
#   (through the emulator's admin route) so that two of them can be associated, each flagged
#   first so that the answers carry a `confirm_by`: one to read the ownership detail of, one for
#   `confirmNumberOwnership` alone, since `still_own: false` removes it;
# - a third approved enterprise for the ownership proof (submit and read) and the webhook URL.
#   Its review takes a day (--verification-review-ms), so every submission of the run finds it
#   `pending` and replaces it, as documented; an approved proof refuses a new one with a status
#   no source gives (edition-2026-10.md §2.2, §6.1). Read, it is 404 until the first
#   submission, as documented, then that submission. It has no numbers flagged and no review
#   ends, so it raises no event, and the emulator sends events to loopback hosts only anyway.
#
# Request bodies of the new operations keep to what their descriptions document where the
# emulator enforces a rule no source states (edition-2026-10.md §6.3: the limits of
# `document_ids`, the E.164 pattern of `phone_numbers`, `webhook_url` validation): a document id,
# numbers in E.164, an https URL. Everything else in them is generated.
#
# Two warnings remain and are expected: the disassociations answer 404 after their first 204
# ("Base URL may be missing a path"), and most generated associate requests are 400 ("Schema
# validation mismatch"), because the API takes US numbers only and the schema's pattern admits
# any E.164 number.
#
# Arguments are passed on to `schemathesis run`, e.g. `--include-operation-id
# confirmNumberOwnership` to run one operation, or `--report har --report-dir DIR` to keep every
# request and answer.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${CARGO_TARGET_DIR:-target}"
venv="$target/conformance-venv"
bash .ci/conformance-venv.sh

# The emulator and the normalised spec come from the programs `cargo test --workspace` builds:
# `cargo test --workspace --no-run` resolves features and picks the profile as the tests do, so
# after them nothing is rebuilt (`cargo build` would use the dev profile, which differs from the
# test profile, and `-p telnyx-reputation-cli` alone or `cargo xtask` would resolve features anew:
# each rebuilt the workspace).
cargo test --quiet --workspace --no-run
"$target/debug/xtask" normalised-spec > "$target/normalised-spec.json"

demo=6a09cdc3-8948-47f0-aa62-74ac943d6c58
second=0b6f1c2e-5d4a-4e8b-9c3f-2a7d1e6b4c90
proof=3d5e7f91-2c4b-4a68-8e0d-6f1a9b3c5e27
key=demo-key
# US local numbers under the external prefix: one to read the ownership of, one to confirm.
external_prefix=+1312200
owned_elsewhere=+13122000001
confirmed=+13122000002
document=2a7e8337-e803-4057-a4ae-26c40eb0bc6c

log="$(mktemp)"
config="$(mktemp --suffix=.toml)"
"$target/debug/telnyx-reputation" mock serve --addr 127.0.0.1:0 --allow-raw-plus \
  --enterprise "$demo" --enterprise "$proof" --new-enterprise "$second" --populate 20 \
  --external "$external_prefix" --verification-review-ms 86400000 \
  --approve-after-ms 500 --remediation-step-ms 500 > "$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -f "$log" "$config"' EXIT

# The emulator prints its base URL as its first line once it listens; wait for it (bounded).
base=""
for _ in $(seq 1 200); do
  base="$(sed -n 's/^base_url //p' "$log")"
  [ -n "$base" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "conformance: the emulator exited: $(cat "$log")"; exit 1; }
  sleep 0.05
done
[ -n "$base" ] || { echo "conformance: the emulator did not start"; exit 1; }

api() { curl -sS --fail-with-body -H "Authorization: Bearer $key" -H 'Content-Type: application/json' "$@"; }
# Four of the populated numbers: one to read, one with a remediation request, two to disassociate.
numbers="$(api "$base/enterprises/$demo/reputation/numbers?page%5Bsize%5D=4" \
  | python3 -c 'import json,sys; print(" ".join(r["phone_number"] for r in json.load(sys.stdin)["data"]))')"
read -r number remediated gone gone_simplified <<< "$numbers"
[ -n "$gone_simplified" ] || { echo "conformance: the emulator has no populated numbers"; exit 1; }
remediation="$(api -X POST "$base/enterprises/$demo/reputation/remediation" \
  -d "{\"phone_numbers\": [\"$remediated\"], \"call_purpose\": \"conformance\"}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["id"])')"

# The demo enterprise's ownership proof, approved now, then its two numbers hosted elsewhere,
# each flagged: a carrier change for the one to confirm (so that `still_own: true` moves it
# back to `verified` and `still_own: false` removes it as `ported_away`), a due re-verification
# for the one to read.
api -X POST "$base/enterprises/$demo/reputation/external_verification" \
  -d "{\"document_ids\": [\"$document\"]}" > /dev/null
api -X POST "$base/__mock/external_verification" \
  -d "{\"enterprise_id\": \"$demo\", \"status\": \"approved\"}" > /dev/null
api -X POST "$base/enterprises/$demo/reputation/numbers" \
  -d "{\"phone_numbers\": [\"$owned_elsewhere\", \"$confirmed\"]}" > /dev/null
for flag in "$owned_elsewhere reverification_due" "$confirmed carrier_changed"; do
  read -r n event <<< "$flag"
  api -X POST "$base/__mock/ownership" \
    -d "{\"enterprise_id\": \"$demo\", \"phone_number\": \"$n\", \"event\": \"$event\"}" > /dev/null
done

# `filter[phone_number][contains]` must hold at least 5 digits (its description says so, its
# schema cannot), and a shorter one is 400, which the spec does not list for the list
# operations: it gets a value of 5 digits instead of a generated string.
#
# Every check runs on every operation except where a comment below says why not, for that
# operation only (and, where it is enough, for one phase only). Two kinds remain:
# - positive_data_acceptance (a schema-valid request must not be refused) cannot hold where the
#   refusal depends on state or on a rule the schema cannot state; each such operation accepts
#   the status its documentation gives for that refusal, and nothing more.
# - status_code_conformance on two of the new operations, whose error codes no source gives
#   (edition-2026-10.md §6.1): the emulator answers 409 and 422 there, and the overlay declares
#   only what is documented. The body values set below (`body.…`) keep the fuzzing phase on the
#   documented path; the coverage phase sends the schema's boundary values (an empty string, an
#   empty list) whatever the configuration says, so the check is off in that phase only, except
#   where state makes the undocumented status reachable in every phase.
cat > "$config" <<EOF
[parameters]
"path.enterprise_id" = "$demo"
"path.phone_number" = "$number"
"path.remediation_id" = "$remediation"
"query.filter[phone_number][contains]" = "${number: -5}"

[[operations]]
include-operation-id = ["enableReputationSettings", "disableReputationSettings"]
parameters = { "path.enterprise_id" = "$second" }

# Enabling an enterprise that is enabled already is 400 (current-edition.md: "400 already
# enabled"); the run enables and disables the second enterprise many times over.
[[operations]]
include-operation-id = "enableReputationSettings"
[operations.checks.positive_data_acceptance]
expected-statuses = ["2xx", "400", "404", "409", "429", "5xx"]

# Associate takes US local and toll-free numbers only, each not associated yet, while the
# schema's pattern admits any E.164 number (the description states the rule): 400.
[[operations]]
include-operation-id = "associateReputationNumbers"
[operations.checks.positive_data_acceptance]
expected-statuses = ["2xx", "400", "404", "409", "429", "5xx"]

# The same number twice in one request is 422 (current-edition.md: "422"), and a number with a
# request in flight 409; the schema cannot say that its items are distinct.
[[operations]]
include-operation-id = "submitReputationRemediation"
[operations.checks.positive_data_acceptance]
expected-statuses = ["2xx", "404", "409", "422", "429", "5xx"]

[[operations]]
include-operation-id = "disassociateReputationNumber"
parameters = { "path.phone_number" = "$gone" }

[[operations]]
include-operation-id = "disassociateReputationNumberSimplified"
parameters = { "path.phone_number" = "$gone_simplified" }

[[operations]]
include-operation-id = "getNumberOwnership"
parameters = { "path.phone_number" = "$owned_elsewhere" }

# A document id, as its description says; the emulator refuses an empty one with 422, a limit
# no source gives. Its own number: still_own: false removes it (documented), after which
# still_own: true is 409 in the emulator, in every phase; what the API answers for a removed
# number is an open question (edition-2026-10.md §6.6), as are the operation's error codes
# (§6.1), so the check that the status is a documented one is off for this operation.
[[operations]]
include-operation-id = "confirmNumberOwnership"
parameters = { "path.phone_number" = "$confirmed", "body.evidence_document_id" = "$document" }
[operations.checks.status_code_conformance]
enabled = false
[operations.phases.coverage.checks.positive_data_acceptance]
expected-statuses = ["2xx", "404", "409", "422", "429", "5xx"]

# An https URL, as the description requires (the coverage phase also sends null, which stops
# the events, as documented). No event is raised for this enterprise during the run, and the
# emulator delivers to loopback hosts only.
[[operations]]
include-operation-id = "updateReputationWebhook"
parameters = { "path.enterprise_id" = "$proof", "body.webhook_url" = "https://example.com/webhooks/telnyx" }

[[operations]]
include-operation-id = "getExternalVerification"
parameters = { "path.enterprise_id" = "$proof" }

# One document id and numbers in E.164, as the descriptions say. The coverage phase sends an
# empty document_ids and empty strings, which the emulator refuses with 422: the limits of
# document_ids and the pattern of phone_numbers are open questions (edition-2026-10.md
# §6.3), as is the code of the refusal (§6.1).
[[operations]]
include-operation-id = "submitExternalVerification"
parameters = { "path.enterprise_id" = "$proof", "body.document_ids" = ["$document"], "body.phone_numbers[*]" = "$owned_elsewhere" }
[operations.phases.coverage.checks.status_code_conformance]
enabled = false
[operations.phases.coverage.checks.positive_data_acceptance]
expected-statuses = ["2xx", "404", "409", "422", "429", "5xx"]
EOF

"$venv/bin/schemathesis" --config-file "$config" run "$target/normalised-spec.json" \
  --url "$base" \
  --header "Authorization: Bearer $key" \
  --mode positive \
  --max-examples 30 \
  --seed 1 \
  "$@"
echo "conformance: every emulator answer matched the spec"
