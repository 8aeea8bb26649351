"""Typed identifiers of the Callr API, for annotations and ``st.from_type``.

``NewType`` costs nothing at run time (a ``Sid`` is a ``str``), but Hypothesis knows
how to build each one once callr-mock is installed (see ``callr_mock.plugin._hypothesis``)::

    from hypothesis import given, strategies as st
    from .types import E164Number, Sid

    @given(st.from_type(Sid), st.from_type(E164Number))
    def test_something(sid: Sid, number: E164Number) -> None: ...
"""

from __future__ import annotations

from typing import NewType

Sid = NewType("Sid", str)
"""8 lowercase letters or digits (``^[a-z0-9]{8}$``)."""

E164Number = NewType("E164Number", str)
"""A phone number in E.164 form (``+33612345678``), valid for its country."""

Rfc3339 = NewType("Rfc3339", str)
"""A date-time as the API writes it: UTC with milliseconds, ``2024-04-24T12:00:42.000Z``."""

__all__ = ["E164Number", "Rfc3339", "Sid"]
