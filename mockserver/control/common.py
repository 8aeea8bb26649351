"""What every control route module shares: the blueprint, replies, bodies, errors."""

from __future__ import annotations

import json
from typing import Any

from callr_mock.state.errors import ApiError, InvalidInput
from flask import Blueprint, Response, request

blueprint = Blueprint("control", __name__, url_prefix="/_mock")


def reply(body: Any = None, status: int = 200) -> Response:
    if body is None:
        return Response(status=204 if status == 200 else status)
    return Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json"
    )


def body() -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise InvalidInput(
            f"control API body is not valid JSON: {error}", code="malformed-json"
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput("control API body must be a JSON object", code="invalid-body")
    return data


def account_param() -> str | None:
    return request.args.get("account") or None


@blueprint.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    return reply(error.body(), error.status)
