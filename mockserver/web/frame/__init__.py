"""The one request frame every door goes through, and its steps."""
