"""Control routes for webhook deliveries.

- ``GET /_mock/deliveries`` lists deliveries, oldest first: ``id``, ``account``,
  ``eventId``, ``type``, ``subscription``, ``target``, ``state``
  (``pending`` | ``delivered`` | ``failed``), ``attempts``, ``lastStatus`` (HTTP status,
  null when there was no answer), ``lastError``, ``created``, ``lastAttemptAt``,
  ``nextAttemptAt``, ``finishedAt``, ``redeliveryOf`` (the delivery a redelivery repeats,
  else null) and ``history``: every attempt (``number``, ``at`` on the sandbox clock,
  ``target``, ``status`` or null, ``error``, ``durationMs``, ``response``: the start of
  the answer's body). Filters: ``account``, ``subscription``, ``state``, ``type``.
- ``GET /_mock/deliveries/{id}``: one delivery, same shape (404 if unknown).
- ``POST /_mock/deliveries/{id}/redeliver`` sends that delivery's event again to its
  subscription, as a new delivery tried once (``callr_mock.services.delivery``); answers 202 with it
  (state ``pending``). Unknown id: 404; deleted or disabled subscription: 409.
- ``POST /_mock/deliveries/flush`` waits (``{"timeout": seconds}``, default 10, at most
  60) until no delivery is ready to send or in flight. Deliveries waiting for a retry on
  the sandbox clock do not count: advance the clock to let them go. Answers
  ``{"idle": bool, "pending": n}``.
"""

from __future__ import annotations

from werkzeug.wrappers import Response

from ....state.webhooks import find_delivery
from ...frame.frame import Answer
from .common import ControlCall, reply, route


@route("deliveries")
def deliveries(call: ControlCall) -> Answer | Response:
    store = call.rt.store
    args = call.query
    sid = call.account_param
    with store.lock:
        accounts = [store.account(sid)] if sid else store.accounts()
        found = [
            item
            for account in accounts
            for item in account.webhooks.list_deliveries(
                subscription=args.get("subscription") or None,
                state=args.get("state") or None,
                type=args.get("type") or None,
            )
        ]
    return reply(found)


@route("getDelivery")
def delivery(call: ControlCall) -> Answer | Response:
    delivery_id = str(call.path["id"])
    store = call.rt.store
    with store.lock:
        return reply(find_delivery(store.accounts(), delivery_id)[1].to_dict())


@route("redeliver")
def redeliver(call: ControlCall) -> Answer | Response:
    delivery_id = str(call.path["id"])
    runtime = call.rt
    with runtime.store.lock:
        return reply(runtime.delivery.redeliver(delivery_id).to_dict(), 202)


@route("flushDeliveries")
def flush(call: ControlCall) -> Answer | Response:
    timeout = call.body.get("timeout", 10)
    service = call.rt.delivery
    idle = service.drain(float(timeout))
    return reply({"idle": idle, "pending": service.pending()})
