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

The worker sends each delivery only to the URL its party registered: no proxy from the
environment, no redirects followed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.core.actor import Actor
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.notify import events
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


# --- registration ------------------------------------------------------------------------


def _require_party_admin(actor: Actor) -> Party:
    if actor.system or not actor.party_id or not actor.has_role(RoleChoices.CELL_ADMINISTRATOR):
        raise PermissionDenied(_("Only a party's own cell administrators manage its webhooks."))
    return Party.objects.get(pk=actor.party_id)


def _clean_url(raw: str) -> str:
    """An absolute http(s) URL with a host and no credentials, or ValidationFailed."""
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
    if problem:
        raise ValidationFailed({"url": [problem]})
    return url


def new_secret() -> str:
    return "whsec_" + secrets.token_hex(32)


@transaction.atomic
def register_webhook(*, actor: Actor, url: str) -> tuple[Webhook, str]:
    """Register an endpoint for the actor's own party; return it and its secret (once)."""
    party = _require_party_admin(actor)
    url = _clean_url(url)
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


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not an instruction: the worker goes nowhere else."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


#: No proxy from the environment, no redirects, http and https only.
_OPENER = urllib.request.OpenerDirector()
for _handler in (
    urllib.request.ProxyHandler({}),
    urllib.request.HTTPHandler(),
    urllib.request.HTTPSHandler(),
    urllib.request.HTTPDefaultErrorHandler(),
    _NoRedirect(),
    urllib.request.HTTPErrorProcessor(),
):
    _OPENER.add_handler(_handler)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status: int | None
    error: str


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Outcome:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        return Outcome(False, None, "not an http(s) URL")
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status = int(response.status)
            response.read(4096)
    except urllib.error.HTTPError as exc:
        status = int(exc.code)
        exc.close()
        return Outcome(False, status, f"HTTP {status}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return Outcome(False, None, str(getattr(exc, "reason", exc))[:500])
    if 200 <= status < 300:
        return Outcome(True, status, "")
    return Outcome(False, status, f"HTTP {status}")


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed attempt (1, 2, …)."""
    return min(BACKOFF_FIRST * (1 << min(max(attempts - 1, 0), 20)), BACKOFF_CAP)


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=int(settings.WEBHOOK_TIMEOUT_SECONDS) + 60)


def _due(now: dt.datetime) -> Q:
    return Q(state=S.PENDING, next_attempt_at__lte=now) | Q(
        state=S.SENDING, claimed_at__lte=now - _lease()
    )


def claim(pk: int, now: dt.datetime) -> uuid.UUID | None:
    """Take delivery ``pk`` for sending if it is still due; None if someone else has it."""
    token = uuid.uuid4()
    with transaction.atomic():
        taken = Delivery.objects.filter(_due(now), pk=pk, webhook__active=True).update(
            state=S.SENDING, claim=token, claimed_at=now, attempts=F("attempts") + 1
        )
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
