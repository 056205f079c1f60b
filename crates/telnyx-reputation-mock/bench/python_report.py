#!/usr/bin/env python3
"""Read every monitored number's reputation with the official Telnyx Python SDK's auto-pager.

The way a user would write `report --output csv` with the SDK: iterate
`client.reputation.numbers.list(page_size=250)` (the SDK fetches the next page when
the current one is used up, one page at a time) and write one CSV line per number.
The SDK's defaults are kept (2 retries).

Usage: python_report.py BASE_URL API_KEY [ENTERPRISE_ID]
Writes the CSV to stdout and one JSON line to stderr: rows, wall_seconds, rows_per_second.
"""

import csv
import json
import sys
import time

import telnyx
from telnyx import Telnyx

FIELDS = (
    "spam_risk",
    "spam_category",
    "maturity_score",
    "connection_score",
    "engagement_score",
    "sentiment_score",
    "last_refreshed_at",
)


def main() -> int:
    base_url, api_key = sys.argv[1:3]
    enterprise = sys.argv[3] if len(sys.argv) > 3 else None
    client = Telnyx(api_key=api_key, base_url=base_url)
    out = csv.writer(sys.stdout)
    out.writerow(("phone_number", "enterprise_id") + FIELDS)
    params = {"page_size": 250}
    if enterprise:
        params["filter_enterprise_id"] = enterprise
    rows = 0
    start = time.monotonic()
    for number in client.reputation.numbers.list(**params):
        data = number.reputation_data
        values = tuple(getattr(data, f, None) if data else None for f in FIELDS)
        out.writerow((number.phone_number, number.enterprise_id)
                     + tuple("" if v is None else v for v in values))
        rows += 1
    wall = time.monotonic() - start
    print(
        json.dumps(
            {
                "sdk_version": telnyx.__version__,
                "rows": rows,
                "wall_seconds": round(wall, 3),
                "rows_per_second": round(rows / wall, 1),
            }
        ),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
