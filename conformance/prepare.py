"""Prepare a sandbox for a conformance pass (conformance/run.sh), through its own APIs.

Always: plenty of credit, so that long runs never hit the (correct) 403 insufficient-credit.
With ``--stateful``: what the links of the stateful pass need to find in answers, in numbers
that outlast a run's deletions: recordings (the API cannot make one, the control API can)
and scenarios each with numbers assigned (``GET /actions/{sid}`` gives a scenario and its
first number; ``GET /numbers/{number}`` a number and its scenario).

Usage: python conformance/prepare.py URL [--stateful]
"""

from __future__ import annotations

import json
import sys
import urllib.parse
import urllib.request
from typing import Any

KEY = "callr-mock-demo-key"
ACCOUNT = "sandbox1"
RECORDINGS = 40
SCENARIOS = 8
NUMBERS_EACH = 3
SCRIPT = "branches:\n  api-initiated:\n    actions:\n      - action: log@v1\n"


def call(url: str, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", "x-api-key": KEY},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        text = answer.read()
    return json.loads(text) if text else None


def main(argv: list[str]) -> int:
    if not argv or argv[1:] not in ([], ["--stateful"]):
        print("usage: python conformance/prepare.py URL [--stateful]", file=sys.stderr)
        return 2
    url = argv[0]
    call(url, "POST", f"/_mock/accounts/{ACCOUNT}/credit", {"balance": "100000000"})
    if argv[1:] != ["--stateful"]:
        return 0
    for n in range(RECORDINGS):
        call(url, "POST", f"/_mock/accounts/{ACCOUNT}/recordings", {"duration": 5 + n})
    for n in range(SCENARIOS):
        sid = call(url, "POST", "/v2.0/actions", {"name": f"Conformance {n}", "script": SCRIPT})[
            "sid"
        ]
        where = {"country": "FR", "area": "paris", "quantity": NUMBERS_EACH}
        token = call(url, "POST", "/v2.0/numbers/store", where)["token"]
        for number in call(url, "POST", f"/v2.0/numbers/store/{token}")["numbers"]:
            e164 = urllib.parse.quote(number["e164"])
            call(url, "PUT", f"/v2.0/actions/{sid}/numbers/{e164}")
    print(
        f"prepared: {RECORDINGS} recordings, {SCENARIOS} scenarios with "
        f"{NUMBERS_EACH} numbers each, on top of the seed"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
