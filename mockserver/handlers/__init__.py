"""What answers a call: the REST v2 handlers (``rest/``) and the legacy JSON-RPC methods (``legacy/``)."""
