"""Events fired by state changes (the 14 ``v2.*`` webhook types).

Each account keeps its own event journal; listeners registered on the store (the
webhook dispatcher) are told about every event right after it is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from callr_mock.state.timefmt import iso

EVENT_TYPES = (
    "v2.billing.credit.topup",
    "v2.billing.credit.warning",
    "v2.billing.credit.shutdown",
    "v2.call.inbound.started",
    "v2.call.inbound.ended",
    "v2.call.outbound.started",
    "v2.call.outbound.ended",
    "v2.number.assigned",
    "v2.number.unassigned",
    "v2.task.updated",
    "v2.audio-file.updated",
    "v2.recording.updated",
    "v2.sms.inbound.received",
    "v2.sms.outbound.updated",
)


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    timestamp: datetime
    account_sid: str
    payload: dict[str, Any]

    def envelope(self, attempts: int = 0) -> dict[str, Any]:
        """The delivered body: the spec's ``WebhookEvent`` envelope."""
        return {
            "id": self.id,
            "type": self.type,
            "timestamp": iso(self.timestamp),
            "accountSid": self.account_sid,
            "attempts": attempts,
            "payload": self.payload,
        }
