"""The only writers of webhooks and their deliveries.

- ``register_webhook`` and ``deactivate_webhook``: a party's own cell administrators,
  each change recorded in the record (audience: the party);
- ``queue_step``: called by ``cases.services._step`` inside the step's transaction, it
  queues the step for the active webhooks of the parties in the case's audience, and of
  no other party;
- ``deliver_due``: the worker's job. Each delivery is claimed with a conditional update
  (``pending → sending`` only if still pending and due, or ``sending`` whose claim is
  older than the lease, after a worker died mid-send) in its own transaction, then sent
  outside any transaction, then settled with another conditional update that names the
  claim. Two workers therefore never send one delivery at once; after a crash a delivery
  may be sent again, so receivers de-duplicate on ``X-Coordcell-Delivery``.

The claim is an ``UPDATE`` of ``notify_delivery`` alone whose own ``WHERE`` holds the
state and due conditions (the webhook's ``active`` is an ``EXISTS``): PostgreSQL, under
READ COMMITTED, re-checks only that outer ``WHERE`` against a row another transaction has
just changed, so a condition hidden in an ``id IN (SELECT … JOIN …)`` would let a second
worker claim a delivery the first had already claimed.

The worker sends each delivery only to the URL its party registered: no proxy from the
environment, no redirects followed, and only to addresses that pass
``addresses.check_host`` (checked at registration and again at each send, and the
connection goes to the very addresses checked). Each send has a hard wall-clock limit,
``COORDCELL_WEBHOOK_TIMEOUT`` seconds in all, so a slow or dripping endpoint cannot hold
up the worker's other jobs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import http.client
import json
import logging
import secrets
import socket
import ssl
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.core.actor import Actor
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.notify import addresses, events
from coordcell.notify.choices import DeliveryStateChoices as S
from coordcell.notify.models import Delivery, Webhook
from coordcell.parties.choices import RoleChoices
from coordcell.parties.models import Party
from coordcell.record.canonical import to_jsonable
from coordcell.record.services import append_event, subject

if TYPE_CHECKING:
    from coordcell.cases.models import Case, Step

__all__ = [
    "MAX_ACTIVE_WEBHOOKS",
    "deactivate_webhook",
    "deliver_due",
    "payload_of",
    "queue_step",
    "register_webhook",
    "sign",
]

log = logging.getLogger("coordcell.notify")

#: Active webhooks a party may have at once.
MAX_ACTIVE_WEBHOOKS = 10
#: The first retry waits this long; each further one twice as long, up to the cap.
BACKOFF_FIRST = dt.timedelta(seconds=30)
BACKOFF_CAP = dt.timedelta(hours=1)
#: A pass of the worker stops claiming new deliveries after this many seconds.
PASS_BUDGET_SECONDS = 30.0
#: Deliveries claimed per pass at most.
PASS_LIMIT = 100
#: Header names (the signature covers ``timestamp + "." + body``).
SIGNATURE_HEADER = "X-Coordcell-Signature"
TIMESTAMP_HEADER = "X-Coordcell-Timestamp"
DELIVERY_HEADER = "X-Coordcell-Delivery"
EVENT_HEADER = "X-Coordcell-Event"
#: The most of an endpoint's answer body the worker reads (it only needs the status).
RESPONSE_MAX_BYTES = 4096


# --- registration ------------------------------------------------------------------------


def _require_party_admin(actor: Actor) -> Party:
    if actor.system or not actor.party_id or not actor.has_role(RoleChoices.CELL_ADMINISTRATOR):
        raise PermissionDenied(_("Only a party's own cell administrators manage its webhooks."))
    return Party.objects.get(pk=actor.party_id)


def _clean_url(raw: str) -> str:
    """An absolute http(s) URL with a host and no credentials, whose host resolves to
    addresses the worker may connect to (``addresses.check_host``), or ValidationFailed."""
    url = (raw or "").strip()
    problem = None
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port  # raises ValueError for a bad port
    except ValueError:
        parts, port = None, None
        problem = _("Enter a valid URL.")
    if parts is not None:
        if parts.scheme not in ("http", "https"):
            problem = _("Only http:// and https:// URLs are accepted.")
        elif not parts.hostname:
            problem = _("The URL needs a host.")
        elif parts.username is not None or parts.password is not None:
            problem = _("Put no user name or password in the URL; the signature authenticates.")
        elif parts.fragment:
            problem = _("The URL may not have a fragment (#…).")
        elif port == 0:
            problem = _("Enter a valid URL.")
    if not problem and (len(url) > 500 or any(c.isspace() or ord(c) < 32 for c in url)):
        problem = _("Enter a valid URL of at most 500 characters.")
    if not problem and parts is not None and parts.hostname:
        problem = _host_problem(parts.hostname, port or _default_port(parts.scheme))
    if problem:
        raise ValidationFailed({"url": [problem]})
    return url


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _allowed_networks() -> tuple[addresses.Network, ...]:
    return addresses.networks(getattr(settings, "WEBHOOK_ALLOWED_NETWORKS", ()))


def _host_problem(host: str, port: int) -> str | None:
    """Why the worker may not send to ``host``, for the party's administrators; or None."""
    try:
        addresses.check_host(host, port, _allowed_networks())
    except addresses.Unresolvable:
        return _("The host %(host)s cannot be found (its name does not resolve).") % {"host": host}
    except addresses.Refused as exc:
        return _(
            "The host %(host)s resolves to %(address)s, an internal address (loopback, "
            "private, link-local or reserved). Webhooks are sent only to public addresses "
            "and to the networks the cell's operators allow."
        ) % {"host": host, "address": exc.address}
    return None


def new_secret() -> str:
    return "whsec_" + secrets.token_hex(32)


def register_webhook(*, actor: Actor, url: str) -> tuple[Webhook, str]:
    """Register an endpoint for the actor's own party; return it and its secret (once)."""
    party = _require_party_admin(actor)
    url = _clean_url(url)  # resolves the host: before the transaction, not holding locks
    with transaction.atomic():
        return _register(actor, party, url)


def _register(actor: Actor, party: Party, url: str) -> tuple[Webhook, str]:
    Party.objects.select_for_update().filter(pk=party.pk).first()  # one registration at a time
    if Webhook.objects.filter(party=party, active=True).count() >= MAX_ACTIVE_WEBHOOKS:
        raise ValidationFailed(
            {
                "url": [
                    _("A party may have at most %(n)d active webhooks.")
                    % {"n": MAX_ACTIVE_WEBHOOKS}
                ]
            }
        )
    secret = new_secret()
    webhook = Webhook.objects.create(
        party=party, url=url, secret=secret, created_at=timezone.now(), created_by=actor.user
    )
    append_event(
        actor=actor,
        event_type=events.WEBHOOK_REGISTERED,
        data={"party": party.code, "webhook": webhook.public_id, "url": url},
        subjects=[subject("notify.webhook", webhook.public_id, url)],
        audience=[party.code],
    )
    return webhook, secret


@transaction.atomic
def deactivate_webhook(*, actor: Actor, webhook: Webhook) -> Webhook:
    """Stop sending to one of the party's endpoints; what was not sent yet is cancelled."""
    party = _require_party_admin(actor)
    if webhook.party_id != party.pk:
        raise PermissionDenied(_("Only a party's own cell administrators manage its webhooks."))
    now = timezone.now()
    changed = Webhook.objects.filter(pk=webhook.pk, active=True).update(
        active=False, deactivated_at=now, deactivated_by=actor.user
    )
    if not changed:
        raise ValidationFailed(_("This webhook is already deactivated."))
    Delivery.objects.filter(webhook=webhook, state=S.PENDING).update(
        state=S.CANCELLED, last_error="webhook deactivated"
    )
    webhook.refresh_from_db()
    append_event(
        actor=actor,
        event_type=events.WEBHOOK_DEACTIVATED,
        data={"party": party.code, "webhook": webhook.public_id, "url": webhook.url},
        subjects=[subject("notify.webhook", webhook.public_id, webhook.url)],
        audience=[party.code],
    )
    return webhook


# --- queueing ----------------------------------------------------------------------------


def payload_of(delivery_id: uuid.UUID, party_code: str, case: Case, step: Step) -> str:
    """The JSON body of a delivery: what the party may read of the step, nothing more."""
    entry = step.entry
    body: dict[str, Any] = {
        "delivery": delivery_id,
        "event": entry.event_type,
        "party": party_code,
        "case": {"id": case.public_id, "reference": case.reference},
        "action": step.action,
        "state": step.state_after,
        "level": step.level_after,
        "level_name": entry.data.get("level_name", ""),
        "at": step.at,
        "entry": {"seq": entry.seq, "hash": entry.hash},
    }
    return json.dumps(to_jsonable(body), sort_keys=True, separators=(",", ":"))


def queue_step(case: Case, step: Step) -> int:
    """Queue ``step`` for the active webhooks of the parties in the case's audience.

    Runs inside the step's transaction (``cases.services._step``): the deliveries exist
    if and only if the step does. Returns the number queued.
    """
    codes = case.audience_codes
    if not codes:
        return 0
    hooks = Webhook.objects.filter(active=True, party__code__in=codes).select_related("party")
    deliveries = []
    for hook in hooks:
        delivery_id = uuid.uuid4()
        deliveries.append(
            Delivery(
                public_id=delivery_id,
                webhook=hook,
                step=step,
                event=step.entry.event_type,
                body=payload_of(delivery_id, hook.party.code, case, step),
                next_attempt_at=step.at,
                created_at=step.at,
            )
        )
    Delivery.objects.bulk_create(deliveries)
    return len(deliveries)


# --- sending -----------------------------------------------------------------------------


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of timestamp + "." + body, keyed with the secret>``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status: int | None
    error: str


def _connect(checked: list[addresses.Address], timeout: float) -> socket.socket:
    """A TCP connection to the first of the checked addresses that answers."""
    last: OSError = OSError("no address to connect to")
    for address in checked:
        sock = socket.socket(address.family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(address.sockaddr)
        except OSError as exc:
            sock.close()
            last = exc
            continue
        return sock
    raise last


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to addresses already checked, whatever the host name resolves to now;
    the ``Host`` header still names the host."""

    def __init__(self, host: str, port: int, checked: list[addresses.Address], timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.checked = checked
        self.send_timeout = timeout

    def connect(self) -> None:
        self.sock = _connect(self.checked, self.send_timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS: the certificate must be valid for the host name (SNI too)."""

    def __init__(self, host: str, port: int, checked: list[addresses.Address], timeout: float):
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.checked = checked
        self.send_timeout = timeout

    def connect(self) -> None:
        sock = _connect(self.checked, self.send_timeout)
        try:
            self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def _exchange(
    url: str, body: bytes, headers: dict[str, str], timeout: float, opened: list[Any]
) -> Outcome:
    """Check the host, connect to the checked addresses, POST, read the status.

    No proxy is used and no redirect followed (``http.client`` does neither). Each socket
    operation times out after ``timeout``; the whole exchange is bounded by ``_post``.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Outcome(False, None, "not an http(s) URL")
    host = parts.hostname
    try:
        port = parts.port or _default_port(parts.scheme)
        checked = addresses.check_host(host, port, _allowed_networks())
    except ValueError:
        return Outcome(False, None, "not a valid URL")
    except addresses.Unresolvable as exc:
        return Outcome(False, None, f"cannot resolve {host}: {exc.reason}"[:500])
    except addresses.Refused as exc:
        return Outcome(
            False,
            None,
            f"refused: {host} resolves to {exc.address}, an internal address outside "
            "COORDCELL_WEBHOOK_ALLOWED_NETWORKS",
        )
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, checked, timeout)
    opened.append(connection)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        status = int(response.status)
        response.read(RESPONSE_MAX_BYTES)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return Outcome(False, None, (str(exc) or type(exc).__name__)[:500])
    finally:
        connection.close()
    if 200 <= status < 300:
        return Outcome(True, status, "")
    return Outcome(False, status, f"HTTP {status}")


def _abort(connection: Any) -> None:
    """Cut an abandoned exchange's socket so its thread ends soon rather than late."""
    sock = getattr(connection, "sock", None)
    if sock is not None:
        # The plain socket's shutdown, also under TLS: it wakes a blocked read at once.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Outcome:
    """POST ``body`` to ``url``: the whole exchange (name lookup included) gets ``timeout``
    seconds of wall-clock time in all.

    A socket's own timeout is per operation: an endpoint that drips a byte every few
    seconds would keep it alive for ever. So the exchange runs in a daemon thread; if it
    has not finished in time the attempt has failed, its socket is shut down and the
    thread is left to end on its own (it touches nothing but that socket).
    """
    result: list[Outcome] = []
    opened: list[Any] = []

    def run() -> None:
        try:
            result.append(_exchange(url, body, headers, timeout, opened))
        except Exception as exc:  # never let the thread die with an unreported error
            result.append(Outcome(False, None, f"{type(exc).__name__}: {exc}"[:500]))

    thread = threading.Thread(target=run, name="coordcell-webhook-send", daemon=True)
    thread.start()
    thread.join(timeout)
    if result:
        return result[0]
    for connection in opened:
        _abort(connection)
    return Outcome(False, None, f"timed out: no complete answer within {timeout:g} s")


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed attempt (1, 2, …)."""
    return min(BACKOFF_FIRST * (1 << min(max(attempts - 1, 0), 20)), BACKOFF_CAP)


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=int(settings.WEBHOOK_TIMEOUT_SECONDS) + 60)


def _due(now: dt.datetime) -> Q:
    return Q(state=S.PENDING, next_attempt_at__lte=now) | Q(
        state=S.SENDING, claimed_at__lte=now - _lease()
    )


def claimable(pk: int, now: dt.datetime) -> QuerySet[Delivery]:
    """Delivery ``pk`` if it is due and its webhook active.

    Every condition is on the delivery's own row (the webhook's ``active`` in an
    ``EXISTS``), so the ``UPDATE`` that claims it keeps them in its own ``WHERE``: a join
    here would make Django write ``WHERE id IN (SELECT … JOIN …)``, which PostgreSQL does
    not re-check against a row a concurrent claim has just committed.
    """
    active = Exists(Webhook.objects.filter(pk=OuterRef("webhook_id"), active=True))
    return Delivery.objects.filter(_due(now), active, pk=pk)


def claim_values(token: uuid.UUID, now: dt.datetime) -> dict[str, Any]:
    """What a claim writes."""
    return {"state": S.SENDING, "claim": token, "claimed_at": now, "attempts": F("attempts") + 1}


def claim(pk: int, now: dt.datetime) -> uuid.UUID | None:
    """Take delivery ``pk`` for sending if it is still due; None if someone else has it."""
    token = uuid.uuid4()
    with transaction.atomic():
        taken = claimable(pk, now).update(**claim_values(token, now))
    return token if taken else None


def _settle(delivery: Delivery, token: uuid.UUID, outcome: Outcome, now: dt.datetime) -> None:
    mine = Delivery.objects.filter(pk=delivery.pk, claim=token, state=S.SENDING)
    with transaction.atomic():
        if outcome.ok:
            mine.update(
                state=S.DELIVERED, delivered_at=now, last_status=outcome.status, last_error=""
            )
        elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            mine.update(state=S.FAILED, last_status=outcome.status, last_error=outcome.error)
        else:
            mine.update(
                state=S.PENDING,
                next_attempt_at=now + backoff(delivery.attempts),
                last_status=outcome.status,
                last_error=outcome.error,
            )


def send(delivery: Delivery) -> Outcome:
    """POST one (claimed) delivery to its webhook, signed with the webhook's secret."""
    body = delivery.body.encode("utf-8")
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "coordcell-webhooks/1",
        SIGNATURE_HEADER: sign(delivery.webhook.secret, timestamp, body),
        TIMESTAMP_HEADER: timestamp,
        DELIVERY_HEADER: str(delivery.public_id),
        EVENT_HEADER: delivery.event,
    }
    return _post(delivery.webhook.url, body, headers, float(settings.WEBHOOK_TIMEOUT_SECONDS))


def deliver_due(now: dt.datetime, *, limit: int = PASS_LIMIT) -> int:
    """Send the deliveries due at ``now``; return how many this call claimed."""
    due = list(
        Delivery.objects.filter(_due(now), webhook__active=True)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    started = time.monotonic()
    handled = 0
    for pk in due:
        if time.monotonic() - started > PASS_BUDGET_SECONDS:
            break  # the rest wait for the next pass; other jobs must run too
        token = claim(pk, now)
        if token is None:
            continue  # delivered, cancelled, or another worker has it
        delivery = Delivery.objects.select_related("webhook").get(pk=pk)
        outcome = send(delivery)
        if not outcome.ok:
            log.warning(
                "webhook delivery %s to %s failed (attempt %d): %s",
                delivery.public_id,
                delivery.webhook.url,
                delivery.attempts,
                outcome.error,
            )
        _settle(delivery, token, outcome, now)
        handled += 1
    return handled
