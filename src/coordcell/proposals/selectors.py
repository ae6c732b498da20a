"""Reads of proposals and commitments, restricted to the caller.

Every list starts from ``restrict(actor)``: a proposal the caller may not read is
missing, and so is everything under it (``NotFound`` like a missing id). A
commitment's status is derived here (``proposals.status``), never read from a column.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound
from coordcell.proposals import status as derive
from coordcell.proposals.models import (
    Assessment,
    Commitment,
    CommitmentDeadline,
    Extension,
    Indicator,
    Proposal,
    ProposalVersion,
    Stance,
)

__all__ = [
    "CommitmentRow",
    "commitment_rows",
    "diff_rows",
    "get_commitment",
    "get_extension",
    "get_indicator",
    "get_proposal",
    "get_version",
    "latest_assessments",
    "list_commitments",
    "list_proposals",
    "list_versions",
    "stances_by_version",
]


def _by_public_id(qs: QuerySet[Any], public_id: Any) -> Any:
    try:
        obj = qs.filter(public_id=uuid.UUID(str(public_id))).first()
    except (ValueError, ValidationError):
        obj = None
    if obj is None:
        raise NotFound()
    return obj


# --- proposals --------------------------------------------------------------------------


def list_proposals(actor: Actor, *, track: str = "") -> QuerySet[Proposal]:
    qs = Proposal.objects.restrict(actor).select_related("author_party", "agreed_version")
    return qs.filter(track=track) if track else qs


def get_proposal(actor: Actor, public_id: Any) -> Proposal:
    proposal: Proposal = _by_public_id(list_proposals(actor), public_id)
    return proposal


def list_versions(actor: Actor, proposal: Proposal) -> QuerySet[ProposalVersion]:
    return (
        ProposalVersion.objects.restrict(actor)
        .filter(proposal=proposal)
        .select_related("author_party", "proposal")
        .order_by("number")
    )


def get_version(actor: Actor, proposal: Proposal, number: Any) -> ProposalVersion:
    try:
        n = int(number)
    except (TypeError, ValueError):
        raise NotFound() from None
    found = list_versions(actor, proposal).filter(number=n).first()
    if found is None:
        raise NotFound()
    return found


def get_version_by_id(actor: Actor, public_id: Any) -> ProposalVersion:
    qs = ProposalVersion.objects.restrict(actor).select_related("proposal", "author_party")
    version: ProposalVersion = _by_public_id(qs, public_id)
    return version


def stances_by_version(actor: Actor, proposal: Proposal) -> dict[int, dict[str, Stance]]:
    """version number → party code → that party's stance (each deciding party's)."""
    out: dict[int, dict[str, Stance]] = {}
    qs = (
        Stance.objects.restrict(actor)
        .filter(version__proposal=proposal)
        .select_related("party", "version")
    )
    for s in qs:
        out.setdefault(s.version.number, {})[s.party.code] = s
    return out


_WORDS = re.compile(r"\s+|[^\s]+")


def _words(a: str, b: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    left, right = _WORDS.findall(a), _WORDS.findall(b)
    la: list[tuple[str, bool]] = []
    rb: list[tuple[str, bool]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
        None, left, right, autojunk=False
    ).get_opcodes():
        if i2 > i1:
            la.append(("".join(left[i1:i2]), tag != "equal"))
        if j2 > j1:
            rb.append(("".join(right[j1:j2]), tag != "equal"))
    return la, rb


def diff_rows(old: str, new: str) -> list[dict[str, Any]]:
    """Two texts side by side, line by line (``difflib``): each row has its kind
    (equal, replace, delete, insert) and each side's segments as (text, changed)."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[dict[str, Any]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [{"tag": tag, "left": [(x, False)], "right": [(x, False)]} for x in a[i1:i2]]
        elif tag == "replace":
            n = max(i2 - i1, j2 - j1)
            for k in range(n):
                x = a[i1 + k] if i1 + k < i2 else ""
                y = b[j1 + k] if j1 + k < j2 else ""
                left, right = _words(x, y)
                rows.append({"tag": tag, "left": left, "right": right})
        elif tag == "delete":
            rows += [{"tag": tag, "left": [(x, True)], "right": []} for x in a[i1:i2]]
        else:
            rows += [{"tag": tag, "left": [], "right": [(y, True)]} for y in b[j1:j2]]
    return rows


# --- commitments --------------------------------------------------------------------------


def list_commitments(actor: Actor) -> QuerySet[Commitment]:
    return (
        Commitment.objects.restrict(actor)
        .select_related("owner", "proposal", "version")
        .prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.order_by("pk")),
            Prefetch("deadlines", queryset=CommitmentDeadline.objects.order_by("opened_at", "pk")),
        )
        .order_by("created_at", "pk")
    )


def get_commitment(actor: Actor, public_id: Any) -> Commitment:
    commitment: Commitment = _by_public_id(list_commitments(actor), public_id)
    return commitment


def get_indicator(actor: Actor, public_id: Any) -> Indicator:
    qs = Indicator.objects.restrict(actor).select_related("commitment__proposal")
    indicator: Indicator = _by_public_id(qs, public_id)
    return indicator


def get_extension(actor: Actor, public_id: Any) -> Extension:
    qs = Extension.objects.restrict(actor).select_related("commitment__proposal")
    extension: Extension = _by_public_id(qs, public_id)
    return extension


def list_extensions(actor: Actor, commitment: Commitment) -> QuerySet[Extension]:
    return (
        Extension.objects.restrict(actor)
        .filter(commitment=commitment)
        .select_related("proposed_by")
        .order_by("created_at", "pk")
    )


def latest_assessments(actor: Actor, commitment: Commitment) -> dict[str, Assessment]:
    """Each party's latest assessment of ``commitment`` (party code → assessment)."""
    out: dict[str, Assessment] = {}
    qs = (
        Assessment.objects.restrict(actor)
        .filter(commitment=commitment)
        .select_related("party")
        .order_by("given_at", "pk")
    )
    for a in qs:
        out[a.party.code] = a
    return out


@dataclass(frozen=True)
class CommitmentRow:
    commitment: Commitment
    status: str
    score: int
    due_at: dt.datetime | None
    running: bool
    verified: int
    indicators: int
    outcomes: tuple[str, ...]


def row_of(commitment: Commitment, now: dt.datetime | None = None) -> CommitmentRow:
    moment = now or timezone.now()
    facts = derive.facts_of(commitment)
    deadlines = list(commitment.deadlines.all())
    running = next((d for d in deadlines if not d.outcome), None)
    last = running or (deadlines[-1] if deadlines else None)
    return CommitmentRow(
        commitment=commitment,
        status=derive.status_at(facts, moment),
        score=derive.pam_score(facts, moment),
        due_at=last.due_at if last else None,
        running=running is not None,
        verified=sum(1 for v in facts.verified if v is not None),
        indicators=len(facts.verified),
        outcomes=tuple(d.outcome for d in deadlines if d.outcome),
    )


def commitment_rows(
    actor: Actor,
    *,
    party: str = "",
    status: str = "",
    due_before: dt.date | None = None,
    due_after: dt.date | None = None,
    proposal: Proposal | None = None,
) -> list[CommitmentRow]:
    """The commitments ``actor`` reads, with their derived status, filtered by owner
    party, status and due date (the running deadline's, else the last one's)."""
    qs = list_commitments(actor)
    if party:
        qs = qs.filter(owner__code=party)
    if proposal is not None:
        qs = qs.filter(proposal=proposal)
    now = timezone.now()
    rows = [row_of(c, now) for c in qs]
    if status:
        rows = [r for r in rows if r.status == status]
    if due_before is not None:
        rows = [r for r in rows if r.due_at is not None and r.due_at.date() <= due_before]
    if due_after is not None:
        rows = [r for r in rows if r.due_at is not None and r.due_at.date() >= due_after]
    return rows


def status_history(
    rows: Iterable[CommitmentRow], zone: dt.tzinfo, days: int = 30
) -> list[tuple[dt.date, dict[str, int]]]:
    today = timezone.now().astimezone(zone).date()
    span = [today - dt.timedelta(days=k) for k in range(days - 1, -1, -1)]
    return derive.history([derive.facts_of(r.commitment) for r in rows], span, zone)
