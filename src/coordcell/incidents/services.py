"""The only writers of incidents and of the parties' versions of them.

Each function checks permission, validates, writes, and appends its record event in one
transaction. The rules engine's findings are computed on report and on every change of
place, time or kind, under the arrangement version in force, which they cite.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.agreements.engines import engine_for
from coordcell.core import audience as audience_text
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.incidents import escrow, events
from coordcell.incidents.choices import (
    ActedByChoices,
    ActorClaimChoices,
    PrecisionChoices,
    SourceChoices,
)
from coordcell.incidents.models import Account, Incident
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.parties.selectors import (
    concerned_audience,
    neutral_codes,
    party_of,
    resolve_audience,
)
from coordcell.record.services import append_event, subject
from coordcell.rules import taxonomy
from coordcell.rules.engine import Observation
from coordcell.rules.geojson_input import GeometryError, normalise_geometry
from coordcell.rules.grid import cell_key

if TYPE_CHECKING:
    from coordcell.agreements.models import ArrangementVersion

__all__ = [
    "REJECTING",
    "IncidentInput",
    "change_incident",
    "check_share",
    "give_account",
    "may_report",
    "report_incident",
    "representative_point",
    "share_incident",
    "snapshot",
    "validate_actor",
    "validate_incident",
]

#: Problems of the engine that make a report unusable (bad input, not a fact to keep).
REJECTING = {"unknown_kind", "invalid_geometry", "outside_region", "swapped_coordinates"}
#: Who may report an incident in the name of their party.
REPORTER_ROLES = (
    RoleChoices.PRINCIPAL,
    RoleChoices.LIAISON_OFFICER,
    RoleChoices.ANALYST,
    RoleChoices.MONITOR,
)


@dataclass(frozen=True)
class IncidentInput:
    kind: str
    title: str
    occurred_from: dt.datetime
    geometry: Mapping[str, Any]
    occurred_until: dt.datetime | None = None
    time_precision: str = PrecisionChoices.MINUTE
    uncertainty_m: float = 0.0
    #: Who acted, as the report says: ``unknown`` (not stated), ``party`` (``acting_party``
    #: and/or ``acting_force`` given; the party follows from the force) or ``no_party``
    #: (an actor no party controls). Empty: ``party`` when a party or a force is given,
    #: otherwise ``unknown``.
    acted_by: str = ""
    acting_party: str = ""
    acting_force: str = ""


def _source_for(actor: Actor) -> str:
    if actor.system:
        return SourceChoices.OPEN_SOURCE
    if actor.party_kind == PartyKindChoices.KIND_MONITOR:
        return SourceChoices.MONITOR_OBSERVATION
    return SourceChoices.PARTY_REPORT


def may_report(actor: Actor) -> bool:
    """Whether the actor may report incidents in the name of their party."""
    return actor.system or (
        actor.is_member
        and actor.party_kind != PartyKindChoices.KIND_DONOR
        and any(actor.has_role(r) for r in REPORTER_ROLES)
    )


def _acted_by(data: IncidentInput) -> str:
    if data.acted_by:
        return data.acted_by
    return ActedByChoices.PARTY if data.acting_party or data.acting_force else "unknown"


def validate_actor(data: IncidentInput, version: ArrangementVersion) -> dict[str, list[str]]:
    """Who acted, checked against the arrangement of ``version``: a party it declares, a
    force of its ``[[forces]]`` and of that party (empty: nothing wrong)."""
    acted_by = _acted_by(data)
    party, force = data.acting_party or "", data.acting_force or ""
    if acted_by not in ActedByChoices.values():
        return {"acted_by": [_("Unknown choice.")]}
    if acted_by != ActedByChoices.PARTY:
        if party or force:
            return {
                "acted_by": [
                    _("A party or a force is named only when the report says a party acted.")
                ]
            }
        return {}
    arrangement = engine_for(version).arrangement
    parties = {p.code for p in arrangement.parties}
    forces = {f.id: f.party for f in arrangement.forces}
    errors: dict[str, list[str]] = {}
    if party and party not in parties:
        errors["acting_party"] = [
            _("%(party)s is not a party of the arrangement.") % {"party": party}
        ]
    if force:
        if force not in forces:
            errors["acting_force"] = [
                _("%(force)s is not a force the arrangement declares.") % {"force": force}
            ]
        elif party and forces[force] != party:
            errors["acting_force"] = [
                _("%(force)s is a force of another party (%(party)s).")
                % {"force": force, "party": forces[force]}
            ]
    if not party and not force:
        errors["acting_party"] = [_("Name the party that acted, or one of its forces.")]
    return errors


def _actor_fields(data: IncidentInput, version: ArrangementVersion) -> dict[str, str]:
    """The incident's who-acted fields from validated ``data`` (the party of a force)."""
    acted_by = _acted_by(data)
    if acted_by != ActedByChoices.PARTY:
        return {"acted_by": acted_by, "acting_party": "", "acting_force": ""}
    party = data.acting_party
    if data.acting_force and not party:
        party = next(
            f.party for f in engine_for(version).arrangement.forces if f.id == data.acting_force
        )
    return {"acted_by": acted_by, "acting_party": party, "acting_force": data.acting_force}


def validate_incident(
    data: IncidentInput, version: ArrangementVersion | None = None
) -> dict[str, list[str]]:
    """Every problem with ``data`` by field, without writing (empty: nothing wrong). With
    ``version``, who acted and the kind are checked against its arrangement too."""
    errors: dict[str, list[str]] = {}
    if version is not None:
        errors.update(validate_actor(data, version))
    # A built-in kind, or (with ``version``) one its arrangement declares.
    known = engine_for(version).is_kind if version is not None else taxonomy.is_kind
    if not known(data.kind):
        errors["kind"] = [_("Unknown incident kind.")]
    title = (data.title or "").strip()
    if not title or len(title) > 300:
        errors["title"] = [_("Give a title of 1 to 300 characters.")]
    for name in ("occurred_from", "occurred_until"):
        value = getattr(data, name)
        if value is not None and (not isinstance(value, dt.datetime) or value.tzinfo is None):
            errors[name] = [_("Give a date and time with its time zone.")]
    if (
        not errors.get("occurred_from")
        and not errors.get("occurred_until")
        and data.occurred_until is not None
        and data.occurred_until < data.occurred_from
    ):
        errors["occurred_until"] = [_("The end of the time window is before its start.")]
    if data.time_precision not in PrecisionChoices.values():
        errors["time_precision"] = [_("Unknown precision.")]
    radius = data.uncertainty_m
    if not isinstance(radius, int | float) or not math.isfinite(radius) or not 0 <= radius <= 1e6:
        # Up to 1,000 km: UCDP's coarsest precision codes mean a whole region.
        errors["uncertainty_m"] = [_("Give an uncertainty between 0 and 1,000,000 metres.")]
    try:  # the one normaliser of incoming geometries (numbers only, in range, valid)
        normalise_geometry(data.geometry)
    except GeometryError as exc:
        errors["geometry"] = [exc.translated(_)]
    return errors


def _clean(data: IncidentInput) -> IncidentInput:
    """``data`` (validated) with the normaliser's clean copy of its geometry: what is
    stored is never the caller's object."""
    return dataclasses.replace(data, geometry=normalise_geometry(data.geometry))


def _assess(version: ArrangementVersion, data: IncidentInput, ref: str) -> dict[str, Any]:
    """The engine's assessment, or ValidationFailed naming the problem with the place."""
    engine = engine_for(version)
    actor = _actor_fields(data, version)
    assessment = engine.assess(
        Observation(
            id=ref,
            kind=data.kind,
            geometry=data.geometry,
            time=data.occurred_from,
            uncertainty_m=float(data.uncertainty_m),
            party=actor["acting_party"] or None,
            acting_force=actor["acting_force"] or None,
            no_party=actor["acted_by"] == ActedByChoices.NO_PARTY,
        )
    )
    result = assessment.as_dict()
    # Stored as one list: each finding carries its clause's status, and every reader
    # splits them again (``rules.engine.split_findings``).
    result["findings"] = [*result["findings"], *result.pop("findings_not_agreed")]
    rejecting = [p for p in assessment.problems if p.code in REJECTING]
    if rejecting:
        field = "kind" if rejecting[0].code == "unknown_kind" else "geometry"
        raise ValidationFailed({field: [p.message for p in rejecting]})
    return result


def representative_point(geometry: Mapping[str, Any]) -> tuple[float, float]:
    from shapely.geometry import shape

    point = shape(geometry).representative_point()
    return float(point.x), float(point.y)


def snapshot(incident: Incident) -> dict[str, Any]:
    # Who acted is recorded only when the report says it: the snapshots of incidents that
    # do not (every imported row among them) stay as they were, hashes included.
    actor = (
        {}
        if incident.acted_by == ActedByChoices.UNKNOWN
        else {
            "acted_by": incident.acted_by,
            "acting_party": incident.acting_party,
            "acting_force": incident.acting_force,
        }
    )
    return {
        **actor,
        "reference": incident.reference,
        "kind": incident.kind,
        "title": incident.title,
        "occurred_from": incident.occurred_from,
        "occurred_until": incident.occurred_until,
        "time_precision": incident.time_precision,
        "geometry": incident.geometry,
        "uncertainty_m": incident.uncertainty_m,
        "source": incident.source,
        "source_dataset": incident.source_dataset,
        "source_ref": incident.source_ref,
        "version": f"{incident.version.arrangement.key} v{incident.version.number}",
        "zones": incident.zones,
        "possible_zones": incident.possible_zones,
        "findings": incident.findings,
        "problems": incident.problems,
    }


@transaction.atomic
def report_incident(
    *,
    actor: Actor,
    data: IncidentInput,
    version: ArrangementVersion,
    audience: Iterable[str] | None = None,
    source: str | None = None,
    source_dataset: str = "",
    source_ref: str = "",
    fictional: bool = False,
) -> Incident:
    """Store a reported incident with the engine's findings under ``version``.

    ``audience``: who may read it, checked by ``parties.selectors.resolve_audience``
    (never empty, never a donor), with the reporting party always added; ``None`` gives
    the default, the reporting party with the mediators and the monitors
    (``concerned_audience``).
    """
    if not may_report(actor):
        raise PermissionDenied(_("You may not report incidents."))
    errors = validate_incident(data, version)
    own = [actor.party_code] if actor.party_code else []
    chosen = concerned_audience(*own) if audience is None else [c for c in audience if c]
    try:
        resolve_audience(actor, chosen)  # refuses an empty choice: audiences fail closed
        # The reporting party always reads its own report.
        readers = resolve_audience(actor, [*chosen, *own])
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed(errors)
    data = _clean(data)
    assessed = _assess(version, data, source_ref or "new")
    lon, lat = representative_point(data.geometry)
    incident = Incident.objects.create(
        kind=data.kind,
        title=data.title.strip(),
        occurred_from=data.occurred_from,
        occurred_until=data.occurred_until,
        time_precision=data.time_precision,
        geometry=dict(data.geometry),
        uncertainty_m=float(data.uncertainty_m),
        **_actor_fields(data, version),
        lon=lon,
        lat=lat,
        cell=cell_key(lon, lat),
        source=source or _source_for(actor),
        source_party=party_of(actor),
        source_dataset=source_dataset,
        source_ref=source_ref,
        version=version,
        zones=assessed["zones"],
        possible_zones=assessed["possible_zones"],
        findings=assessed["findings"],
        problems=assessed["problems"],
        audience=audience_text.encode(readers),
        reported_at=timezone.now(),
        reported_by=actor.user,
        fictional=fictional,
    )
    _reporter_revision(incident, actor, incident.title, incident.reported_at)
    # The freeze and withdrawal findings, per party, apart and with their narrow audience
    # (recorded just before the report's own entry, which closes the step).
    escrow.refresh(actor=actor, incident=incident)
    append_event(
        actor=actor,
        event_type=events.INCIDENT_REPORTED,
        data=snapshot(incident),
        subjects=[subject("incidents.incident", incident.public_id, incident.reference)],
        audience=incident.audience_codes,
    )
    return incident


@transaction.atomic
def change_incident(
    *, actor: Actor, incident: Incident, data: IncidentInput, version: ArrangementVersion
) -> Incident:
    """Correct an incident's kind, title, time or place; the findings are computed again
    under ``version`` (the one in force), and the record keeps both snapshots.

    Only the reporting party's reporters (liaison officers, principals, analysts,
    monitors) correct its report; the other parties give their own version instead
    (``give_account``). Imported open-source rows are corrected by the console alone.
    """
    if not Incident.objects.restrict(actor).filter(pk=incident.pk).exists():
        raise NotFound()
    if not (
        actor.system
        or (
            may_report(actor)
            and incident.source_party_id is not None
            and incident.source_party_id == actor.party_id
        )
    ):
        raise PermissionDenied(_("Only the party that reported an incident may correct it."))
    errors = validate_incident(data, version)
    if errors:
        raise ValidationFailed(errors)
    data = _clean(data)
    assessed = _assess(version, data, incident.reference)
    lon, lat = representative_point(data.geometry)
    fields = {
        "kind": data.kind,
        "title": data.title.strip(),
        "occurred_from": data.occurred_from,
        "occurred_until": data.occurred_until,
        "time_precision": data.time_precision,
        "geometry": dict(data.geometry),
        "uncertainty_m": float(data.uncertainty_m),
        **_actor_fields(data, version),
        "lon": lon,
        "lat": lat,
        "cell": cell_key(lon, lat),
        "version": version,
        "zones": assessed["zones"],
        "possible_zones": assessed["possible_zones"],
        "findings": assessed["findings"],
        "problems": assessed["problems"],
    }
    before = snapshot(incident)
    compared_before = escrow.compared_parties(
        incident.version, incident.kind, incident.acted_by, incident.acting_party
    )
    Incident.objects.filter(pk=incident.pk).update(**fields)
    incident.refresh_from_db()
    if incident.title != before["title"]:
        _reporter_revision(incident, actor, incident.title, timezone.now())
    after = snapshot(incident)
    escrow.refresh(actor=actor, incident=incident, compared_before=compared_before)
    append_event(
        actor=actor,
        event_type=events.INCIDENT_CHANGED,
        data={**after, "changed": sorted(k for k in after if after[k] != before.get(k))},
        subjects=[subject("incidents.incident", incident.public_id, incident.reference)],
        audience=incident.audience_codes,
    )
    return incident


def _reporter_revision(
    incident: Incident, actor: Actor, title: str, at: dt.datetime
) -> Account | None:
    """A new revision of the reporting party's version carrying its report's title (the
    other fields as its latest revision has them); none for a report with no party."""
    if incident.source_party_id is None:
        return None
    latest = (
        Account.objects.filter(incident=incident, party_id=incident.source_party_id)
        .order_by("-given_at", "-pk")
        .first()
    )
    return Account.objects.create(
        incident=incident,
        party_id=incident.source_party_id,
        **{**(_carried(latest) if latest is not None else {}), "title": title},
        given_at=at,
        given_by=actor.user,
    )


def _carried(account: Account) -> dict[str, Any]:
    """The fields of a revision that the next one keeps unless it says otherwise."""
    return {
        "actor_claim": account.actor_claim,
        "actor_text": account.actor_text,
        "casualties_low": account.casualties_low,
        "casualties_best": account.casualties_best,
        "casualties_high": account.casualties_high,
        "title": account.title,
        "narrative": account.narrative,
    }


def check_share(actor: Actor, incident: Incident, codes: Iterable[str]) -> list[str]:
    """The parties ``codes`` would add to ``incident``'s audience, if the actor may add them.

    Reads only, so a service can check before its first write. The reporting party may
    share its report with any party it knows of (never a donor); anyone else who reads
    the incident may bring in only the mediators and monitors, who handle every
    complaint. ``ValidationFailed`` on ``audience`` otherwise.
    """
    wanted = resolve_audience(actor, codes)
    current = set(incident.audience_codes)
    if audience_text.ALL_MEMBERS in current:
        return []
    added = sorted(set(wanted) - current)
    reporter = actor.system or (
        incident.source_party_id is not None and incident.source_party_id == actor.party_id
    )
    if added and not reporter and set(added) - set(neutral_codes()):
        raise ValidationFailed(
            {
                "audience": [
                    _(
                        "This incident is not shared with every party of the complaint; "
                        "only the party that reported it can share it further."
                    )
                ]
            }
        )
    return added


@transaction.atomic
def share_incident(*, actor: Actor, incident: Incident, audience: Iterable[str]) -> Incident:
    """Widen who may read an incident (never narrow it: what was read stays read).

    Who may add whom is ``check_share``'s rule. Adding nobody new changes nothing and
    records nothing.
    """
    incident = Incident.objects.select_for_update(no_key=True).get(pk=incident.pk)
    if not Incident.objects.restrict(actor).filter(pk=incident.pk).exists():
        raise NotFound()
    added = check_share(actor, incident, audience)
    if not added:
        return incident
    Incident.objects.filter(pk=incident.pk).update(
        audience=audience_text.encode([*incident.audience_codes, *added])
    )
    incident.refresh_from_db()
    # A party or a mediator now reading the incident may be entitled to findings from
    # declared positions that nobody among the narrower audience was.
    escrow.refresh(actor=actor, incident=incident)
    append_event(
        actor=actor,
        event_type=events.INCIDENT_SHARED,
        data={"incident": incident.reference, "added": added, "audience": incident.audience_codes},
        subjects=[subject("incidents.incident", incident.public_id, incident.reference)],
        audience=incident.audience_codes,
    )
    return incident


def _count(value: Any, name: str, errors: dict[str, list[str]]) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if number < 0 or number > 1_000_000:
        errors[name] = [_("Give a whole number from 0.")]
        return None
    return number


@transaction.atomic
def give_account(
    *,
    actor: Actor,
    incident: Incident,
    actor_claim: str = ActorClaimChoices.UNKNOWN,
    actor_text: str = "",
    casualties: Mapping[str, Any] | None = None,
    narrative: str = "",
    title: str | None = None,
) -> Account:
    """Give or revise the actor's party's version of an incident (a party, not a monitor).

    Every revision is a new row: the earlier ones are kept and shown with their times.
    ``title`` None keeps the party's title as its latest revision has it (the reporter's
    is its report's title)."""
    if (
        actor.system
        or not actor.party_id
        or actor.party_kind != PartyKindChoices.KIND_PARTY
        or not (
            actor.has_role(RoleChoices.LIAISON_OFFICER) or actor.has_role(RoleChoices.PRINCIPAL)
        )
    ):
        raise PermissionDenied(
            _("Only a party's liaison officers and principals give its version.")
        )
    errors: dict[str, list[str]] = {}
    if actor_claim not in ActorClaimChoices.values():
        errors["actor_claim"] = [_("Unknown choice.")]
    if len(actor_text or "") > 300:
        errors["actor_text"] = [_("At most 300 characters.")]
    if title is not None and len(title) > 300:
        errors["title"] = [_("At most 300 characters.")]
    if len(narrative or "") > 20_000:
        errors["narrative"] = [_("At most 20,000 characters.")]
    casualties = casualties or {}
    low = _count(casualties.get("low"), "casualties.low", errors)
    best = _count(casualties.get("best"), "casualties.best", errors)
    high = _count(casualties.get("high"), "casualties.high", errors)
    given = [v for v in (low, best, high) if v is not None]
    if not errors and given != sorted(given):
        errors["casualties"] = [_("Casualty counts must satisfy low ≤ best ≤ high.")]
    if errors:
        raise ValidationFailed(errors)
    latest = (
        Account.objects.filter(incident=incident, party_id=actor.party_id)
        .order_by("-given_at", "-pk")
        .first()
    )
    if title is None:
        title = latest.title if latest is not None else ""
    values = {
        "title": title.strip(),
        "actor_claim": actor_claim,
        "actor_text": (actor_text or "").strip(),
        "casualties_low": low,
        "casualties_best": best,
        "casualties_high": high,
        "narrative": (narrative or "").strip(),
        "given_at": timezone.now(),
        "given_by": actor.user,
    }
    account = Account.objects.create(incident=incident, party_id=actor.party_id, **values)
    append_event(
        actor=actor,
        event_type=events.ACCOUNT_GIVEN,
        data={
            "incident": incident.reference,
            "party": actor.party_code,
            **({"title": values["title"]} if values["title"] else {}),
            "actor_claim": actor_claim,
            "actor_text": values["actor_text"],
            "casualties": {"low": low, "best": best, "high": high},
            "narrative": values["narrative"],
        },
        subjects=[subject("incidents.incident", incident.public_id, incident.reference)],
        audience=incident.audience_codes,
    )
    return account
