#!/usr/bin/env bash
# Pacing to the server's rate limit: `associate` at --concurrency 4, 16 and 64 and a `rollback`,
# each against a fresh emulator that allows 50 requests per second and answers after 20 ms.
#
# Usage (from the workspace root, after `cargo build --release -p telnyx-reputation-cli`):
#   crates/telnyx-reputation-mock/bench/rate_limit.sh
# Environment:
#   BIN         the CLI under test (default target/release/telnyx-reputation, or
#               $CARGO_TARGET_DIR/release/telnyx-reputation when that is set)
#   MOCK_BIN    the CLI whose `mock serve` is the emulator (default: $BIN)
#   NUMBERS     numbers per associate row (default 100000)
#   ROLLBACK_N  numbers associated, then rolled back, in the rollback row (default 10000)
#   CONCURRENCY the associate rows (default "4 16 64")
#   ROW_TIMEOUT seconds after which a row is stopped (default 600)
#   ROWS        which rows to run: "associate rollback" (default)
#   PYTHON      a Python with the official SDK (`pip install telnyx==4.189.0`) for the "python"
#               row: python_associate.py, a plain loop of associate calls (default python3)
#   PY_NUMBERS  numbers of the python row (default 20000)
#   CLI_FLAGS   flags added to each CLI run (default --quiet; set it empty for a CLI without it)
# Prints one line per row: numbers, wall seconds, numbers/s, fraction of the rate bound,
# requests, 429s and their share (from the emulator's GET /__mock/stats).
set -euo pipefail

RATE=50          # requests per second the emulator allows
LATENCY_MS=20
BATCH=100        # numbers per associate request
TARGET_DIR=${CARGO_TARGET_DIR:-target}
BIN=${BIN:-$TARGET_DIR/release/telnyx-reputation}
MOCK_BIN=${MOCK_BIN:-$BIN}
NUMBERS=${NUMBERS:-100000}
ROLLBACK_N=${ROLLBACK_N:-10000}
CONCURRENCY=${CONCURRENCY:-"4 16 64"}
ROW_TIMEOUT=${ROW_TIMEOUT:-600}
ROWS=${ROWS:-"associate rollback"}
CLI_FLAGS=${CLI_FLAGS---quiet}
PYTHON=${PYTHON:-python3}
PY_NUMBERS=${PY_NUMBERS:-20000}
HERE=$(cd "$(dirname "$0")" && pwd)

WORK=$(mktemp -d)
MOCK_PID=
cleanup() {
    if [[ -n $MOCK_PID ]]; then kill "$MOCK_PID" 2>/dev/null || true; wait "$MOCK_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# Distinct valid US local numbers: NH (603) exchanges 224, 225, ... , 10,000 numbers each.
numbers_file() { # COUNT FILE
    awk -v n="$1" 'BEGIN {
        split("224 225 226 228 229 232 233 234 235 237 239 242 243 244 245", ex, " ");
        for (i = 0; i < n; i++) printf "+1603%s%04d\n", ex[int(i / 10000) + 1], i % 10000
    }' > "$2"
}

start_mock() { # extra flags...
    "$MOCK_BIN" mock serve --addr 127.0.0.1:0 --rate-limit "$RATE" --latency-ms "$LATENCY_MS" "$@" \
        > "$WORK/mock.out" 2> "$WORK/mock.err" &
    MOCK_PID=$!
    for _ in $(seq 1 200); do
        grep -q '^enterprise ' "$WORK/mock.out" 2>/dev/null && break
        sleep 0.05
    done
    BASE_URL=$(awk '$1 == "base_url" {print $2}' "$WORK/mock.out")
    API_KEY=$(awk '$1 == "api_key" {print $2}' "$WORK/mock.out")
    ENTERPRISE=$(awk '$1 == "enterprise" {print $2; exit}' "$WORK/mock.out")
    [[ -n $ENTERPRISE ]] || { echo "the emulator did not start:" >&2; cat "$WORK/mock.err" >&2; exit 1; }
    export TELNYX_BASE_URL=$BASE_URL TELNYX_API_KEY=$API_KEY
}

stop_mock() {
    kill "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null || true; MOCK_PID=
}

now() { date +%s.%N; }

# Runs the CLI with the row's timeout; sets RC, WALL and OUT (stdout+stderr, last lines).
timed() {
    local start end
    start=$(now)
    set +e
    timeout "$ROW_TIMEOUT" "$BIN" "$@" > "$WORK/cli.out" 2>&1
    RC=$?
    set -e
    end=$(now)
    WALL=$(echo "$end - $start" | bc -l)
}

# One result line: ROW NUMBERS BOUND(numbers/s)
report() {
    local row=$1 n=$2 bound=$3 stats requests t429 limited associated
    stats=$(curl -sf "$BASE_URL/__mock/stats")
    requests=$(jq .requests <<<"$stats")
    t429=$(jq .too_many_requests <<<"$stats")
    limited=$(jq .rate_limited <<<"$stats")
    associated=$(curl -sf "$BASE_URL/__mock/state" | jq '.associations | length')
    awk -v row="$row" -v n="$n" -v wall="$WALL" -v bound="$bound" -v req="$requests" \
        -v t429="$t429" -v lim="$limited" -v assoc="$associated" -v rc="$RC" 'BEGIN {
        tput = n / wall
        share = req > 0 ? 100 * t429 / req : 0
        printf "%-16s numbers=%d wall=%.2fs throughput=%.1f/s of_bound=%.1f%% requests=%d 429=%d (rate_limited=%d) share_429=%.2f%% exit=%d associated_after=%d\n",
            row, n, wall, tput, 100 * tput / bound, req, t429, lim, share, rc, assoc
    }'
    if [[ $RC -ne 0 ]]; then echo "  output (last lines):"; tail -n 5 "$WORK/cli.out" | sed 's/^/    /'; fi
}

echo "# $(date -u +%FT%TZ) $(uname -m) $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# CLI: $BIN; emulator: $MOCK_BIN mock serve --rate-limit $RATE --latency-ms $LATENCY_MS"

if [[ " $ROWS " == *" associate "* ]]; then
    numbers_file "$NUMBERS" "$WORK/numbers.txt"
    for c in $CONCURRENCY; do
        start_mock
        timed associate --enterprise "$ENTERPRISE" "$WORK/numbers.txt" --concurrency "$c" --yes $CLI_FLAGS
        report "associate -c$c" "$NUMBERS" $((RATE * BATCH))
        stop_mock
    done
fi

if [[ " $ROWS " == *" rollback "* ]]; then
    numbers_file "$ROLLBACK_N" "$WORK/rollback.txt"
    start_mock
    rm -f "$WORK/job.journal"
    timed associate --enterprise "$ENTERPRISE" "$WORK/rollback.txt" --journal "$WORK/job.journal" --yes $CLI_FLAGS
    [[ $RC -eq 0 ]] || { echo "associate before rollback failed (exit $RC):"; tail -n 5 "$WORK/cli.out"; exit 1; }
    curl -sf -X DELETE "$BASE_URL/__mock/stats" > /dev/null
    timed rollback "$WORK/job.journal" --yes $CLI_FLAGS
    report "rollback" "$ROLLBACK_N" "$RATE"
    stop_mock
fi

if [[ " $ROWS " == *" python "* ]]; then
    numbers_file "$PY_NUMBERS" "$WORK/python.txt"
    start_mock --allow-raw-plus
    set +e
    timeout "$ROW_TIMEOUT" "$PYTHON" "$HERE/python_associate.py" "$BASE_URL" "$API_KEY" "$ENTERPRISE" \
        "$WORK/python.txt" > "$WORK/py.out" 2> "$WORK/py.err"
    RC=$?
    set -e
    cat "$WORK/py.out"
    cp "$WORK/py.err" "$WORK/cli.out"
    # The loop's own clock (interpreter start-up left out); failed numbers are not counted.
    WALL=$(jq .wall_seconds "$WORK/py.out" 2>/dev/null || echo 0)
    report "python sdk" "$(jq '.numbers - .failed_numbers' "$WORK/py.out" 2>/dev/null || echo 0)" $((RATE * BATCH))
    stop_mock
fi
