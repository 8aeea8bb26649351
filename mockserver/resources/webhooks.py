"""Handlers for the webhooks operations."""
