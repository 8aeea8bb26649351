"""pytest plugin (placeholder until built)."""
