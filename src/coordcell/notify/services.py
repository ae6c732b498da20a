"""The services of webhooks: a party's own cell administrators register and deactivate
their party's endpoints, each change recorded in the record (audience: the party).

The rest of notify lives in modules named for what they do:

- ``queueing.queue_delivery`` (re-exported here, the one entry point for other apps):
  queue news for the webhooks of the parties it is for, in the caller's transaction;
- ``dispatch``: the worker's job, which claims, signs, sends and settles deliveries;
- ``transport``: the one HTTP POST, pinned to checked addresses, with no proxy, no
  redirect and a hard wall-clock deadline (``addresses`` says which hosts are allowed).
"""

from __future__ import annotations

import secrets
import urllib.parse
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.core.actor import Actor
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.notify import addresses, events
from coordcell.notify.choices import DeliveryStateChoices as S
from coordcell.notify.models import Delivery, Webhook
from coordcell.notify.queueing import queue_delivery
from coordcell.notify.transport import default_port
from coordcell.parties.choices import RoleChoices
from coordcell.parties.selectors import list_parties
from coordcell.record.services import append_event, subject

__all__ = [
    "MAX_ACTIVE_WEBHOOKS",
    "deactivate_webhook",
    "new_secret",
    "pause_for_exercise_copy",
    "queue_delivery",
    "register_webhook",
]

#: Active webhooks a party may have at once.
MAX_ACTIVE_WEBHOOKS = 10
#: The longest URL accepted (the width of ``Webhook.url``).
URL_MAX_CHARS = 500


@dataclass(frozen=True)
class _Party:
    pk: int
    code: str


def _require_party_admin(actor: Actor) -> int:
    """The actor's party's id, if the actor is one of its cell administrators: only they
    manage its webhooks (the console, which has no party, manages none)."""
    if actor.system or not actor.party_id or not actor.has_role(RoleChoices.CELL_ADMINISTRATOR):
        raise PermissionDenied(_("Only a party's own cell administrators manage its webhooks."))
    return actor.party_id


def _own_party(actor: Actor, *, lock: bool = False) -> _Party:
    """The party of one of its cell administrators; locked for the transaction if asked."""
    parties = list_parties(actor).filter(pk=_require_party_admin(actor))
    party = (parties.select_for_update(of=("self",), no_key=True) if lock else parties).first()
    if party is None:  # the party of an active membership: only a concurrent change
        raise PermissionDenied(_("Only a party's own cell administrators manage its webhooks."))
    return _Party(pk=party.pk, code=party.code)


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
    if not problem and (len(url) > URL_MAX_CHARS or any(c.isspace() or ord(c) < 32 for c in url)):
        problem = _("Enter a valid URL of at most 500 characters.")
    if not problem and parts is not None and parts.hostname:
        problem = _host_problem(parts.hostname, port or default_port(parts.scheme))
    if problem:
        raise ValidationFailed({"url": [problem]})
    return url


def _host_problem(host: str, port: int) -> str | None:
    """Why the worker may not send to ``host``, for the party's administrators; or None."""
    try:
        addresses.check_host(host, port, settings.WEBHOOK_ALLOWED_NETWORKS)
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
    """A fresh signing secret: ``whsec_`` and 64 hex digits."""
    return "whsec_" + secrets.token_hex(32)


def register_webhook(*, actor: Actor, url: str) -> tuple[Webhook, str]:
    """Register an endpoint for the actor's own party; return it and its secret (once).

    Only the party's cell administrators may. The URL must be http(s) with a host, no
    credentials and no fragment, and its host must resolve to addresses the worker may
    send to; a party has at most :data:`MAX_ACTIVE_WEBHOOKS` active ones. Records
    ``notify.webhook_registered`` for the party's eyes (without the secret).
    """
    _require_party_admin(actor)
    url = _clean_url(url)  # resolves the host: before the transaction, not holding locks
    with transaction.atomic():
        party = _own_party(actor, lock=True)  # one registration of the party at a time
        return _register(actor, party, url)


def _register(actor: Actor, party: _Party, url: str) -> tuple[Webhook, str]:
    if Webhook.objects.filter(party_id=party.pk, active=True).count() >= MAX_ACTIVE_WEBHOOKS:
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
        party_id=party.pk, url=url, secret=secret, created_at=timezone.now(), created_by=actor.user
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
    """Stop sending to one of the party's endpoints; what was not sent yet is cancelled.

    Only the party's cell administrators may; deactivating twice is a ValidationFailed.
    Records ``notify.webhook_deactivated`` for the party's eyes.
    """
    party = _own_party(actor)
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


def pause_for_exercise_copy(*, actor: Actor) -> int:
    """In a fresh exercise copy of a cell: deactivate every webhook and cancel what was
    waiting to be sent, so that nothing the drill does reaches the parties' endpoints as
    if the live cell had sent it. Console only, inside the caller's transaction; records
    ``notify.webhook_deactivated`` for each party concerned. Returns how many webhooks."""
    if not actor.system:
        raise PermissionDenied()
    now = timezone.now()
    paused = list(Webhook.objects.select_related("party").filter(active=True))
    Webhook.objects.filter(pk__in=[w.pk for w in paused]).update(active=False, deactivated_at=now)
    Delivery.objects.filter(state=S.PENDING).update(
        state=S.CANCELLED, last_error="exercise copy: not sent"
    )
    for webhook in paused:
        append_event(
            actor=actor,
            event_type=events.WEBHOOK_DEACTIVATED,
            data={
                "party": webhook.party.code,
                "webhook": webhook.public_id,
                "url": webhook.url,
                "reason": "exercise_copy",
            },
            subjects=[subject("notify.webhook", webhook.public_id, webhook.url)],
            audience=[webhook.party.code],
        )
    return len(paused)
