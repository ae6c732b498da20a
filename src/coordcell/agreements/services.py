"""The only writer of arrangements: loading a scenario folder as a new version."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from coordcell.agreements import events
from coordcell.agreements.models import (
    Arrangement,
    ArrangementVersion,
    Clause,
    Place,
    Protocol,
    Source,
    Zone,
)
from coordcell.core.actor import Actor
from coordcell.core.audience import ALL_MEMBERS
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.parties.services import register_party
from coordcell.record.canonical import to_jsonable
from coordcell.record.services import append_event, subject
from coordcell.rules.arrangement import Arrangement as ArrangementSpec
from coordcell.rules.scenario import content_hash, read_scenario

__all__ = ["LoadResult", "default_scenario", "load_arrangement", "resolve_scenario_path"]

#: Scenarios shipped inside the package, addressed by folder name.
SCENARIOS_DIR = Path(__file__).resolve().parent.parent / "scenarios"


#: The file in ``SCENARIOS_DIR`` naming the shipped scenario ``coordcell demo`` loads by default.
DEFAULT_SCENARIO_FILE = "default.txt"


def default_scenario() -> str:
    """The shipped scenario the demo loads when none is named: the one ``scenarios/default.txt``
    names (its first line that is not blank or a ``#`` comment), else the only shipped one."""
    default_file = SCENARIOS_DIR / DEFAULT_SCENARIO_FILE
    if default_file.is_file():
        for line in default_file.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                return line.strip()
    shipped = sorted(p.name for p in SCENARIOS_DIR.iterdir() if (p / "arrangement.toml").is_file())
    return shipped[0] if len(shipped) == 1 else ""


def resolve_scenario_path(name_or_path: str) -> Path:
    """A shipped scenario's name (a folder of ``scenarios/``) or a folder path."""
    candidate = Path(name_or_path)
    if candidate.is_dir():
        return candidate.resolve()
    shipped = SCENARIOS_DIR / name_or_path
    if "/" not in name_or_path and shipped.is_dir():
        return shipped
    return candidate.resolve()


@dataclass(frozen=True)
class LoadResult:
    """What a load did: the current version, and whether it is new."""

    version: ArrangementVersion
    created: bool


def load_arrangement(*, actor: Actor, path: Path) -> LoadResult:
    """Validate a scenario folder and store it as a new version if its content changed.

    The files are read and checked completely before anything is written (a
    ``ScenarioInvalid`` leaves the database as it was). Loading content identical to
    the current version changes nothing; anything else becomes version n+1 and the
    current one.

    A database holds one arrangement (ADR 0012): a scenario whose key differs from the
    arrangement already stored is refused with ``ValidationFailed``, before any write.
    """
    if not actor.system:
        raise PermissionDenied()
    spec = read_scenario(path)
    return _store(actor=actor, spec=spec, path=path)


@transaction.atomic
def _store(*, actor: Actor, spec: ArrangementSpec, path: Path) -> LoadResult:
    digest = content_hash(spec)
    _check_one_arrangement(spec.key)
    arrangement, _created = Arrangement.objects.get_or_create(key=spec.key)
    # Lock the arrangement row so two concurrent loads cannot both become version n+1.
    arrangement = Arrangement.objects.select_for_update(no_key=True).get(pk=arrangement.pk)
    current = arrangement.versions.filter(is_current=True).first()
    if current is not None and current.content_hash == digest:
        return LoadResult(version=current, created=False)

    for party in spec.parties:
        register_party(actor=actor, code=party.code, kind=party.kind, names=party.name)

    number = (current.number if current else 0) + 1
    if current is not None:
        ArrangementVersion.objects.filter(pk=current.pk).update(is_current=False)
    version = ArrangementVersion.objects.create(
        arrangement=arrangement,
        number=number,
        titles=dict(spec.title),
        descriptions=dict(spec.description),
        content_hash=digest,
        content=dict(spec.content),
        basemap=dict(spec.basemap),
        region_crs=spec.region_crs,
        region_bbox=list(spec.region_bbox),
        valid_from=spec.valid_from,
        valid_until=spec.valid_until,
        source_path=str(path),
        loaded_by=actor.name,
        is_current=True,
    )
    _store_children(version, spec)
    append_event(
        actor=actor,
        event_type=events.VERSION_LOADED,
        data={
            "arrangement": spec.key,
            "version": number,
            "content_hash": digest,
            "previous_version": current.number if current else None,
            "zones": len(spec.zones),
            "clauses": len(spec.clauses),
        },
        subjects=[subject("agreements.version", version.public_id, f"{spec.key} v{number}")],
        audience=[ALL_MEMBERS],  # the arrangement is every member's
    )
    return LoadResult(version=version, created=True)


def _check_one_arrangement(key: str) -> None:
    """Refuse a second arrangement: its parties would take over the first one's codes
    (a party is registered by code), and every page reads "the" current arrangement."""
    held = Arrangement.objects.exclude(key=key).order_by("key").values_list("key", flat=True)
    first = held.first()
    if first is not None:
        raise ValidationFailed(
            _(
                "This database holds the arrangement %(held)s; %(new)s is another one. "
                "A database holds one arrangement, in versions: run each cell with its "
                "own database and data directory (DATABASE_URL, COORDCELL_DATA_DIR or "
                "--data-dir)."
            )
            % {"held": first, "new": key}
        )


def _store_children(version: ArrangementVersion, spec: ArrangementSpec) -> None:
    Zone.objects.bulk_create(
        Zone(
            version=version,
            zone_id=z.id,
            kind=z.kind,
            names=dict(z.name),
            description=z.description,
            side=z.side,
            from_km=z.from_km,
            to_km=z.to_km,
            derived=z.derived,
            illustrative=z.illustrative,
            source=z.source,
            style=dict(z.style),
            part_of=z.part_of,
            geometry=dict(z.geometry),
            min_lon=z.bbox[0],
            min_lat=z.bbox[1],
            max_lon=z.bbox[2],
            max_lat=z.bbox[3],
            position=i,
        )
        for i, z in enumerate(spec.zones)
    )
    Clause.objects.bulk_create(
        Clause(
            version=version,
            clause_id=c.id,
            kind=c.kind,
            titles=dict(c.title),
            text=c.text,
            text_translations=dict(c.text_translations),
            text_unofficial=list(c.text_unofficial),
            source=c.source,
            zone_ids=list(c.zones),
            party_codes=list(c.parties),
            prohibited=list(c.prohibited),
            # Whole numbers as integers: "75 tanks", not "75.0".
            limits={k: int(v) if float(v).is_integer() else v for k, v in c.limits.items()},
            parameters=to_jsonable(c.parameters),
            effective_from=c.effective_from.isoformat() if c.effective_from else None,
            effective_until=c.effective_until.isoformat() if c.effective_until else None,
            amends=c.amends,
            status=c.status,
            disputed_by=list(c.disputed_by),
            position=i,
        )
        for i, c in enumerate(spec.clauses)
    )
    Protocol.objects.bulk_create(
        Protocol(
            version=version,
            protocol_id=p.id,
            serves=p.serves,
            titles=dict(p.title),
            acknowledge_within_hours=p.acknowledge_within_hours,
            answer_within_hours=p.answer_within_hours,
            verification_within_hours=p.verification_within_hours,
            ladder=[
                {
                    "level": s.level,
                    "names": dict(s.name),
                    "within_hours": s.within_hours,
                    "eligible_after_hours": s.eligible_after_hours,
                    "after_failure": s.after_failure,
                    "owner": s.owner,
                    "action": dict(s.action),
                }
                for s in p.ladder
            ],
            determined_by=p.determined_by.as_content(),
            determine_within_hours=p.determine_within_hours,
            comms_check_answer_minutes=p.comms_check_answer_minutes,
            addressed_to=list(p.addressed_to),
            precedence=[
                {
                    "code": r.code,
                    "names": dict(r.name),
                    "first_response_within_hours": r.first_response_within_hours,
                    "answer_within_hours": r.answer_within_hours,
                }
                for r in p.precedence
            ],
        )
        for p in spec.protocols
    )
    Place.objects.bulk_create(
        Place(
            version=version,
            key=p.key,
            name=p.name,
            name_local=p.name_local,
            lat=p.lat,
            lon=p.lon,
            feature=p.feature,
            country_code=p.country_code,
            source=p.source,
            source_id=p.source_id,
            note=p.note,
        )
        for p in spec.places
    )
    Source.objects.bulk_create(
        Source(
            version=version,
            key=s.key,
            title=s.title,
            licence=s.licence,
            attribution=s.attribution,
            url=s.url,
        )
        for s in spec.sources
    )
