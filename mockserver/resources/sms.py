"""Handlers for the sms operations."""
