"""The browser inspector at /_mock/ui, in a real headless Chromium (offline, same origin)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from browser import browser_page
from callr_mock import DEMO_API_KEY, MockServer
from callr_mock.settings import Settings

KEY = {"x-api-key": DEMO_API_KEY}


@pytest.fixture
def server() -> Iterator[MockServer]:
    server = MockServer(Settings(port=0, clock="frozen")).start()
    try:
        yield server
    finally:
        server.stop()


def artefact_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CALLR_MOCK_ARTEFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sms_status(page: Any, sid: str) -> str:
    text: str = page.locator(
        f'#table-sms tr[data-sid="{sid}"] td[data-field="status"]'
    ).inner_text()
    return text


def test_the_inspector_shows_live_traffic_drives_the_clock_and_shows_violations(
    server: MockServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assets = requests.get(server.url + "/_mock/ui", timeout=5)
    assert (
        assets.status_code == 200
        and "default-src 'self'" in assets.headers["Content-Security-Policy"]
    )
    with browser_page() as (page, errors):
        page.goto(server.url + "/_mock/ui")
        page.wait_for_selector("body[data-ready=true]", timeout=10_000)
        assert page.locator("#clock-mode").inner_text() == "frozen"

        # an SMS sent over the API shows in the live journal without a reload
        sent = time.monotonic()
        sms = requests.post(
            server.url + "/v2.0/sms?to=%2B33612345678", json={"text": "hi"}, headers=KEY, timeout=5
        )
        assert sms.status_code == 201
        page.wait_for_selector('#journal tr.entry[data-operation="sendSms"]', timeout=2_000)
        assert time.monotonic() - sent < 2
        sid = sms.json()["sid"]
        page.wait_for_selector(f'#table-sms tr[data-sid="{sid}"]', timeout=5_000)
        assert sms_status(page, sid) == "created"

        # advancing the sandbox clock from the page moves the SMS along its lifecycle
        page.fill("#advance-seconds", "1")
        page.click("#advance")
        page.wait_for_function(
            'sid => document.querySelector(`#table-sms tr[data-sid="${sid}"] td[data-field=status]`)'
            ".textContent === 'pending'",
            arg=sid,
            timeout=5_000,
        )
        assert page.locator("#clock-now").inner_text() == "2026-01-01T12:00:01.000Z"

        # a request that breaks the contract: its entry opens to the rule it broke
        bad = requests.post(
            server.url + "/v2.0/sms?to=bad", json={"text": "hi"}, headers=KEY, timeout=5
        )
        assert bad.status_code == 400
        row = page.wait_for_selector(
            '#journal tr.entry[data-operation="sendSms"]:has(td.s4)', timeout=2_000
        )
        assert row is not None
        row.click()
        refusal = page.wait_for_selector("#journal tr.detail .refusal", timeout=2_000)
        assert refusal is not None
        assert "invalid-parameter" in refusal.inner_text()
        assert "query parameter 'to'" in refusal.inner_text()

        # a violation committed by the mock itself (here a crashing handler) is shown too
        monkeypatch.setitem(
            server.runtime.handlers, "ping", lambda call: (_ for _ in ()).throw(KeyError("boom"))
        )
        assert requests.get(server.url + "/v2.0/ping", headers=KEY, timeout=5).status_code == 500
        crashed = page.wait_for_selector('#journal tr.entry[data-operation="ping"]', timeout=2_000)
        assert crashed is not None and "⚠ 1" in crashed.inner_text()
        crashed.click()
        violation = page.wait_for_selector("#journal tr.detail li.violation", timeout=2_000)
        assert violation is not None and "ping crashed: KeyError" in violation.inner_text()

        # filters: by status
        page.select_option("#filter-status", "2")
        assert page.locator("#journal tr.entry").count() == 1
        page.select_option("#filter-status", "")

        shot = artefact_dir(tmp_path) / "inspector.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000

        assert DEMO_API_KEY not in page.content()  # never a full key

        # reset from the page empties the account and the journal
        page.click("#reset")
        page.wait_for_function("() => document.querySelectorAll('#journal tr.entry').length === 0")
        page.wait_for_selector("#account p.empty", timeout=5_000)
        assert requests.get(server.url + "/_mock/journal", timeout=5).json() == []
        assert errors == []


def test_inspector_assets_are_package_data_and_unknown_names_are_404(server: MockServer) -> None:
    for name, kind in [("inspector.js", "text/javascript"), ("inspector.css", "text/css")]:
        response = requests.get(f"{server.url}/_mock/ui/{name}", timeout=5)
        assert response.status_code == 200 and response.headers["Content-Type"].startswith(kind)
    for name in ["nothing.js", "..%2Fcontrol%2F__init__.py", "ui.py"]:
        assert requests.get(f"{server.url}/_mock/ui/{name}", timeout=5).status_code == 404
