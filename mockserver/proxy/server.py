"""``ProxyServer``: the proxy app on waitress, like ``callr-mock serve`` (one process, threaded)."""

from __future__ import annotations

from callr_mock.proxy.app import ProxyApp, ProxySettings, build_proxy
from callr_mock.server import WsgiServer
from callr_mock.settings import Settings


class ProxyServer(WsgiServer):
    # the caller's X-Forwarded-* headers are part of what we forward unchanged
    clear_untrusted_proxy_headers = False

    def __init__(self, proxy: ProxySettings, settings: Settings | None = None) -> None:
        settings = settings or Settings()
        app = build_proxy(proxy, spec_path=settings.spec_path, pool_size=settings.threads)
        super().__init__(settings, app)
        self.proxy: ProxyApp = app
        self.upstream_url = proxy.upstream

    def _stop_background(self) -> None:
        self.proxy.upstream.close()

    def start(self) -> ProxyServer:
        super().start()
        return self

    def __enter__(self) -> ProxyServer:
        return self.start()
