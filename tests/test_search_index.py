"""Searches answer from the sorted indexes (state/index.py), exactly as a full scan would."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from callr_mock import Settings, create_app, runtime_of

KEY = {"x-api-key": "callr-mock-demo-key"}
START = datetime(2025, 3, 1, tzinfo=UTC)
TEXTS = ["Your code is {n}", "Invoice {n} is due", "Parcel {n} on its way", "Hello again"]


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def sms(i: int, rng: random.Random) -> dict[str, Any]:
    outbound = rng.random() < 0.8
    status = rng.choice(["delivered", "failed", "expired", "sent"]) if outbound else "delivered"
    mobile = f"+336{rng.randrange(10**8):08d}"
    at = iso(START + timedelta(minutes=rng.randrange(5000)))  # not in creation order
    return {
        "direction": "outbound" if outbound else "inbound",
        "sid": f"{i:08x}",
        "from": "+33199000000" if outbound else mobile,
        "to": mobile if outbound else "+33199000000",
        "body": {"text": rng.choice(TEXTS).format(n=rng.randrange(50))},
        "trafficType": rng.choice(["alerting", "marketing"]),
        "status": status,
        "error": "",
        "created": at,
        "delivered": None,
        "updated": at,
        "sent": None,
        "parts": 1,
        "network": "20801",
        "encoding": "gsm",
        "cost": "6.50",
        "paymentType": "prepaid",
        "statusHistory": [],
    }


@pytest.fixture(scope="module")
def seeded() -> tuple[Any, list[dict[str, Any]]]:
    rng = random.Random(15)
    objects = [sms(i, rng) for i in range(3000)]
    app = create_app(Settings(clock="frozen", id_seed=1, max_body_bytes=1 << 26))
    client = app.test_client()
    seeded = client.post(
        "/_mock/seed", json={"data": {"accounts": [{"sid": "sandbox1", "sms": objects}]}}
    )
    assert seeded.status_code == 200, seeded.get_json()
    return app, objects


def full_scan(objects: list[dict[str, Any]], query: dict[str, Any]) -> list[str]:
    """What the search must answer, by the documented rules, with no index at all."""

    def keep(o: dict[str, Any]) -> bool:
        return (
            ("status" not in query or o["status"] == query["status"])
            and ("direction" not in query or o["direction"] == query["direction"])
            and ("trafficType" not in query or o["trafficType"] == query["trafficType"])
            and ("to" not in query or o["to"].startswith(query["to"]))
            and ("from" not in query or o["from"].startswith(query["from"]))
            and ("text" not in query or query["text"].casefold() in o["body"]["text"].casefold())
            and ("createdAfter" not in query or o["created"] >= query["createdAfter"])
            and ("createdBefore" not in query or o["created"] <= query["createdBefore"])
        )

    found = [(o["created"], position, o["sid"]) for position, o in enumerate(objects) if keep(o)]
    found.sort(reverse=query.get("order", "desc") == "desc")
    return [sid for _, _, sid in found]


QUERIES = [
    {},
    {"order": "asc"},
    {"status": "failed"},
    {"status": "delivered", "direction": "outbound"},
    {"direction": "inbound", "trafficType": "alerting", "order": "asc"},
    {"to": "+3361"},
    {"from": "+3361", "order": "asc"},
    {"text": "INVOICE 1"},
    {"text": "again", "status": "delivered"},
    {
        "createdAfter": iso(START + timedelta(days=1)),
        "createdBefore": iso(START + timedelta(days=2)),
    },
    {"status": "sent", "createdAfter": iso(START + timedelta(days=2)), "to": "+336"},
]


@pytest.mark.parametrize(
    "query", QUERIES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()) or "default"
)
@pytest.mark.parametrize("offset", [0, 7, 1500])
def test_search_pages_are_those_of_a_full_scan(
    seeded: Any, query: dict[str, Any], offset: int
) -> None:
    app, objects = seeded
    expected = full_scan(objects, query)
    answer = (
        app.test_client()
        .get("/v2.0/sms", query_string={**query, "offset": offset, "limit": 25}, headers=KEY)
        .get_json()
    )
    assert answer["total"] == len(expected)
    assert [hit["sid"] for hit in answer["hits"]] == expected[offset : offset + 25]
    assert answer["hasMore"] == (offset + 25 < len(expected))


def test_equality_filters_dates_and_deep_pages_examine_no_object_one_by_one(seeded: Any) -> None:
    app, _ = seeded
    index = runtime_of(app).store.account("sandbox1").sms.index
    assert index is not None
    client = app.test_client()
    before = index.examined
    for query in [
        {},
        {"status": "failed"},
        {"status": "delivered", "direction": "outbound", "trafficType": "marketing"},
        {"createdAfter": iso(START + timedelta(days=1)), "status": "expired"},
        {"offset": 2900},
        {"to": "+3361"},
    ]:
        assert client.get("/v2.0/sms", query_string=query, headers=KEY).status_code == 200
    assert index.examined == before


def test_a_lifecycle_moves_the_sms_in_the_status_index() -> None:
    app = create_app(Settings(clock="frozen", id_seed=1))
    client = app.test_client()
    sid = client.post(
        "/v2.0/sms", query_string={"to": "+33612345678"}, json={"text": "Hi"}, headers=KEY
    ).get_json()["sid"]

    def with_status(status: str) -> list[str]:
        page = client.get("/v2.0/sms", query_string={"status": status}, headers=KEY).get_json()
        return [hit["sid"] for hit in page["hits"]]

    assert with_status("created") == [sid]
    client.post("/_mock/clock/advance", json={"seconds": 5})
    assert with_status("created") == []
    assert with_status("delivered") == [sid]
    by_update = client.get("/v2.0/sms", query_string={"sort": "updated"}, headers=KEY).get_json()
    assert by_update["hits"][0]["status"] == "delivered"
