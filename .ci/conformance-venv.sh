#!/usr/bin/env bash
# The Python environment of the emulator conformance run (schemathesis, from PyPI), in
# `$CARGO_TARGET_DIR/conformance-venv` (or `target/`). Idempotent: an environment already
# complete is kept. `.ci/run` starts this at its beginning, in the background, so that the
# download overlaps the builds; `.ci/conformance.sh` runs it itself when run alone.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${CARGO_TARGET_DIR:-target}"
venv="$target/conformance-venv"
if [ ! -x "$venv/bin/schemathesis" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==4.32.5"
fi
