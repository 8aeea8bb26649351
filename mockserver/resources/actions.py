"""Handlers for the actions operations."""
