"""Releasing the scorecard beyond the parties: an agreed, recorded step.

The parties, the mediators and the monitors read the scorecard live (``cases.scorecard``).
Donors and observers read nothing of it until every party has countersigned a release:
each party's principal or liaison officer takes the step ``release_scorecard`` once; the
last countersignature releases it. What is released is computed then, over the cases and
hotline calls that every countersigning party could see (so a release tells no party's
reader of exchanges it could not see), for every window, and kept as it was released.
Every countersignature and the release itself are recorded.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.cases import events
from coordcell.cases.models import Activation, Case, ScorecardRelease
from coordcell.cases.scorecard import READ_LIVE, WINDOWS, compute
from coordcell.core import audience as audiences
from coordcell.core.actor import Actor
from coordcell.core.errors import Conflict, PermissionDenied, ValidationFailed
from coordcell.parties import selectors as party_selectors
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.record.services import append_event
from coordcell.verification import selectors as verification_selectors

__all__ = [
    "may_read_scorecard",
    "release_scorecard",
    "release_status",
    "scorecard_seen_by_all",
    "signing_parties",
]


def signing_parties() -> list[str]:
    """The parties whose countersignatures a release needs: every party of the cell (not
    the mediators, monitors, donors or observers), by code."""
    return sorted(p.code for p in party_selectors.parties_of_kinds([PartyKindChoices.KIND_PARTY]))


def _covered(codes: list[str]) -> tuple[QuerySet[Case], QuerySet[Activation]]:
    """The cases and calls every one of ``codes`` could see."""
    cases = Case.objects.all()
    calls = Activation.objects.all()
    for code in codes:
        reader = SimpleNamespace(party_code=code, system=False)
        cases = cases.filter(audiences.visible_to(reader))
        calls = calls.filter(audiences.visible_to(reader))
    return cases, calls


def scorecard_seen_by_all(codes: list[str], window: str) -> dict[str, object]:
    """The scorecard over the cases and calls every one of ``codes`` could see (the daily
    report issues it for time-locked publication: the same numbers for every party)."""
    cases, calls = _covered(codes)
    return compute(cases, calls, window, denials=verification_selectors.denials_seen_by_all(codes))


@transaction.atomic
def release_scorecard(*, actor: Actor) -> ScorecardRelease:
    """Countersign the release of the scorecard for the actor's party; the last party's
    countersignature releases it to every member of the cell."""
    if (
        actor.system
        or actor.party_kind != PartyKindChoices.KIND_PARTY
        or not (
            actor.has_role(RoleChoices.PRINCIPAL) or actor.has_role(RoleChoices.LIAISON_OFFICER)
        )
    ):
        raise PermissionDenied(
            _("Only a party's principals and liaison officers countersign a release.")
        )
    code = str(actor.party_code)
    now = timezone.now()
    pending = _pending_release(now)
    if code in pending.signed_by:
        raise ValidationFailed(_("Your party has already countersigned this release."))
    required = signing_parties()
    signed = [*pending.signed_by, code]
    pending.signed_by = signed
    released = set(required) <= set(signed)
    if released:
        cases, calls = _covered(signed)
        pending.released_at = now
        denials = verification_selectors.denials_seen_by_all(signed)
        pending.card = {w: compute(cases, calls, w, denials=denials) for w in WINDOWS}
    pending.save(update_fields=["signed_by", "released_at", "card"])
    append_event(
        actor=actor,
        event_type=events.SCORECARD_RELEASE_SIGNED,
        data={"party": code, "signed_by": signed, "awaiting": sorted(set(required) - set(signed))},
        # The parties and the mechanism: a release still pending is theirs alone.
        audience=party_selectors.concerned_audience(*required),
    )
    if released:
        append_event(
            actor=actor,
            event_type=events.SCORECARD_RELEASED,
            data={"signed_by": signed, "released_at": now},
            audience=[audiences.ALL_MEMBERS],  # released by the parties' agreement
        )
    return pending


def _pending_release(now: dt.datetime) -> ScorecardRelease:
    """The release awaiting countersignatures, locked; started now if there is none. When
    another party's first countersignature starts one at this very moment, the constraint
    of one pending release refuses the second row (on PostgreSQL once the first has
    committed), and the first is signed instead."""
    for _attempt in range(3):
        pending = _locked_pending()
        if pending is not None:
            return pending
        try:
            with transaction.atomic():
                return ScorecardRelease.objects.create(started_at=now)
        except IntegrityError:
            continue  # another party's countersignature started it: read and sign that one
    raise Conflict(_("The release changed while your party countersigned it; try again."))


def _locked_pending() -> ScorecardRelease | None:
    return ScorecardRelease.objects.select_for_update(no_key=True).filter(released_at=None).first()


def release_status(actor: Actor) -> dict[str, object] | None:
    """For those who read the scorecard live: the release awaiting countersignatures (who
    signed, who is awaited) and when it was last released; None for anyone else."""
    if not (actor.system or actor.party_kind in READ_LIVE):
        return None
    pending = ScorecardRelease.objects.filter(released_at=None).first()
    last = ScorecardRelease.objects.exclude(released_at=None).order_by("-released_at").first()
    signed = list(pending.signed_by) if pending is not None else []
    return {
        "signed_by": signed,
        "awaiting": [c for c in signing_parties() if c not in signed],
        "last_released_at": last.released_at if last is not None else None,
        "may_sign": bool(
            actor.party_kind == PartyKindChoices.KIND_PARTY
            and actor.party_code not in signed
            and (
                actor.has_role(RoleChoices.PRINCIPAL) or actor.has_role(RoleChoices.LIAISON_OFFICER)
            )
        ),
    }


def may_read_scorecard(actor: Actor) -> bool:
    """Whether a scorecard exists for the actor: live for the parties and the mechanism,
    released for anyone else (the pages link to it only then)."""
    if actor.system or actor.party_kind in READ_LIVE:
        return True
    return bool(actor.party_code) and ScorecardRelease.objects.exclude(released_at=None).exists()
