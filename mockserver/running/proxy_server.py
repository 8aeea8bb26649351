"""``ProxyServer``: the proxy app on waitress, like ``callr-mock serve`` (one process, threaded),
and the shadow sandbox its legacy drift check compares Callr's answers with."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import replace
from typing import Any

from ..base.settings import Settings
from ..proxy.app import ProxyApp, ProxySettings, build_proxy
from ..proxy.drift import LEGACY_PATH
from ..proxy.legacy_drift import Shadow
from ..web.frame.guard import Guard, allowed_hosts
from .server import WsgiServer


class ProxyServer(WsgiServer):
    # the caller's X-Forwarded-* headers are part of what we forward unchanged
    clear_untrusted_proxy_headers = False

    def __init__(self, proxy: ProxySettings, settings: Settings | None = None) -> None:
        # waitress: each request waits on Callr, so it holds a thread for that long
        settings = replace(settings or Settings(), server="waitress")
        app = build_proxy(
            proxy,
            spec_path=settings.spec_path,
            pool_size=settings.worker_threads,
            shadow=sandbox_shadow(),
        )
        guarded = Guard(
            app,
            hosts=allowed_hosts(settings.host, settings.allowed_hosts),
            token=settings.control_token,
        )
        super().__init__(settings, guarded)
        self.proxy: ProxyApp = app
        self.upstream_url = proxy.upstream

    def _stop_background(self) -> None:
        self.proxy.upstream.close()

    def start(self) -> ProxyServer:
        super().start()
        return self

    def __enter__(self) -> ProxyServer:
        return self.start()


def sandbox_shadow() -> Shadow:
    """A private in-memory sandbox (demo seed, frozen clock) answering legacy calls as the
    demo account; calls are serialised (one shadow per proxy)."""
    from ..base.settings import DEMO_ACCOUNT_SID, DEMO_API_KEY  # the app: only here
    from ..web.app import create_app

    client = create_app(Settings(seed_path="demo", clock="frozen")).test_client()
    token = base64.b64encode(f"{DEMO_ACCOUNT_SID}:{DEMO_API_KEY}".encode()).decode()
    headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json-rpc"}
    lock = threading.Lock()

    def call(body: bytes) -> Any:
        with lock:
            answer = client.post(LEGACY_PATH, data=body, headers=headers)
        try:
            return json.loads(answer.data)
        except ValueError:
            return None

    return call
