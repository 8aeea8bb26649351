"""Helpers of the legacy JSON-RPC tests (``tests/test_legacy_*.py``)."""

from __future__ import annotations

import base64
from typing import Any

from callr_mock import DEMO_ACCOUNT_SID, DEMO_API_KEY
from callr_mock.plugin.parity import LegacyClient, LegacyError
from callr_mock.state.audio_formats import silent_wav

URL = "/json-rpc/v1.1/"
SCRIPT = """defaults:
  language: en-US

branches:
  inbound-call:
    actions:
      - action: log@v1
        params:
          message: Hello inbound call

  api-initiated:
    actions:
      - action: log@v1
        params:
          message: Hello from API
"""
ACTIONS = {"format": "YAML", "script": SCRIPT}
NOW = "2026-01-01 12:00:00"  # the frozen clock of the test app, legacy format
NOW_REST = "2026-01-01T12:00:00.000Z"


def legacy_client(
    client: Any, key: str = DEMO_API_KEY, sid: str = DEMO_ACCOUNT_SID
) -> LegacyClient:
    return LegacyClient(URL, login=sid, password=key, transport=client)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def rpc_error(rpc: LegacyClient, method: str, *params: Any) -> LegacyError:
    try:
        result = rpc.call(method, *params)
    except LegacyError as error:
        return error
    raise AssertionError(f"{method}{params!r} answered {result!r} instead of an error")


def buy_number(
    rpc: LegacyClient, area_code_id: int = 331, number_class: str = "CLASSIC"
) -> dict[str, Any]:
    """Reserve and buy one number through JSON-RPC; returns the bought item."""
    reservation = rpc.call("did/store.reserve", area_code_id, number_class, 1, "RANDOM")
    order = rpc.call("did/store.buy_order", reservation["token"])
    [item] = order["success"]
    return dict(item)


def wav_base64(seconds: float = 2.0) -> str:
    return base64.b64encode(silent_wav(seconds)).decode()


def add_call(client: Any, direction: str, started: str) -> None:
    """A 30 s call (20 s answered) between +33639980042 and +33199001234, via the control API."""
    body = {
        "direction": direction,
        "callerNumber": "+33639980042",
        "callee": "+33199001234",
        "started": started,
        "durationTotal": 30,
        "durationAnswered": 20,
    }
    response = client.post(f"/_mock/accounts/{DEMO_ACCOUNT_SID}/calls", json=body)
    assert response.status_code == 201, response.get_json()
