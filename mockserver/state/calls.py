"""Call detail records (CDRs) added by the control API, and their export.

Records come from the control API (``POST /_mock/accounts/<sid>/calls``) or from seed
data. A record added through the control API fires ``v2.call.<direction>.started`` when
the sandbox clock reaches its ``started`` time and ``v2.call.<direction>.ended`` when it
reaches ``ended`` (at once, with those timestamps, when they are already past). Until it
has ended a record is *in progress*: rendered with ``answered``/``ended``/hangup null,
durations 0, ``status`` ``in-progress`` and no debit.

``POST /calls/export`` starts a ``calls-export`` task (see ``state/tasks.py`` for its
timing). When it completes it renders, at that sandbox time, every record that has ended,
started in ``[from, to)`` and matches ``direction``, oldest first, as CSV (header = the
CallRecord field names; null → empty cell; booleans ``true``/``false``) or JSON (an array
of CallRecord objects). The file is served by the control API at
``GET /_mock/exports/<taskid>`` and the task ``result`` is ``{url, format, records}``.

Magic failure: an export that would include a record whose caller or callee is the
``tasks`` magic number of ``fixtures/magic.yaml`` (``+33199000009``) ends ``failed`` with
error ``export-failed`` (no file).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

import phonenumbers
from phonenumbers import geocoder

from ..base.errors import ApiError, InvalidInput
from .money import fmt, to_money
from .numbers import NumberRepo
from .phone import is_possible_number, type_name
from .pricing import call_minute_price, magic_inputs
from .repo import Owner, Repo
from .scenarios import ScenarioRepo, parse_script
from .scheduler import Job, account_job
from .tasks import Task, TaskRepo, completion
from .timefmt import exact, iso, parse

# In the order of Callr's v2.call.inbound.ended sample
FIELDS = (
    "direction",
    "callid",
    "callerName",
    "callerNumber",
    "callerRestricted",
    "callee",
    "started",
    "answered",
    "ended",
    "status",
    "hangupSource",
    "hangupCause",
    "hangupTech",
    "durationTotal",
    "durationAnswered",
    "durationBilled",
    "billingDestinationLabel",
    "billingDestinationID",
    "billingDebit",
    "billingCredit",
    "billingPaymentType",
    "scenarioSid",
    "scenarioName",
    "scenarioTypeName",
    "scenarioTypeVersion",
)
SIP_TECH = re.compile(r"^sip:[1-6][0-9]{2}$")
EXPORT_FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
CALL_STATUSES = ("answered", "missed", "failed")
HANGUP_SOURCES = ("caller", "callee", "system")
# libphonenumber type -> (the kind in Callr's label "France - Geographic", its digit in the
# destination ID); other types are "Other"
_LABEL_KINDS = {
    "FIXED_LINE": ("Geographic", 1),
    "FIXED_LINE_OR_MOBILE": ("Geographic", 1),
    "MOBILE": ("Mobile", 2),
    "TOLL_FREE": ("Toll-free", 3),
}
_OTHER_KIND = ("Other", 9)
# The SIP status of a hangup, by its Q.850 cause (RFC 3398 §8.2.6.1; 16, a normal clearing,
# is the 200 of Callr's sample); any other cause is sip:500
_SIP_OF_CAUSE = {
    1: 404, 3: 404, 16: 200, 17: 486, 18: 408, 19: 480, 20: 480, 21: 403, 22: 410,
    27: 502, 28: 484, 31: 480, 34: 503, 38: 503, 41: 503, 42: 503, 47: 503, 55: 403,
    57: 403, 58: 503, 65: 488, 70: 488, 79: 501, 87: 403, 88: 503, 102: 504, 111: 500,
    127: 500,
}  # fmt: skip
SCENARIO_TYPE = ("Actions", None)  # Callr Actions; the version is the scenario's own


@dataclass(eq=False)
class CallRecord:
    callid: int
    direction: str
    caller_number: str
    callee: str
    started: datetime
    ended: datetime | None
    answered: datetime | None = None
    caller_name: str = ""
    caller_restricted: bool = False
    duration_total: int = 0
    duration_answered: int = 0
    duration_billed: int = 0
    hangup_cause: int | None = None
    hangup_source: str | None = None
    hangup_tech: str | None = None  # "sip:<status>"; None: from the cause
    status: str = "missed"
    debit: Decimal = Decimal("0")
    credit: Decimal = Decimal("0")
    label: str = ""
    destination_id: int = 0
    payment_type: str = "prepaid"
    # the scenario of the account's number in the call when it was made: (sid, name,
    # version), or None
    scenario: tuple[str, str, str] | None = None
    digits: str = ""
    """What the caller keys in (control API ``digits``): read by the run's ``gather@v2``."""
    shaped: bool = False
    """Left for its scenario's run to decide (answered or missed, who hung up): an inbound
    call to a number with an ``inbound-call`` branch, added without ``status`` or
    ``durationAnswered``."""
    seq: int = 0

    def has_ended(self, now: datetime) -> bool:
        return self.ended is not None and self.ended <= now

    def to_api(self, now: datetime | None = None) -> dict[str, Any]:
        """The CDR; ``now`` before ``ended`` renders the in-progress view."""
        done = self.ended is not None and (now is None or self.ended <= now)
        sid, name, version = self.scenario or (None, None, None)
        return {
            "direction": self.direction,
            "callid": self.callid,
            "callerName": self.caller_name,
            "callerNumber": self.caller_number,
            "callerRestricted": self.caller_restricted,
            "callee": self.callee,
            "started": iso(self.started),
            "answered": iso(self.answered) if done else None,
            "ended": iso(self.ended) if done else None,
            "status": self.status if done else "in-progress",
            "hangupSource": self.hangup_source if done else None,
            "hangupCause": self.hangup_cause if done else None,
            "hangupTech": (self.hangup_tech or sip_of(self.hangup_cause)) if done else None,
            "durationTotal": self.duration_total if done else 0,
            "durationAnswered": self.duration_answered if done else 0,
            "durationBilled": self.duration_billed if done else 0,
            "billingDestinationLabel": self.label,
            "billingDestinationID": self.destination_id,
            "billingDebit": fmt(self.debit if done else 0),
            "billingCredit": fmt(self.credit if done else 0),
            "billingPaymentType": self.payment_type,
            "scenarioSid": sid,
            "scenarioName": name,
            "scenarioTypeName": SCENARIO_TYPE[0] if sid else None,
            "scenarioTypeVersion": version,
        }


@dataclass
class ExportFile:
    task_sid: str
    format: str
    content: bytes
    records: int

    @property
    def content_type(self) -> str:
        return EXPORT_FORMATS[self.format]

    @property
    def filename(self) -> str:
        return f"calls-{self.task_sid}.{self.format}"


def destination_of(number: str) -> tuple[str, int, str]:
    """The billing destination of a called number: Callr's label (``France - Geographic``,
    as in Callr's sample), its ID (ours: the country calling code times ten plus the kind,
    1 geographic, 2 mobile, 3 toll-free, 9 other; inferred) and the kind (``Geographic``),
    which prices a minute (``pricing.call_minute_price``)."""
    if not is_possible_number(number):
        return "Unknown - Other", _OTHER_KIND[1], _OTHER_KIND[0]
    parsed = phonenumbers.parse(number)
    region = phonenumbers.region_code_for_number(
        parsed
    ) or phonenumbers.region_code_for_country_code(parsed.country_code or 0)
    region = region if region and region != "ZZ" else ""
    kind, digit = _LABEL_KINDS.get(type_name(parsed, region), _OTHER_KIND)
    country = geocoder.country_name_for_number(parsed, "en") or region or "Unknown"
    return f"{country} - {kind}", (parsed.country_code or 0) * 10 + digit, kind


def sip_of(cause: int | None) -> str | None:
    """``hangupTech`` for a Q.850 hangup cause: ``sip:<status>`` (``sip:200`` for 16)."""
    if cause is None:
        return None
    return f"sip:{_SIP_OF_CAUSE.get(cause, 500)}"


def magic_failure_numbers() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = magic_inputs().get("tasks", {})
    return {number: row for number, row in table.items() if row.get("outcome") == "failed"}


def render(records: list[dict[str, Any]], export_format: str) -> bytes:
    if export_format == "json":
        return json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for record in records:
        writer.writerow([_cell(record[name]) for name in FIELDS])
    return out.getvalue().encode("utf-8")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class CallOwner(Owner, Protocol):
    """What the call records use of their account: its numbers, scenarios and tasks."""

    numbers: NumberRepo
    scenarios: ScenarioRepo
    tasks: TaskRepo


class CallRepo(Repo[CallRecord]):
    """Call records (CDRs), keyed by their place in creation order: a ``callid`` given
    on the control API need not be unique."""

    seed_schema = "CallRecord"
    not_found = "no call record {key} on this account"
    key_attr = "seq"
    # an in-progress record renders without its end: a state file keeps every field
    private_fields = tuple(f.name for f in fields(CallRecord) if f.name != "seq")
    private_attrs = ("exports",)
    exports: dict[str, ExportFile]

    account: CallOwner

    def __init__(self, account: CallOwner) -> None:
        super().__init__(account)
        self.exports: dict[str, ExportFile] = {}

    # -- records (control API) ---------------------------------------------
    def add(self, data: dict[str, Any]) -> CallRecord:
        """Add a CDR from the control API body; schedule its started/ended events.

        ``direction`` (inbound|outbound), ``callerNumber`` and ``callee`` are required.
        Optional: ``started`` (RFC 3339, default now), ``durationTotal`` (s, default 0),
        ``durationAnswered`` (s, default 0; > 0 means answered), ``status``
        (answered|missed|failed), ``callerName``, ``callerRestricted``, ``hangupCause``,
        ``hangupSource``, ``hangupTech`` (``sip:<status>``, default from the cause),
        ``durationBilled`` (default: answered seconds rounded up to the minute),
        ``billingDebit``, ``billingCredit``, ``billingDestinationLabel``,
        ``billingDestinationID``, ``callid``. The scenario fields are those of the
        scenario the account's number in the call (the callee inbound, the caller
        outbound) is assigned to when the record is added.
        """
        direction = data.get("direction")
        if direction not in ("inbound", "outbound"):
            raise InvalidInput("direction: must be 'inbound' or 'outbound'")
        restricted = _boolean(data, "callerRestricted", False)
        caller = _text(data, "callerNumber", "" if restricted else None)
        callee = _text(data, "callee", None)
        started = _date(data, "started") or self.store.clock.now()
        total = _seconds(data, "durationTotal", 0)
        answered_for = _seconds(data, "durationAnswered", 0)
        if answered_for > total:
            raise InvalidInput("durationAnswered: must not be more than durationTotal")
        status = data.get("status") or ("answered" if answered_for > 0 else "missed")
        if status not in CALL_STATUSES:
            raise InvalidInput(f"status: must be one of {', '.join(CALL_STATUSES)}")
        source = data.get("hangupSource") or ("callee" if status == "answered" else "system")
        if source not in HANGUP_SOURCES:
            raise InvalidInput(f"hangupSource: must be one of {', '.join(HANGUP_SOURCES)}")
        ended = started + timedelta(seconds=total)
        tech = data.get("hangupTech")
        if tech is not None and not (isinstance(tech, str) and SIP_TECH.match(tech)):
            raise InvalidInput('hangupTech: must be "sip:<status>", e.g. "sip:200"')
        label, destination_id, kind = destination_of(callee)
        billed = _seconds(data, "durationBilled", math.ceil(answered_for / 60) * 60)
        minutes = Decimal(math.ceil(billed / 60))
        record = CallRecord(
            callid=_integer(data, "callid", None) or self._new_callid(),
            direction=direction,
            caller_number=caller,
            callee=callee,
            started=started,
            ended=ended,
            answered=ended - timedelta(seconds=answered_for) if status == "answered" else None,
            caller_name=_text(data, "callerName", ""),
            caller_restricted=restricted,
            duration_total=total,
            duration_answered=answered_for,
            duration_billed=billed,
            hangup_cause=_integer(data, "hangupCause", 16 if status == "answered" else 19),
            hangup_source=source,
            hangup_tech=tech,
            status=status,
            debit=_money(data, "billingDebit", minutes * call_minute_price(kind)),
            credit=_money(data, "billingCredit", Decimal(0)),
            label=_text(data, "billingDestinationLabel", label),
            destination_id=_integer(data, "billingDestinationID", destination_id),
            scenario=self._scenario_of(callee if direction == "inbound" else caller),
            digits=_text(data, "digits", ""),
            shaped=direction == "inbound"
            and "status" not in data
            and "durationAnswered" not in data
            and self._runs_on_call(callee),
        )
        self.insert(record)
        now = self.store.clock.now()
        for event, due in (("started", record.started), ("ended", ended)):
            event_type = f"v2.call.{direction}.{event}"
            if due <= now:
                self.fire(self.key(record), event_type, due)
            else:
                args = {"call": self.key(record), "event": event_type}
                self.store.scheduler.schedule(due, "call.event", args, owner=self.account.sid)
        return record

    def fire(self, key: str, event_type: str, at: datetime) -> None:
        """A call's started/ended time is reached (nothing for a record since removed);
        when it ends, its debit is taken from the credit (a call that happened is never
        refused)."""
        record = self.items.get(key)
        if record is None:
            return
        if event_type.endswith(".ended"):
            self.account.credit.debit(record.debit - record.credit, at)
        self.account.emit(event_type, record.to_api(at), at=at)

    def _scenario_of(self, number: str) -> tuple[str, str, str] | None:
        owned = self.account.numbers.items.get(number)
        if owned is None or owned.scenario is None:
            return None
        scenario = self.account.scenarios.get(owned.scenario)
        return scenario.sid, scenario.name, scenario.version

    def _runs_on_call(self, number: str) -> bool:
        """The number's scenario has an ``inbound-call`` branch (its run shapes the call)."""
        owned = self.account.numbers.items.get(number)
        if owned is None or owned.scenario is None:
            return False
        script = self.account.scenarios.get(owned.scenario).script
        return "inbound-call" in parse_script(script)["branches"]

    def shape(self, callid: int, *, answered: bool, hungup_by_scenario: bool) -> None:
        """What the scenario's run did to its call (inferred rules, docs/actions.md): answered
        for the whole of ``durationTotal`` or missed; hung up by the callee side (the
        scenario's ``hangup@v1``), else by the caller (answered) or the system (missed).
        The billed minutes and the debit follow. A record not left to its run is kept."""
        record = next((r for r in self.items.values() if r.callid == callid), None)
        if record is None or not record.shaped:
            return
        record.shaped = False
        total = record.duration_total
        record.status = "answered" if answered else "missed"
        record.duration_answered = total if answered else 0
        record.answered = record.started if answered else None
        record.duration_billed = math.ceil(record.duration_answered / 60) * 60
        record.hangup_cause = 16 if answered else 19
        record.hangup_source = (
            "callee" if hungup_by_scenario else ("caller" if answered else "system")
        )
        kind = destination_of(record.callee)[2]
        before = record.debit
        record.debit = Decimal(math.ceil(record.duration_billed / 60)) * call_minute_price(kind)
        now = self.store.clock.now()
        if record.has_ended(now) and record.debit > before:  # its end was debited already
            self.account.credit.debit(record.debit - before, now)
        self.reindex(record)

    def _new_callid(self) -> int:
        return int("2" + self.store.ids.digits(11))

    def ended(
        self,
        at: datetime,
        *,
        direction: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[CallRecord]:
        """Calls ended by ``at`` and started in ``[start, end)``, oldest first."""
        return [
            record
            for record in sorted(self.items.values(), key=lambda r: (r.started, r.seq))
            if record.has_ended(at)
            and (direction is None or record.direction == direction)
            and (start is None or record.started >= start)
            and (end is None or record.started < end)
        ]

    # -- export -------------------------------------------------------------
    def export(
        self,
        *,
        direction: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        export_format: str = "csv",
        base_url: str = "",
    ) -> Task:
        """Start a ``calls-export`` task; the file is rendered when the task completes."""
        if start is not None and end is not None and start > end:
            raise InvalidInput("from: must not be later than to", code="invalid-range")
        if export_format not in EXPORT_FORMATS:
            raise InvalidInput(f"format: must be one of {', '.join(EXPORT_FORMATS)}")
        args = {
            "direction": direction,
            "from": exact(start) if start else None,
            "to": exact(end) if end else None,
            "format": export_format,
            "baseUrl": base_url,
        }
        return self.account.tasks.start("calls-export", complete=("calls.export", args))

    def complete_export(self, task: Task, args: dict[str, Any], at: datetime) -> dict[str, Any]:
        """The export task completes: render the file of the calls ended by ``at``."""
        start, end = args["from"], args["to"]
        chosen = self.ended(
            at,
            direction=args["direction"],
            start=parse(start) if start else None,
            end=parse(end) if end else None,
        )
        magic = magic_failure_numbers()
        for record in chosen:
            for number in (record.caller_number, record.callee):
                if number in magic:
                    raise ApiError(
                        f"the export includes call {record.callid} with {number}: {magic[number]['reason']}",
                        code="export-failed",
                    )
        rows = [record.to_api(at) for record in chosen]
        export_format = args["format"]
        self.exports[task.sid] = ExportFile(
            task.sid, export_format, render(rows, export_format), len(rows)
        )
        return {
            "url": f"{args['baseUrl']}/_mock/exports/{task.sid}",
            "format": export_format,
            "records": len(rows),
        }

    # -- snapshot / seed ----------------------------------------------------
    def snapshot(self) -> list[dict[str, Any]]:
        now = self.store.clock.now()
        return [record.to_api(now) for record in self.ordered()]

    def load(self, obj: dict[str, Any]) -> CallRecord:
        """A CDR as the API renders it; no events fire for seeded records."""

        def when(value: str | None) -> datetime | None:
            return parse(value) if value else None

        return self.insert(
            CallRecord(
                callid=obj["callid"],
                direction=obj["direction"],
                caller_number=obj["callerNumber"],
                callee=obj["callee"],
                started=parse(obj["started"]),
                ended=when(obj.get("ended")),
                answered=when(obj.get("answered")),
                caller_name=obj["callerName"],
                caller_restricted=obj["callerRestricted"],
                duration_total=obj["durationTotal"],
                duration_answered=obj["durationAnswered"],
                duration_billed=obj["durationBilled"],
                hangup_cause=obj.get("hangupCause"),
                hangup_source=obj.get("hangupSource"),
                hangup_tech=obj.get("hangupTech"),
                status=obj["status"] if obj["status"] != "in-progress" else "missed",
                debit=to_money(obj["billingDebit"]),
                credit=to_money(obj["billingCredit"]),
                label=obj["billingDestinationLabel"],
                destination_id=obj["billingDestinationID"],
                payment_type=obj["billingPaymentType"],
                scenario=(obj["scenarioSid"], obj["scenarioName"], obj["scenarioTypeVersion"])
                if obj.get("scenarioSid")
                else None,
            )
        )


@account_job("call.event")
def _run_call_event(account: Any, job: Job) -> None:
    account.calls.fire(job.args["call"], job.args["event"], job.due)


@completion("calls.export")
def _complete_export(
    account: Any, task: Task, args: dict[str, Any], at: datetime
) -> dict[str, Any]:
    result: dict[str, Any] = account.calls.complete_export(task, args, at)
    return result


# -- control API body helpers ---------------------------------------------------------


def _text(data: dict[str, Any], name: str, default: str | None) -> str:
    value = data.get(name, default)
    if value is None:
        raise InvalidInput(f"{name}: required")
    if not isinstance(value, str):
        raise InvalidInput(f"{name}: must be a string")
    return value


def _boolean(data: dict[str, Any], name: str, default: bool) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise InvalidInput(f"{name}: must be true or false")
    return value


def _integer(data: dict[str, Any], name: str, default: int | None) -> int:
    value = data.get(name, default)
    if value is None:
        return 0
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput(f"{name}: must be an integer")
    return value


def _seconds(data: dict[str, Any], name: str, default: int) -> int:
    value = _integer(data, name, default)
    if value < 0:
        raise InvalidInput(f"{name}: must be >= 0 seconds")
    return value


def _date(data: dict[str, Any], name: str) -> datetime | None:
    value = data.get(name)
    if value is None:
        return None
    try:
        return parse(value)
    except (ValueError, TypeError):
        raise InvalidInput(
            f"{name}: must be an RFC 3339 date-time, e.g. 2025-03-29T17:55:57.093Z"
        ) from None


def _money(data: dict[str, Any], name: str, default: Decimal) -> Decimal:
    value = data.get(name, default)
    try:
        amount = to_money(value)
    except ArithmeticError:
        raise InvalidInput(f'{name}: must be a decimal amount, e.g. "5.50"') from None
    if amount < 0:
        raise InvalidInput(f"{name}: must be >= 0")
    return amount
