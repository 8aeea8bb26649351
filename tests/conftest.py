"""Shared fixtures for callr-mock's own tests.

``app``/``api`` run the mock in-process (Flask test client) with a frozen clock and a
seeded sid generator; ``live`` starts the real waitress server on a free port.
Strict mode is on everywhere: a response that breaks the spec comes back as a 500.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import callr_mock
import pytest


def _check_the_editable_install() -> None:
    """A strict editable install (a link tree under build/) does not see modules added after
    it was made: say so, instead of a ModuleNotFoundError somewhere in the suite."""
    source = Path(__file__).resolve().parents[1] / "mockserver"
    installed = Path(callr_mock.__file__).parent
    if "__editable__" not in str(installed):
        return
    missing = sorted(
        str(path.relative_to(source))
        for path in source.rglob("*.py")
        if not (installed / path.relative_to(source)).exists()
    )
    if missing:
        raise pytest.UsageError(
            f"the editable install lacks {', '.join(missing)}: run "
            "pip install -e '.[dev]' --config-settings editable_mode=strict again"
        )


_check_the_editable_install()

from callr_mock import (  # noqa: E402  (after the check above)
    DEMO_ACCOUNT_SID,
    DEMO_API_KEY,
    MockServer,
    Settings,
    create_app,
    runtime_of,
)

pytest_plugins = ["pytester"]


@pytest.fixture
def settings() -> Settings:
    return Settings(clock="frozen", id_seed=1234, port=0)


@pytest.fixture
def app(settings: Settings) -> Any:
    return create_app(settings)


@pytest.fixture
def runtime(app: Any) -> Any:
    return runtime_of(app)


class Api:
    """A tiny client for the in-process app that authenticates as one account."""

    def __init__(self, client: Any, key: str = DEMO_API_KEY) -> None:
        self.client = client
        self.key = key

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"x-api-key": self.key, **(extra or {})}

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = self.headers(kwargs.pop("headers", None))
        return self.client.open("/v2.0" + path, method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Any:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Any:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)

    def advance(self, seconds: float) -> None:
        response = self.client.post("/_mock/clock/advance", json={"seconds": seconds})
        assert response.status_code == 200, response.get_data(as_text=True)

    def violations(self) -> list[dict[str, Any]]:
        return self.client.get("/_mock/violations").get_json()


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def api(client: Any) -> Iterator[Api]:
    helper = Api(client)
    yield helper
    assert helper.violations() == [], "the mock broke its own contract during this test"


@pytest.fixture
def other_api(client: Any) -> Api:
    """A second, isolated account on the same server."""
    created = client.post("/_mock/accounts", json={}).get_json()
    return Api(client, created["key"])


def basic(sid: str, key: str) -> dict[str, str]:
    token = base64.b64encode(f"{sid}:{key}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@contextmanager
def running(**settings: Any) -> Iterator[MockServer]:
    """A real sandbox on a free port, frozen clock unless told otherwise, stopped after."""
    server = MockServer(Settings(**{"port": 0, "clock": "frozen", **settings})).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def live() -> Iterator[MockServer]:
    with running(id_seed=99) as server:
        yield server


__all__ = ["DEMO_ACCOUNT_SID", "DEMO_API_KEY", "Api", "basic", "running"]
