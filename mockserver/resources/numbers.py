"""Handlers for the numbers operations."""
