#!/usr/bin/env python3
"""Associate numbers with the official Telnyx Python SDK, the way a user would.

A plain sequential loop of `client.enterprises.reputation.numbers.associate`
calls of 100 numbers each, with the SDK's defaults (its own retry behaviour as
shipped: 2 retries, honouring Retry-After). Each call that still raises after
the SDK's retries is counted as a failure and the loop goes on.

Usage: python_associate.py BASE_URL API_KEY ENTERPRISE_ID NUMBERS_FILE
Prints one JSON line: numbers, batches, failed_batches, failed_numbers,
wall_seconds, numbers_per_second and the first few error texts.
"""

import json
import sys
import time

import telnyx
from telnyx import Telnyx


def main() -> int:
    base_url, api_key, enterprise, path = sys.argv[1:5]
    with open(path, encoding="utf-8") as f:
        numbers = [line.strip() for line in f if line.strip()]
    client = Telnyx(api_key=api_key, base_url=base_url)
    batches = [numbers[i : i + 100] for i in range(0, len(numbers), 100)]
    failed_batches = 0
    failed_numbers = 0
    errors = {}
    start = time.monotonic()
    for batch in batches:
        try:
            client.enterprises.reputation.numbers.associate(enterprise, phone_numbers=batch)
        except telnyx.APIError as e:  # includes status, connection and timeout errors
            failed_batches += 1
            failed_numbers += len(batch)
            key = f"{type(e).__name__}: {str(e)[:120]}"
            errors[key] = errors.get(key, 0) + 1
    wall = time.monotonic() - start
    print(
        json.dumps(
            {
                "sdk_version": telnyx.__version__,
                "numbers": len(numbers),
                "batches": len(batches),
                "failed_batches": failed_batches,
                "failed_numbers": failed_numbers,
                "wall_seconds": round(wall, 3),
                "numbers_per_second": round((len(numbers) - failed_numbers) / wall, 1),
                "errors": errors,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
