"""Callr Actions scenarios that really run: the runner (``runner.py``) and the JavaScript of
their expressions (``engine.py``)."""
