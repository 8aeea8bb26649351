"""The mapping rules of ``callr_mock.handlers.legacy.mapping`` as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from callr_mock.handlers.legacy.mapping import (
    SMS_STATUS_OUT,
    BadValue,
    area_code_id,
    area_prefix,
    enum_in,
    enum_out,
    legacy_date,
    media_id,
    media_sid,
    number_hash,
    parse_legacy_date,
    rest_date,
    to_hash,
    to_sid,
    webhook_type_in,
    webhook_type_out,
)
from callr_mock.state.events import EVENT_TYPES
from callr_mock.state.sms import STATUSES


def test_hash_is_the_sid_in_upper_case() -> None:
    assert to_hash("abcdef12") == "ABCDEF12" and to_hash(None) is None
    assert to_sid("ABCDEF12") == "abcdef12" == to_sid("abcdef12")
    for bad in ("ABCDEF1", "ABCDEF123", "ABCDEF1!", 12345678, None):
        with pytest.raises(BadValue):
            to_sid(bad)


def test_dates() -> None:
    assert legacy_date("2024-04-24T12:00:42.999Z") == "2024-04-24 12:00:42"
    assert legacy_date("2024-04-24T14:00:42+02:00") == "2024-04-24 12:00:42"  # always UTC
    assert legacy_date(None) is None
    assert parse_legacy_date("2024-04-24 12:00:42") == datetime(2024, 4, 24, 12, 0, 42, tzinfo=UTC)
    assert parse_legacy_date("2024-04-24 12:00:42.500").microsecond == 500_000
    assert rest_date("2024-04-24 12:00:42") == "2024-04-24T12:00:42.000Z"
    for bad in ("2024-04-24T12:00:42Z", "2024-02-30 12:00:00", "24/04/2024", 42):
        with pytest.raises(BadValue):
            parse_legacy_date(bad)


def test_sms_status_names_both_ways() -> None:
    legacy = [enum_out(s, SMS_STATUS_OUT) for s in STATUSES]
    assert legacy == [
        "CREATED",
        "PENDING",
        "SENT",
        "REMOTE_QUEUED",
        "RECEIVED",
        "ERROR",
        "FAILED",
        "EXPIRED",
    ]
    assert [enum_in(name, STATUSES, "status", SMS_STATUS_OUT) for name in legacy] == list(STATUSES)
    for bad in ("DELIVERED", "remote-queued", "Sent", "remote_queued"):
        with pytest.raises(BadValue, match="RECEIVED"):
            enum_in(bad, STATUSES, "status", SMS_STATUS_OUT)


def test_number_hash_is_stable_and_legacy_shaped() -> None:
    value = number_hash("+33199001020")
    assert value == number_hash("+33199001020") != number_hash("+33199001021")
    assert len(value) == 8 and value.isalnum() and value == value.upper()
    hashes = {number_hash(f"+3319900{n:04d}") for n in range(5000)}
    assert len(hashes) == 5000


def test_area_code_ids_are_prefix_digits() -> None:
    assert (
        area_code_id("+331") == 331 and area_prefix(331) == "+331" and area_prefix("331") == "+331"
    )
    for bad in (0, -1, "x", True, None):
        with pytest.raises(BadValue):
            area_prefix(bad)


def test_media_ids_round_trip() -> None:
    for sid in ("00000000", "abcdef12", "zzzzzzzz", "callrsid"):
        assert media_sid(media_id(sid)) == sid
    assert (
        media_sid("ABCDEF12") == "abcdef12" and media_sid(str(media_id("callrsid"))) == "callrsid"
    )


def test_webhook_types() -> None:
    assert webhook_type_in("sms.mo", EVENT_TYPES) == "v2.sms.inbound.received"
    assert webhook_type_in("v2.task.updated", EVENT_TYPES) == "v2.task.updated"
    assert webhook_type_out("v2.task.updated") == "job.status_update"
    assert webhook_type_out("v2.number.assigned") == "v2.number.assigned"
    with pytest.raises(BadValue, match="no REST v2 equivalent"):
        webhook_type_in("did.unassigned", EVENT_TYPES)
