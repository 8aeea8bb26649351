"""Handlers for the recordings operations."""
