"""Every OpenAPI link of the served spec leads to a 2xx, as a stateful tool follows it.

For each link (a source operation's answer feeding a target operation's path parameter):
the source is called with a valid request, the link's runtime expression is read from its
answer, the target is called with that value (its other path parameters from the same
sandbox, its body from the spec's own example) and must answer 2xx. A link attached to the
wrong answer, an expression that points at nothing, or a target the sandbox refuses fails
here (the stateful phase of a user's schemathesis run would wander past it).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from callr_mock import Settings, create_app
from callr_mock.state.audio_formats import silent_wav

from tests.conftest import Api


def links(spec: dict[str, Any]) -> list[tuple[str, str, str, str, dict[str, str]]]:
    """(source operationId, status, link name, target operationId, parameters)."""
    found = []
    for item in spec["paths"].values():
        for op in item.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            for status, answer in op["responses"].items():
                for name, link in (answer.get("links") or {}).items():
                    found.append(
                        (op["operationId"], status, name, link["operationId"], link["parameters"])
                    )
    return found


def operations(spec: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {
        op["operationId"]: (method.upper(), path, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    }


SPEC = create_app().extensions["callr_mock"].contract.document
LINKS = links(SPEC)
OPERATIONS = operations(SPEC)
SCRIPT = "branches:\n  api-initiated:\n    actions:\n      - action: log@v1\n"


class Sandbox:
    """One fresh sandbox per link, with what a target's other parameters need."""

    def __init__(self) -> None:
        self.app = create_app(Settings(clock="frozen", seed_path="demo", id_seed=7))
        self.client = self.app.test_client()
        self.api = Api(self.client)

    def ok(self, response: Any) -> Any:
        assert 200 <= response.status_code < 300, response.get_data(as_text=True)
        return response.get_json()

    def scenario(self) -> str:
        return str(
            self.ok(self.api.post("/actions", json={"name": "Linked", "script": SCRIPT}))["sid"]
        )

    def reservation(self) -> dict[str, Any]:
        where = {"country": "FR", "area": "paris", "quantity": 1}
        return dict(self.ok(self.api.post("/numbers/store", json=where)))

    def number(self) -> str:
        token = self.reservation()["token"]
        return str(self.ok(self.api.post(f"/numbers/store/{token}"))["numbers"][0]["e164"])

    def assigned(self) -> tuple[str, str]:
        """A scenario and a number assigned to it."""
        sid, number = self.scenario(), self.number()
        self.ok(self.api.put(f"/actions/{sid}/numbers/{number}"))
        return sid, number

    def source(self, operation_id: str) -> tuple[Any, dict[str, str]]:
        """A valid call of the link's source operation: its answer and its path parameters."""
        api = self.api
        if operation_id in ("assignScenarioNumber", "assignNumberScenario"):
            sid, number = self.scenario(), self.number()
            url = (
                f"/actions/{sid}/numbers/{number}"
                if operation_id == "assignScenarioNumber"
                else f"/numbers/{number}/scenario/{sid}"
            )
            return self.ok(api.put(url)), {"sid": sid, "number": number}
        if operation_id in ("getRecording", "updateRecording"):
            sid = self.ok(api.get("/recordings"))["hits"][0]["sid"]
            if operation_id == "getRecording":
                return self.ok(api.get(f"/recordings/{sid}")), {"sid": sid}
            return self.ok(api.patch(f"/recordings/{sid}", json={"read": True})), {"sid": sid}
        if operation_id == "getScenario":
            sid, _ = self.assigned()
            return self.ok(api.get(f"/actions/{sid}")), {"sid": sid}
        if operation_id == "getNumber":
            _, number = self.assigned()
            return self.ok(api.get(f"/numbers/{number}")), {"number": number}
        if operation_id == "updateNumber":
            number = self.number()
            answer = api.patch(f"/numbers/{number}", json={"autoRenew": False})
            return self.ok(answer), {"number": number}
        return self.answer(operation_id), {}

    def answer(self, operation_id: str) -> Any:
        """The answer of a valid call of a source without path parameters."""
        api = self.api
        if operation_id == "searchScenarios":  # the first hit has a number
            self.assigned()
            return self.ok(api.get("/actions", query_string={"name": "Linked"}))
        if operation_id == "createScenario":
            return self.ok(api.post("/actions", json={"name": "Linked", "script": SCRIPT}))
        if operation_id == "runScenario":
            return self.ok(api.post(f"/actions/{self.scenario()}/runs", json={}))
        if operation_id == "searchNumbers":  # the first hit is assigned to a scenario
            sid, _ = self.assigned()
            return self.ok(api.get("/numbers", query_string={"scenario": sid}))
        if operation_id == "reserveNumbers":
            return self.reservation()
        if operation_id == "buyReservation":
            return self.ok(api.post(f"/numbers/store/{self.reservation()['token']}"))
        if operation_id == "sendSms":
            return self.ok(
                api.post("/sms", query_string={"to": "+33612345678"}, json={"text": "hi"})
            )
        if operation_id == "exportCalls":
            return self.ok(api.post("/calls/export", json={}))
        if operation_id == "createAudioFile":
            return self.ok(api.post("/audio-files", json={"name": "greeting"}))
        if operation_id == "searchRecordings":
            return self.ok(api.get("/recordings"))
        if operation_id == "deleteRecordings":
            everything = {"createdBefore": "2100-01-01T00:00:00Z"}
            return self.ok(api.delete("/recordings", query_string=everything))
        if operation_id == "createWebhook":
            hook = {"type": "v2.sms.outbound.updated", "endpoint": "http://127.0.0.1:9/hook"}
            return self.ok(api.post("/webhooks", json=hook))
        raise AssertionError(f"no valid request written for the source {operation_id}")

    def target(self, operation_id: str, given: dict[str, str]) -> Any:
        """The target, its linked parameter given, the others from this sandbox."""
        method, path, op = OPERATIONS[operation_id]
        values = dict(given)
        for name in ("sid", "number"):
            if "{" + name + "}" in path and name not in values:
                values[name] = self.scenario() if name == "sid" else self.number()
        if operation_id.startswith("unassign"):  # unassigning needs an assignment first
            self.ok(self.api.put(f"/actions/{values['sid']}/numbers/{values['number']}"))
        url = path
        for name, value in values.items():
            url = url.replace("{" + name + "}", value)
        kwargs: dict[str, Any] = {}
        content = (op.get("requestBody") or {}).get("content") or {}
        if "application/json" in content:
            example = content["application/json"].get("examples", {}).get("default", {})
            if "$ref" in example:
                example = SPEC["components"]["examples"][example["$ref"].split("/")[-1]]
            body = dict(example.get("value", {}))
            if "scenario" in body:  # the example's sid is Callr's placeholder: one of ours
                body["scenario"] = self.scenario()
            kwargs["json"] = body
        elif "multipart/form-data" in content:
            kwargs["data"] = {"file": (io.BytesIO(silent_wav(1)), "greeting.wav", "audio/wav")}
            kwargs["content_type"] = "multipart/form-data"
        return self.api.request(method, url.removeprefix("/v2.0"), **kwargs)


def pointer(document: Any, path: dict[str, str], expression: str) -> str:
    if expression.startswith("$request.path."):
        return path[expression.removeprefix("$request.path.")]
    assert expression.startswith("$response.body#/"), expression
    for part in expression.split("#/", 1)[1].split("/"):
        document = document[int(part)] if isinstance(document, list) else document[part]
    return str(document)


def test_every_link_is_walked() -> None:
    sources = {source for source, *_ in LINKS}
    assert len(LINKS) >= 40 and len(sources) >= 10


@pytest.mark.parametrize(
    ("source", "status", "name", "target", "parameters"),
    LINKS,
    ids=[f"{source}-{name}" for source, _, name, *_ in LINKS],
)
def test_a_link_leads_to_a_2xx(
    source: str, status: str, name: str, target: str, parameters: dict[str, str]
) -> None:
    sandbox = Sandbox()
    answer, path = sandbox.source(source)
    given = {param: pointer(answer, path, expr) for param, expr in parameters.items()}
    response = sandbox.target(target, given)
    assert 200 <= response.status_code < 300, (
        f"{source} {status} --{name}--> {target} {given}: {response.status_code} "
        f"{response.get_data(as_text=True)[:300]}"
    )
    assert sandbox.client.get("/_mock/violations").get_json() == []
