"""Bulk import of open-source incidents (UCDP, ACLED, GeoJSON): the writer behind
``coordcell import``.

One row of the source becomes one incident attributed to its source (``source`` =
open-source data, ``source_dataset`` = ``ucdp``/``acled``/``geojson``, ``source_ref`` = the
row's id); it is never a party's complaint. The rows are taken in chunks. For each chunk

1. one query finds which of its source ids are already stored;
2. the rules engine assesses the new rows in bulk (``Engine.assess_many``), under the
   arrangement version given, which the findings cite;
3. then, in ONE transaction, the incidents are bulk-created (audience: every member; no
   party, no reporter; not fictional) and ONE record event is appended,
   ``incidents.imported``, listing for every incident created its reference, its source
   id and the SHA-256 of its canonical snapshot (the same snapshot
   ``incidents.incident_reported`` records for a single report), so the record commits to
   each incident's content.

Steps 1 and 2 only read, so the write lock (all of SQLite) is held only for step 3.
A chunk that fails rolls back entirely and the import stops (``ImportFailed`` says which
lines the chunk covered); the chunks before it stay committed, and running the same
import again skips them.

Idempotent by source id: a row whose id is already stored with the same content is
"already present"; with different content it is **not** overwritten but reported as
"same id, different content — skipped" (an imported incident may already be cited by a
case; changing it is a decision for a person, through ``change_incident``, which records
it). Rows the readers reject, rows without an id, and rows the engine cannot place in the
arrangement's region (outside it, swapped coordinates, invalid geometry, unknown kind)
are rejected with their line and reason, like ``coordcell check`` reports them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.agreements.engines import engine_for, explain
from coordcell.core import audience
from coordcell.core.actor import Actor
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.incidents import events
from coordcell.incidents.choices import PrecisionChoices, SourceChoices
from coordcell.incidents.models import Incident
from coordcell.incidents.services import REJECTING, representative_point, snapshot
from coordcell.interop.assess import observation_of
from coordcell.interop.common import ObservationRow, RowError
from coordcell.record.canonical import canonical_json
from coordcell.record.services import append_event
from coordcell.rules import localtime
from coordcell.rules.arrangement import ForceSpec
from coordcell.rules.engine import Engine
from coordcell.rules.grid import cell_key

if TYPE_CHECKING:
    from coordcell.agreements.models import ArrangementVersion

__all__ = [
    "DATASETS",
    "DEFAULT_CHUNK",
    "MAX_CHUNK",
    "ImportFailed",
    "ImportSummary",
    "Skipped",
    "fast_canonical_json",
    "import_incidents",
    "snapshot_sha256",
]

DATASETS = ("ucdp", "acled", "geojson")
DEFAULT_CHUNK = 2_000
#: The "already stored" query lists every id of a chunk as a parameter.
MAX_CHUNK = 20_000
#: How many skipped rows ``ImportSummary.skipped`` keeps (the counts are always complete;
#: pass ``on_skip`` to see every one).
KEEP_SKIPPED = 1_000

_PREFIX = {"ucdp": "UCDP", "acled": "ACLED", "geojson": "GeoJSON"}
#: Source columns (or properties) that describe the event, for the incident's title.
_TITLE_PARTS = {
    "ucdp": (("dyad_name",), ("where_coordinates", "where_description")),
    "acled": (("event_type",), ("sub_event_type",), ("location", "admin2", "admin1")),
    "geojson": (("title", "name", "description"),),
}
_MAX_REF = Incident._meta.get_field("source_ref").max_length or 120


class _Advance(Protocol):
    def advance(self, n: int = 1) -> None: ...


@dataclass(frozen=True)
class Skipped:
    """A row not imported: ``outcome`` is ``"rejected"`` (bad input) or ``"changed"``
    (its id is stored with other content)."""

    line: int
    source_id: str
    outcome: str
    category: str
    reason: str


@dataclass
class ImportSummary:
    """What an import did. ``seconds`` covers reading, assessing and writing."""

    dataset: str
    version: str
    file: str = ""
    read: int = 0
    created: int = 0
    already_present: int = 0
    changed: int = 0
    rejected: int = 0
    chunks: int = 0
    events: int = 0
    seconds: float = 0.0
    reasons: Counter[str] = field(default_factory=Counter)
    skipped: list[Skipped] = field(default_factory=list)
    first_reference: str = ""
    last_reference: str = ""

    @property
    def rate(self) -> float:
        """Rows read per second."""
        return self.read / self.seconds if self.seconds > 0 else 0.0

    @property
    def skipped_truncated(self) -> bool:
        return len(self.skipped) < self.rejected + self.changed


class ImportFailed(Exception):
    """A chunk could not be written; nothing of it was. The chunks before it were."""

    def __init__(
        self, *, first_line: int, last_line: int, summary: ImportSummary, cause: BaseException
    ) -> None:
        self.first_line = first_line
        self.last_line = last_line
        self.summary = summary
        self.cause = cause
        super().__init__(f"lines {first_line}-{last_line}: {cause}")


def snapshot_sha256(incident: Incident) -> str:
    """SHA-256 (hex) of the incident's canonical snapshot, as ``incidents.imported`` lists it."""
    return hashlib.sha256(fast_canonical_json(snapshot(incident))).hexdigest()


#: The record's canonical JSON (RFC 8785), which has the fast path for plain data.
fast_canonical_json = canonical_json


# ---------------------------------------------------------------------------------- rows


def _moment(value: dt.date | dt.datetime, zone: dt.tzinfo = dt.UTC) -> dt.datetime:
    """A source's date or date-time as an instant: a date (ACLED, UCDP, a GeoJSON date)
    is that day from 00:00 local time in the arrangement's zone, as the engine reads it;
    a date-time keeps its instant (the readers refuse one without an offset)."""
    if isinstance(value, dt.datetime):
        return value
    return localtime.instant(value, zone)


def _precision(row: ObservationRow) -> str:
    """The incident's time precision from the source's code (docs/cases.md, "Imports")."""
    if isinstance(row.time_start, dt.datetime):
        return PrecisionChoices.MINUTE
    code = row.time_precision
    if row.source == "ucdp" and code is not None and code >= 4:  # month, year or vaguer
        return PrecisionChoices.MONTH
    if row.source == "acled" and code is not None and code >= 3:  # month
        return PrecisionChoices.MONTH
    return PrecisionChoices.DAY


def _title(dataset: str, row: ObservationRow) -> str:
    parts = [f"{_PREFIX.get(dataset, dataset)} {row.source_id}"]
    for names in _TITLE_PARTS.get(dataset, ()):
        for name in names:
            text = " ".join(str(row.attributes.get(name) or "").split())
            if text:
                parts.append(text)
                break
    if len(parts) == 1:
        parts.append(row.kind)
    title = " · ".join(parts)
    return title if len(title) <= 300 else title[:299] + "…"


def _content(row: ObservationRow, dataset: str, zone: dt.tzinfo = dt.UTC) -> dict[str, Any]:
    """The fields an incident takes from its source row (what "same content" compares)."""
    start = _moment(row.time_start, zone)
    end = _moment(row.time_end, zone)
    return {
        "kind": row.kind,
        "title": _title(dataset, row),
        "occurred_from": start,
        "occurred_until": end if end != start else None,
        "time_precision": _precision(row),
        "geometry": dict(row.geometry),
        "uncertainty_m": float(row.uncertainty_m),
    }


_CONTENT_FIELDS = (
    "kind",
    "title",
    "occurred_from",
    "occurred_until",
    "time_precision",
    "geometry",
    "uncertainty_m",
)


def _fingerprint(content: Mapping[str, Any]) -> bytes:
    return hashlib.sha256(fast_canonical_json({k: content[k] for k in _CONTENT_FIELDS})).digest()


def _same(
    row: ObservationRow, dataset: str, content: Mapping[str, Any], seen: bytes | dict[str, Any]
) -> bool:
    """Whether ``content`` is what is stored (``seen``: its fingerprint, or the content
    accepted earlier in the chunk). A dated row stored before dates were read in the
    arrangement's zone (a day from 00:00 UTC) is the same row, not a changed one."""
    stored = seen if isinstance(seen, bytes) else _fingerprint(seen)
    if _fingerprint(content) == stored:
        return True
    dated = not isinstance(row.time_start, dt.datetime)
    return dated and _fingerprint(_content(row, dataset)) == stored


#: ACLED event types in which both named actors fight: who acted is ambiguous.
_ACLED_TWO_SIDED = {"battles"}
#: UCDP ``type_of_violence`` of one-sided violence: ``side_a`` is the one who acted.
_UCDP_ONE_SIDED = "3"


def _acting_force(row: ObservationRow, engine: Engine) -> ForceSpec | None:
    """The force a dataset row names as having acted, only when unambiguous: an ACLED
    event that is not a battle whose ``actor1`` is a name one force of the arrangement
    lists in ``acled_actors``; a UCDP one-sided event whose ``side_a`` is one of a
    force's ``ucdp_actors``. Otherwise None: who acted is "not stated"."""
    attributes = row.attributes
    if row.source == "acled":
        if " ".join(str(attributes.get("event_type", "")).split()).casefold() in (_ACLED_TWO_SIDED):
            return None
        name, key = str(attributes.get("actor1", "")), "acled_actors"
    elif row.source == "ucdp":
        if str(attributes.get("type_of_violence", "")).strip() != _UCDP_ONE_SIDED:
            return None
        name, key = str(attributes.get("side_a", "")), "ucdp_actors"
    else:
        return None
    name = " ".join(name.split())
    found = [f for f in engine.arrangement.forces if name and name in getattr(f, key)]
    return found[0] if len(found) == 1 else None


def _lon_lat(geometry: Mapping[str, Any]) -> tuple[float, float]:
    if geometry.get("type") == "Point":
        coords = geometry["coordinates"]
        return float(coords[0]), float(coords[1])
    return representative_point(geometry)


def _chunks(
    items: Iterable[ObservationRow | RowError], size: int
) -> Iterator[list[ObservationRow | RowError]]:
    batch: list[ObservationRow | RowError] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# ------------------------------------------------------------------------------- service


def import_incidents(
    *,
    actor: Actor,
    rows: Iterable[ObservationRow | RowError],
    version: ArrangementVersion,
    dataset: str,
    progress: _Advance | None = None,
    file_name: str = "",
    chunk: int = DEFAULT_CHUNK,
    on_skip: Callable[[Skipped], None] | None = None,
) -> ImportSummary:
    """Create an incident for every new row of ``rows`` (what a reader of
    ``coordcell.interop`` yields), assessed under ``version``; see the module's docstring.

    Only the console (the operator) may import. Raises ``ImportFailed`` when a chunk
    cannot be written; an ``InputError`` of the reader passes through.
    """
    if not actor.system:
        raise PermissionDenied(_("Only the operator at the console may import incidents."))
    if dataset not in DATASETS:
        raise ValidationFailed({"dataset": [_("Unknown dataset.")]})
    if not 1 <= chunk <= MAX_CHUNK:
        raise ValidationFailed(
            {"chunk": [_("Give a chunk size from 1 to %(max)s rows.") % {"max": MAX_CHUNK}]}
        )
    started = time.monotonic()
    engine = engine_for(version)
    summary = ImportSummary(dataset=dataset, version=engine.version, file=file_name)

    def skip(item: Skipped) -> None:
        if item.outcome == "changed":
            summary.changed += 1
        else:
            summary.rejected += 1
        summary.reasons[item.category] += 1
        if len(summary.skipped) < KEEP_SKIPPED:
            summary.skipped.append(item)
        if on_skip is not None:
            on_skip(item)

    try:
        for batch in _chunks(rows, chunk):
            first, last = batch[0].line, batch[-1].line
            try:
                _import_chunk(actor, batch, version, summary, skip)
            except Exception as exc:
                summary.seconds = time.monotonic() - started
                raise ImportFailed(
                    first_line=first, last_line=last, summary=summary, cause=exc
                ) from exc
            summary.read += len(batch)
            summary.chunks += 1
            if progress is not None:
                progress.advance(len(batch))
    finally:
        summary.seconds = time.monotonic() - started
    return summary


def _import_chunk(
    actor: Actor,
    batch: list[ObservationRow | RowError],
    version: ArrangementVersion,
    summary: ImportSummary,
    skip: Callable[[Skipped], None],
) -> None:
    dataset = summary.dataset
    engine = engine_for(version)
    # Skips are reported only once the chunk has committed: a chunk that rolls back
    # reports nothing of its rows (the command names its lines instead).
    pending: list[Skipped] = []
    candidates: list[tuple[ObservationRow, dict[str, Any]]] = []
    for item in batch:
        if isinstance(item, RowError):
            pending.append(
                Skipped(item.line, item.source_id, "rejected", item.category, item.reason)
            )
        elif not item.source_id:
            pending.append(
                Skipped(
                    item.line,
                    "",
                    "rejected",
                    "missing_value",
                    _("no source id: an import recognises a row again by its id"),
                )
            )
        elif len(item.source_id) > _MAX_REF:
            pending.append(
                Skipped(
                    item.line,
                    item.source_id[:40],
                    "rejected",
                    "out_of_range",
                    _("the source id is longer than %(max)s characters") % {"max": _MAX_REF},
                )
            )
        else:
            candidates.append((item, _content(item, dataset, engine.zone)))

    # Reading, comparing and assessing happen before the transaction, so that the write
    # lock (all of SQLite) is held only for the inserts and the record event. A concurrent
    # import of the same ids in between would hit the one-incident-per-source-id
    # constraint: the chunk then fails as a whole and a second run skips what is stored.
    # source id -> fingerprint of what is stored, or the content accepted in this chunk
    # (fingerprinted only if the id comes again).
    stored: dict[str, bytes | dict[str, Any]] = {
        values["source_ref"]: _fingerprint(values)
        for values in Incident.objects.filter(
            source_dataset=dataset, source_ref__in={row.source_id for row, _c in candidates}
        ).values("source_ref", *_CONTENT_FIELDS)
    }
    created: list[Incident] = []
    already = 0
    attribution: set[str] = set()
    remaining = candidates
    while remaining:
        # A source id repeated within the chunk is taken in a later round, once its first
        # occurrence is accepted or rejected: it meets what would be stored by then, as
        # a repeat in a later chunk would.
        this_round: list[tuple[ObservationRow, dict[str, Any]]] = []
        later: list[tuple[ObservationRow, dict[str, Any]]] = []
        ids: set[str] = set()
        for row, content in remaining:
            (later if row.source_id in ids else this_round).append((row, content))
            ids.add(row.source_id)
        new: list[tuple[ObservationRow, dict[str, Any]]] = []
        for row, content in this_round:
            seen = stored.get(row.source_id)
            if seen is None:
                new.append((row, content))
            elif _same(row, dataset, content, seen):
                already += 1
            else:
                pending.append(
                    Skipped(
                        row.line,
                        row.source_id,
                        "changed",
                        "changed_content",
                        _("same id, different content — skipped (the stored incident is kept)"),
                    )
                )
        for incident, content in _assessed_incidents(
            new, version, engine, dataset, pending, attribution
        ):
            stored[incident.source_ref] = content
            created.append(incident)
        remaining = later

    if created:
        with transaction.atomic():
            Incident.objects.bulk_create(created)
            listed = []
            for incident in created:
                if incident.pk is None:  # pragma: no cover - SQLite < 3.35
                    raise RuntimeError("the database did not return the new incidents' ids")
                listed.append(
                    {
                        "reference": incident.reference,
                        "source_ref": incident.source_ref,
                        "sha256": snapshot_sha256(incident),
                    }
                )
            rejected = sum(1 for s in pending if s.outcome == "rejected")
            append_event(
                actor=actor,
                event_type=events.INCIDENTS_IMPORTED,
                data={
                    "dataset": dataset,
                    "file": summary.file,
                    "version": summary.version,
                    "lines": {"first": batch[0].line, "last": batch[-1].line},
                    "counts": {
                        "rows": len(batch),
                        "created": len(created),
                        "already_present": already,
                        "changed_skipped": len(pending) - rejected,
                        "rejected": rejected,
                    },
                    "attribution": sorted(attribution),
                    "incidents": listed,
                },
                audience=[audience.ALL_MEMBERS],  # open-source data is public
            )
        summary.events += 1
        summary.first_reference = summary.first_reference or created[0].reference
        summary.last_reference = created[-1].reference
    summary.created += len(created)
    summary.already_present += already
    for skipped in sorted(pending, key=lambda s: s.line):
        skip(skipped)


def _assessed_incidents(
    new: list[tuple[ObservationRow, dict[str, Any]]],
    version: ArrangementVersion,
    engine: Engine,
    dataset: str,
    pending: list[Skipped],
    attribution: set[str],
) -> list[tuple[Incident, dict[str, Any]]]:
    """Assess ``new`` in bulk: the unsaved incidents (with their content), and a rejection
    in ``pending`` for each row the engine cannot place in the arrangement's region."""
    if not new:
        return []
    forces = [_acting_force(row, engine) for row, _c in new]
    observations = [
        observation_of(row)
        if force is None
        else dataclasses.replace(observation_of(row), party=force.party, acting_force=force.id)
        for (row, _c), force in zip(new, forces, strict=True)
    ]
    assessments = engine.assess_many(observations, chunk=len(new))
    now = timezone.now()
    incidents: list[tuple[Incident, dict[str, Any]]] = []
    for (row, content), assessment, force in zip(new, assessments, forces, strict=True):
        rejecting = [p for p in assessment.problems if p.code in REJECTING]
        if rejecting:
            problem = rejecting[0]
            pending.append(
                Skipped(
                    row.line,
                    row.source_id,
                    "rejected",
                    problem.code,
                    explain(problem.code, problem.params, engine),
                )
            )
            continue
        lon, lat = _lon_lat(row.geometry)
        result = assessment.as_dict()
        attribution.add(row.attribution)
        actor = (
            {}
            if force is None
            else {"acted_by": "party", "acting_party": force.party, "acting_force": force.id}
        )
        incident = Incident(
            **content,
            **actor,
            lon=lon,
            lat=lat,
            cell=cell_key(lon, lat),
            source=SourceChoices.OPEN_SOURCE,
            source_party=None,
            source_dataset=dataset,
            source_ref=row.source_id,
            version=version,
            zones=result["zones"],
            possible_zones=result["possible_zones"],
            findings=[*result["findings"], *result["findings_not_agreed"]],
            problems=result["problems"],
            audience=audience.encode([audience.ALL_MEMBERS]),
            reported_at=now,
            reported_by=None,
            fictional=False,
        )
        incidents.append((incident, content))
    return incidents
