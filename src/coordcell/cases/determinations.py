"""The steps on one remedy of a determination: its owner reports it done, its verifier
verifies it.

The respondent no longer reports "remedied" on its own word: each remedy the
determination ordered is reported done by the party that owns it (its deadline is then
met), and verified by its verifier, a monitor party or the deciding parties (who may
also find it not done: it is open again, against its same deadline). The last remedy
verified makes the case ``remedied``. The determination itself, the reservations and the
complainant's assent are steps of ``cases.services.act``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.cases import services
from coordcell.cases.choices import DeadlineKindChoices, DeadlineStateChoices, StateChoices
from coordcell.cases.models import Case, Deadline, Remedy
from coordcell.core.actor import Actor
from coordcell.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from coordcell.rules import determinations, workflow

__all__ = ["get_remedy", "mark_remedy_done", "may_verify", "verify_remedy"]

A = workflow.Action
TEXT_MAX_CHARS = 5_000


def get_remedy(case: Case, public_id: Any) -> Remedy:
    """A remedy of ``case`` (which the caller already reads) by its public id."""
    try:
        remedy = Remedy.objects.filter(case=case, public_id=public_id).first()
    except (ValueError, ValidationError):  # a malformed id is a missing one
        remedy = None
    if remedy is None:
        raise NotFound()
    return remedy


def _begin(actor: Actor, case: Case, remedy: Remedy, action: str) -> tuple[Case, Remedy]:
    """Lock the case, write what expired first, and check the step against the table."""
    case = Case.objects.select_for_update(no_key=True).select_related("incident").get(pk=case.pk)
    case = services._expire_overdue(case, timezone.now())
    remedy = Remedy.objects.get(pk=remedy.pk)
    try:
        workflow.next_state(case.state, action, services.sides_of(actor, case))
    except workflow.TransitionRefused as refused:
        if refused.reason == "wrong_side":
            raise PermissionDenied(_("You may not take this step on this case.")) from None
        raise ValidationFailed(
            {
                "action": [
                    _("This step is not possible while the case is %(state)s.")
                    % {"state": StateChoices.label(case.state)}
                ]
            }
        ) from None
    return case, remedy


def _text(text: str) -> str:
    text = (text or "").strip()
    if len(text) > TEXT_MAX_CHARS:
        raise ValidationFailed({"text": [_("At most 5,000 characters.")]})
    return text


@transaction.atomic
def mark_remedy_done(*, actor: Actor, case: Case, remedy: Remedy, text: str = "") -> Remedy:
    """The party that owns ``remedy`` reports it done (its deadline is met if still open)."""
    case, remedy = _begin(actor, case, remedy, A.REMEDY_DONE)
    if not actor.party_code or actor.party_code != remedy.owner:
        raise PermissionDenied(_("Only the party that owns this remedy reports it done."))
    text = _text(text)
    if remedy.state != "open":
        raise Conflict(_("This remedy is already reported done."))
    now = timezone.now()
    if remedy.deadline_id is not None:
        Deadline.objects.filter(pk=remedy.deadline_id, state=DeadlineStateChoices.OPEN).update(
            state=DeadlineStateChoices.MET, closed_at=now
        )
    Remedy.objects.filter(pk=remedy.pk).update(state="done", done_at=now)
    services._save(case, now)
    services._step(
        case,
        actor,
        A.REMEDY_DONE,
        {
            "text": text,
            "remedy": str(remedy.public_id),
            "what": remedy.what,
            "late": bool(remedy.missed_at),
        },
    )
    remedy.refresh_from_db()
    return remedy


def may_verify(actor: Actor, case: Case, remedy: Remedy) -> bool:
    sides = services.sides_of(actor, case)
    if remedy.verifier == determinations.DECIDERS:
        return workflow.Side.DECIDER in sides
    return workflow.Side.MONITOR in sides and actor.party_code == remedy.verifier


@transaction.atomic
def verify_remedy(
    *, actor: Actor, case: Case, remedy: Remedy, verified: bool = True, text: str = ""
) -> Remedy:
    """The remedy's verifier verifies it, or finds it not done (``verified`` False, with
    a text): it is open again against its deadline. The last remedy verified makes the
    case ``remedied``."""
    case, remedy = _begin(actor, case, remedy, A.VERIFY_REMEDY)
    if not may_verify(actor, case, remedy):
        raise PermissionDenied(_("Only this remedy's verifier verifies it."))
    text = _text(text)
    if not verified and not text:
        raise ValidationFailed({"text": [_("Say what was found not done.")]})
    if remedy.state != "done":
        raise Conflict(_("Its owner has not reported this remedy done."))
    now = timezone.now()
    if verified:
        Remedy.objects.filter(pk=remedy.pk).update(state="verified", verified_at=now)
    else:
        deadline = Deadline.objects.create(
            case=case,
            kind=DeadlineKindChoices.REMEDY,
            level=case.level,
            starts_at=now,
            due_at=remedy.due_at,
        )
        Remedy.objects.filter(pk=remedy.pk).update(state="open", done_at=None, deadline=deadline)
    states = list(Remedy.objects.filter(case=case).values_list("state", flat=True))
    changes: dict[str, Any] = {}
    if verified and all(s == "verified" for s in states):
        changes["state"] = StateChoices.REMEDIED
    services._save(case, now, **changes)
    services._step(
        case,
        actor,
        A.VERIFY_REMEDY,
        {
            "text": text,
            "remedy": str(remedy.public_id),
            "what": remedy.what,
            "verified": verified,
        },
    )
    remedy.refresh_from_db()
    return remedy
