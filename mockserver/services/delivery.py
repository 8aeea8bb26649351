"""Webhook delivery: real, signed HTTP POSTs, retried with backoff on the sandbox clock.

``WebhookDelivery`` is built from the parts it uses (the store, the contract, the journal,
the coverage tally, the settings and the envelope styles): ``Runtime.delivery``.

How it works:

- It listens to every event of the store. The listener runs under the store lock, so
  it only *enqueues*: for each enabled subscription of the event's account and type it
  records a ``Delivery`` (in the account's ``WebhookRepo``, shown by
  ``GET /_mock/deliveries``) and appends it to that subscription's FIFO *lane*.
- A lane with work gets its own short-lived thread, started on demand (also in tests
  that use the Flask test client and never call ``start_background()``). The thread
  POSTs the head of the lane, with no lock held, then records the outcome.
  Lanes are independent: a slow or dead receiver never delays another subscription.
- Order: the head of a lane blocks the events behind it until it is delivered or has
  failed for good, so a receiver that comes back gets every event, in order.
- A 2XX answer is a success. Anything else (another status, a redirect, which is never
  followed, a connection error, a timeout of ``settings.webhook_timeout`` seconds) is a
  failed attempt: the next one is scheduled on the *sandbox* clock after
  1, 2, 4, 8, ... seconds (capped at ``BACKOFF_CAP``), up to ``MAX_ATTEMPTS`` attempts in
  all, after which the delivery is ``failed``. With a frozen clock nothing is retried
  until the clock is advanced; with a real clock the runtime's ticker runs the retry.
- Every attempt is kept in the delivery's ``history`` (``Attempt``: number, sandbox time,
  target, HTTP status or none, error, duration, the first ``RESPONSE_SNIPPET`` bytes of
  the answer's body) and written to the request journal (method POST, path = the target URL,
  status = the HTTP status or 0 when there was no answer). The envelope is checked
  against the spec's webhook schema before it is sent; a mismatch is recorded as a
  contract violation (the event is still sent).

``redeliver(delivery_id)`` sends a recorded delivery's event again to its subscription, as
``POST /_mock/deliveries/{id}/redeliver`` does: a new delivery (``redeliveryOf`` names the
original), queued at the tail of the subscription's lane like any event (so it waits behind
the lane's head), signed the same way, and tried once (``REDELIVERY_ATTEMPTS``): a manual
resend is not retried, as on GitHub and Stripe.

``drain(timeout)`` waits until no lane has a send ready or in flight (lanes waiting for a
retry on the sandbox clock count as idle); tests and ``POST /_mock/deliveries/flush``
use it. It must not be called while holding the store lock.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import logging
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import requests
import urllib3
import urllib3.connection

from ..base.journal import Journal, JournalEntry, Message, Violation
from ..base.settings import Settings
from ..contract.compiled import Contract
from ..contract.coverage import CoverageTally
from ..state.events import Event
from ..state.scheduler import Job
from ..state.store import Store
from ..state.timefmt import iso
from ..state.webhooks import Attempt, Delivery, WebhookRepo, find_delivery
from .addresses import private_address

log = logging.getLogger("callr_mock.webhooks")

MAX_ATTEMPTS = 11  # the first send and 10 retries: the envelope's ``try`` goes 0..10
REDELIVERY_ATTEMPTS = 1
RESPONSE_SNIPPET = 256  # bytes of a receiver's answer kept in the attempt history
TRUNCATED = "…[truncated]"
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_CAP = 300.0
USER_AGENT = "callr-mock-webhooks/1"  # v2 deliveries: Callr's own is not published
EVENT_ID_HEADER = "X-CALLR-EventId"
SIGNATURE_HEADER = "X-CALLR-HmacSignature"
RETRY_JOB = "webhook.retry"  # the scheduler job that lets a lane's head go again
MAX_SENDERS = 16  # lane threads at most: 200 subscriptions wait their turn, not 200 threads
DEADLINE_FACTOR = 2.0  # an attempt's wall-clock deadline: this many webhook timeouts


# -- a wall-clock deadline per attempt ------------------------------------------------------
# requests' timeout bounds each socket read, so a receiver that dribbles a byte a second
# would hold a lane for as long as it likes. Every connection a lane opens is noted (on the
# lane's thread) and shut down by a timer at the attempt's deadline, which ends the read.
_opened = threading.local()


def _note(sock: Any) -> None:
    socks = getattr(_opened, "socks", None)
    if socks is not None and sock is not None:
        socks.append(sock)


class _NotedHTTPConnection(urllib3.connection.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _note(self.sock)


class _NotedHTTPSConnection(urllib3.connection.HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _note(self.sock)


class _NotedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _NotedHTTPConnection


class _NotedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _NotedHTTPSConnection


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # never through an HTTP(S)_PROXY: targets are often loopback
    for adapter in session.adapters.values():
        manager = adapter.poolmanager  # type: ignore[attr-defined]
        manager.pool_classes_by_scheme = {"http": _NotedHTTPPool, "https": _NotedHTTPSPool}
    return session


def _shut(socks: list[Any]) -> None:
    for sock in socks:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


# Envelope renderers other than the spec's v2 one, by ``Webhook.envelope``: the runtime
# passes the legacy one ("legacy", ``handlers/legacy/webhooks.py``). A renderer takes the
# event, the subscription and the attempts made so far; its body is not checked against
# the v2 webhook schemas, and it is sent with the style's own User-Agent.
EnvelopeRenderer = Callable[[Event, Any, int], dict[str, Any]]


@dataclass(frozen=True)
class EnvelopeStyle:
    render: EnvelopeRenderer
    user_agent: str


def backoff(failed_attempts: int) -> float:
    """Seconds to wait after the ``failed_attempts``-th failure: 1, 2, 4, 8, ... capped."""
    return min(BACKOFF_BASE_SECONDS * 2 ** max(failed_attempts - 1, 0), BACKOFF_CAP)


def sign(secret: str, body: bytes) -> str:
    """``X-CALLR-HmacSignature``: base64 of HMAC-SHA256 of the raw body, keyed with the secret."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _describe(failure: requests.RequestException) -> str:
    """A short, stable reason for a failed POST: ``ConnectionError: connection refused``
    rather than urllib3's retry wrapper (with object addresses) around it."""
    seen: set[int] = set()
    cause: BaseException | None = failure
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ConnectionRefusedError):
            return f"{type(failure).__name__}: connection refused"
        if isinstance(cause, socket.gaierror):
            return f"{type(failure).__name__}: host not found ({cause.strerror})"
        reason = getattr(cause, "reason", None)
        cause = (
            reason if isinstance(reason, BaseException) else cause.__cause__ or cause.__context__
        )
    return re.sub(r" at 0x[0-9a-f]+", "", f"{type(failure).__name__}: {failure}")[:500]


def _snippet(response: requests.Response) -> str | None:
    """The first ``RESPONSE_SNIPPET`` bytes of an answer's body (marked when cut), or None
    when it cannot be read cheaply."""
    try:
        data = response.raw.read(RESPONSE_SNIPPET + 1, decode_content=True) or b""
    except Exception:  # a broken or slow body is no reason to fail the attempt
        return None
    text = data[:RESPONSE_SNIPPET].decode("utf-8", errors="replace")
    return text + TRUNCATED if len(data) > RESPONSE_SNIPPET else text


def encode(envelope: dict[str, Any]) -> bytes:
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass
class _Lane:
    """The FIFO of one subscription."""

    account: str
    subscription: str
    repo: WebhookRepo
    queue: deque[Delivery] = field(default_factory=deque)
    waiting: bool = False  # the head waits for a retry on the sandbox clock
    thread: threading.Thread | None = None


@dataclass
class _Send:
    delivery: Delivery
    url: str
    body: bytes
    headers: dict[str, str]
    problem: str | None


@dataclass
class _Outcome:
    status: int | None
    error: str | None
    duration_ms: float
    response: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class WebhookDelivery:
    """The delivery service of one runtime. Thread-safe."""

    def __init__(
        self,
        store: Store,
        contract: Contract,
        journal: Journal,
        coverage: CoverageTally,
        settings: Settings,
        envelopes: dict[str, EnvelopeStyle] | None = None,
    ) -> None:
        self.store = store
        self.contract = contract
        self.journal = journal
        self.coverage = coverage
        self.settings = settings
        self.envelopes = dict(envelopes or {})
        self._cond = threading.Condition()
        self._lanes: dict[tuple[str, str], _Lane] = {}
        self._generation = 0
        self._stopped = False
        self.store.listeners.append(self._on_event)
        self.store.scheduler.runners[RETRY_JOB] = self._retry_due

    # -- service interface ---------------------------------------------------
    def start(self) -> None:
        with self.store.lock, self._cond:
            self._stopped = False
            for lane in list(self._lanes.values()):
                self._kick(lane)

    def stop(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._stopped = True
            threads = [lane.thread for lane in self._lanes.values() if lane.thread is not None]
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def reset(self) -> None:
        """Forget every queue (the runtime reset has already emptied the accounts)."""
        with self._cond:
            self._generation += 1
            self._lanes.clear()
            self._cond.notify_all()

    def rebuild(self) -> None:
        """After a state file is restored: the lanes again, from the accounts' pending
        deliveries (in the order they were recorded); a lane whose head has a retry due on
        the scheduler waits for it, the others start sending."""
        with self.store.lock, self._cond:
            waiting = {
                (job.owner, job.args.get("subscription"))
                for job in self.store.scheduler.live()
                if job.kind == RETRY_JOB
            }
            self._generation += 1
            self._lanes.clear()
            for account in self.store.accounts():
                repo = account.webhooks
                for delivery in repo.deliveries:
                    if delivery.state == "pending":
                        lane = self._lane(account.sid, delivery.subscription, repo)
                        lane.queue.append(delivery)
            for lane in self._lanes.values():
                lane.waiting = (lane.account, lane.subscription) in waiting
                self._kick(lane)
            self._cond.notify_all()

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until no send is ready or in flight; ``False`` if ``timeout`` ran out."""
        owned = getattr(self.store.lock, "_is_owned", None)
        if owned is not None and owned():
            raise RuntimeError("drain() would deadlock: release the store lock first")
        with self._cond:
            return self._cond.wait_for(self._idle, timeout)

    def redeliver(self, delivery_id: str) -> Delivery:
        """Queue a redelivery of the delivery ``delivery_id`` (of any account); see the
        module doc. Raises ``NotFound``, or the 409 of ``WebhookRepo.redeliver``."""
        with self.store.lock:
            repo, original = find_delivery(self.store.accounts(), delivery_id)
            delivery, hook = repo.redeliver(original)
            with self._cond:
                self._enqueue(self._lane(repo.account.sid, hook.sid, repo), delivery)
            return delivery

    def _idle(self) -> bool:
        return all(lane.thread is None for lane in self._lanes.values())

    def pending(self) -> int:
        """Deliveries queued (ready, in flight or waiting for a retry)."""
        with self._cond:
            return sum(
                1 for lane in self._lanes.values() for d in lane.queue if d.state == "pending"
            )

    # -- enqueue (under the store lock) ---------------------------------------
    def _on_event(self, event: Event) -> None:
        account = self.store.find_account(event.account_sid)
        if account is None:
            return
        repo: WebhookRepo = account.webhooks
        hooks = repo.subscribers(event.type, event.payload)
        if not hooks:
            return
        with self._cond:
            for hook in hooks:
                self._enqueue(
                    self._lane(account.sid, hook.sid, repo), repo.add_delivery(event, hook)
                )

    def _enqueue(self, lane: _Lane, delivery: Delivery) -> None:
        lane.queue.append(delivery)
        self._kick(lane)

    def _lane(self, account: str, subscription: str, repo: WebhookRepo) -> _Lane:
        key = (account, subscription)
        lane = self._lanes.get(key)
        if lane is None or lane.repo is not repo:  # new, or left over from before a reset
            lane = _Lane(account, subscription, repo)
            self._lanes[key] = lane
        return lane

    def _kick(self, lane: _Lane) -> None:
        """Start the lane's sender if it has a head ready to go. Caller holds ``_cond``."""
        if self._stopped or lane.thread is not None or lane.waiting or not lane.queue:
            return
        if sum(1 for other in self._lanes.values() if other.thread is not None) >= MAX_SENDERS:
            return  # _release starts it when a sender is free
        generation = self._generation
        lane.thread = threading.Thread(
            target=self._run_lane,
            args=(lane, generation),
            name=f"callr-mock-webhook-{lane.subscription}",
            daemon=True,
        )
        lane.thread.start()

    # -- the sender thread of one lane -----------------------------------------
    def _run_lane(self, lane: _Lane, generation: int) -> None:
        session = _session()
        try:
            while True:
                job = self._next(lane, generation)
                if job is None:
                    return
                outcome = self._post(session, job)
                self._record(lane, generation, job, outcome)
        except Exception:  # a bug of ours: keep the lane restartable, say it loudly
            log.exception("webhook lane %s crashed", lane.subscription)
            with self._cond:
                lane.thread = None
                self._cond.notify_all()
        finally:
            session.close()

    def _release(self, lane: _Lane) -> None:
        lane.thread = None
        self._cond.notify_all()
        for other in self._lanes.values():  # a lane left waiting for a free sender
            if other.thread is None and other.queue and not other.waiting:
                self._kick(other)
                if other.thread is not None:
                    break

    def _next(self, lane: _Lane, generation: int) -> _Send | None:
        with self.store.lock, self._cond:
            current = self._lanes.get((lane.account, lane.subscription))
            account = self.store.find_account(lane.account)
            if (
                generation != self._generation
                or self._stopped
                or current is not lane
                or account is None
                or account.webhooks is not lane.repo
            ):
                if current is lane and (account is None or account.webhooks is not lane.repo):
                    del self._lanes[(lane.account, lane.subscription)]
                self._release(lane)
                return None
            while lane.queue and lane.queue[0].state != "pending":
                lane.queue.popleft()  # finished elsewhere (subscription deleted)
            if not lane.queue or lane.waiting:
                self._release(lane)
                return None
            delivery = lane.queue[0]
            hook = lane.repo.hook(lane.subscription)
            if hook is None:
                lane.queue.popleft()
                self._finish(delivery, "failed", error="subscription deleted before delivery")
                return self._next(lane, generation)
            style = self.envelopes.get(hook.envelope)
            if style is None:
                envelope = delivery.event.envelope(hook.sid, tries=delivery.attempts)
                problem = self.contract.check_webhook(delivery.event.type, envelope)
                user_agent = USER_AGENT
            else:
                envelope, problem = style.render(delivery.event, hook, delivery.attempts), None
                user_agent = style.user_agent
            body = encode(envelope)
            headers = {
                "Content-Type": "application/json",
                "User-Agent": user_agent,
                EVENT_ID_HEADER: delivery.event.id,
            }
            if hook.secret:
                headers[SIGNATURE_HEADER] = sign(hook.secret, body)
            if hook.auth:
                token = base64.b64encode(hook.auth.encode("utf-8")).decode("ascii")
                headers["Authorization"] = f"Basic {token}"
            delivery.target = hook.endpoint
            return _Send(delivery, hook.endpoint, body, headers, problem)

    def _post(self, session: requests.Session, job: _Send) -> _Outcome:
        timeout = self.settings.webhook_timeout
        deadline = timeout * DEADLINE_FACTOR
        started = time.perf_counter()
        status: int | None
        error: str | None
        snippet: str | None
        if self.settings.deny_private_webhooks:
            host = urllib3.util.parse_url(job.url).host or ""
            private = private_address(host.strip("[]"))
            if private is not None:
                error = f"blocked: {host} is a private address ({private}; --deny-private-webhooks)"
                return _Outcome(None, error, 0.0, None)
        socks: list[Any] = []
        _opened.socks = socks
        timer = threading.Timer(deadline, _shut, args=(socks,))
        timer.daemon = True
        timer.start()
        try:
            response = session.post(
                job.url,
                data=job.body,
                headers=job.headers,
                timeout=timeout,
                allow_redirects=False,
                stream=True,
            )
            try:
                snippet = _snippet(response)
            finally:
                response.close()
            status = response.status_code
            error = None
            if 300 <= response.status_code < 400:
                location = response.headers.get("Location")
                to = f" to {location[:200]}" if location else ""
                error = f"HTTP {status}: redirect{to} not followed (redirects never are)"
            elif not 200 <= response.status_code < 300:
                error = f"HTTP {status}"
        except requests.Timeout:
            status, error, snippet = None, f"timeout: no answer within {timeout:g} s", None
        except requests.RequestException as failure:
            status, error, snippet = None, _describe(failure), None
        finally:
            timer.cancel()
            _opened.socks = None
        elapsed = time.perf_counter() - started
        if elapsed >= deadline:  # shut down at the deadline, whatever was read by then
            status = None
            snippet = None
            error = f"timeout: the answer took over {deadline:g} s (a wall-clock deadline)"
        duration = round(elapsed * 1000, 3)
        return _Outcome(status, error, duration, snippet)

    def _record(self, lane: _Lane, generation: int, job: _Send, outcome: _Outcome) -> None:
        delivery = job.delivery
        with self.store.lock, self._cond:
            if generation != self._generation:
                return  # a reset happened meanwhile; _next will end the thread
            now = self.store.clock.now()
            self.store.touch()
            delivery.history.append(
                Attempt(
                    number=delivery.attempts + 1,
                    at=iso(now) or "",
                    target=job.url,
                    status=outcome.status,
                    error=outcome.error,
                    duration_ms=outcome.duration_ms,
                    response=outcome.response,
                )
            )
            delivery.last_error = outcome.error
            delivery.next_attempt = None
            limit = MAX_ATTEMPTS if delivery.redelivery_of is None else REDELIVERY_ATTEMPTS
            self._journal(delivery, job, outcome, now)
            if delivery.state != "pending":  # deleted meanwhile
                pass
            elif outcome.ok:
                self._finish(delivery, "delivered")
            elif delivery.attempts >= limit:
                self._finish(delivery, "failed", error=outcome.error)
            else:
                due = now + timedelta(seconds=backoff(delivery.attempts))
                delivery.next_attempt = due
                lane.waiting = True
                self.store.scheduler.schedule(
                    due, RETRY_JOB, {"subscription": lane.subscription}, owner=lane.account
                )
            if lane.queue and lane.queue[0] is delivery and delivery.state != "pending":
                lane.queue.popleft()

    def _retry_due(self, store: Any, job: Job) -> None:
        """Scheduler job (under the store lock): the head of the lane may go again."""
        with self._cond:
            lane = self._lanes.get((job.owner, job.args["subscription"]))
            if lane is None:
                return
            lane.waiting = False
            self._kick(lane)

    def _finish(self, delivery: Delivery, state: str, *, error: str | None = None) -> None:
        delivery.state = state
        self.coverage.delivery(
            delivery.event.account_sid, delivery.event.type, state, delivery.attempts
        )
        delivery.finished = self.store.clock.now()
        delivery.next_attempt = None
        if error is not None:
            delivery.last_error = error

    # -- journal ---------------------------------------------------------------
    def _operation(self, event_type: str) -> str:
        webhooks = self.contract.document.get("webhooks") or {}
        post = (webhooks.get(event_type) or {}).get("post") or {}
        return str(post.get("operationId") or f"webhook {event_type}")

    def _journal(self, delivery: Delivery, job: _Send, outcome: _Outcome, now: Any) -> None:
        """The attempt, with the violation when its envelope broke the spec."""
        operation = self._operation(delivery.event.type)
        found = []
        if job.problem:
            log.error("contract violation: %s", job.problem)
            found.append(
                Violation(
                    account=delivery.event.account_sid,
                    operation=operation,
                    method="POST",
                    path=job.url,
                    status=None,
                    message=job.problem,
                )
            )
        self.journal.record(
            JournalEntry(
                time=iso(now),
                method="POST",
                path=job.url,
                query="",
                status=outcome.status or 0,
                account=delivery.event.account_sid,
                operation=operation,
                duration_ms=outcome.duration_ms,
                violations=[job.problem] if job.problem else [],
                request=Message.of(list(job.headers.items()), "application/json", job.body),
                # what the attempt history keeps of the receiver's answer (its first bytes)
                response=None
                if outcome.response is None
                else Message.of([], None, outcome.response.encode("utf-8")),
            ),
            found,
        )
