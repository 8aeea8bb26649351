"""What the sandbox does on its own: webhook delivery, the state file."""
