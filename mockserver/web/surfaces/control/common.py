"""What every control route module shares: the blueprint, replies, bodies, errors.

Every control request is read and checked against ``spec/control.yaml`` through the same
compiled contract and the same reader as the Callr API (``pipeline.read_request``): bad
input is a 400 in the Callr error form before any route runs. Every answer is checked
against that spec too; a mismatch is a recorded violation (a 500 in strict mode), as on
the Callr API.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Any

from flask import Blueprint, Response, current_app, g, request

from ....base.errors import ApiError
from ....contract.compiled import Contract, Operation, contract_for
from ...frame.runtime import runtime_of
from ..rest import (
    JSON,
    Inputs,
    Surface,
    answer_message,
    read_request,
    record_exchange,
)

PREFIX = "/_mock"
CONTROL_SPEC_NAME = "control.yaml"
blueprint = Blueprint("control", __name__, url_prefix=PREFIX)


def control_contract() -> Contract:
    """spec/control.yaml, compiled once per process like the Callr spec."""
    return contract_for(str(resources.files("callr_mock.spec").joinpath(CONTROL_SPEC_NAME)))


_RULE_PARAM = re.compile(r"<(?:[^>:]+:)?([^>]+)>")


@functools.cache
def _routes(contract: Contract) -> dict[tuple[str, str], Operation]:
    """(method, Flask rule with its parameters unnamed) → the control operation."""
    return {
        (op.method, _RULE_PARAM.sub("<>", PREFIX + op.rule)): op
        for op in contract.operations.values()
    }


def _operation() -> Operation | None:
    rule = request.url_rule
    if rule is None:
        return None
    return _routes(control_contract()).get((request.method, _RULE_PARAM.sub("<>", rule.rule)))


def _path_values(op: Operation) -> dict[str, str]:
    """The route's path values under the spec's names (``<fault_id>`` is ``{id}``)."""
    names = _RULE_PARAM.findall(op.rule)
    given = request.view_args or {}
    in_rule = _RULE_PARAM.findall(request.url_rule.rule) if request.url_rule else []
    return {spec_name: str(given[name]) for spec_name, name in zip(names, in_rule, strict=True)}


def reply(body: Any = None, status: int = 200) -> Response:
    if body is None:
        return Response(status=204 if status == 200 else status)
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=JSON)


def _inputs() -> Inputs:
    inputs: Inputs | None = g.get("control_inputs")
    if inputs is None:  # a route the control spec does not describe (tests check there is none)
        raise LookupError(f"{request.method} {request.path} is not in spec/control.yaml")
    return inputs


def body() -> dict[str, Any]:
    """The request's JSON object, checked against spec/control.yaml (``{}`` when absent)."""
    data = _inputs().body
    return data if isinstance(data, dict) else {}


def query() -> dict[str, Any]:
    """The query parameters, coerced and checked against spec/control.yaml."""
    return _inputs().query


def path_values() -> dict[str, Any]:
    """The path parameters under the spec's names, coerced and checked (``seq`` is an int)."""
    return _inputs().path


def account_param() -> str | None:
    return query().get("account") or None


@blueprint.before_request
def _read_and_check() -> None:
    g.control_refused_early = True
    op = _operation()
    if op is None:
        return
    rt = runtime_of(current_app)
    surface = Surface(control_contract(), PREFIX, max_body_bytes=rt.settings.max_body_bytes)
    g.control_inputs = read_request(surface, op, request, _path_values(op))
    g.control_refused_early = False


@blueprint.after_request
def _check_answer(response: Response) -> Response:
    op = _operation()
    rt = runtime_of(current_app)
    if op is None or not rt.settings.validate_responses:
        return response
    content_type = response.mimetype if response.status_code != 204 else None
    answer: Any = None
    if content_type == JSON:
        answer = json.loads(response.get_data())
    problem = control_contract().check_response(
        op,
        response.status_code,
        content_type or None,
        answer,
        undeclared_ok=bool(g.get("control_refused_early", True)),
    )
    if problem is None:
        return response
    message = f"control API {problem}"
    status = 500 if rt.settings.strict else response.status_code
    record_exchange(
        rt,
        request,
        started=None,
        account=None,
        operation=f"control:{op.id}",
        status=status,
        violations=[message],
        response=answer_message([], response.mimetype, response.get_data()),
    )
    if rt.settings.strict:
        return reply({"code": "contract-violation", "message": message}, 500)
    return response


@blueprint.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    response = reply(error.body(), error.status)
    allowed = getattr(error, "allowed", None)
    if allowed:
        response.headers["Allow"] = ", ".join(sorted(allowed))
    return response
