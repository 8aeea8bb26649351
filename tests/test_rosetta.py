"""The Rosetta Stone table and ``callr-mock rosetta``."""

from __future__ import annotations

import pytest
from callr_mock.contract.compiled import contract_for
from callr_mock.handlers.legacy import methods, rosetta
from callr_mock.running.cli import main as cli_main


def test_the_table_is_the_guides() -> None:
    assert len(rosetta.ROWS) == 39 == len(rosetta.TABLE)
    assert len(rosetta.rest_operations()) == 41
    assert [len(rosetta.TABLE[m].rest) for m in ("apps.assign_did", "apps.remove_did")] == [3, 3]
    assert [str(r) for r in rosetta.TABLE["media/recording.delete_async"].rest] == [
        "DELETE /recordings/{sid}",
        "DELETE /recordings",
    ]
    assert str(rosetta.TABLE["jobs.get"].rest[0]) == "POST /tasks/{taskid}"  # as printed
    assert str(rosetta.TABLE["webhooks.get_list"].rest[0]) == "GET /webhooks/search"


def test_every_rest_side_is_an_operation_of_the_spec() -> None:
    operations = contract_for(None).operations
    for rest in rosetta.rest_operations():
        op = operations[rest.operation_id]
        assert (op.method, op.path) == (rest.method, rest.path), rest


def test_every_legacy_side_is_served() -> None:
    assert set(rosetta.TABLE) <= set(methods())


def test_one_method(capsys: pytest.CaptureFixture[str]) -> None:
    assert rosetta.main(["sms.send"]) == 0
    out = capsys.readouterr().out
    assert "POST /v2.0/sms" in out and "[sendSms]" in out
    assert "sms.send(from, to, text, options?)" in out


def test_several_rest_equivalents(capsys: pytest.CaptureFixture[str]) -> None:
    assert rosetta.main(["apps.assign_did"]) == 0
    out = capsys.readouterr().out
    assert out.count("→") == 3 and "PATCH /v2.0/numbers/{number}" in out


def test_the_whole_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert rosetta.main([]) == 0
    out = capsys.readouterr().out
    assert "39 legacy methods, 41 REST operations." in out
    for row in rosetta.ROWS:
        assert row.legacy in out


def test_reverse_lookup(capsys: pytest.CaptureFixture[str]) -> None:
    assert rosetta.main(["PATCH", "/recordings/{sid}"]) == 0
    out = capsys.readouterr().out
    assert (
        "media/recording.mark_as_read_async" in out
        and "media/recording.mark_as_unread_async" in out
    )
    assert rosetta.main(["/v2.0/billing/credit"]) == 0
    assert "billing.get_prepaid_credit" in capsys.readouterr().out
    assert rosetta.main(["GET /nowhere"]) == 1


def test_unknown_method_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    assert rosetta.main(["sms.sned"]) == 1
    err = capsys.readouterr().err
    assert "did you mean sms.send" in err


def test_through_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["rosetta", "jobs.get"]) == 0
    out = capsys.readouterr().out
    assert "POST /v2.0/tasks/{taskid}" in out and "GET /tasks/{taskid} works too" in out
    assert cli_main(["rosetta", "nope.nope"]) == 1
