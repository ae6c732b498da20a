"""Reads of the economic zone, restricted to the caller.

Every list starts from ``restrict(actor)``: a project, pledge or tranche the caller may
not read is missing (``NotFound``). A donor is named for a reader by :func:`donor_name`
alone — the one function every page, export, notification and record entry uses.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound
from coordcell.core.models import localized_now
from coordcell.core.roles import PartyKindChoices
from coordcell.economy.choices import TrancheStateChoices
from coordcell.economy.models import (
    Commitment,
    ConversionRate,
    Donor,
    Milestone,
    Pledge,
    Project,
    Tranche,
    TrancheCondition,
)

__all__ = [
    "Transaction",
    "donor_name",
    "get_commitment",
    "get_condition",
    "get_donor",
    "get_milestone",
    "get_pledge",
    "get_project",
    "get_tranche",
    "is_donor",
    "knows_donor",
    "list_commitments",
    "list_conditions",
    "list_donors",
    "list_milestones",
    "list_pledges",
    "list_projects",
    "list_rates",
    "list_tranches",
    "list_transactions",
    "own_donor",
    "pseudonym_label",
    "sees_security_traffic",
    "visible_reasons",
]


def _by_public_id(qs: QuerySet[Any], public_id: Any) -> Any:
    try:
        obj = qs.filter(public_id=uuid.UUID(str(public_id))).first()
    except (ValueError, ValidationError):
        obj = None
    if obj is None:
        raise NotFound()
    return obj


# --- donors ------------------------------------------------------------------------------


def knows_donor(reader: Actor, donor: Donor) -> bool:
    """Whether ``reader`` may know who ``donor`` is: the console, a mediator, the donor's
    own people — or anyone, when the donor chose to be named."""
    if donor.named or reader.system:
        return True
    if reader.party_id is None:
        return False
    return reader.party_kind == PartyKindChoices.KIND_MEDIATOR or reader.party_id == donor.party_id


def donor_name(donor: Donor, reader: Actor) -> str:
    """The donor as ``reader`` may name it: the party's name, or its pseudonym ("Donor K").

    The pseudonym is a letter drawn at random when the donor was registered: stable for
    the donor, it carries no count and no order."""
    if knows_donor(reader, donor):
        return str(localized_now(donor.party.names) or donor.pseudonym)
    return pseudonym_label(donor.pseudonym)


def pseudonym_label(pseudonym: str) -> str:
    return _("Donor %(pseudonym)s") % {"pseudonym": pseudonym}


# --- projects ----------------------------------------------------------------------------


def list_projects(actor: Actor) -> QuerySet[Project]:
    return Project.objects.restrict(actor).select_related("version")


def get_project(actor: Actor, public_id: Any) -> Project:
    project: Project = _by_public_id(list_projects(actor), public_id)
    return project


def list_milestones(actor: Actor, project: Project | None = None) -> QuerySet[Milestone]:
    qs = Milestone.objects.restrict(actor).select_related("project")
    return qs.filter(project=project) if project is not None else qs


# --- money -------------------------------------------------------------------------------


def list_pledges(actor: Actor, project: Project | None = None) -> QuerySet[Pledge]:
    qs = Pledge.objects.restrict(actor).select_related("project", "donor", "donor__party")
    return qs.filter(project=project) if project is not None else qs


def list_commitments(actor: Actor, project: Project | None = None) -> QuerySet[Commitment]:
    qs = Commitment.objects.restrict(actor).select_related(
        "pledge", "pledge__project", "pledge__donor", "pledge__donor__party"
    )
    return qs.filter(pledge__project=project) if project is not None else qs


def list_tranches(actor: Actor, project: Project | None = None) -> QuerySet[Tranche]:
    qs = Tranche.objects.restrict(actor).select_related(
        "commitment",
        "commitment__pledge",
        "commitment__pledge__project",
        "commitment__pledge__donor",
        "commitment__pledge__donor__party",
    )
    return qs.filter(commitment__pledge__project=project) if project is not None else qs


def list_conditions(actor: Actor, tranche: Tranche | None = None) -> QuerySet[TrancheCondition]:
    qs = TrancheCondition.objects.restrict(actor).select_related("tranche", "party", "step")
    return qs.filter(tranche=tranche) if tranche is not None else qs


def list_rates(actor: Actor) -> QuerySet[ConversionRate]:
    return ConversionRate.objects.restrict(actor)


@dataclass(frozen=True)
class Transaction:
    """One movement of money as a reader sees it (for pages and exports).

    ``kind``: ``pledge``, ``commitment`` or ``disbursement`` (a disbursed tranche);
    ``donor``: the donor as :func:`donor_name` names it for the reader."""

    kind: str
    reference: str
    project: Project
    donor: str
    donor_named: bool
    currency: str
    amount: Decimal
    date: dt.date


def list_transactions(actor: Actor, project: Project | None = None) -> Iterator[Transaction]:
    """Pledges, commitments and disbursements the actor reads, by date then kind."""
    rows: list[Transaction] = []
    for p in list_pledges(actor, project):
        rows.append(_row("pledge", p.reference, p.project, p.donor, p, p.pledged_on, actor))
    for c in list_commitments(actor, project):
        pledge = c.pledge
        rows.append(
            _row("commitment", c.reference, pledge.project, pledge.donor, c, c.committed_on, actor)
        )
    for t in list_tranches(actor, project).filter(state=TrancheStateChoices.DISBURSED):
        pledge = t.commitment.pledge
        assert t.disbursed_on is not None
        date = t.disbursed_on
        rows.append(_row("disbursement", t.reference, pledge.project, pledge.donor, t, date, actor))
    order = {"pledge": 0, "commitment": 1, "disbursement": 2}
    rows.sort(key=lambda r: (r.date, order[r.kind], r.reference))
    return iter(rows)


def _row(
    kind: str,
    reference: str,
    project: Project,
    donor: Donor,
    money: Any,
    date: dt.date,
    actor: Actor,
) -> Transaction:
    return Transaction(
        kind=kind,
        reference=reference,
        project=project,
        donor=donor_name(donor, actor),
        donor_named=knows_donor(actor, donor),
        currency=money.currency,
        amount=money.amount,
        date=date,
    )


# --- one object by its public id (hidden: missing) --------------------------------------


def list_donors(actor: Actor) -> QuerySet[Donor]:
    """The donors the actor reads (every member reads a donor's pseudonym)."""
    return Donor.objects.restrict(actor).select_related("party").order_by("pseudonym")


def get_donor(actor: Actor, public_id: Any) -> Donor:
    donor: Donor = _by_public_id(Donor.objects.restrict(actor).select_related("party"), public_id)
    return donor


def own_donor(actor: Actor) -> Donor:
    """The donor the actor's party is (``NotFound`` for anyone else)."""
    donor: Donor | None = (
        Donor.objects.select_related("party").filter(party_id=actor.party_id).first()
    )
    if actor.party_id is None or donor is None:
        raise NotFound()
    return donor


def is_donor(actor: Actor) -> bool:
    return actor.party_id is not None and Donor.objects.filter(party_id=actor.party_id).exists()


def get_pledge(actor: Actor, public_id: Any) -> Pledge:
    pledge: Pledge = _by_public_id(list_pledges(actor), public_id)
    return pledge


def get_commitment(actor: Actor, public_id: Any) -> Commitment:
    commitment: Commitment = _by_public_id(list_commitments(actor), public_id)
    return commitment


def get_tranche(actor: Actor, public_id: Any) -> Tranche:
    tranche: Tranche = _by_public_id(list_tranches(actor), public_id)
    return tranche


def get_condition(actor: Actor, public_id: Any) -> TrancheCondition:
    condition: TrancheCondition = _by_public_id(list_conditions(actor), public_id)
    return condition


def get_milestone(actor: Actor, public_id: Any) -> Milestone:
    milestone: Milestone = _by_public_id(list_milestones(actor), public_id)
    return milestone


# --- what a reader sees of why a condition holds a tranche -------------------------------


def sees_security_traffic(actor: Actor) -> bool:
    """The parties, the mediators and the monitors — never donors or observers."""
    if actor.system:
        return True
    return actor.party_kind in (
        PartyKindChoices.KIND_PARTY,
        PartyKindChoices.KIND_MEDIATOR,
        PartyKindChoices.KIND_MONITOR,
    )


def visible_reasons(condition: TrancheCondition, actor: Actor) -> list[dict[str, Any]]:
    """The references that hold ``condition``, as ``actor`` may read them: for the
    security audience, each reference its own audience lets the reader read; for the
    donor of the tranche, the references the mediator released (kind and reference
    only); for anyone else, none."""
    if sees_security_traffic(actor):
        shown = []
        for r in condition.reasons:
            audience = r.get("audience") or []
            if (
                actor.system
                or actor.party_kind == PartyKindChoices.KIND_MEDIATOR
                or not audience
                or "*" in audience
                or actor.party_code in audience
            ):
                shown.append({k: v for k, v in r.items() if k != "audience"})
        return shown
    donor = condition.tranche.commitment.pledge.donor
    if actor.party_id is not None and actor.party_id == donor.party_id:
        released = set(condition.released)
        return [
            {"type": r["type"], "reference": r["reference"]}
            for r in condition.reasons
            if r.get("reference") in released
        ]
    return []
