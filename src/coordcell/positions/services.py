"""Declaring positions, sealing them, disputing and revealing: one service per intent.

Who does what (``docs/positions.md``):

- a party's principals and liaison officers declare its positions (:func:`declare_position`,
  :func:`import_positions`) and their changes (:func:`declare_change`) — for their own
  party only: nobody declares for another party, the mediator included;
- the same people seal their party's baseline at the freeze date (:func:`seal_baseline`);
  later changes are sealed in daily batches (:func:`seal_changes`, the worker's
  ``positions.seal_changes``);
- another party or the mediator opens a dispute (:func:`open_dispute`); the declaring party
  reveals the item in question (:func:`reveal`), or the mediator does with the consent the
  arrangement requires (``[positions] mediator_reveal_consent``, :func:`consent_to_reveal`);
- the mediator records that both parties agreed to a change (:func:`agree_change`).

Each writes its record entry in its own transaction. Entries about positions are read by
the declaring party and the mediator; roots, disputes and reveals by the parties and the
mediator.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from shapely.geometry import shape

from coordcell.agreements.engines import engine_for
from coordcell.core.actor import Actor
from coordcell.core.audience import encode
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.core.models import new_reference
from coordcell.core.parsers import loads_strict
from coordcell.core.text import control_message, has_control
from coordcell.parties import selectors as parties
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.positions import events
from coordcell.positions import selectors as sel
from coordcell.positions.models import (
    Commitment,
    Dispute,
    Holding,
    Position,
    PositionChange,
    Reveal,
)
from coordcell.record.services import append_event, subject
from coordcell.rules import positions_commit as pc
from coordcell.rules import vocabulary
from coordcell.rules.engine import Holding as EngineHolding
from coordcell.rules.geojson_input import GeometryError, normalise_geometry

__all__ = [
    "CATEGORIES",
    "CHANGE_BATCH_FLOOR",
    "CLASSIFICATIONS",
    "agree_change",
    "consent_to_reveal",
    "declare_change",
    "declare_position",
    "import_positions",
    "open_dispute",
    "reveal",
    "reveal_file",
    "seal_baseline",
    "seal_changes",
    "seal_due_batches",
]

#: Holding categories: the engine's limit keys without ``max_`` (artillery range is a
#: property of artillery pieces, ``range_km``).
CATEGORIES: tuple[str, ...] = tuple(
    k.removeprefix("max_") for k in vocabulary.LIMIT_KEYS if k != "max_artillery_range_km"
)
#: How a change stands against the baseline and the arrangement.
CLASSIFICATIONS = (
    "baseline",
    "agreed",
    "disputed",
    "possible_violation",
    "notified",
    "not_notified",
)
#: The floor of a batch of changes (smaller than the baseline's: one batch a day).
CHANGE_BATCH_FLOOR = 256
#: The changes a party declares: a move, new holdings, vacating.
CHANGE_KINDS = ("moved", "holdings", "vacated")
NAME_MAX = 120
CLAIM_MAX = 4000
COUNT_MAX = 1_000_000
RANGE_MAX_KM = 2000.0
#: How far ahead a change or a new position may be declared.
AHEAD_MAX_DAYS = 366
#: Features in one import.
IMPORT_MAX_FEATURES = 2000
_DECLARERS = (RoleChoices.PRINCIPAL, RoleChoices.LIAISON_OFFICER)


# --- who -----------------------------------------------------------------------------------


def may_declare(actor: Actor) -> bool:
    """A principal or liaison officer of a party to the arrangement (for its own party)."""
    return (
        not actor.system
        and actor.party_kind == PartyKindChoices.KIND_PARTY
        and any(actor.has_role(r) for r in _DECLARERS)
    )


def is_mediator(actor: Actor) -> bool:
    return (
        not actor.system
        and actor.party_kind == PartyKindChoices.KIND_MEDIATOR
        and any(actor.has_role(r) for r in _DECLARERS)
    )


def _declaring_party(actor: Actor, party: str | None) -> Any:
    """The party the actor declares for: its own; the console names one."""
    if actor.system:
        found = [
            p for p in parties.parties_of_kinds([PartyKindChoices.KIND_PARTY]) if p.code == party
        ]
        if not found:
            raise ValidationFailed({"party": [_("Unknown party.")]})
        return found[0]
    if not may_declare(actor):
        raise PermissionDenied(
            _("Only a party's principals and liaison officers declare its positions.")
        )
    own = parties.party_of(actor)
    if own is None or (party and party != own.code):
        raise PermissionDenied(_("A party declares its own positions only."))
    return own


def _mediator_codes() -> list[str]:
    return [p.code for p in parties.parties_of_kinds([PartyKindChoices.KIND_MEDIATOR])]


def _party_codes() -> list[str]:
    return [p.code for p in parties.parties_of_kinds([PartyKindChoices.KIND_PARTY])]


def escrow_audience(party_code: str) -> list[str]:
    """Who reads an entry about a party's positions: the party and the mediator."""
    return [party_code, *_mediator_codes()]


def parties_audience() -> list[str]:
    """Who reads roots, disputes and reveals: the parties and the mediator."""
    return [*_party_codes(), *_mediator_codes()]


def _today() -> dt.date:
    return timezone.now().date()


# --- validation ----------------------------------------------------------------------------


def _loads(text: str | bytes) -> Any:
    """JSON text inside a field or a file, read by the API body's rules (``core.parsers``:
    depth, NUL and surrogate characters, finite numbers): ``ValueError`` with the reason,
    never a ``RecursionError``."""
    try:
        return loads_strict(text)
    except ParseError as exc:
        raise ValueError(str(exc.detail)) from None


#: A NUL or a lone surrogate: PostgreSQL cannot store the first, UTF-8 cannot write either.
_UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")


def _text(value: Any) -> str | None:
    """A text field as the API's serializer takes it: a string without NUL or lone
    surrogate characters, stripped (None: not text)."""
    if not isinstance(value, str) or _UNSAFE_TEXT.search(value):
        return None
    return value.strip()


def _geometry(value: Any, errors: dict[str, list[str]], key: str = "geometry") -> Any:
    if isinstance(value, str):
        try:
            value = _loads(value)
        except ValueError as exc:
            errors[key] = [_("The site is not GeoJSON."), str(exc)]
            return None
    try:
        return normalise_geometry(value)
    except GeometryError as exc:
        errors[key] = [exc.translated(_)]
        return None


def _date(value: Any, errors: dict[str, list[str]], key: str) -> dt.date | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        errors[key] = [_("Give a date as YYYY-MM-DD.")]
        return None


def _holdings(
    value: Any, errors: dict[str, list[str]], key: str = "holdings"
) -> list[dict[str, Any]]:
    """``[{"category": "tanks", "count": 12}, {"category": "artillery_pieces", "count": 6,
    "range_km": 18}]`` checked; a category listed twice is refused (artillery: per range)."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        try:
            value = _loads(value)
        except ValueError as exc:
            errors[key] = [_("The holdings are not a JSON list."), str(exc)]
            return []
    if isinstance(value, Mapping):  # {"tanks": 12, …} is accepted too
        value = [{"category": k, "count": v} for k, v in value.items()]
    if not isinstance(value, list) or len(value) > 50:
        errors[key] = [_("The holdings are a list of at most 50 categories with their counts.")]
        return []
    result: list[dict[str, Any]] = []
    seen: set[tuple[str, float | None]] = set()
    problems: list[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping) or set(item) - {"category", "count", "range_km"}:
            problems.append(
                _("Holding %(n)s: give category, count and (artillery) range_km.") % {"n": i + 1}
            )
            continue
        category, count, range_km = item.get("category"), item.get("count"), item.get("range_km")
        if category not in CATEGORIES:
            problems.append(
                _("Holding %(n)s: unknown category %(category)s (known: %(known)s).")
                % {
                    "n": i + 1,
                    "category": category[:40] if isinstance(category, str) else "-",
                    "known": ", ".join(CATEGORIES),
                }
            )
            continue
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= COUNT_MAX:
            problems.append(
                _("Holding %(n)s: the count is a whole number from 0 to 1000000.") % {"n": i + 1}
            )
            continue
        if range_km is not None:
            ok = isinstance(range_km, int | float) and not isinstance(range_km, bool)
            if category != "artillery_pieces" or not ok or not 0 < range_km <= RANGE_MAX_KM:
                problems.append(
                    _("Holding %(n)s: a range (km, above 0) is given for artillery pieces only.")
                    % {"n": i + 1}
                )
                continue
            if not math.isfinite(range_km):
                problems.append(_("Holding %(n)s: the range is not a number.") % {"n": i + 1})
                continue
            range_km = float(range_km)
        if (category, range_km) in seen:
            problems.append(
                _("Holding %(n)s: %(category)s is listed twice.")
                % {"n": i + 1, "category": category}
            )
            continue
        seen.add((category, range_km))
        result.append({"category": category, "count": count, "range_km": range_km})
    if problems:
        errors[key] = problems
    return result


def _position_fields(
    version: Any,
    data: Mapping[str, Any],
    errors: dict[str, list[str]],
    baseline_date: dt.date | None,
    sealed: bool,
) -> dict[str, Any]:
    """Check a declaration's fields; return them normalised (errors filled in)."""
    name = _text(data.get("name")) or ""
    if has_control(name):
        errors["name"] = [control_message()]
    elif not name or len(name) > NAME_MAX:
        errors["name"] = [_("Give a name of at most 120 characters.")]
    kinds = [k.id for k in sel.position_kinds(version)]
    kind = _text(data.get("kind")) or ""
    if kind not in kinds:
        errors["kind"] = [
            _("Choose a kind of position (known: %(known)s).") % {"known": ", ".join(kinds) or "-"}
        ]
    geometry = _geometry(data.get("geometry"), errors)
    established = _date(data.get("established"), errors, "established")
    if established is not None:
        if established > _today() + dt.timedelta(days=AHEAD_MAX_DAYS):
            errors["established"] = [_("At most a year ahead.")]
        elif sealed and baseline_date is not None and established <= baseline_date:
            errors["established"] = [
                _(
                    "The baseline of %(date)s is sealed: a position declared now was "
                    "established after it."
                )
                % {"date": baseline_date.isoformat()}
            ]
    holdings = _holdings(data.get("holdings"), errors)
    point = None
    if geometry is not None:
        p = shape(geometry).representative_point()
        point = (round(float(p.x), 6), round(float(p.y), 6))
        located = engine_for(version).locate(geometry)
        if located.problems:
            errors["geometry"] = [_("The site lies outside the arrangement's region.")]
    return {
        "name": name,
        "kind": kind,
        "geometry": geometry,
        "established": established,
        "holdings": holdings,
        "point": point,
    }


# --- leaves --------------------------------------------------------------------------------


def _item(position: Position, change: str, effective: dt.date, day: dt.date) -> dict[str, Any]:
    """The canonical content of one committed item (a leaf), as of ``day``."""
    holdings = sorted(
        (
            {"category": h.category, "count": h.count, "range_km": h.range_km}
            for h in Holding.objects.filter(position=position)
            if h.since <= day and (h.until is None or h.until > day) and h.count > 0
        ),
        key=lambda h: (h["category"], h["range_km"] or 0.0),
    )
    return {
        "arrangement": position.arrangement.key,
        "party": position.party.code,
        "position": position.reference,
        "change": change,
        "effective": effective.isoformat(),
        "name": position.name,
        "kind": position.kind,
        "geometry": json.loads(position.geometry),
        "point": [position.lon, position.lat],
        "established": position.established.isoformat(),
        "removed": position.removed.isoformat() if position.removed else None,
        "holdings": holdings,
    }


def _baseline_sealed(party_id: int, arrangement_id: int) -> bool:
    return Commitment.objects.filter(
        party_id=party_id, arrangement_id=arrangement_id, kind=Commitment.BASELINE
    ).exists()


# --- classification ------------------------------------------------------------------------


def _findings(version: Any, change: PositionChange) -> list[dict[str, Any]]:
    """What the engine finds about a change: a new site away from the party's baseline
    under a freeze in force (zones the clause cites, or anywhere if it cites none), and
    holdings above a zone's cap (``Engine.check_holdings`` on the zone totals)."""
    engine = engine_for(version)
    position = change.position
    party = position.party.code
    day = change.effective
    found: list[dict[str, Any]] = []
    zones = sel.zones_of(engine, position.geometry)
    if change.change in ("established", "moved"):
        baseline_date = sel.freeze_baseline_date(version)
        for clause in version.content.get("clauses", []):
            if clause.get("kind") != "freeze" or baseline_date is None or day <= baseline_date:
                continue
            if clause.get("parties") and party not in clause["parties"]:
                continue
            if clause.get("zones") and not set(clause["zones"]) & set(zones):
                continue
            baseline = [
                (p.lon, p.lat)
                for p in sel.standing_on(
                    Position.objects.filter(party=position.party), baseline_date
                ).exclude(pk=position.pk)
            ]
            distance = math.inf
            if baseline:
                bx, by = engine.projector.to_metric(
                    np.array([b[0] for b in baseline]), np.array([b[1] for b in baseline])
                )
                px, py = engine.projector.to_metric(
                    np.array([position.lon]), np.array([position.lat])
                )
                distance = float(np.min(np.hypot(bx - px[0], by - py[0])))
            if distance > engine.freeze_tolerance_m:
                found.append(
                    {
                        "rule": "freeze:new_position",
                        "clause": str(clause["id"]),
                        "zones": list(zones),
                        "baseline_date": baseline_date.isoformat(),
                        "distance_m": None if math.isinf(distance) else round(distance),
                    }
                )
    if change.change in ("established", "moved", "holdings") and zones:
        standing = list(
            sel.standing_on(
                Position.objects.filter(party=position.party)
                .select_related("party")
                .prefetch_related("holdings"),
                day,
            )
        )
        totals = sel.totals_by_zone(engine, standing, day)
        holdings = [
            EngineHolding(zone, p, category, total, day)
            for (zone, p, category), total in totals.items()
            if zone in zones
        ]
        for finding in engine.check_holdings(holdings):
            found.append({**finding.params, "rule": finding.rule, "clause": finding.clause})
    return found


def _classify(version: Any, change: PositionChange) -> None:
    """Place a change: agreed, disputed, possible violation, notified in advance, or not."""
    change.findings = _findings(version, change)
    notice = sel.positions_spec(version).notice_days
    disputed = change.pk is not None and Dispute.objects.filter(change=change).exists()
    if change.agreed_at is not None:
        change.classification = "agreed"
    elif disputed:
        change.classification = "disputed"
    elif change.findings:
        change.classification = "possible_violation"
    elif timezone.localtime(change.declared_at).date() + dt.timedelta(days=notice) <= (
        change.effective
    ):
        change.classification = "notified"
    else:
        change.classification = "not_notified"


def _new_change(
    version: Any, position: Position, change: str, effective: dt.date
) -> PositionChange:
    item = PositionChange(
        position=position,
        change=change,
        effective=effective,
        content=_item(position, change, effective, effective),
        salt=pc.new_salt(),
    )
    _classify(version, item)
    item.save()
    return item


# --- declaring -----------------------------------------------------------------------------


def _store(
    actor: Actor, version: Any, party: Any, fields: Mapping[str, Any], now: dt.datetime
) -> Position:
    position = Position.objects.create(
        arrangement=version.arrangement,
        party=party,
        reference=new_reference("POS"),
        name=fields["name"],
        kind=fields["kind"],
        geometry=json.dumps(fields["geometry"], separators=(",", ":")),
        lon=fields["point"][0],
        lat=fields["point"][1],
        established=fields["established"],
        declared_at=now,
        declared_by=actor.user,
        updated_at=now,
    )
    Holding.objects.bulk_create(
        Holding(
            position=position,
            category=h["category"],
            count=h["count"],
            range_km=h["range_km"],
            since=fields["established"],
        )
        for h in fields["holdings"]
    )
    baseline_date = sel.freeze_baseline_date(version)
    if baseline_date is not None and fields["established"] > baseline_date:
        _new_change(version, position, "established", fields["established"])
    return position


def _record_position(actor: Actor, position: Position, event: Any, **extra: Any) -> None:
    append_event(
        actor=actor,
        event_type=event,
        data={
            "position": position.reference,
            "party": position.party.code,
            "kind": position.kind,
            **extra,
        },
        subjects=[subject("positions.position", position.public_id, position.reference)],
        audience=escrow_audience(position.party.code),
    )


@transaction.atomic
def declare_position(*, actor: Actor, party: str | None = None, **data: Any) -> Position:
    """Declare one position of the actor's own party (the console names the party).

    ``data``: ``name``, ``kind`` (a ``[[position_kinds]]`` id), ``geometry`` (GeoJSON),
    ``established`` (date), ``holdings`` (list of category/count/range_km)."""
    owner = _declaring_party(actor, party)
    version = sel.current_version(Actor.console("positions"))
    errors: dict[str, list[str]] = {}
    sealed = _baseline_sealed(owner.pk, version.arrangement_id)
    fields = _position_fields(version, data, errors, sel.freeze_baseline_date(version), sealed)
    if errors:
        raise ValidationFailed(errors)
    position = _store(actor, version, owner, fields, timezone.now())
    _record_position(actor, position, events.DECLARED, established=position.established.isoformat())
    return position


def _features(document: Any) -> list[Any]:
    if isinstance(document, bytes | bytearray):
        try:
            document = document.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationFailed({"file": [_("The file is not UTF-8 text.")]}) from None
    if isinstance(document, str):
        try:
            document = _loads(document)
        except ValueError as exc:
            raise ValidationFailed({"file": [_("The file is not JSON."), str(exc)]}) from None
    if not isinstance(document, Mapping) or document.get("type") != "FeatureCollection":
        raise ValidationFailed({"file": [_("The file is not a GeoJSON FeatureCollection.")]})
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise ValidationFailed({"file": [_("The FeatureCollection has no features.")]})
    if len(features) > IMPORT_MAX_FEATURES:
        raise ValidationFailed({"file": [_("At most 2000 features in one file.")]})
    return features


@transaction.atomic
def import_positions(*, actor: Actor, document: Any, party: str | None = None) -> list[Position]:
    """Import a GeoJSON FeatureCollection of the actor's own party's positions.

    Each feature: a geometry and ``properties`` ``name``, ``kind``, ``established`` and
    ``holdings``. Every feature is checked first; one bad feature stores nothing, and the
    errors name each feature (``features[3].kind``)."""
    owner = _declaring_party(actor, party)
    features = _features(document)
    version = sel.current_version(Actor.console("positions"))
    sealed = _baseline_sealed(owner.pk, version.arrangement_id)
    baseline_date = sel.freeze_baseline_date(version)
    errors: dict[str, list[str]] = {}
    checked: list[dict[str, Any]] = []
    allowed = {"name", "kind", "established", "holdings"}
    for i, feature in enumerate(features):
        where = f"features[{i}]"
        if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
            errors[where] = [_("Not a GeoJSON Feature.")]
            continue
        props = feature.get("properties")
        if not isinstance(props, Mapping):
            errors[f"{where}.properties"] = [_("Give name, kind, established and holdings.")]
            continue
        unknown = sorted(set(props) - allowed)
        if unknown:
            errors[f"{where}.properties"] = [
                _("Unknown property %(name)s.") % {"name": str(unknown[0])[:40]}
            ]
            continue
        one: dict[str, list[str]] = {}
        fields = _position_fields(
            version, {**props, "geometry": feature.get("geometry")}, one, baseline_date, sealed
        )
        for key, messages in one.items():
            errors[f"{where}.{key}"] = messages
        checked.append(fields)
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    created = [_store(actor, version, owner, fields, now) for fields in checked]
    append_event(
        actor=actor,
        event_type=events.IMPORTED,
        data={"party": owner.code, "positions": [p.reference for p in created]},
        subjects=[subject("positions.position", p.public_id, p.reference) for p in created],
        audience=escrow_audience(owner.code),
    )
    return created


def _may_change(actor: Actor, position: Position) -> None:
    if actor.system:
        return
    if not may_declare(actor) or position.party_id != actor.party_id:
        raise PermissionDenied(_("A party declares changes of its own positions only."))


@transaction.atomic
def declare_change(
    *,
    actor: Actor,
    position: Position,
    change: str,
    effective: Any,
    geometry: Any = None,
    holdings: Any = None,
) -> PositionChange | None:
    """Declare a change of one of the party's positions, taking effect on ``effective``:
    ``moved`` (a new ``geometry``), ``holdings`` (the new ``holdings``, replacing the old
    from that day) or ``vacated``. After the party's baseline is sealed a change takes
    effect after the baseline date; it is classified and sealed in the next batch."""
    _may_change(actor, position)
    version = sel.current_version(Actor.console("positions"))
    errors: dict[str, list[str]] = {}
    if change not in CHANGE_KINDS:
        errors["change"] = [_("Choose moved, holdings or vacated.")]
    day = _date(effective, errors, "effective")
    baseline_date = sel.freeze_baseline_date(version)
    sealed = _baseline_sealed(position.party_id, position.arrangement_id)
    if day is not None:
        if day < position.established:
            errors["effective"] = [_("Before the position was established.")]
        elif position.removed is not None and day >= position.removed:
            errors["effective"] = [_("The position is vacated by then.")]
        elif day > _today() + dt.timedelta(days=AHEAD_MAX_DAYS):
            errors["effective"] = [_("At most a year ahead.")]
        elif sealed and baseline_date is not None and day <= baseline_date:
            errors["effective"] = [
                _("The baseline of %(date)s is sealed: a change takes effect after it.")
                % {"date": baseline_date.isoformat()}
            ]
    new_geometry = None
    new_holdings: list[dict[str, Any]] = []
    if change == "moved":
        new_geometry = _geometry(geometry, errors)
        if new_geometry is not None and engine_for(version).locate(new_geometry).problems:
            errors["geometry"] = [_("The site lies outside the arrangement's region.")]
    elif change == "holdings":
        new_holdings = _holdings(holdings, errors)
    if errors:
        raise ValidationFailed(errors)
    assert day is not None
    now = timezone.now()
    if change == "moved":
        p = shape(new_geometry).representative_point()
        position.geometry = json.dumps(new_geometry, separators=(",", ":"))
        position.lon, position.lat = round(float(p.x), 6), round(float(p.y), 6)
    elif change == "holdings":
        open_rows = Holding.objects.filter(position=position, until__isnull=True)
        open_rows.filter(since__gte=day).delete()
        open_rows.filter(since__lt=day).update(until=day)
        Holding.objects.bulk_create(
            Holding(
                position=position,
                category=h["category"],
                count=h["count"],
                range_km=h["range_km"],
                since=day,
            )
            for h in new_holdings
        )
    else:
        position.removed = day
    position.updated_at = now
    position.save()
    item = None
    if baseline_date is not None and day > baseline_date:
        item = _new_change(version, position, change, day)
    _record_position(actor, position, events.CHANGED, change=change, effective=day.isoformat())
    return item


# --- sealing -------------------------------------------------------------------------------


def _seal(
    actor: Actor,
    version: Any,
    party: Any,
    kind: str,
    as_of: dt.date,
    items: Sequence[PositionChange],
    floor: int,
) -> Commitment:
    sealed = pc.seal([pc.leaf_data(i.content, i.salt) for i in items], floor)
    audience = parties_audience()
    commitment = Commitment.objects.create(
        arrangement=version.arrangement,
        party=party,
        reference=new_reference("SEAL"),
        kind=kind,
        as_of=as_of,
        root=sealed.root.hex(),
        size=sealed.size,
        leaf_hashes=[h.hex() for h in sealed.leaves],
        created_by=actor.user,
        audience=encode(audience),
    )
    for item, index in zip(items, sealed.indices, strict=True):
        item.commitment = commitment
        item.leaf_index = index
    PositionChange.objects.bulk_update(list(items), ["commitment", "leaf_index"])
    entry = append_event(
        actor=actor,
        event_type=events.SEALED,
        data={
            "commitment": commitment.reference,
            "arrangement": version.arrangement.key,
            "party": party.code,
            "kind": kind,
            "as_of": as_of.isoformat(),
            "root": commitment.root,
            "size": commitment.size,
            "scheme": pc.REVEAL_FORMAT,
        },
        subjects=[subject("positions.commitment", commitment.public_id, commitment.reference)],
        audience=audience,
    )
    commitment.entry_seq = entry.seq
    commitment.entry_hash = entry.hash
    commitment.save(update_fields=["entry_seq", "entry_hash"])
    return commitment


@transaction.atomic
def seal_baseline(*, actor: Actor, party: str | None = None) -> Commitment:
    """Commit every position of the party standing on the freeze's baseline date, with its
    holdings that day, as one padded Merkle root over salted leaves (once per party)."""
    owner = _declaring_party(actor, party)
    version = sel.current_version(Actor.console("positions"))
    baseline_date = sel.freeze_baseline_date(version)
    if baseline_date is None:
        raise ValidationFailed(_("The arrangement has no freeze clause with a baseline date."))
    if baseline_date > _today():
        raise ValidationFailed(
            _("The baseline is sealed on or after its date (%(date)s).")
            % {"date": baseline_date.isoformat()}
        )
    # One baseline per party: the party's rows are locked while it is sealed.
    list(
        Position.objects.select_for_update(no_key=True)
        .filter(party=owner)
        .values_list("pk", flat=True)
    )
    if _baseline_sealed(owner.pk, version.arrangement_id):
        raise ValidationFailed(_("The party's baseline is sealed already."))
    standing = sel.standing_on(
        Position.objects.filter(party=owner, arrangement=version.arrangement)
        .select_related("party", "arrangement")
        .order_by("pk"),
        baseline_date,
    )
    items = [
        PositionChange(
            position=p,
            change="baseline",
            effective=baseline_date,
            content=_item(p, "baseline", baseline_date, baseline_date),
            salt=pc.new_salt(),
            classification="baseline",
        )
        for p in standing
    ]
    PositionChange.objects.bulk_create(items)
    items = list(
        PositionChange.objects.filter(position__party=owner, change="baseline", commitment=None)
    )
    return _seal(actor, version, owner, Commitment.BASELINE, baseline_date, items, pc.MIN_LEAVES)


@transaction.atomic
def seal_changes(
    *, actor: Actor, party: str | None = None, on: dt.date | None = None
) -> Commitment:
    """Commit the party's changes not sealed yet as one batch (a batch with none is sealed
    too: the cadence, not the content, decides when a root appears)."""
    owner = _declaring_party(actor, party)
    version = sel.current_version(Actor.console("positions"))
    if not _baseline_sealed(owner.pk, version.arrangement_id):
        raise ValidationFailed(_("The party's baseline is not sealed yet."))
    items = list(
        PositionChange.objects.select_for_update(no_key=True)
        .filter(position__party=owner, commitment=None)
        .exclude(change="baseline")
        .order_by("pk")
    )
    return _seal(
        actor, version, owner, Commitment.CHANGES, on or _today(), items, CHANGE_BATCH_FLOOR
    )


def seal_due_batches(now: dt.datetime) -> int:
    """The worker's daily batch: each party with a sealed baseline and no batch today."""
    day = now.date()
    console = Actor.console("positions")
    sealed = 0
    baselines = Commitment.objects.filter(kind=Commitment.BASELINE).select_related("party")
    for commitment in baselines:
        done = Commitment.objects.filter(
            party=commitment.party, kind=Commitment.CHANGES, as_of__gte=day
        ).exists()
        if not done:
            seal_changes(actor=console, party=commitment.party.code, on=day)
            sealed += 1
    return sealed


# --- disputes and reveals ------------------------------------------------------------------


@transaction.atomic
def open_dispute(
    *,
    actor: Actor,
    against: str,
    claim: str,
    geometry: Any = None,
    change: PositionChange | None = None,
) -> Dispute:
    """Dispute a party's positions: the other party (about a place it describes) or the
    mediator (about a place, or a change it holds in escrow)."""
    if not (may_declare(actor) or is_mediator(actor)):
        raise PermissionDenied(_("The parties and the mediator dispute positions."))
    errors: dict[str, list[str]] = {}
    target = [
        p for p in parties.parties_of_kinds([PartyKindChoices.KIND_PARTY]) if p.code == against
    ]
    if not target:
        errors["against"] = [_("Unknown party.")]
    elif target[0].pk == actor.party_id:
        errors["against"] = [_("A party does not dispute its own positions.")]
    claim = (claim or "").strip()
    if not claim or len(claim) > CLAIM_MAX:
        errors["claim"] = [_("State the claim in at most 4000 characters.")]
    normalised = None
    if geometry not in (None, "", {}):
        normalised = _geometry(geometry, errors)
    if change is not None:
        if not is_mediator(actor):
            raise NotFound()
        if target and change.position.party_id != target[0].pk:
            errors["change"] = [_("The change is not of that party's positions.")]
    if errors:
        raise ValidationFailed(errors)
    version = sel.current_version(Actor.console("positions"))
    opener = parties.party_of(actor)
    assert opener is not None
    audience = parties_audience()
    dispute = Dispute.objects.create(
        arrangement=version.arrangement,
        reference=new_reference("PDS"),
        against=target[0],
        opened_by_party=opener,
        opened_by=actor.user,
        claim=claim,
        geometry=json.dumps(normalised, separators=(",", ":")) if normalised else "",
        change=change,
        audience=encode(audience),
    )
    if change is not None and change.change != "baseline":
        _classify(version, change)
        change.save(update_fields=["classification", "findings"])
    append_event(
        actor=actor,
        event_type=events.DISPUTE_OPENED,
        data={
            "dispute": dispute.reference,
            "against": target[0].code,
            "by": opener.code,
            "claim": claim,
            "place": normalised,
        },
        subjects=[subject("positions.dispute", dispute.public_id, dispute.reference)],
        audience=audience,
    )
    return dispute


@transaction.atomic
def consent_to_reveal(*, actor: Actor, dispute: Dispute) -> Dispute:
    """A party to the dispute consents to the mediator revealing the item in question."""
    if not may_declare(actor) or actor.party_id not in (
        dispute.against_id,
        dispute.opened_by_party_id,
    ):
        raise PermissionDenied(_("The parties to the dispute give their consent."))
    dispute = Dispute.objects.select_for_update(no_key=True).get(pk=dispute.pk)
    code = str(actor.party_code)
    if code not in dispute.consents:
        dispute.consents = [*dispute.consents, code]
        dispute.save(update_fields=["consents"])
    append_event(
        actor=actor,
        event_type=events.CONSENTED,
        data={"dispute": dispute.reference, "party": code},
        subjects=[subject("positions.dispute", dispute.public_id, dispute.reference)],
        audience=dispute.audience_codes,
    )
    return dispute


def reveal_file(item: PositionChange, dispute: Dispute | None = None) -> dict[str, Any]:
    """The reveal file of a sealed item: what ``coordcell verify`` checks offline."""
    commitment = item.commitment
    assert commitment is not None
    assert item.leaf_index is not None
    leaves = [bytes.fromhex(h) for h in Commitment.objects.get(pk=commitment.pk).leaf_hashes]
    proof = pc.inclusion_proof(leaves, item.leaf_index)
    return {
        "format": pc.REVEAL_FORMAT,
        "arrangement": item.content["arrangement"],
        "party": item.content["party"],
        "commitment": commitment.reference,
        "kind": commitment.kind,
        "as_of": commitment.as_of.isoformat(),
        "entry": commitment.entry_hash,
        "root": commitment.root,
        "size": commitment.size,
        "index": item.leaf_index,
        "salt": item.salt,
        "item": item.content,
        "proof": [p.hex() for p in proof],
        "dispute": dispute.reference if dispute is not None else None,
    }


def _required_consents(version: Any, dispute: Dispute) -> list[str]:
    wanted = sel.positions_spec(version).mediator_reveal_consent
    codes = []
    if "declaring" in wanted:
        codes.append(dispute.against.code)
    if "other" in wanted and dispute.opened_by_party.kind == PartyKindChoices.KIND_PARTY:
        codes.append(dispute.opened_by_party.code)
    return codes


@transaction.atomic
def reveal(*, actor: Actor, dispute: Dispute, change: PositionChange) -> Reveal:
    """Reveal the sealed item in question in a dispute: its content, salt and inclusion
    proof go to the record with the dispute's audience. The declaring party reveals its own
    item; the mediator reveals with the consent the arrangement requires. A dispute
    concerns one item: the change it was opened about, else the item first revealed in it;
    no other item is revealed under it (a consent is to revealing that item, not a
    party's whole baseline)."""
    version = sel.current_version(Actor.console("positions"))
    if change.position.party_id != dispute.against_id:
        raise ValidationFailed(
            {"change": [_("The item is not of the disputed party's positions.")]}
        )
    # Locked: two reveals at once cannot each bind the dispute to a different item.
    dispute = Dispute.objects.select_for_update(no_key=True).get(pk=dispute.pk)
    if dispute.change_id is not None and dispute.change_id != change.pk:
        raise ValidationFailed(
            {
                "change": [
                    _(
                        "The dispute concerns one item only; another item is not revealed "
                        "in it (open a dispute about that item)."
                    )
                ]
            }
        )
    if is_mediator(actor):
        missing = [c for c in _required_consents(version, dispute) if c not in dispute.consents]
        if missing:
            raise PermissionDenied(
                _("The mediator reveals only with the consent of: %(parties)s.")
                % {"parties": ", ".join(missing)}
            )
    elif not (may_declare(actor) and actor.party_id == dispute.against_id):
        raise PermissionDenied(_("The declaring party or the mediator reveals an item."))
    if change.commitment_id is None:
        raise ValidationFailed(
            {"change": [_("The item is not sealed yet: it is sealed in the next batch.")]}
        )
    bundle = reveal_file(change, dispute)
    party = parties.party_of(actor)
    found = Reveal.objects.create(
        dispute=dispute,
        change=change,
        reference=new_reference("RVL"),
        revealed_by=actor.user,
        revealed_by_party=party,
        bundle=bundle,
        audience=dispute.audience,
    )
    dispute.state = "revealed"
    if dispute.change_id is None:
        dispute.change = change
    dispute.save(update_fields=["state", "change"])
    if change.change != "baseline":
        _classify(version, change)
        change.save(update_fields=["classification", "findings"])
    entry = append_event(
        actor=actor,
        event_type=events.REVEALED,
        data={"reveal": found.reference, "dispute": dispute.reference, "file": bundle},
        subjects=[subject("positions.reveal", found.public_id, found.reference)],
        audience=dispute.audience_codes,
    )
    found.entry_seq = entry.seq
    found.entry_hash = entry.hash
    found.save(update_fields=["entry_seq", "entry_hash"])
    return found


@transaction.atomic
def agree_change(*, actor: Actor, change: PositionChange, note: str) -> PositionChange:
    """The mediator records that both parties consented to a change (with a note)."""
    if not is_mediator(actor):
        raise PermissionDenied(_("The mediator records that both parties agreed."))
    note = (note or "").strip()
    if not note or len(note) > CLAIM_MAX:
        raise ValidationFailed(
            {"note": [_("Say how both parties consented (at most 4000 characters).")]}
        )
    if change.change == "baseline":
        raise ValidationFailed({"change": [_("The baseline is not a change.")]})
    version = sel.current_version(Actor.console("positions"))
    change.agreed_at = timezone.now()
    change.agreed_note = note
    _classify(version, change)
    change.save(update_fields=["agreed_at", "agreed_note", "classification", "findings"])
    append_event(
        actor=actor,
        event_type=events.AGREED,
        data={
            "position": change.position.reference,
            "change": change.change,
            "effective": change.effective.isoformat(),
            "note": note,
        },
        subjects=[
            subject("positions.position", change.position.public_id, change.position.reference)
        ],
        audience=escrow_audience(change.position.party.code),
    )
    return change
