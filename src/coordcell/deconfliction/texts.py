"""What pages, the API and exports say about notices, in the reader's language: the
warnings shown before submission, the names of activities, the map layer's features and
the sensitive days' calendar (also as iCalendar, RFC 5545)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import icalendar
from django.utils.translation import gettext as _

from coordcell.agreements.engines import engine_for, explain_finding, status_label
from coordcell.core.models import localized_now
from coordcell.rules.arrangement import DeconflictionSpec
from coordcell.rules.deconfliction import Occurrence

if TYPE_CHECKING:
    from coordcell.agreements.models import ArrangementVersion
    from coordcell.deconfliction.models import Notice

__all__ = [
    "activity_name",
    "calendar_ics",
    "describe_warnings",
    "feature_of",
    "occurrence_row",
]


def activity_name(spec: DeconflictionSpec | None, activity_id: str) -> str:
    found = spec.activity(activity_id) if spec is not None else None
    return localized_now(dict(found.name)) if found is not None else activity_id


def describe_warnings(
    warnings: Iterable[Mapping[str, Any]], version: ArrangementVersion
) -> list[dict[str, Any]]:
    """Each stored warning with its ``text`` in the active language."""
    engine = None
    out: list[dict[str, Any]] = []
    for w in warnings:
        kind = w.get("kind")
        row: dict[str, Any] = {"kind": kind}
        if kind == "late":
            row["text"] = _(
                "Late: notified %(lead)s h ahead; this activity is notified %(required)s h ahead."
            ) % {"lead": w.get("lead_hours"), "required": w.get("required_hours")}
        elif kind == "clause":
            engine = engine or engine_for(version)
            finding = w.get("finding", {})
            row["clause"] = finding.get("clause", "")
            text = explain_finding(finding, engine, isolate=True)
            status = status_label(finding, engine)
            row["text"] = f"{text} {status}".strip()
        elif kind == "sensitive_day":
            row["day"] = w.get("id", "")
            row["first"], row["last"] = w.get("first"), w.get("last")
            row["text"] = _("Sensitive day: %(name)s (%(first)s – %(last)s).") % {
                "name": localized_now(dict(w.get("name", {}))),
                "first": w.get("first"),
                "last": w.get("last"),
            }
        else:
            continue
        out.append(row)
    return out


def feature_of(notice: Notice, spec: DeconflictionSpec | None) -> dict[str, Any]:
    """A notice as a GeoJSON feature of the map's layer and the export (no author's name,
    no account: the party and the reference); a withdrawn one says when and why."""
    return {
        "type": "Feature",
        "id": str(notice.public_id),
        "geometry": notice.geometry,
        "properties": {
            "reference": notice.reference,
            "activity": notice.activity,
            "activity_name": activity_name(spec, notice.activity),
            "party": notice.party.code,
            "humanitarian": localized_now(dict(notice.humanitarian.names))
            if notice.humanitarian
            else "",
            "starts_at": notice.starts_at.isoformat(),
            "ends_at": notice.ends_at.isoformat(),
            "late": notice.late,
            "description": notice.description,
            "withdrawn_at": notice.withdrawn_at.isoformat() if notice.withdrawn_at else None,
            "withdrawal_reason": notice.withdrawal_reason,
        },
    }


def occurrence_row(o: Occurrence) -> dict[str, Any]:
    return {
        "id": o.spec.id,
        "name": localized_now(dict(o.spec.name)),
        "first": o.first,
        "last": o.last,
        "zones": list(o.spec.zones),
        "illustrative": o.spec.illustrative,
        "recurring": o.spec.date is None,
    }


def calendar_ics(
    occurrences: Sequence[Occurrence],
    *,
    key: str,
    stamp: dt.datetime,
    host: str,
    windows: Sequence[Any] = (),
) -> str:
    """The sensitive days as an iCalendar (RFC 5545) of all-day events, in the active
    language, and the granted access ``windows`` (access requests) as timed events; each
    UID is stable (day, first date, arrangement; the request's reference)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//coordcell//deconfliction//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", str(_("Sensitive days")))
    for o in occurrences:
        notes = []
        if o.spec.illustrative:
            notes.append(str(_("Illustrative date of the scenario.")))
        if o.spec.zones:
            notes.append(str(_("Zones: %(zones)s") % {"zones": ", ".join(o.spec.zones)}))
        event = icalendar.Event()
        event.add("uid", f"{o.spec.id}-{o.first:%Y%m%d}-{key}@{host}")
        event.add("dtstamp", stamp.astimezone(dt.UTC))
        event.add("dtstart", o.first)
        event.add("dtend", o.last + dt.timedelta(days=1))
        event.add("summary", localized_now(dict(o.spec.name)))
        event.add("transp", "TRANSPARENT")
        if notes:
            event.add("description", " ".join(notes))
        calendar.add_component(event)
    for row in windows:
        event = icalendar.Event()
        event.add("uid", f"{row.reference}-{key}@{host}")
        event.add("dtstamp", stamp.astimezone(dt.UTC))
        event.add("dtstart", row.window_starts_at.astimezone(dt.UTC))
        event.add("dtend", row.window_ends_at.astimezone(dt.UTC))
        summary = str(_("Access window %(reference)s") % {"reference": row.reference})
        if row.escort_by:
            summary += " — " + str(_("escorted by %(party)s") % {"party": row.escort_by.upper()})
        event.add("summary", summary)
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    body: bytes = calendar.to_ical()
    return body.decode("utf-8")
