"""Hypothesis entry point: ``st.from_type`` for callr-mock's id types.

Declared in pyproject.toml (``[project.entry-points.hypothesis]``); Hypothesis calls
:func:`_hypothesis_setup_hook` when it is imported. The strategies are deferred so
that importing Hypothesis stays cheap (phonenumbers is only loaded on first draw).
"""

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    from callr_mock.base.types import E164Number, Rfc3339, Sid
    from hypothesis import strategies as st

    def sids() -> st.SearchStrategy[str]:
        from .strategies import sids as build

        return build()

    def numbers() -> st.SearchStrategy[str]:
        from .strategies import e164_numbers

        return e164_numbers()

    def datetimes() -> st.SearchStrategy[str]:
        from .strategies import rfc3339_datetimes

        return rfc3339_datetimes()

    st.register_type_strategy(Sid, st.deferred(sids))
    st.register_type_strategy(E164Number, st.deferred(numbers))
    st.register_type_strategy(Rfc3339, st.deferred(datetimes))
