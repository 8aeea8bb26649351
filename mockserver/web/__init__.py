"""The HTTP surface: the request frame (``frame/``), the three doors (``surfaces/``), the runtime and the app."""
