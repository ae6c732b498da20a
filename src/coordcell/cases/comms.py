"""Daily communications checks of the hotline's links.

One end of a link — a party and the mediator, or two parties through the cell — sends a
check (:func:`send_check`); the other end answers it (:func:`answer_check`) within the
minutes the protocol serving the hotline sets (``comms_check_answer_minutes``, scenario
data). The worker marks a check not answered by then as failed (:func:`fail_late_checks`,
a conditional update, so two workers never fail one twice). Both ends and the mediators
read the check and its outcome: a failed link is seen by both ends and the mediator.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coordcell.cases import exchange_events
from coordcell.cases.models import CommsCheck
from coordcell.cases.services import HOTLINE, protocol_serving
from coordcell.core.actor import Actor
from coordcell.core.audience import encode
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.parties.selectors import parties_of_kinds, party_of
from coordcell.record.services import append_event, subject

if TYPE_CHECKING:
    from coordcell.agreements.models import ArrangementVersion
    from coordcell.parties.models import Party

__all__ = [
    "ANSWERED",
    "FAILED",
    "MAY_NOT_CHECK",
    "SENT",
    "answer_check",
    "fail_late_checks",
    "get_check",
    "list_checks",
    "may_check",
    "send_check",
]

SENT, ANSWERED, FAILED = "sent", "answered", "failed"
MAY_NOT_CHECK = gettext_lazy(
    "Liaison officers and principals of the parties and the mediator check the links."
)
_ENDS = (PartyKindChoices.KIND_PARTY, PartyKindChoices.KIND_MEDIATOR)
_DUTY = (RoleChoices.LIAISON_OFFICER, RoleChoices.PRINCIPAL)


def may_check(actor: Actor) -> bool:
    """Whether the actor stands duty on a desk that checks its links."""
    return (
        not actor.system
        and actor.party_id is not None
        and actor.party_kind in _ENDS
        and any(actor.has_role(r) for r in _DUTY)
    )


def list_checks(actor: Actor, day: dt.date | None = None) -> QuerySet[CommsCheck]:
    """The checks the actor may read (both ends of each link, the mediators), newest
    first; ``day``: those sent that UTC day."""
    checks = CommsCheck.objects.restrict(actor).select_related("from_party", "to_party")
    if day is not None:
        start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
        checks = checks.filter(sent_at__gte=start, sent_at__lt=start + dt.timedelta(days=1))
    return checks


def get_check(actor: Actor, public_id: Any) -> CommsCheck:
    try:
        wanted = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound() from None
    found = list_checks(actor).filter(public_id=wanted).first()
    if found is None:
        raise NotFound()
    return found


def _record(actor: Actor, check: CommsCheck, event: Any, data: dict[str, Any]) -> None:
    append_event(
        actor=actor,
        event_type=event,
        data={
            "check": str(check.public_id),
            "from": check.from_party.code,
            "to": check.to_party.code,
            "sent_at": check.sent_at,
            "answer_due_at": check.answer_due_at,
            "state": check.state,
            **data,
        },
        subjects=[subject("cases.commscheck", check.public_id, check.from_party.code)],
        audience=check.audience_codes,
    )


@transaction.atomic
def send_check(*, actor: Actor, to_party: Party, version: ArrangementVersion) -> CommsCheck:
    """Send a communications check to the other end of a link (a party or the mediator)."""
    if not may_check(actor):
        raise PermissionDenied(MAY_NOT_CHECK)
    sender = party_of(actor)
    assert sender is not None
    errors: dict[str, list[str]] = {}
    if to_party.pk == sender.pk or to_party.kind not in _ENDS:
        errors["to_party"] = [_("Choose another party or the mediator.")]
    minutes = protocol_serving(version, HOTLINE).comms_check_answer_minutes
    if not minutes:
        errors["protocol"] = [_("The hotline protocol sets no communications checks.")]
    if errors:
        raise ValidationFailed(errors)
    assert minutes is not None
    mediators = [p.code for p in parties_of_kinds([PartyKindChoices.KIND_MEDIATOR])]
    now = timezone.now()
    check = CommsCheck.objects.create(
        from_party=sender,
        to_party=to_party,
        sent_by=actor.user,
        sent_at=now,
        answer_due_at=now + dt.timedelta(minutes=minutes),
        audience=encode(sorted({sender.code, to_party.code, *mediators})),
    )
    _record(actor, check, exchange_events.COMMS_CHECK_SENT, {})
    return check


def _fail(check_pk: int, now: dt.datetime) -> bool:
    """Claim a check still waiting whose time has come: failed."""
    claimed = CommsCheck.objects.filter(pk=check_pk, state=SENT, answer_due_at__lte=now).update(
        state=FAILED, closed_at=now
    )
    if not claimed:
        return False
    check = CommsCheck.objects.select_related("from_party", "to_party").get(pk=check_pk)
    _record(Actor.console("worker"), check, exchange_events.COMMS_CHECK_FAILED, {"failed_at": now})
    return True


@transaction.atomic
def answer_check(*, actor: Actor, check: CommsCheck) -> CommsCheck:
    """The other end of the link answers the check, in time."""
    found: CommsCheck | None = (
        CommsCheck.objects.restrict(actor)
        .select_for_update(no_key=True)
        .select_related("from_party", "to_party")
        .filter(pk=check.pk)
        .first()
    )
    if found is None:
        raise NotFound()
    if not may_check(actor) or actor.party_id != found.to_party_id:
        raise PermissionDenied(_("Only the other end of the link answers a check."))
    now = timezone.now()
    # Past its time, the check is the worker's to mark failed (a refusal writes nothing).
    if found.state != SENT or found.answer_due_at <= now:
        raise ValidationFailed(_("This check is closed: it was answered, or its time passed."))
    CommsCheck.objects.filter(pk=found.pk, state=SENT).update(
        state=ANSWERED, answered_at=now, answered_by=actor.user, closed_at=now
    )
    found.refresh_from_db()
    _record(
        actor,
        found,
        exchange_events.COMMS_CHECK_ANSWERED,
        {"answered_at": now, "seconds_to_answer": (now - found.sent_at).total_seconds()},
    )
    return found


def fail_late_checks(now: dt.datetime) -> int:
    """The worker's job: mark every check not answered by its time failed, each in its
    own transaction."""
    handled = 0
    late = CommsCheck.objects.filter(state=SENT, answer_due_at__lte=now)
    for pk in list(late.order_by("answer_due_at", "pk").values_list("pk", flat=True)):
        with transaction.atomic():
            handled += _fail(pk, now)
    return handled
