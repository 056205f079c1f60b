#!/usr/bin/env bash
# Reads the emulator's timing log (one line per answer) and prints what a paged run cost:
#   answers     how many answers the log holds
#   held        mean time from a request's arrival to its answer leaving: the injected latency
#               plus what the emulator added to it
#   first       the earliest request alone (a list's page 1, which gives the page count)
#   gap         from the first answer leaving to the next request arriving
#   span        from that next request's arrival to the last answer leaving
#   in_flight   mean requests in flight over the span
#   turnaround  place-time left empty over the span, per request after the first: how long,
#               on average, a client took from an answer leaving to its next request arriving
#
# Usage:
#   RUST_LOG=telnyx_reputation_mock::timing=trace telnyx-reputation mock serve ... 2> timings.log
#   (one paged run of the client at concurrency C against it)
#   crates/telnyx-reputation-mock/bench/timings.sh timings.log C
set -euo pipefail
log=${1:?usage: timings.sh LOG CONCURRENCY}
concurrency=${2:?usage: timings.sh LOG CONCURRENCY}

tr -d '\000' < "$log" | awk -v c="$concurrency" '
    /answer leaves/ {
        a = ""; s = ""
        for (i = 1; i <= NF; i++) {
            if ($i ~ /^arrived_us=/) { a = substr($i, 12) }
            if ($i ~ /^answered_us=/) { s = substr($i, 13) }
        }
        if (a != "" && s != "") { n++; arrived[n] = a + 0; answered[n] = s + 0 }
    }
    END {
        if (n == 0) { print "no answers in the log"; exit 1 }
        first = 1
        for (i = 1; i <= n; i++) {
            held += answered[i] - arrived[i]
            if (arrived[i] < arrived[first]) { first = i }
        }
        printf "answers %d; held %.0f us on average\n", n, held / n
        printf "first %d us (arrived %d, answered %d)\n", answered[first] - arrived[first], arrived[first], answered[first]
        if (n < 2) { exit 0 }
        start = -1; end = 0; busy = 0
        for (i = 1; i <= n; i++) {
            if (i == first) { continue }
            if (start < 0 || arrived[i] < start) { start = arrived[i] }
            if (answered[i] > end) { end = answered[i] }
            busy += answered[i] - arrived[i]
        }
        span = end - start
        printf "gap %d us; span %.1f ms; in_flight %.2f of %d; turnaround %.0f us\n",
            start - answered[first], span / 1000, busy / span, c, (span * c - busy) / (n - 1)
    }'
