"""Handlers for the billing operations."""
