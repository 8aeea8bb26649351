"""Callr REST API v2 contract (OpenAPI 3.1) shipped as package data."""
