"""The warning-before-action ledger: every use of force a party calls self-defence, linked
to the warning it passed through the cell before it — or visibly not.

:func:`claim_self_defence` is the one service (the reporting party of a use of force
states it was self-defence and links its prior warning, or says there was none);
:func:`ledger` computes, per party, from what the reader may see: the share of its
stated self-defence strikes preceded by a warning through the cell, and the share of the
warnings addressed to it that it acted on in time.

Hidden looks like missing: a statement's audience is its incident's, narrowed to its
warning's when it names one, so no reader counts a strike "preceded by a warning" it
cannot read; every count runs over the reader's own view.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.agreements.engines import engine_for
from coordcell.cases import exchange_events
from coordcell.cases.exchange_choices import OutcomeChoices, WindowStateChoices
from coordcell.cases.models import ForceClaim, ThreatWarning
from coordcell.core import audience as audience_text
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.incidents import selectors as incident_selectors
from coordcell.parties import selectors as party_selectors
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.record.services import append_event, subject
from coordcell.rules import taxonomy

if TYPE_CHECKING:
    from coordcell.incidents.models import Incident
    from coordcell.rules.engine import Engine

__all__ = ["claim_self_defence", "is_use_of_force", "ledger"]

_ACTING = (RoleChoices.LIAISON_OFFICER, RoleChoices.PRINCIPAL)
#: The activity that makes an incident kind a use of force (``rules.taxonomy``).
FORCE_ACTIVITY = "fire"


def is_use_of_force(kind: str, engine: Engine | None = None) -> bool:
    """Whether incidents of ``kind`` are a use of force (they imply fire): a built-in kind,
    or one the arrangement declares (``engine``: its version's) that implies fire."""
    if taxonomy.is_kind(kind):
        return FORCE_ACTIVITY in taxonomy.activities(kind)
    declared = engine.declared_kinds.get(kind) if engine is not None else None
    return declared is not None and FORCE_ACTIVITY in declared.implies


def _intersect(first: list[str], second: list[str]) -> list[str]:
    if audience_text.ALL_MEMBERS in first:
        return list(second)
    if audience_text.ALL_MEMBERS in second:
        return list(first)
    return sorted(set(first) & set(second))


@transaction.atomic
def claim_self_defence(
    *,
    actor: Actor,
    incident: Incident,
    warning: ThreatWarning | None = None,
    no_prior_warning: bool = False,
    statement: str = "",
) -> ForceClaim:
    """The party that reported a use of force states it was self-defence, and links the
    warning it passed through the cell before it, or says there was none."""
    if (
        actor.system
        or actor.party_kind != PartyKindChoices.KIND_PARTY
        or not any(actor.has_role(r) for r in _ACTING)
    ):
        raise PermissionDenied(_("Liaison officers and principals of a party state this."))
    incident = incident_selectors.lock_visible(actor, incident)
    if incident.source_party_id != actor.party_id:
        raise PermissionDenied(_("Only the party that reported the use of force states this."))
    errors: dict[str, list[str]] = {}
    if not is_use_of_force(incident.kind, engine_for(incident.version)):
        errors["incident"] = [_("This incident is not a use of force.")]
    elif ForceClaim.objects.filter(incident=incident).exists():
        errors["incident"] = [_("Your party has already stated this.")]
    if (warning is None) == (not no_prior_warning):
        errors["warning"] = [_("Name the prior warning, or say there was none through the cell.")]
    if warning is not None:
        found = ThreatWarning.objects.restrict(actor).filter(pk=warning.pk).first()
        if found is None or found.warner_id != actor.party_id:
            errors["warning"] = [_("Name a warning your party passed.")]
        elif found.passed_at > incident.occurred_from:
            errors["warning"] = [_("That warning was passed after the use of force.")]
        warning = found
    statement = (statement or "").strip()
    if len(statement) > 5_000:
        errors["statement"] = [_("At most 5,000 characters.")]
    if errors:
        raise ValidationFailed(errors)
    party = party_selectors.party_of(actor)
    assert party is not None
    audience = incident.audience_codes
    if warning is not None:
        audience = _intersect(audience, warning.audience_codes)
    now = timezone.now()
    claim = ForceClaim.objects.create(
        incident=incident,
        party=party,
        by=actor.user,
        warning=warning,
        statement=statement,
        at=now,
        audience=audience_text.encode(audience),
    )
    subjects = [subject("incidents.incident", incident.public_id, incident.reference)]
    if warning is not None:
        subjects.append(subject("cases.warning", warning.public_id, warning.reference))
    append_event(
        actor=actor,
        event_type=exchange_events.FORCE_CLAIMED,
        data={
            "incident": incident.reference,
            "party": party.code,
            "warning": warning.reference if warning is not None else None,
            "no_prior_warning": warning is None,
            "statement": statement,
            "at": now,
        },
        subjects=subjects,
        audience=claim.audience_codes,
    )
    return claim


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def ledger(actor: Actor) -> dict[str, Any]:
    """Per party, from what ``actor`` may see: its stated self-defence strikes and how many
    a warning through the cell preceded; the warnings addressed to it and how they ended."""
    if not actor.system and not actor.party_code:
        raise NotFound()
    parties = party_selectors.parties_of_kinds([PartyKindChoices.KIND_PARTY])
    strikes: dict[int, int] = defaultdict(int)
    warned: dict[int, int] = defaultdict(int)
    for party_id, warning_id in ForceClaim.objects.restrict(actor).values_list(
        "party_id", "warning_id"
    ):
        strikes[party_id] += 1
        warned[party_id] += warning_id is not None
    received: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for addressee_id, outcome, window in ThreatWarning.objects.restrict(actor).values_list(
        "addressee_id", "outcome", "window_state"
    ):
        row = received[addressee_id]
        row["received"] += 1
        row[outcome or "pending"] += 1
        row["window_" + window] += 1
    rows = []
    for party in parties:
        got = received[party.pk]
        decided = sum(got[o] for o in OutcomeChoices.values())
        rows.append(
            {
                "party": party.code,
                "name": party.name,
                "strikes_stated_self_defence": strikes[party.pk],
                "strikes_preceded_by_warning": warned[party.pk],
                "share_preceded_by_warning": _share(warned[party.pk], strikes[party.pk]),
                "warnings_received": got["received"],
                "warnings_decided": decided,
                "warnings_acted_in_time": got[OutcomeChoices.ACTED_IN_TIME],
                "warnings_not_acted": got[OutcomeChoices.NOT_ACTED],
                "warnings_unilateral_after_window": got[OutcomeChoices.UNILATERAL],
                "warnings_pending": got["pending"],
                "windows_met": got["window_" + WindowStateChoices.MET],
                "windows_expired": got["window_" + WindowStateChoices.EXPIRED],
                "share_acted_in_time": _share(got[OutcomeChoices.ACTED_IN_TIME], decided),
            }
        )
    return {"parties": rows}
