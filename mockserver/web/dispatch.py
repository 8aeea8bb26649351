"""The three doors, served straight from WSGI in front of Flask.

A request is matched against the app's own URL map: one rule per operation of the served
spec under ``/v2.0`` (endpoint = operationId), one per operation of ``control.yaml``
under ``/_mock`` (endpoint ``control:<operationId>``), and the legacy endpoint. The
matched door runs the request through the request frame (``frame/frame.py``) with a plain
werkzeug request: no Flask request or app context is pushed, no view function, signal
or hook runs (profiled, those were ~40 % of the CPU of ``GET /sms/{sid}``). Unknown paths
and wrong methods under a door's prefix get the Callr error (``frame.answers.http_error``);
everything else (the reference pages) goes to Flask.

So per-request behaviour belongs in the frame or a door, never in Flask hooks.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request

from ..base.wire import API_PREFIX, CONTROL_PREFIX, LEGACY_ENDPOINT_PATH
from .frame.answers import http_error
from .frame.frame import Exchange, run
from .frame.runtime import Runtime
from .surfaces.control import CONTROL
from .surfaces.control.common import JOURNAL_PREFIX as CONTROL_ENDPOINT
from .surfaces.control.common import sandbox_operations
from .surfaces.legacy import LEGACY
from .surfaces.rest import REST

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_LEGACY_PATHS = (LEGACY_ENDPOINT_PATH, LEGACY_ENDPOINT_PATH.rstrip("/"))


def add_rules(url_map: Map, runtime: Runtime) -> None:
    """The doors' rules in the app's URL map (``create_app``)."""
    for op in runtime.contract.operations.values():
        url_map.add(Rule(API_PREFIX + op.rule, endpoint=op.id, methods=[op.method]))
    for op in sandbox_operations().values():
        url_map.add(
            Rule(CONTROL_PREFIX + op.rule, endpoint=CONTROL_ENDPOINT + op.id, methods=[op.method])
        )


class Doors:
    """WSGI middleware: ``/v2.0``, ``/_mock`` and the legacy endpoint to their doors through
    the frame, the rest to ``app`` (Flask)."""

    def __init__(self, app: WSGIApplication, runtime: Runtime, url_map: Map) -> None:
        self.app = app
        self.runtime = runtime
        self.adapter = url_map.bind("callr-mock")
        self.operations = {op.id: op for op in runtime.contract.operations.values()}
        self.control_operations = sandbox_operations()
        if set(self.control_operations) != set(runtime.control_routes):
            raise LookupError(
                "control.yaml and the control routes differ: "
                f"{sorted(set(self.control_operations) ^ set(runtime.control_routes))}"
            )
        max_body = runtime.settings.max_body_bytes

        class DoorRequest(Request):
            max_content_length = max_body

            def __init__(self, environ: WSGIEnvironment) -> None:
                # not put into the environ as werkzeug does by default: that made each
                # request a reference cycle (request -> environ -> request), its objects
                # left for the cyclic collector instead of freed when answered
                super().__init__(environ, populate_request=False)

        self.request_class = DoorRequest
        # a path seen once matches the same way again: werkzeug's matcher walks its rule
        # tree and compiles per call, a fifth of a read's cost; the URL map never changes
        self._match = functools.lru_cache(maxsize=4096)(self._match_uncached)

    def _match_uncached(self, path: str, method: str) -> tuple[str, tuple[tuple[str, Any], ...]]:
        endpoint, values = self.adapter.match(path, method)
        return str(endpoint), tuple(values.items())

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Every request of the app comes through here: one that may write (any method but
        GET, HEAD, OPTIONS) marks the state changed once answered (``Store.touch``, what the
        state file's writer waits for)."""
        try:
            return self._dispatch(environ, start_response)
        finally:
            if environ.get("REQUEST_METHOD") not in READ_ONLY_METHODS:
                self.runtime.store.touch()

    def _dispatch(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path_info: str = environ.get("PATH_INFO", "")
        if path_info in _LEGACY_PATHS:
            ex = Exchange(self.runtime, self.request_class(environ))
            return run(LEGACY, ex)(environ, start_response)
        under_api = path_info.startswith(API_PREFIX + "/") or path_info == API_PREFIX
        under_control = path_info.startswith(CONTROL_PREFIX + "/") or path_info == CONTROL_PREFIX
        if not under_api and not under_control:
            return self.app(environ, start_response)
        request = self.request_class(environ)
        try:
            endpoint, values = self._match(request.path, request.method)
        except (NotFound, MethodNotAllowed) as error:
            response: Any = http_error(self.runtime, request, error)
        except Exception:  # a redirect of the URL map (e.g. merged slashes): as Flask does
            return self.app(environ, start_response)
        else:
            if endpoint.startswith(CONTROL_ENDPOINT):
                op_id = endpoint[len(CONTROL_ENDPOINT) :]
                op = self.control_operations[op_id]
                control = (op, _as_text(dict(values)), self.runtime.control_routes[op_id])
                response = run(CONTROL, Exchange(self.runtime, request, control))
            elif endpoint in self.operations:
                route = (self.operations[endpoint], dict(values))
                response = run(REST, Exchange(self.runtime, request, route))
            else:
                return self.app(environ, start_response)
        result: Iterable[bytes] = response(environ, start_response)
        return result


def _as_text(values: dict[str, Any]) -> dict[str, str]:
    """The URL map's values (under the spec's own names: rules are made from the spec's
    paths), as text for the reader to coerce."""
    return {name: str(value) for name, value in values.items()}
