"""Escalation alerts: the escalation steps a reader may see, as CAP 1.2 alerts.

Reads only (no service writes here). The selector starts from the cases the reader may
see (``Case.access_filter``: the case's audience), so an escalation of any other case
does not exist for them. The texts of each alert are translated into every language of
the cell (one CAP ``<info>`` per language); the pure writer is ``interop.cap``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from coordcell.agreements import selectors as agreements
from coordcell.cases.choices import DeadlineKindChoices
from coordcell.cases.models import Case, Step
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound
from coordcell.incidents.selectors import Headlines
from coordcell.interop import cap
from coordcell.parties import selectors as parties
from coordcell.record import selectors as record
from coordcell.rules import deadlines, taxonomy
from coordcell.rules.arrangement import localized
from coordcell.rules.engine import split_findings
from coordcell.rules.geojson_input import GeometryError, normalise_geometry

if TYPE_CHECKING:
    from coordcell.parties.models import Party

__all__ = ["escalation_of", "escalations_of", "get_escalation", "list_escalations"]

_IDENTIFIER = re.compile(r"^(CASE-[0-9A-Z]{4}(?:-[0-9A-Z]{4}){1,3})-ESC-([0-9a-f]{16})$")


def list_escalations(actor: Actor) -> QuerySet[Step]:
    """Escalation steps of the cases the actor may see, newest first."""
    steps: QuerySet[Step] = (
        Step.objects.filter(action="escalate", case__in=Case.objects.restrict(actor))
        .select_related("entry", "case__incident__version", "case__complainant", "case__respondent")
        .defer("case__incident__version__content", "case__incident__version__basemap")
        .order_by("-at", "-pk")
    )
    return steps


def get_escalation(actor: Actor, identifier: str) -> Step:
    """The escalation step named by its alert identifier (``CASE-7K3Q-9MX2-4HZD-ESC-`` and
    the first 16 hex digits of its record entry's hash: no row id, no sequence number).

    NotFound alike for a malformed identifier, a missing step, and a step of a case the
    actor may not see.
    """
    match = _IDENTIFIER.match(identifier or "")
    if match is None:
        raise NotFound()
    step: Step | None = (
        list_escalations(actor)
        .filter(case__reference=match[1], entry__hash__startswith=match[2])
        .first()
    )
    if step is None:
        raise NotFound()
    return step


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _exercise(case: Case) -> bool:
    """Fictional data (the demo's, a drill's) or any case of an exercise cell: CAP status
    Exercise rather than Actual."""
    if record.is_exercise():
        return True
    respondent_fictional = case.respondent is not None and case.respondent.fictional
    complainant_fictional = case.complainant is not None and case.complainant.fictional
    if case.incident.fictional or complainant_fictional or respondent_fictional:
        return True
    if case.lodged_by_id is None or case.complainant_id is None:
        return False
    return parties.lodged_as_exercise(case.lodged_by_id, case.complainant_id)


class _CaseFacts:
    """What every escalation of one case shares (fetched once per case)."""

    def __init__(self, case: Case) -> None:
        protocol = agreements.find_protocol(case.version_id, case.protocol_id)
        self.ladder: list[dict[str, Any]] = list(protocol.ladder) if protocol else []
        self.zones = agreements.zones_by_ids(case.incident.version_id, case.incident.zones)
        # The incident kinds as the scenario's lexicon names them (none: the taxonomy's).
        self.kinds = agreements.lexicon_section(case.incident.version_id, "kinds")
        self.exercise = _exercise(case)
        # The headline is generated (kind · place · local time), never a party's title.
        self.headlines = Headlines()
        # Only findings under agreed clauses have a severity (none is computed from a
        # clause a party disputes, or from an illustrative one).
        agreed, _ = split_findings(case.incident.findings)
        self.severities = tuple(str(f.get("severity") or "") for f in agreed)


def _reason(step: Step) -> str:
    reason = step.entry.data.get("reason")
    return str(reason) if reason else "requested"


def _why(step: Step, parties_by_code: dict[str, Party], language: str) -> str:
    reason = _reason(step)
    if reason == "requested":
        party = parties_by_code.get(step.party_code)
        name = localized(party.names, language) if party else step.party_code
        return _("at the request of %(party)s") % {"party": name}
    kind = reason.removesuffix("_deadline_expired")
    return _("the %(deadline)s deadline passed without a reply") % {
        "deadline": DeadlineKindChoices.label(kind)
    }


def _texts(
    step: Step, facts: _CaseFacts, parties_by_code: dict[str, Party], expires: Any
) -> list[cap.InfoText]:
    case = step.case
    incident = case.incident
    rung = facts.ladder[step.level_after] if step.level_after < len(facts.ladder) else {}
    top = step.level_after >= len(facts.ladder) - 1
    texts = []
    for language in _languages():
        with translation.override(language):
            level = localized(rung.get("names", {}), language) or str(rung.get("level", ""))
            kind = localized(facts.kinds.get(incident.kind) or {}, language)
            if not kind:
                try:
                    kind = _(taxonomy.label(incident.kind))
                except taxonomy.UnknownKind:
                    kind = incident.kind
            complainant = (
                localized(case.complainant.names, language)
                if case.complainant is not None
                else _("an inquiry of its own motion")
            )
            respondent = (
                localized(case.respondent.names, language)
                if case.respondent is not None
                else _("the mechanism")
            )
            zones = "; ".join(localized(z.names, language) for z in facts.zones)
            if zones:
                area = _("%(zones)s, around the reported location of %(incident)s") % {
                    "zones": zones,
                    "incident": incident.reference,
                }
            else:
                area = _("Around the reported location of %(incident)s") % {
                    "incident": incident.reference
                }
            description = _(
                "Complaint %(case)s (%(complainant)s about %(respondent)s) climbed to the "
                "level “%(level)s” of its protocol's ladder: %(why)s. Incident "
                "%(incident)s: %(headline)s. Record entry %(entry)s."
            ) % {
                "case": case.reference,
                "complainant": complainant,
                "respondent": respondent,
                "level": level,
                "why": _why(step, parties_by_code, language),
                "incident": incident.reference,
                "headline": facts.headlines.of(incident, language),
                "entry": step.entry.hash[: cap.ENTRY_HASH_CHARS],
            }
            if expires is None:
                instruction = ""
            elif top:
                instruction = _(
                    "The case is at the top of its ladder: take it up before %(due)s UTC."
                ) % {"due": f"{expires:%Y-%m-%d %H:%M}"}
            else:
                instruction = _(
                    "Take the case up at this level before %(due)s UTC, when it climbs again."
                ) % {"due": f"{expires:%Y-%m-%d %H:%M}"}
            texts.append(
                cap.InfoText(
                    language=language,
                    event=_("Escalated complaint: %(kind)s") % {"kind": kind},
                    headline=_("%(case)s escalated to %(level)s")
                    % {"case": case.reference, "level": level},
                    description=description,
                    area_desc=area,
                    sender_name=_("Joint security coordination cell"),
                    instruction=instruction,
                )
            )
    return texts


def escalation_of(
    step: Step,
    actor: Actor,
    *,
    web: str = "",
    _facts: dict[int, _CaseFacts] | None = None,
    _visible: dict[str, Party] | None = None,
) -> cap.Escalation:
    """The CAP alert of one escalation step, as ``actor`` may read it.

    The ``<restriction>`` names the parties of the case's audience that the actor may
    know of (a confidential donor in the audience is named only to those who know it).
    """
    case = step.case
    facts_cache = _facts if _facts is not None else {}
    facts = facts_cache.get(case.pk)
    if facts is None:
        facts = facts_cache[case.pk] = _CaseFacts(case)
    visible = _visible if _visible is not None else {p.code: p for p in parties.list_parties(actor)}
    rung = facts.ladder[step.level_after] if step.level_after < len(facts.ladder) else None
    expires = deadlines.due(step.at, float(rung["within_hours"])) if rung else None
    codes = [c for c in case.audience_codes if c in visible]
    with translation.override("en"):
        restriction = _(
            "Members of the coordination cell from the parties of the case: %(parties)s. "
            "Not for further distribution."
        ) % {"parties": ", ".join(codes)}
        note = _("Exercise: fictional data.") if facts.exercise else ""
    return cap.Escalation(
        sender=settings.CAP_SENDER,
        case_reference=case.reference,
        entry_hash=step.entry.hash,
        sent=step.at,
        level=step.level_after,
        level_code=str(rung["level"]) if rung else "",
        top_level=step.level_after >= len(facts.ladder) - 1,
        reason=_reason(step),
        state=step.state_after,
        incident_reference=case.incident.reference,
        kind=case.incident.kind,
        geometry=_alert_geometry(case.incident),
        uncertainty_m=case.incident.uncertainty_m,
        restriction=restriction,
        texts=_texts(step, facts, visible, expires),
        finding_severities=facts.severities,
        exercise=facts.exercise,
        expires=expires,
        web=web,
        note=note,
    )


def _alert_geometry(incident: Any) -> dict[str, Any]:
    """The incident's geometry, or its representative point when the stored geometry does
    not pass the normaliser (a row written before geometries were checked on the way in:
    one string coordinate would otherwise stop the feed for everyone who reads it)."""
    try:
        return normalise_geometry(
            incident.geometry, foreign_members="drop", check_validity=False, max_positions=10**6
        )
    except GeometryError:
        return {"type": "Point", "coordinates": [float(incident.lon), float(incident.lat)]}


def escalations_of(
    steps: Iterable[Step], actor: Actor, *, web: Callable[[Step], str] | None = None
) -> list[cap.Escalation]:
    """Alerts for several steps, sharing what their cases have in common.

    ``web(step)`` gives each alert's ``<web>`` link (the case's page), if wanted.
    """
    facts: dict[int, _CaseFacts] = {}
    visible = {p.code: p for p in parties.list_parties(actor)}
    return [
        escalation_of(step, actor, web=web(step) if web else "", _facts=facts, _visible=visible)
        for step in steps
    ]
