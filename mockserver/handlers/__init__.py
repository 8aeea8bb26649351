"""What answers a call: the REST v2 handlers (``rest/``) and the legacy JSON-RPC methods
(``legacy/``). Both are built into tables from explicit module lists (``base/marks.py``,
``legacy.SERVICE_MODULES``): nothing registers itself by being imported."""
