"""The browser inspector at /_mock/ui, in a real headless Chromium (offline, same origin).

One browser for the module (``browser`` fixture), a fresh page per test. Screenshots of
each view are saved to ``$CALLR_MOCK_ARTEFACTS`` when set (CI keeps them), else tmp_path.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from browser import chromium_browser, page_of
from callr_mock import DEMO_ACCOUNT_SID, DEMO_API_KEY, MockServer
from callr_mock.services.delivery import sign
from webhook_receiver import Receiver

from tests.conftest import running

KEY = {"x-api-key": DEMO_API_KEY}
SECRET = "s3cr3t-k3y-0f-m1n3"
OTHER_SID, OTHER_KEY = "other001", "other-account-key-0001"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium_browser() as launched:
        yield launched


@pytest.fixture
def server() -> Iterator[MockServer]:
    with running() as server:
        yield server


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
    server: MockServer, browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assets = requests.get(server.url + "/_mock/ui", timeout=5)
    assert (
        assets.status_code == 200
        and "default-src 'self'" in assets.headers["Content-Security-Policy"]
    )
    with page_of(browser) as (page, errors):
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
        history = page.locator(f'#table-sms tr[data-sid="{sid}"] td[data-field="statusHistory"]')
        assert history.inner_text() == "created → pending @ 2026-01-01T12:00:01.000Z"

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


def open_entry(page: Any, row_selector: str) -> Any:
    """Click a journal row and wait for its request and response to be shown."""
    row = page.wait_for_selector(row_selector, timeout=2_000)
    assert row is not None
    row.click()
    seq = row.get_attribute("data-seq")
    page.wait_for_selector(f'#journal tr.detail[data-detail="{seq}"] .exchange', timeout=2_000)
    return page.locator(f'#journal tr.detail[data-detail="{seq}"]')


def journal_accounts(page: Any) -> list[str]:
    cells = page.locator("#journal tr.entry td:nth-child(3)").all_inner_texts()
    return [str(text) for text in cells]


def test_entries_open_to_their_bodies_secrets_stay_hidden_filters_work_and_every_view_is_shot(
    server: MockServer, browser: Any, tmp_path: Path
) -> None:
    shots = artefact_dir(tmp_path)
    receiver = Receiver()
    try:
        with page_of(browser) as (page, errors):
            page.goto(server.url + "/_mock/ui")
            page.wait_for_selector("body[data-ready=true]", timeout=10_000)

            # a subscription with a signing secret: its request and response bodies, no secret
            # (and a token in its endpoint's query string, as some receivers want)
            target = receiver.url + "?token=" + SECRET
            hook = {"type": "v2.sms.outbound.updated", "endpoint": target, "secret": SECRET}
            created = requests.post(
                server.url + "/v2.0/webhooks", json=hook, headers=KEY, timeout=5
            )
            assert created.status_code == 201
            detail = open_entry(page, '#journal tr.entry[data-operation="createWebhook"]')
            request_body = detail.locator('[data-part="request"] pre.body').inner_text()
            assert '"secret": "[redacted]"' in request_body  # pretty JSON, secret redacted
            assert f'"endpoint": "{receiver.url}?token=[redacted]"' in request_body
            assert (
                "X-Api-Key: call…[redacted]"
                in detail.locator('[data-part="request"] pre.headers').inner_text()
            )
            assert (
                '"signed": true' in detail.locator('[data-part="response"] pre.body').inner_text()
            )

            # an SMS whose status change is delivered to the receiver (deliveries view)
            sms = requests.post(
                server.url + "/v2.0/sms?to=%2B33612345678",
                json={"text": "hi"},
                headers=KEY,
                timeout=5,
            )
            assert sms.status_code == 201
            requests.post(server.url + "/_mock/clock/advance", json={"seconds": 1}, timeout=5)
            assert receiver.wait_for(1)
            page.wait_for_selector("#deliveries tbody tr", timeout=5_000)
            page.wait_for_selector("#events tbody tr", timeout=5_000)

            # a body over the size limit is cut, with the marker
            big = requests.post(
                server.url + "/v2.0/sms?to=%2B33612345678",
                json={"text": "x" * 40_000},
                headers=KEY,
                timeout=5,
            )
            assert big.status_code == 400
            cut = open_entry(page, '#journal tr.entry[data-operation="sendSms"]:has(td.s4)')
            assert "…[truncated" in cut.locator('[data-part="request"] pre.body').inner_text()
            assert "invalid-body" in cut.locator('[data-part="response"] pre.body').inner_text()

            # a second account: the account filter, then the operation filter
            other = {"sid": OTHER_SID, "key": OTHER_KEY}
            assert (
                requests.post(server.url + "/_mock/accounts", json=other, timeout=5).status_code
                == 201
            )
            other_key = {"x-api-key": OTHER_KEY}
            assert requests.get(server.url + "/v2.0/ping", headers=other_key, timeout=5).ok
            page.wait_for_selector(
                f'#filter-account option[value="{OTHER_SID}"]', state="attached", timeout=5_000
            )
            page.select_option("#filter-account", OTHER_SID)
            assert journal_accounts(page) == [OTHER_SID]
            page.select_option("#filter-account", "")
            assert OTHER_SID in journal_accounts(page) and DEMO_ACCOUNT_SID in journal_accounts(
                page
            )
            page.fill("#filter-operation", "sendsms")  # case-insensitive, part of the name
            operations = page.locator("#journal tr.entry").evaluate_all(
                "rows => rows.map(r => r.dataset.operation)"
            )
            assert operations == ["sendSms", "sendSms"]
            page.fill("#filter-operation", "")

            # never a full key or secret anywhere in the page (state, journal, deliveries)
            page.locator(f'#accounts button[data-account="{DEMO_ACCOUNT_SID}"]').click()
            page.wait_for_selector("#table-webhooks", timeout=5_000)
            content = page.content()
            for secret in (SECRET, DEMO_API_KEY, OTHER_KEY):
                assert secret not in content

            # one screenshot per view
            views = {
                "accounts": "#accounts-section",
                "account-state": "#account",
                "journal": "#journal-section",
                "events": "#events",
                "deliveries": "#deliveries",
                "clock": "#clock",
            }
            for name, selector in views.items():
                shot = shots / f"inspector-{name}.png"
                page.locator(selector).screenshot(path=str(shot))
                assert shot.stat().st_size > 1_000, name
            assert errors == []
    finally:
        receiver.close()


def test_inspector_assets_are_package_data_and_unknown_names_are_404(server: MockServer) -> None:
    for name, kind in [("inspector.js", "text/javascript"), ("inspector.css", "text/css")]:
        response = requests.get(f"{server.url}/_mock/ui/{name}", timeout=5)
        assert response.status_code == 200 and response.headers["Content-Type"].startswith(kind)
    for name in ["nothing.js", "..%2Fcontrol%2F__init__.py", "ui.py"]:
        assert requests.get(f"{server.url}/_mock/ui/{name}", timeout=5).status_code == 404


def test_the_deliveries_view_shows_every_attempt_and_redelivers(
    server: MockServer, browser: Any, tmp_path: Path
) -> None:
    receiver = Receiver(fail_first=1, fail_status=503)
    try:
        control = server.url + "/_mock"
        hook = {"type": "v2.recording.updated", "endpoint": receiver.url, "secret": SECRET}
        created = requests.post(server.url + "/v2.0/webhooks", json=hook, headers=KEY, timeout=5)
        assert created.status_code == 201
        recording = {"status": "ready"}
        fired = requests.post(
            f"{control}/accounts/{DEMO_ACCOUNT_SID}/recordings", json=recording, timeout=5
        )
        assert fired.status_code == 201
        requests.post(control + "/deliveries/flush", json={"timeout": 5}, timeout=10)
        requests.post(control + "/clock/advance", json={"seconds": 1}, timeout=5)  # the retry
        requests.post(control + "/deliveries/flush", json={"timeout": 5}, timeout=10)
        [delivery] = requests.get(control + "/deliveries", timeout=5).json()
        assert delivery["state"] == "delivered"
        row = f'#deliveries tr.delivery[data-id="{delivery["id"]}"]'

        with page_of(browser) as (page, errors):
            page.goto(server.url + "/_mock/ui")
            page.wait_for_selector("body[data-ready=true]", timeout=10_000)
            page.click(row)  # opens to its attempts
            attempts = page.locator(f'tr[data-attempts-of="{delivery["id"]}"] tr[data-attempt]')
            assert attempts.count() == 2
            assert "503" in attempts.nth(0).inner_text()
            assert "HTTP 503" in attempts.nth(0).inner_text()
            assert "200" in attempts.nth(1).inner_text()

            page.click(f'{row} button[data-redeliver="{delivery["id"]}"]')
            assert receiver.wait_for(3, timeout=5)  # on the receiver's side
            first, _, again = receiver.received
            assert again.body == first.body  # the same event, attempts 0
            assert again.headers["X-CALLR-HmacSignature"] == sign(SECRET, again.body)
            # the redelivery shows, delivered, opened to its one attempt, without a reload
            new = page.wait_for_selector(
                '#deliveries tr.delivery[data-state="delivered"]:not([data-id="'
                + delivery["id"]
                + '"])',
                timeout=5_000,
            )
            assert new is not None
            new_id = new.get_attribute("data-id")
            page.wait_for_selector(f'tr[data-attempts-of="{new_id}"] tr[data-attempt="1"]')
            assert (
                "Redelivery of " + delivery["id"]
                in page.locator(f'tr[data-attempts-of="{new_id}"]').inner_text()
            )

            assert DEMO_ACCOUNT_SID in page.locator("#events tbody").inner_text()

            shot = artefact_dir(tmp_path) / "inspector-delivery-attempts.png"
            page.locator("#events-section").screenshot(path=str(shot))
            assert shot.stat().st_size > 5_000
            assert errors == []
    finally:
        receiver.close()


def test_a_scenario_run_shows_in_the_inspector_with_its_failure(
    server: MockServer, browser: Any
) -> None:
    """A Callr Actions run is a journal entry (RUN, actions:<branch>): the page lists it live,
    and a run that ended not-emulated opens to the step that stopped it. The runs view lists
    it too, and opens to its trace: every step, with its params, and why it ended."""
    script = (
        "branches:\n  api-initiated:\n    actions:\n"
        "      - action: log@v1\n        params:\n          message: before the room\n"
        "      - action: conference@v1\n"
    )
    with page_of(browser) as (page, errors):
        page.goto(server.url + "/_mock/ui")
        page.wait_for_selector("body[data-ready=true]", timeout=10_000)
        created = requests.post(
            server.url + "/v2.0/actions",
            json={"name": "Rooms", "script": script},
            headers=KEY,
            timeout=5,
        )
        assert created.status_code == 201, created.text
        run = requests.post(
            server.url + f"/v2.0/actions/{created.json()['sid']}/runs",
            json={},
            headers=KEY,
            timeout=5,
        )
        assert run.status_code == 202
        row = page.wait_for_selector(
            '#journal tr.entry[data-operation="actions:api-initiated"]', timeout=5_000
        )
        assert row is not None and "RUN /actions/" in row.inner_text()
        row.click()
        refusal = page.wait_for_selector("#journal tr.detail .refusal", timeout=2_000)
        assert refusal is not None and "conference@v1 is not emulated" in refusal.inner_text()

        listed = page.wait_for_selector('#runs tr.run[data-status="not-emulated"]', timeout=5_000)
        assert listed is not None and "Rooms" in listed.inner_text()
        listed.click()
        trace = page.wait_for_selector("#runs tr.detail table.trace", timeout=2_000)
        assert trace is not None
        steps = page.locator("#runs tr.detail table.trace tbody tr").all_inner_texts()
        assert len(steps) == 2, steps
        assert "log@v1" in steps[0] and "before the room" in steps[0]
        assert "conference@v1" in steps[1]
        ended = page.locator("#runs tr.detail .refusal").inner_text()
        assert "not-emulated" in ended and "conference@v1 is not emulated" in ended
        assert "before the room" in page.locator("#runs tr.detail pre.log").inner_text()
        assert errors == []
