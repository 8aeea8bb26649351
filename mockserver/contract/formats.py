"""The string formats of the Callr spec: one table, name → checker, sample, strategy.

``FORMATS`` is the only list. The contract's validators take their custom checkers from it
(``FORMAT_CHECKERS``), ``sample.py`` its sample values, ``callr_mock.plugin.strategies``
its Hypothesis strategies (by name, so the server never imports Hypothesis) and the
schemathesis registration its custom formats. ``tests/test_formats.py`` checks that each
entry's checker, sample and strategy agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..state.ids import SID_PATTERN, is_sid
from ..state.phone import E164_PATTERN, is_e164, is_possible_number
from ..state.timefmt import iso

__all__ = [
    "CUSTOM_FORMATS",
    "E164_PATTERN",
    "FORMATS",
    "FORMAT_CHECKERS",
    "SID_PATTERN",
    "Format",
    "is_e164",
    "is_possible_number",
    "is_sid",
]


@dataclass(frozen=True)
class Format:
    name: str
    sample: Callable[[datetime], str]
    """A valid value (given the sandbox time), for answers built from a schema."""
    strategy: str
    """The function of ``callr_mock.plugin.strategies`` whose strategy draws valid values."""
    check: Callable[[str], bool] | None = None
    """Our checker; None for a standard format the validator knows."""
    pattern: re.Pattern[str] | None = None
    """The ``pattern`` the spec writes for this format (strategies recognise it)."""


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("sid", lambda now: "callrsid", "sids", is_sid, SID_PATTERN),
        Format("e164", lambda now: "+33199000100", "e164_numbers", is_e164, E164_PATTERN),
        Format("date-time", lambda now: str(iso(now)), "rfc3339_datetimes"),
        Format("uri", lambda now: "https://example.invalid/", "uris"),
        Format("date", lambda now: now.date().isoformat(), "dates"),
        Format("time", lambda now: now.strftime("%H:%M:%SZ"), "times"),
        Format("uuid", lambda now: "00000000-0000-4000-8000-000000000000", "uuids"),
        Format("email", lambda now: "sandbox@example.com", "emails"),
        Format("hostname", lambda now: "example.com", "hostnames"),
        Format("ipv4", lambda now: "192.0.2.1", "ipv4_addresses"),
        Format("ipv6", lambda now: "2001:db8::1", "ipv6_addresses"),
    )
}
FORMAT_CHECKERS = {name: f.check for name, f in FORMATS.items() if f.check is not None}
CUSTOM_FORMATS = tuple(FORMAT_CHECKERS)
"""The formats that are ours (tools such as schemathesis must be taught them)."""
