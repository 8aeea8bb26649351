"""Recordings: one JSON file per exchange, credentials and secrets redacted.

``Recorder(dir).write(exchange)`` is called by the proxy; ``read_recording(dir)`` gives the
exchanges back to ``callr-mock drift DIR``, which rebuilds the drift report from them.
Bodies are stored as JSON when they are JSON, else as text, else as base64, with every
secret redacted in each form (JSON fields, form fields, multipart parts); a body the proxy
could not content-decode is left out (it could not be searched for secrets).
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
from pathlib import Path
from typing import Any

from .drift import Exchange
from .encodings import decode, why_unchecked
from .scrubber import (
    Scrubber,
    redact_headers,
    redact_json,
    redact_multipart,
    redact_path,
    redact_query,
    redact_text,
)

FORMAT = "callr-mock-exchange/1"


class RecordingError(ValueError):
    """A recording directory or file that cannot be read."""


def _body_out(
    raw: bytes, scrub: Scrubber, content_type: str = "", encoding: str | None = None
) -> dict[str, Any]:
    """A body as recorded, every secret in it redacted: JSON (secret-named fields), other
    text (form and JSON-like fields, ``redact_text``), multipart (secret-named parts),
    else base64. A body still content-encoded (``encoding``: br without brotli, ...)
    cannot be searched for secrets, so it is left out and the record says why."""
    if encoding:
        return {
            "bodyEncoding": encoding,
            "bodyOmitted": f"{len(raw)} bytes, {why_unchecked(encoding)}",
        }
    if not raw:
        return {}
    try:
        return {"body": scrub.json(redact_json(json.loads(raw)))}
    except (ValueError, RecursionError):
        pass
    if content_type.lower().startswith("multipart/"):
        raw = redact_multipart(raw, content_type)
    try:
        return {"bodyText": scrub.text(redact_text(raw.decode("utf-8")))}
    except UnicodeDecodeError:
        return {"bodyBase64": base64.b64encode(raw).decode("ascii")}


def _encoding_in(part: dict[str, Any]) -> str | None:
    encoding = part.get("bodyEncoding")
    return str(encoding) if encoding else None


def _body_in(part: dict[str, Any]) -> bytes:
    if "body" in part:
        return json.dumps(part["body"], ensure_ascii=False).encode("utf-8")
    if "bodyText" in part:
        return str(part["bodyText"]).encode("utf-8")
    if "bodyBase64" in part:
        return base64.b64decode(part["bodyBase64"])
    return b""


def to_record(exchange: Exchange, *, seq: int, time: str, duration_ms: float) -> dict[str, Any]:
    scrub = Scrubber(exchange.request_headers)

    def headers(given: dict[str, str]) -> dict[str, str]:
        return {k: scrub.text(v) for k, v in redact_headers(given).items()}

    response = None
    if exchange.status is not None:
        response = {
            "status": exchange.status,
            "headers": headers(exchange.response_headers),
            **_body_out(
                exchange.response_body,
                scrub,
                exchange.response_headers.get("content-type", ""),
                exchange.response_encoding,
            ),
        }
    # a request body is searched for secrets once its content coding is undone
    request_body, request_encoding = decode(
        exchange.request_body, exchange.request_headers.get("content-encoding")
    )
    return {
        "format": FORMAT,
        "seq": seq,
        "time": time,
        "durationMs": duration_ms,
        "request": {
            "method": exchange.method,
            "path": scrub.text(redact_path(exchange.path)),
            "query": scrub.text(redact_query(exchange.query)),
            "headers": headers(exchange.request_headers),
            **_body_out(
                request_body,
                scrub,
                exchange.request_headers.get("content-type", ""),
                request_encoding,
            ),
        },
        "response": response,
        "upstreamError": exchange.upstream_error,
    }


def from_record(record: dict[str, Any]) -> Exchange:
    request = record["request"]
    response = record.get("response")
    return Exchange(
        method=str(request["method"]),
        path=str(request["path"]),
        query=str(request.get("query") or ""),
        request_headers={k.lower(): str(v) for k, v in (request.get("headers") or {}).items()},
        request_body=_body_in(request),
        status=int(response["status"]) if response else None,
        response_headers={
            k.lower(): str(v) for k, v in ((response or {}).get("headers") or {}).items()
        },
        response_body=_body_in(response or {}),
        upstream_error=record.get("upstreamError"),
        response_encoding=_encoding_in(response or {}),
    )


class Recorder:
    """Writes each exchange to ``DIR/000001-GET-ping.json`` (thread-safe numbering)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        existing = [int(p.name[:6]) for p in self.directory.glob("[0-9]" * 6 + "-*.json")]
        self._seq = itertools.count(max(existing, default=0) + 1)
        self._lock = threading.Lock()

    def write(self, exchange: Exchange, *, time: str, duration_ms: float, operation: str) -> Path:
        with self._lock:
            seq = next(self._seq)
        record = to_record(exchange, seq=seq, time=time, duration_ms=duration_ms)
        name = f"{seq:06d}-{exchange.method}-{re.sub(r'[^A-Za-z0-9_.-]', '_', operation)[:60]}.json"
        path = self.directory / name
        path.write_text(json.dumps(record, indent=1, ensure_ascii=False), encoding="utf-8")
        return path


def read_recording(directory: str | Path) -> list[Exchange]:
    """The exchanges of a recording directory, in order."""
    folder = Path(directory)
    if not folder.is_dir():
        raise RecordingError(f"{folder} is not a directory (give the --record DIR of a proxy run)")
    exchanges = []
    for path in sorted(folder.glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise RecordingError(f"{path}: not a readable JSON file ({error})") from None
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            raise RecordingError(f"{path}: not a callr-mock exchange (format {FORMAT} expected)")
        try:
            exchanges.append(from_record(record))
        except (KeyError, TypeError, ValueError) as error:
            raise RecordingError(f"{path}: malformed exchange ({error!r})") from None
    return exchanges
