"""Hypothesis entry point (placeholder)."""


def _hypothesis_setup_hook() -> None:
    return None
