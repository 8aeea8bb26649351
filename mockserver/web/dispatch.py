"""The Callr API (``/v2.0``) served straight from WSGI, in front of Flask.

A request under ``/v2.0`` is matched against the app's own URL map (one rule per spec
operation, added by ``create_app``) and handed to the pipeline with a plain werkzeug
request: no Flask request or app context is pushed, no view function, signal or
``before_request`` hook runs. Profiled, those were ~40 % of the CPU of ``GET /sms/{sid}``
(``bench/vs_prism.py``). Unknown paths and wrong methods under ``/v2.0`` get the same
Callr error as anywhere else (``pipeline.http_error``). Everything else (the control API,
the legacy JSON-RPC endpoint) goes to Flask.

So per-request behaviour of the Callr API belongs in ``pipeline.py``, not in Flask hooks.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map
from werkzeug.wrappers import Request

from .surfaces.rest import API_PREFIX, handle_operation, http_error

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from .frame.runtime import Runtime


class ApiDispatcher:
    """WSGI middleware: ``/v2.0`` to the pipeline, the rest to ``app`` (Flask)."""

    def __init__(self, app: WSGIApplication, runtime: Runtime, url_map: Map) -> None:
        self.app = app
        self.runtime = runtime
        self.adapter = url_map.bind("callr-mock")
        self.operations = {op.id: op for op in runtime.contract.operations.values()}
        max_body = runtime.settings.max_body_bytes

        class ApiRequest(Request):
            max_content_length = max_body

        self.request_class = ApiRequest
        # a path seen once matches the same way again: werkzeug's matcher walks its rule
        # tree and compiles per call, a fifth of a read's cost; the URL map never changes
        self._match = functools.lru_cache(maxsize=4096)(self._match_uncached)

    def _match_uncached(self, path: str, method: str) -> tuple[str, tuple[tuple[str, Any], ...]]:
        endpoint, values = self.adapter.match(path, method)
        return str(endpoint), tuple(values.items())

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Every request of the app comes through here: one that may write (any method but
        GET, HEAD, OPTIONS: the API, the legacy endpoint, the control API) marks the state
        changed once answered (``Store.touch``, what the state file's writer waits for)."""
        try:
            return self._dispatch(environ, start_response)
        finally:
            if environ.get("REQUEST_METHOD") not in READ_ONLY_METHODS:
                self.runtime.store.touch()

    def _dispatch(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path_info: str = environ.get("PATH_INFO", "")
        if not path_info.startswith(API_PREFIX + "/") and path_info != API_PREFIX:
            return self.app(environ, start_response)
        request = self.request_class(environ)
        try:
            endpoint, values = self._match(request.path, request.method)
        except (NotFound, MethodNotAllowed) as error:
            response: Any = http_error(self.runtime, request, error)
        except Exception:  # a redirect of the URL map (e.g. merged slashes): as Flask does
            return self.app(environ, start_response)
        else:
            op = self.operations.get(str(endpoint))
            if op is None:
                return self.app(environ, start_response)
            response = handle_operation(self.runtime, op, request, dict(values))
        result: Iterable[bytes] = response(environ, start_response)
        return result
