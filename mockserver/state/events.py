"""Events fired by state changes (the 14 ``v2.*`` webhook types).

Each account keeps its own event journal; listeners registered on the store (the
webhook dispatcher) are told about every event right after it is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .timefmt import iso

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


# Legacy JSON-RPC webhook type names -> the v2 type of the same meaning (the migration guide).
LEGACY_EVENT_TYPES = {
    "billing.credit": "v2.billing.credit.topup",
    "billing.credit_warning": "v2.billing.credit.warning",
    "billing.credit_shutdown": "v2.billing.credit.shutdown",
    "call.inbound_start": "v2.call.inbound.started",
    "call.inbound_hangup": "v2.call.inbound.ended",
    "call.outbound_start": "v2.call.outbound.started",
    "call.outbound_hangup": "v2.call.outbound.ended",
    "job.status_update": "v2.task.updated",
    "media.library.status_update": "v2.audio-file.updated",
    "media.recording.status_update": "v2.recording.updated",
    "sms.mo": "v2.sms.inbound.received",
    "sms.mt.status_update": "v2.sms.outbound.updated",
}
UNMAPPED_LEGACY_EVENT_TYPES = {
    "did.assigned": "legacy did.assigned meant 'a number joined the account'; "
    "v2.number.assigned means 'a number was linked to a scenario'",
    "did.unassigned": "legacy did.unassigned meant 'a number left the account'; "
    "v2.number.unassigned means 'a number was unlinked from its scenario'",
    "media.recording.new": "v2 has no creation-only recording event; "
    "v2.recording.updated also fires on every status and read change",
}


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    timestamp: datetime
    account_sid: str
    payload: dict[str, Any]

    def envelope(self, subscription: str, tries: int = 0) -> dict[str, Any]:
        """The delivered body, as in Callr's v2 samples (the spec's ``WebhookEvent``):
        ``id``, ``at`` (when the event happened), ``sid`` (the subscription it is sent
        to; inferred), ``type``, ``try`` (attempts made before this one) and ``payload``."""
        return {
            "id": self.id,
            "at": iso(self.timestamp),
            "sid": subscription,
            "type": self.type,
            "try": tries,
            "payload": self.payload,
        }

    def record(self) -> dict[str, Any]:
        """The event as the control API lists it (``GET /_mock/events``): not sent to any
        subscription, so ``account`` where a delivery has ``sid`` and no ``try``."""
        return {
            "id": self.id,
            "at": iso(self.timestamp),
            "type": self.type,
            "account": self.account_sid,
            "payload": self.payload,
        }
