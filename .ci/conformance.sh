#!/usr/bin/env bash
# Emulator conformance: schemathesis (from PyPI) sends schema-valid requests to every operation
# of the emulator on loopback and validates every answer — status code, content type, body —
# against the spec as the generator reads it (`cargo xtask normalised-spec`; upstream's 3.1 file
# has an ambiguous oneOf that strict validators reject). The emulator runs with --allow-raw-plus
# because schemathesis does not percent-encode `+` in paths; the %2B rule has its own Rust tests.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${CARGO_TARGET_DIR:-target}"
venv="$target/conformance-venv"
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "schemathesis==4.32.5"
fi

cargo build --quiet -p telnyx-reputation-cli
cargo xtask normalised-spec > "$target/normalised-spec.json"

log="$(mktemp)"
"$target/debug/telnyx-reputation" mock serve --addr 127.0.0.1:0 --allow-raw-plus > "$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -f "$log"' EXIT

# The emulator prints its base URL as its first line once it listens; wait for it (bounded).
base=""
for _ in $(seq 1 200); do
  base="$(sed -n 's/^base_url //p' "$log")"
  [ -n "$base" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "conformance: the emulator exited: $(cat "$log")"; exit 1; }
  sleep 0.05
done
[ -n "$base" ] || { echo "conformance: the emulator did not start"; exit 1; }

"$venv/bin/schemathesis" run "$target/normalised-spec.json" \
  --url "$base" \
  --header "Authorization: Bearer demo-key" \
  --mode positive \
  --exclude-checks positive_data_acceptance \
  --max-examples 30 \
  --seed 1
echo "conformance: every emulator answer matched the spec"
