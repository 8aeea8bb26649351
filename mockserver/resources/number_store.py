"""Handlers for the number store operations."""
