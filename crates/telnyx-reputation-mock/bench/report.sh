#!/usr/bin/env bash
# `report` and the `sync` plan at scale, against `mock serve --populate`:
#   throughput   `report --output csv` of 100,000 numbers at --concurrency 1, 4 and 16 against
#                20 ms injected latency, as a fraction of the bound concurrency x 250 / 20 ms,
#                and the official Python SDK's auto-pager over the same emulator;
#   memory       peak RSS of `report` over 1,000,000 numbers, unsorted to a pipe and --sort risk;
#   sync         peak RSS and CPU (user+sys) of `sync --prune --dry-run` planning 1,000,000
#                desired against 1,000,000 current numbers with 10 % differences each way, and
#                of the same dry run with a one-number FILE (the two lists' fetching alone);
#   pages        the emulator serving list pages of 250 to curl's parallel mode (no wrk here).
#   ceiling      beside each throughput row, curl fetching the same 400 pages with as many
#                requests in flight (no decoding, no writing): what this emulator and machine
#                allow any client at that concurrency.
# Rows with a million numbers run against --latency-ms 0, so the client's CPU time is the
# planning/decoding and not waiting (CPU time of a process does not include its waits anyway).
#
# Usage (from the workspace root, after `cargo build --release -p telnyx-reputation-cli`):
#   crates/telnyx-reputation-mock/bench/report.sh
# Environment:
#   BIN          the CLI under test (default $CARGO_TARGET_DIR/release/telnyx-reputation, or
#                target/release/telnyx-reputation)
#   ROWS         which rows: "throughput python memory sync pages" (default: all)
#   NUMBERS      numbers of the throughput rows (default 100000)
#   BIG          numbers of the memory and sync rows (default 1000000)
#   CONCURRENCY  the throughput rows (default "1 4 16")
#   PYTHON       a Python with the official SDK (telnyx==4.189.0) for the python row
#                (default /work/venv-telnyx/bin/python if present, else python3)
#   PAGES        pages fetched by the pages row (default 4000), PAGES_PARALLEL at once (16)
set -euo pipefail

TARGET_DIR=${CARGO_TARGET_DIR:-target}
BIN=${BIN:-$TARGET_DIR/release/telnyx-reputation}
ROWS=${ROWS:-"throughput ceiling python memory sync pages"}
NUMBERS=${NUMBERS:-100000}
BIG=${BIG:-1000000}
CONCURRENCY=${CONCURRENCY:-"1 4 16"}
if [[ -z ${PYTHON:-} ]]; then
    if [[ -x /work/venv-telnyx/bin/python ]]; then PYTHON=/work/venv-telnyx/bin/python; else PYTHON=python3; fi
fi
PAGES=${PAGES:-4000}
PAGES_PARALLEL=${PAGES_PARALLEL:-16}
LATENCY_MS=20
PAGE=250
HERE=$(cd "$(dirname "$0")" && pwd)

WORK=$(mktemp -d)
MOCK_PID=
cleanup() {
    if [[ -n $MOCK_PID ]]; then kill "$MOCK_PID" 2>/dev/null || true; wait "$MOCK_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

start_mock() { # extra flags...
    "$BIN" mock serve --addr 127.0.0.1:0 "$@" > "$WORK/mock.out" 2> "$WORK/mock.err" &
    MOCK_PID=$!
    for _ in $(seq 1 1200); do # populating a million numbers takes a while
        grep -q '^enterprise ' "$WORK/mock.out" 2>/dev/null && break
        kill -0 "$MOCK_PID" 2>/dev/null || break
        sleep 0.1
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

billable() { curl -sf "$BASE_URL/__mock/billing" | jq -c '.' | cut -c1-160; }

# GNU time's wall seconds, user, sys and peak RSS (KiB) of the last timed run, from $WORK/time.
read_time() { read -r WALL USER SYS RSS < "$WORK/time"; }

echo "# $(date -u +%FT%TZ) $(uname -m) $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# CLI: $BIN ($(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo '?'))"

if [[ " $ROWS " == *" throughput "* || " $ROWS " == *" python "* ]]; then
    start_mock --populate "$NUMBERS" --latency-ms "$LATENCY_MS" --allow-raw-plus
    echo "# emulator: mock serve --populate $NUMBERS --latency-ms $LATENCY_MS --allow-raw-plus"
    if [[ " $ROWS " == *" throughput "* ]]; then
        for c in $CONCURRENCY; do
            # Wall time from the clock in nanoseconds, as for the ceiling: GNU time's %e has
            # 10 ms steps, 2 % of the concurrency-16 row. It includes GNU time's own start.
            start=$(date +%s.%N)
            /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" \
                "$BIN" report --output csv --concurrency "$c" > "$WORK/rows.csv"
            end=$(date +%s.%N)
            read_time
            WALL=$(echo "$end - $start" | bc -l)
            rows=$(($(wc -l < "$WORK/rows.csv") - 1))
            awk -v c="$c" -v n="$rows" -v wall="$WALL" -v u="$USER" -v s="$SYS" -v rss="$RSS" \
                -v page="$PAGE" -v lat="$LATENCY_MS" 'BEGIN {
                bound = c * page * 1000 / lat; tput = n / wall
                printf "report -c%-3d rows=%d wall=%.3fs rows/s=%.0f bound=%.0f of_bound=%.1f%% cpu=%.2fs peak_rss=%.1fMiB\n",
                    c, n, wall, tput, bound, 100 * tput / bound, u + s, rss / 1024
            }'
            if [[ " $ROWS " == *" ceiling "* ]]; then
                last=$((NUMBERS / PAGE))
                seq 1 "$last" | awk -v base="$BASE_URL" '{
                    printf "url = \"%s/reputation/numbers?page%%5Bsize%%5D=250&page%%5Bnumber%%5D=%d\"\noutput = \"/dev/null\"\n", base, $1
                }' > "$WORK/ceiling.cfg"
                start=$(date +%s.%N)
                curl -s -Z --parallel-max "$c" -H "Authorization: Bearer $API_KEY" \
                    -w '%{http_code}\n' -K "$WORK/ceiling.cfg" > "$WORK/ceiling.codes" 2> /dev/null
                end=$(date +%s.%N)
                ok=$(grep -c '^200$' "$WORK/ceiling.codes" || true)
                awk -v c="$c" -v pages="$ok" -v wall="$(echo "$end - $start" | bc -l)" \
                    -v page="$PAGE" -v lat="$LATENCY_MS" 'BEGIN {
                    bound = c * page * 1000 / lat; tput = pages * page / wall
                    printf "curl   -c%-3d pages=%d wall=%.3fs rows/s=%.0f bound=%.0f of_bound=%.1f%% (the ceiling)\n",
                        c, pages, wall, tput, bound, 100 * tput / bound
                }'
            fi
        done
    fi
    if [[ " $ROWS " == *" python "* ]]; then
        /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" \
            "$PYTHON" "$HERE/python_report.py" "$BASE_URL" "$API_KEY" > "$WORK/py.csv" 2> "$WORK/py.err"
        read_time
        rows=$(($(wc -l < "$WORK/py.csv") - 1))
        awk -v n="$rows" -v wall="$WALL" -v u="$USER" -v s="$SYS" -v rss="$RSS" \
            -v page="$PAGE" -v lat="$LATENCY_MS" 'BEGIN {
            bound = page * 1000 / lat; tput = n / wall
            printf "python sdk   rows=%d wall=%.2fs rows/s=%.0f bound(c1)=%.0f of_bound=%.1f%% cpu=%.2fs peak_rss=%.1fMiB\n",
                n, wall, tput, bound, 100 * tput / bound, u + s, rss / 1024
        }'
        echo "  its own clock (interpreter start-up left out): $(tail -n 1 "$WORK/py.err")"
        if [[ -f $WORK/rows.csv ]]; then
            # Same numbers and data as the CLI's last run, in the same order; last_refreshed_at
            # (column 9) is left out: Python formats the instant differently.
            if cmp -s <(cut -d, -f1-8 "$WORK/rows.csv") <(cut -d, -f1-8 "$WORK/py.csv"); then
                echo "  the SDK's rows equal the CLI's (columns 1-8, same order)"
            else
                echo "  the SDK's rows differ from the CLI's (first differences):"
                diff <(cut -d, -f1-8 "$WORK/rows.csv") <(cut -d, -f1-8 "$WORK/py.csv") | head -n 4 | sed 's/^/    /' || true
            fi
        fi
    fi
    echo "  billing ledger after these runs: $(billable)"
    stop_mock
fi

if [[ " $ROWS " == *" memory "* || " $ROWS " == *" sync "* ]]; then
    start=$(date +%s.%N)
    start_mock --populate "$BIG" --latency-ms 0
    echo "# emulator: mock serve --populate $BIG --latency-ms 0 (ready in $(echo "$(date +%s.%N) - $start" | bc -l | cut -c1-5)s)"
    # Unsorted to a pipe; the pipe's reader keeps the numbers for the sync row.
    /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" \
        "$BIN" report --output csv | cut -d, -f1 | tail -n +2 > "$WORK/current.txt"
    read_time
    n=$(wc -l < "$WORK/current.txt")
    awk -v n="$n" -v wall="$WALL" -v u="$USER" -v s="$SYS" -v rss="$RSS" 'BEGIN {
        printf "report unsorted | cut   rows=%d wall=%.2fs cpu=%.2fs peak_rss=%.1fMiB (target <= 64 MiB) pages/s=%.0f\n",
            n, wall, u + s, rss / 1024, n / 250 / wall
    }'
    if [[ " $ROWS " == *" memory "* ]]; then
        /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" \
            "$BIN" report --output csv --sort risk | wc -l > "$WORK/sorted.count"
        read_time
        n=$(($(cat "$WORK/sorted.count") - 1))
        awk -v n="$n" -v wall="$WALL" -v u="$USER" -v s="$SYS" -v rss="$RSS" 'BEGIN {
            printf "report --sort risk | wc rows=%d wall=%.2fs cpu=%.2fs peak_rss=%.1fMiB bytes/number=%.0f (target <= 200)\n",
                n, wall, u + s, rss / 1024, rss * 1024 / n
        }'
    fi
    if [[ " $ROWS " == *" sync "* ]]; then
        # Desired: the first 90 % of the current numbers and as many new ones (valid NH numbers
        # not currently associated), so 10 % to associate and 10 % to prune.
        keep=$((n * 9 / 10)); new=$((n - keep))
        head -n "$keep" "$WORK/current.txt" > "$WORK/desired.txt"
        awk -v want="$new" 'NR == FNR { held[$1]; next } !($1 in held) && want-- > 0' "$WORK/current.txt" <(
            awk 'BEGIN {
                split("224 225 226 228 229 232 233 234 235 237 239 242 243 244 245 246 247 248 249 250", ex, " ");
                for (e = 1; e <= 20; e++) for (i = 0; i < 10000; i++) printf "+1603%s%04d\n", ex[e], i
            }') >> "$WORK/desired.txt"
        echo "# desired file: $(wc -l < "$WORK/desired.txt") numbers ($keep current, $((  $(wc -l < "$WORK/desired.txt") - keep )) new)"
        /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" \
            "$BIN" sync --enterprise "$ENTERPRISE" "$WORK/desired.txt" --prune --dry-run > "$WORK/plan.txt" 2>&1 || {
            echo "sync failed:"; tail -n 5 "$WORK/plan.txt"; exit 1; }
        read_time
        awk -v wall="$WALL" -v u="$USER" -v s="$SYS" -v rss="$RSS" 'BEGIN {
            printf "sync --prune --dry-run  wall=%.2fs cpu=%.2fs (user %.2f + sys %.2f; target < 2 s) peak_rss=%.1fMiB (target <= 128 MiB)\n",
                wall, u + s, u, s, rss / 1024
        }'
        sed 's/^/  /' "$WORK/plan.txt"
        # The same two lists fetched and decoded, with a one-number desired file: what is left
        # of the row above once this is taken away is reading FILE and planning.
        head -n 1 "$WORK/desired.txt" > "$WORK/one.txt"
        /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" \
            "$BIN" sync --enterprise "$ENTERPRISE" "$WORK/one.txt" --dry-run > "$WORK/plan1.txt" 2>&1 || {
            echo "sync failed:"; tail -n 5 "$WORK/plan1.txt"; exit 1; }
        read_time
        awk -v wall="$WALL" -v u="$USER" -v s="$SYS" -v rss="$RSS" 'BEGIN {
            printf "sync --dry-run, 1 desired wall=%.2fs cpu=%.2fs (user %.2f + sys %.2f) peak_rss=%.1fMiB: the lists alone\n",
                wall, u + s, u, s, rss / 1024
        }'
    fi
    echo "  billing ledger after these runs: $(billable)"
    stop_mock
fi

if [[ " $ROWS " == *" pages "* ]]; then
    start_mock --populate "$NUMBERS" --latency-ms 0
    echo "# emulator: mock serve --populate $NUMBERS --latency-ms 0; curl -Z --parallel-max $PAGES_PARALLEL, one process, keep-alive"
    last=$((NUMBERS / PAGE))
    # Page numbers cycle over the populated pages: $PAGES full pages of 250.
    seq 0 $((PAGES - 1)) | awk -v base="$BASE_URL" -v last="$last" -v key="$API_KEY" '{
        printf "url = \"%s/reputation/numbers?page%%5Bsize%%5D=250&page%%5Bnumber%%5D=%d\"\noutput = \"/dev/null\"\n", base, $1 % last + 1
    }' > "$WORK/curl.cfg"
    start=$(date +%s.%N)
    curl -s -Z --parallel-max "$PAGES_PARALLEL" -H "Authorization: Bearer $API_KEY" \
        -w '%{http_code}\n' -K "$WORK/curl.cfg" > "$WORK/codes" 2> "$WORK/curl.err"
    end=$(date +%s.%N)
    ok=$(grep -c '^200$' "$WORK/codes" || true)
    awk -v n="$PAGES" -v ok="$ok" -v wall="$(echo "$end - $start" | bc -l)" 'BEGIN {
        printf "emulator pages of 250   pages=%d ok=%d wall=%.2fs pages/s=%.0f (target >= 2000)\n", n, ok, wall, ok / wall
    }'
    stop_mock
fi
