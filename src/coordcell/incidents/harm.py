"""The only writers of civilian harm and property: each party's casualty figures and its
version of the property harmed in or around an incident.

Counts only, never a person: a casualty figure is a number of people in one cell
(category, outcome, age band, sex) with its low, best and high estimates. Each party
gives its own figures and versions, side by side, as it gives its version of the
incident (``incidents.services.give_account``); nothing here merges them. Every
service checks that the caller reads the incident (hidden looks like missing), that
they speak for a party (its liaison officers and principals), validates every field
before any write, writes, and records its entry with the incident's audience, in one
transaction.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.agreements.engines import engine_for
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.incidents import events
from coordcell.incidents.choices import (
    AgeBandChoices,
    CasualtyCategoryChoices,
    CasualtyOutcomeChoices,
    LandUseChoices,
    PropertyKindChoices,
    SexBandChoices,
)
from coordcell.incidents.models import CasualtyFigure, Incident, PropertyDamage, PropertyVersion
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.positions import selectors as position_selectors
from coordcell.record.services import append_event, subject
from coordcell.rules.geojson_input import GeometryError, normalise_geometry

__all__ = [
    "MAX_AREA_M2",
    "MAX_ESTIMATE",
    "MAX_FIGURES",
    "MAX_STRUCTURES",
    "give_casualties",
    "give_property_version",
    "may_give",
    "record_property",
    "validate_figures",
    "validate_property",
]

#: The largest estimate of one cell: more than any single incident's toll, small enough
#: that a typing slip (an extra zero or three) is refused rather than counted.
MAX_ESTIMATE = 100_000
#: The most cells one submission gives (3 categories × 3 outcomes × 4 ages × 3 sexes).
MAX_FIGURES = 108
#: The largest area of one property record (100 km²) and the most structures.
MAX_AREA_M2 = 100_000_000.0
MAX_STRUCTURES = 100_000
NOTE_MAX_CHARS = 5_000
#: Geometries an extent may be: a site, or an area.
EXTENT_TYPES = ("Point", "MultiPoint", "Polygon", "MultiPolygon")


def _party_id(actor: Actor) -> int:
    """The party the actor speaks for (``may_give`` checked it has one)."""
    assert actor.party_id is not None
    return actor.party_id


def may_give(actor: Actor) -> bool:
    """Whether the actor speaks for a party (its liaison officers and principals): the
    same people who give its version of an incident."""
    return bool(
        not actor.system
        and actor.party_id
        and actor.party_kind == PartyKindChoices.KIND_PARTY
        and (actor.has_role(RoleChoices.LIAISON_OFFICER) or actor.has_role(RoleChoices.PRINCIPAL))
    )


def _readable(actor: Actor, incident: Incident) -> Incident:
    found: Incident | None = Incident.objects.restrict(actor).filter(pk=incident.pk).first()
    if found is None:
        raise NotFound()
    return found


def _estimate(value: Any) -> int | None:
    """A whole number from 0 to MAX_ESTIMATE, or None for anything else (bool, float with
    a fraction, text that is not a number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit() or len(value) > 9:
            return None
        value = int(value)
    if not isinstance(value, int) or not 0 <= value <= MAX_ESTIMATE:
        return None
    return value


def validate_figures(figures: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The figures checked and normalised (``ValidationFailed`` naming every problem by
    ``figures.<n>.<field>``): each a known cell, once; ``best`` required, ``low`` and
    ``high`` default to it; whole numbers from 0 to MAX_ESTIMATE with low ≤ best ≤ high."""
    try:
        rows = list(figures)
    except TypeError:
        raise ValidationFailed({"figures": [_("Give a list of figures.")]}) from None
    if not rows:
        raise ValidationFailed({"figures": [_("Give at least one figure.")]})
    if len(rows) > MAX_FIGURES:
        raise ValidationFailed(
            {"figures": [_("At most %(count)s figures at once.") % {"count": MAX_FIGURES}]}
        )
    errors: dict[str, list[str]] = {}
    clean: list[dict[str, Any]] = []
    seen: set[tuple[str, ...]] = set()
    vocabularies = {
        "category": CasualtyCategoryChoices.values(),
        "outcome": CasualtyOutcomeChoices.values(),
        "age_band": AgeBandChoices.values(),
        "sex": SexBandChoices.values(),
    }
    defaults = {"age_band": AgeBandChoices.UNKNOWN, "sex": SexBandChoices.UNKNOWN}
    for n, row in enumerate(rows):
        if not isinstance(row, Mapping):
            errors[f"figures.{n}"] = [_("Give each figure as an object.")]
            continue
        out: dict[str, Any] = {}
        for name, allowed in vocabularies.items():
            value = row.get(name) or defaults.get(name, "")
            if value not in allowed:
                errors[f"figures.{n}.{name}"] = [_("Unknown choice.")]
            out[name] = value
        best = _estimate(row.get("best"))
        if best is None:
            errors[f"figures.{n}.best"] = [
                _("Give a whole number from 0 to %(max)s.") % {"max": f"{MAX_ESTIMATE:,}"}
            ]
            continue
        bounds: dict[str, int] = {}
        for name in ("low", "high"):
            raw = row.get(name)
            value = best if raw in (None, "") else _estimate(raw)
            if value is None:
                errors[f"figures.{n}.{name}"] = [
                    _("Give a whole number from 0 to %(max)s.") % {"max": f"{MAX_ESTIMATE:,}"}
                ]
            else:
                bounds[name] = value
        if len(bounds) < 2:
            continue
        if not bounds["low"] <= best <= bounds["high"]:
            errors[f"figures.{n}.best"] = [_("Estimates must satisfy low ≤ best ≤ high.")]
            continue
        cell = (out["category"], out["outcome"], out["age_band"], out["sex"])
        if cell in seen:
            errors[f"figures.{n}"] = [_("This cell is given twice.")]
            continue
        seen.add(cell)
        clean.append({**out, "low": bounds["low"], "best": best, "high": bounds["high"]})
    if errors:
        raise ValidationFailed(errors)
    return clean


def _incident_subject(incident: Incident) -> list[dict[str, Any]]:
    return [subject("incidents.incident", incident.public_id, incident.reference)]


@transaction.atomic
def give_casualties(
    *, actor: Actor, incident: Incident, figures: Iterable[Mapping[str, Any]]
) -> list[CasualtyFigure]:
    """Give or revise the actor's party's casualty figures of an incident: one new row
    per cell given (earlier revisions are kept; a cell not given keeps its figure)."""
    incident = _readable(actor, incident)
    if not may_give(actor):
        raise PermissionDenied(
            _("Only a party's liaison officers and principals give its casualty figures.")
        )
    clean = validate_figures(figures)
    now = timezone.now()
    rows = CasualtyFigure.objects.bulk_create(
        [
            CasualtyFigure(
                incident=incident, party_id=_party_id(actor), given_at=now, given_by=actor.user, **c
            )
            for c in clean
        ]
    )
    append_event(
        actor=actor,
        event_type=events.CASUALTIES_GIVEN,
        data={"incident": incident.reference, "party": actor.party_code, "figures": clean},
        subjects=_incident_subject(incident),
        audience=incident.audience_codes,
    )
    return rows


def validate_property(
    actor: Actor,
    incident: Incident,
    *,
    geometry: Any = None,
    area_m2: Any = None,
    structures: Any = None,
    land_use: str = "",
    position: Any = None,
    note: str = "",
) -> dict[str, Any]:
    """A party's version of a property record checked and normalised (``ValidationFailed``
    by field): the extent a site or an area inside the arrangement's region, an area
    from 0 to 100 km², a count of structures, a known land use, a declared position the
    actor may see (any other answers like a missing one), at least one measure."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {"geometry": None, "area_m2": None, "structures": None}
    if geometry not in (None, "", {}):
        try:
            shape = normalise_geometry(geometry)
        except GeometryError as exc:
            errors["geometry"] = [exc.translated(_)]
        else:
            if shape["type"] not in EXTENT_TYPES:
                errors["geometry"] = [_("Give the site as a point or the area as a polygon.")]
            else:
                located = engine_for(incident.version).locate(shape)
                if located.problems:
                    errors["geometry"] = [p.message for p in located.problems]
                else:
                    clean["geometry"] = shape
    if area_m2 not in (None, ""):
        try:
            area = float(area_m2)
        except (TypeError, ValueError):
            area = -1.0
        if isinstance(area_m2, bool) or not math.isfinite(area) or not 0 <= area <= MAX_AREA_M2:
            errors["area_m2"] = [_("Give an area from 0 to 100,000,000 m².")]
        else:
            clean["area_m2"] = round(area, 1)
    if structures not in (None, ""):
        count = _estimate(structures)
        if count is None or count > MAX_STRUCTURES:
            errors["structures"] = [_("Give a whole number of structures from 0 to 100,000.")]
        else:
            clean["structures"] = count
    land_use = (land_use or "").strip()
    if land_use and land_use not in LandUseChoices.values():
        errors["land_use"] = [_("Unknown choice.")]
    clean["land_use"] = land_use
    clean["position"] = None
    if position not in (None, ""):
        try:
            found = position_selectors.get_position(actor, position)
        except NotFound:
            errors["position"] = [_("Unknown position.")]
        else:
            clean["position"] = uuid.UUID(str(found.public_id))
    note = (note or "").strip()
    if len(note) > NOTE_MAX_CHARS:
        errors["note"] = [_("At most 5,000 characters.")]
    clean["note"] = note
    if not errors and all(clean[k] is None for k in ("geometry", "area_m2", "structures")):
        errors["area_m2"] = [_("Give the extent, the area or the number of structures.")]
    if errors:
        raise ValidationFailed(errors)
    return clean


def _version_data(version: PropertyVersion) -> dict[str, Any]:
    """What the record keeps of a version (the position link stays out of it)."""
    return {
        "geometry": version.geometry,
        "area_m2": version.area_m2,
        "structures": version.structures,
        "land_use": version.land_use,
        "note": version.note,
    }


@transaction.atomic
def record_property(
    *, actor: Actor, incident: Incident, kind: str, **version: Any
) -> PropertyDamage:
    """Open a property record on an incident with the actor's party's version of it."""
    incident = _readable(actor, incident)
    if not may_give(actor):
        raise PermissionDenied(_("Only a party's liaison officers and principals record property."))
    errors: dict[str, list[str]] = {}
    if kind not in PropertyKindChoices.values():
        errors["kind"] = [_("Unknown choice.")]
    try:
        clean = validate_property(actor, incident, **version)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    damage = PropertyDamage.objects.create(
        incident=incident,
        kind=kind,
        party_id=_party_id(actor),
        recorded_at=now,
        recorded_by=actor.user,
    )
    row = PropertyVersion.objects.create(
        damage=damage, party_id=_party_id(actor), given_at=now, given_by=actor.user, **clean
    )
    append_event(
        actor=actor,
        event_type=events.PROPERTY_RECORDED,
        data={
            "incident": incident.reference,
            "property": damage.reference,
            "kind": kind,
            "party": actor.party_code,
            **_version_data(row),
        },
        subjects=[
            *_incident_subject(incident),
            subject("incidents.propertydamage", damage.public_id, damage.reference),
        ],
        audience=incident.audience_codes,
    )
    return damage


@transaction.atomic
def give_property_version(
    *, actor: Actor, damage: PropertyDamage, **version: Any
) -> PropertyVersion:
    """Give or revise the actor's party's version of a property record (a new row)."""
    incident = _readable(actor, damage.incident)
    if not may_give(actor):
        raise PermissionDenied(
            _("Only a party's liaison officers and principals give its version.")
        )
    clean = validate_property(actor, incident, **version)
    row = PropertyVersion.objects.create(
        damage=damage,
        party_id=_party_id(actor),
        given_at=timezone.now(),
        given_by=actor.user,
        **clean,
    )
    append_event(
        actor=actor,
        event_type=events.PROPERTY_VERSION_GIVEN,
        data={
            "incident": incident.reference,
            "property": damage.reference,
            "party": actor.party_code,
            **_version_data(row),
        },
        subjects=[
            *_incident_subject(incident),
            subject("incidents.propertydamage", damage.public_id, damage.reference),
        ],
        audience=incident.audience_codes,
    )
    return row
