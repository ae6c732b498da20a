"""Reads of the daily report and of publications, restricted to the caller; the counts.

Counting reads incidents only through ``incidents.selectors`` for one reader, so a count is
over what that reader may see: an incident outside its audience is not counted, exactly as
if it did not exist. What is issued for publication is counted over what *every* party it
is issued to may see (:func:`seen_by_all`), so every party receives the same text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from coordcell.agreements import selectors as agreements
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound
from coordcell.incidents import selectors as incidents
from coordcell.parties import selectors as parties
from coordcell.parties.choices import PartyKindChoices
from coordcell.reports.models import DailyReport, ExtensionSignature, Publication, Rendition
from coordcell.rules import counting
from coordcell.rules.arrangement import RELEASE_PUBLIC, CountingRulesSpec, ReportsSpec

__all__ = [
    "get_publication",
    "get_rendition",
    "list_publications",
    "list_renditions",
    "list_reports",
    "observations",
    "reader_for",
    "readers",
    "released_publications",
    "reports_spec",
    "seen_by_all",
    "signatures",
    "tally",
]


def reader_for(code: str, kind: str) -> Actor:
    """The actor a party's rendition is built for: the party, with no person's roles."""
    return Actor(user=None, name=f"reader:{code}", party_code=code, party_kind=kind)


def readers() -> list[Actor]:
    """Every party of the cell, each as the reader of its own rendition."""
    kinds = PartyKindChoices.values()
    return [reader_for(p.code, p.kind) for p in parties.parties_of_kinds(kinds)]


def reports_spec(version: Any) -> ReportsSpec | None:
    """The ``[reports]`` of an arrangement version (None where the scenario has none)."""
    return counting.reports_from_content(version.content or {})


def _incidents(reader: Actor, start: dt.datetime, end: dt.datetime) -> QuerySet[Any]:
    # "As of the cut-off": occurred in the window and on the record before its end.
    return incidents.list_incidents(reader).filter(
        occurred_from__gte=start, occurred_from__lt=end, reported_at__lt=end
    )


def observations(
    reader: Actor, start: dt.datetime, end: dt.datetime, *, only: Iterable[int] | None = None
) -> list[counting.Observation]:
    """The reports the reader may see in the window, as the counting rules read them."""
    qs = _incidents(reader, start, end)
    if only is not None:
        qs = qs.filter(pk__in=list(only))
    rows = qs.values_list(
        "pk", "reference", "occurred_from", "lon", "lat", "kind", "acting_party", "findings"
    )
    return [
        counting.Observation(
            ref=reference,
            at=at,
            lon=lon,
            lat=lat,
            kind=kind,
            acting_party=acting or "",
            findings=tuple(
                counting.Finding(
                    clause=str(f.get("clause") or ""),
                    zone=str(f.get("zone") or ""),
                    agreed=f.get("status", "agreed") == "agreed" and not f.get("disputed_by"),
                    certainty=str(f.get("certainty") or ""),
                )
                for f in (findings or [])
                if isinstance(f, dict)
            ),
        )
        for _pk, reference, at, lon, lat, kind, acting, findings in rows
    ]


def tally(
    reader: Actor, start: dt.datetime, end: dt.datetime, rules: CountingRulesSpec
) -> counting.Tally:
    """Violations counted under ``rules`` over what ``reader`` may see in the window."""
    return counting.count(observations(reader, start, end), rules)


def seen_by_all(codes: Sequence[str], start: dt.datetime, end: dt.datetime) -> list[int]:
    """The incidents of the window that every party of ``codes`` may see (row ids)."""
    common: set[int] | None = None
    for code in codes:
        ids = set(_incidents(reader_for(code, ""), start, end).values_list("pk", flat=True))
        common = ids if common is None else common & ids
    return sorted(common or ())


# --- the report and its renditions ---------------------------------------------------------


def list_renditions(actor: Actor) -> QuerySet[Rendition]:
    """The renditions the actor's party received (the console reads all)."""
    return Rendition.objects.restrict(actor).select_related("report")


def list_reports(actor: Actor) -> QuerySet[DailyReport]:
    """The reports of which the actor's party received a rendition, newest first."""
    return DailyReport.objects.filter(pk__in=list_renditions(actor).values("report_id")).order_by(
        "-day"
    )


def _uuid_filter(qs: QuerySet[Any], field: str, public_id: Any) -> Any:
    try:
        return qs.filter(**{field: public_id}).first()
    except (ValueError, ValidationError):
        return None


def get_rendition(actor: Actor, public_id: Any, language: str) -> Rendition:
    """The actor's party's rendition of a report in ``language``; NotFound alike for a
    missing report and one the party received no rendition of."""
    code = actor.party_code or ""
    qs = list_renditions(actor).filter(language=language)
    if not actor.system:
        qs = qs.filter(party_code=code)
    rendition = _uuid_filter(qs.order_by("party_code"), "report__public_id", public_id)
    if rendition is None:
        raise NotFound()
    return rendition  # type: ignore[no-any-return]


# --- publications ----------------------------------------------------------------------------


def list_publications(actor: Actor) -> QuerySet[Publication]:
    """What the actor's party was issued (embargoed or released) or received once released."""
    return Publication.objects.restrict(actor).select_related("report")


def get_publication(actor: Actor, public_id: Any) -> Publication:
    found = _uuid_filter(list_publications(actor), "public_id", public_id)
    if found is None:
        raise NotFound()
    return found  # type: ignore[no-any-return]


def released_publications(actor: Actor | None) -> QuerySet[Publication]:
    """What has been published: to the public (anyone, no login), and to the actor's own
    party where the arrangement names it the recipient. Never an embargoed item."""
    qs = Publication.objects.exclude(released_at=None)
    code = actor.party_code if actor is not None and not actor.system else None
    if actor is not None and actor.system:
        return qs.order_by("-released_at", "kind", "subject")
    wanted = [RELEASE_PUBLIC, code] if code else [RELEASE_PUBLIC]
    return qs.filter(release_to__in=wanted).order_by("-released_at", "kind", "subject")


def signatures(publication: Publication) -> list[str]:
    """The parties that signed the extension of the publication's current round."""
    return sorted(
        ExtensionSignature.objects.filter(
            publication=publication, round=publication.round
        ).values_list("party_code", flat=True)
    )


def current_version(actor: Actor) -> Any:
    """The current arrangement version (with its content), or NotFound."""
    return agreements.get_version(actor, None, None)
