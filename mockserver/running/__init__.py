"""Running the sandbox: the production server, the CLI, the proxy server."""
