"""Handlers for the calls operations."""
