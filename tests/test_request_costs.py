"""What a request leaves behind: nothing that only the cyclic garbage collector can free.

werkzeug puts a request into its own WSGI environ by default, which made every request of
the sandbox a reference cycle, its objects left for the collector, whose rounds walk the
state's objects too (~16% of the Python thread under a write load). Every door (the API, its errors, the control API,
the legacy endpoint) must free what a request made as soon as it is answered.

Run in a process of its own: the collector's debug flag is the whole process'.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import gc, io, json, sys
    from callr_mock import Settings, create_app

    app = create_app(Settings(clock="frozen", id_seed=1))

    def call(method, path, body=b"", query="", key="callr-mock-demo-key"):
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "4010", "HTTP_HOST": "127.0.0.1:4010",
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
            "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/json",
            "HTTP_X_API_KEY": key,
        }
        status = []
        b"".join(app(environ, lambda line, headers, exc_info=None: status.append(line)))
        return status[0].split()[0]

    rpc = json.dumps({"id": 1, "jsonrpc": "2.0", "method": "sms.get", "params": ["x"]})
    requests = {
        "write": ("POST", "/v2.0/sms", b'{"text": "hi"}', "to=%2B33612345678"),
        "search": ("GET", "/v2.0/sms", b"", "status=sent"),
        "refused": ("POST", "/v2.0/sms", b'{"text": "hi"}', "to=%2B3312"),
        "unknown": ("GET", "/v2.0/sms/zzzzzzzz", b"", ""),
        "bad key": ("GET", "/v2.0/sms", b"", "", "wrong"),
        "control": ("POST", "/_mock/clock/advance", b'{"seconds": 10}', ""),
        "legacy": ("POST", "/json-rpc/v1.1/", rpc.encode(), ""),
    }
    for request in requests.values():  # start-up's own lazy work is done once
        call(*request)
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    found = {}
    for name, request in requests.items():
        statuses = {call(*request) for _ in range(5)}
        gc.collect()
        found[name] = [sorted(statuses), sorted({type(o).__name__ for o in gc.garbage})]
        gc.garbage.clear()
    print(json.dumps(found))
    """
)


def test_no_request_leaves_a_reference_cycle() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.splitlines()[-1])
    assert {name: statuses for name, (statuses, _) in found.items()} == {
        "write": ["201"],
        "search": ["200"],
        "refused": ["400"],
        "unknown": ["404"],
        "bad key": ["401"],
        "control": ["200"],
        "legacy": ["401"],
    }
    assert {name: garbage for name, (_, garbage) in found.items() if garbage} == {}
