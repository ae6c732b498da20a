"""A case the cell opens by itself: the follow-up of an incident near a notified activity.

``coordcell.deconfliction`` (above this app) finds an incident within the arrangement's
follow-up distance of a notified site or route during its window, and asks for a case
here. The case is an inquiry of the mechanism's own motion (no complainant; it says so
with ``own_motion_by`` = :data:`FOLLOW_UP`): the party named answers it on the deadlines
of the protocol that serves complaints, as it would answer an inquiry of the mediator.

Its audience is the caller's to give, and never wider than the incident's: the incident
is not shared further by opening the case (its readers already read it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.cases.choices import DeadlineKindChoices, StateChoices
from coordcell.cases.models import Case
from coordcell.cases.services import (
    COMPLAINTS,
    SUMMARY_MAX_CHARS,
    _level_deadline,
    _open_deadline,
    _step,
    protocol_serving,
)
from coordcell.core import audience as audience_text
from coordcell.core.actor import Actor
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.rules import workflow

if TYPE_CHECKING:
    from coordcell.incidents.models import Incident
    from coordcell.parties.models import Party

__all__ = ["FOLLOW_UP", "open_follow_up"]

#: What a follow-up case names as the one that opened it of its own motion.
FOLLOW_UP = "follow-up"


@transaction.atomic
def open_follow_up(
    *,
    actor: Actor,
    incident: Incident,
    respondent: Party,
    summary: str,
    audience: Iterable[str],
    details: dict[str, Any] | None = None,
) -> Case:
    """Open the follow-up case of ``incident`` (the worker, as the console), answered by
    ``respondent``, read by ``audience`` (which must name the respondent and stay within
    the incident's own audience). ``details`` go into the opening step's record entry,
    which has the case's audience."""
    if not actor.system:
        raise PermissionDenied(_("Only the cell opens a follow-up case by itself."))
    codes = audience_text.normalise(audience)
    readers = incident.audience_codes
    if audience_text.ALL_MEMBERS not in readers and not set(codes) <= set(readers):
        raise ValidationFailed(
            {"audience": [_("A follow-up case is read by the incident's readers only.")]}
        )
    if respondent.code not in codes and audience_text.ALL_MEMBERS not in codes:
        raise ValidationFailed({"respondent": [_("The party that answers reads the case.")]})
    summary = (summary or "").strip()
    if not summary or len(summary) > SUMMARY_MAX_CHARS:
        raise ValidationFailed({"summary": [_("Describe the complaint (1 to 10,000 characters).")]})
    protocol = protocol_serving(incident.version, COMPLAINTS)
    now = timezone.now()
    case = Case.objects.create(
        incident=incident,
        protocol_id=protocol.protocol_id,
        version=incident.version,
        complainant=None,
        own_motion_by=FOLLOW_UP,
        respondent=respondent,
        summary=summary,
        state=StateChoices.LODGED,
        level=0,
        audience=audience_text.encode(codes),
        lodged_at=now,
        lodged_by=None,
        updated_at=now,
    )
    _open_deadline(case, DeadlineKindChoices.ACKNOWLEDGE, protocol.acknowledge_within_hours, now)
    _open_deadline(case, DeadlineKindChoices.ANSWER, protocol.answer_within_hours, now)
    _level_deadline(case, now)
    _step(
        case,
        actor,
        workflow.Action.OPEN_INQUIRY,
        {
            "opened_by": FOLLOW_UP,
            "respondent": respondent.code,
            "summary": summary,
            "protocol": protocol.protocol_id,
            **(details or {}),
        },
    )
    return case
