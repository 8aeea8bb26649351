"""Handlers for the audio files operations."""
