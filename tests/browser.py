"""Headless Chromium (Debian's ``chromium``, installed by .ci/run) for the browser tests.

``chromium_browser()`` launches it for Playwright (once per test module, as a fixture) and
``page_of(browser)`` gives an interactive page of it (clicks, waits, console errors,
screenshots); ``browser_page()`` does both for a single test. ``dump_dom(url)`` loads a
page with every host but 127.0.0.1 unreachable (a page that needs a CDN breaks), lets its
scripts run for up to ``budget_ms`` of virtual time, and returns the DOM as HTML. On CI a missing browser fails the test; elsewhere it skips.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

BROWSERS = ("chromium", "chromium-browser")


def chromium() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI"):
        pytest.fail("chromium is missing on CI (see the browser step of .ci/run)")
    pytest.skip("chromium is not installed (apt-get install -y chromium)")


def dump_dom(url: str, *, budget_ms: int = 20000, timeout: float = 120) -> str:
    with tempfile.TemporaryDirectory(prefix="callr-mock-chromium-") as profile:
        result = subprocess.run(
            [
                chromium(),
                "--headless",
                "--no-sandbox",  # CI runs as root
                "--disable-gpu",
                "--no-first-run",
                f"--user-data-dir={profile}",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                f"--virtual-time-budget={budget_ms}",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@contextlib.contextmanager
def chromium_browser() -> Iterator[Any]:
    """The headless Chromium, launched once (a module fixture can share it between tests).

    Driven by Playwright for Python; only 127.0.0.1 resolves, as for ``dump_dom``.
    """
    path = chromium()
    try:
        from playwright import sync_api
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("playwright is missing on CI (it is in the dev extra)")
        pytest.skip("playwright is not installed (pip install -e '.[dev]')")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            args=[
                "--no-sandbox",  # CI runs as root
                "--disable-gpu",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def page_of(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """A fresh page (own cookies and storage) of ``browser``, and a list that collects every
    console error and uncaught page error."""
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.on(
            "console",
            lambda message: errors.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page, errors
    finally:
        context.close()


@contextlib.contextmanager
def browser_page() -> Iterator[tuple[Any, list[str]]]:
    """An interactive page in its own headless Chromium: ``chromium_browser`` + ``page_of``."""
    with chromium_browser() as browser, page_of(browser) as opened:
        yield opened
