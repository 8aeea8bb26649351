"""What the sandbox does on its own: webhook delivery, the Callr Actions runner (``actions/``),
the state document and the state file."""
