"""What counts as one violation: the agreed, versioned counting rules, evaluated (pure).

The anchors' counts were fought over because nobody had agreed what one violation is
(docs/anchors.md §1.5: the SMM's tables re-counted under a party's own "30+ discharges =
1 incident if >1 h apart"). Here the rule is arrangement data (``[[reports.counting_rules]]``,
``rules.arrangement.CountingRulesSpec``), every report names the version it used, and this
module is the one place that applies it, to plain observations, without Django.

A report *counts* when it has at least one finding that the rules accept: a finding under a
clause that is agreed (or any clause when ``count_disputed``), with a certainty of
``inside`` (or also ``possibly`` when ``count_possible``). Counting reports are then grouped
in time order: a report joins the first group of the same kind whose *first* report is at
most ``group_within_minutes`` earlier and ``group_within_km`` away; otherwise it starts a
group. Each group is one violation. Anchoring on the first report (not chaining) keeps a
steady stream of reports from merging into one endless event.

A violation is counted once in the total, and once in every zone, clause, kind or party
row that any of its counting findings names — so the rows of one breakdown may add up to
more than the total (a violation in two zones is one violation in each zone).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from coordcell.rules.arrangement import (
    COUNT_BREAKDOWNS,
    RELEASE_PUBLIC,
    CountingRulesSpec,
    ReportsSpec,
)

__all__ = [
    "UNATTRIBUTED",
    "Finding",
    "Observation",
    "Tally",
    "count",
    "reports_from_content",
    "rules_for",
]

#: The party row of violations whose report names no acting party.
UNATTRIBUTED = "-"
_EARTH_KM = 6371.0088


@dataclass(frozen=True)
class Finding:
    """One finding of the rules engine on a report, as much of it as counting reads."""

    clause: str
    zone: str
    agreed: bool
    certainty: str


@dataclass(frozen=True)
class Observation:
    """A report as the counting rules see it: when and where, its kind, who acted as
    reported (``""`` when not said) and the engine's findings."""

    ref: str
    at: dt.datetime
    lon: float
    lat: float
    kind: str
    acting_party: str = ""
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Tally:
    """Violations counted under one rules version: the total, its breakdowns (value →
    count, for each breakdown of ``rules.by``), and the reports each violation grouped."""

    version: str
    total: int
    reports: int
    breakdowns: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    groups: tuple[tuple[str, ...], ...] = ()


def _km(a: Observation, b: Observation) -> float:
    """Great-circle distance (haversine), enough for a window of a few km."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def _counting(obs: Observation, rules: CountingRulesSpec) -> tuple[Finding, ...]:
    """The findings of ``obs`` that make it count under ``rules``."""
    if rules.kinds and obs.kind not in rules.kinds:
        return ()
    certainties = ("inside", "possibly") if rules.count_possible else ("inside",)
    return tuple(
        f for f in obs.findings if (f.agreed or rules.count_disputed) and f.certainty in certainties
    )


def count(observations: Iterable[Observation], rules: CountingRulesSpec) -> Tally:
    """Count violations among ``observations`` under ``rules`` (see the module docstring)."""
    window = dt.timedelta(minutes=rules.group_within_minutes)
    counted = [(o, f) for o in observations if (f := _counting(o, rules))]
    # Time order, then the reference: the same reports always group the same way.
    counted.sort(key=lambda pair: (pair[0].at, pair[0].ref))
    groups: list[list[tuple[Observation, tuple[Finding, ...]]]] = []
    for obs, found in counted:
        for group in groups:
            first = group[0][0]
            if (
                first.kind == obs.kind
                and obs.at - first.at <= window
                and _km(first, obs) <= rules.group_within_km
            ):
                group.append((obs, found))
                break
        else:
            groups.append([(obs, found)])
    breakdowns: dict[str, Counter[str]] = {by: Counter() for by in rules.by}
    for group in groups:
        values: dict[str, set[str]] = {by: set() for by in rules.by}
        for obs, found in group:
            for finding in found:
                values.get("zone", set()).add(finding.zone)
                values.get("clause", set()).add(finding.clause)
            values.get("kind", set()).add(obs.kind)
            values.get("party", set()).add(obs.acting_party or UNATTRIBUTED)
        for by, seen in values.items():
            breakdowns[by].update(v for v in seen if v)
    return Tally(
        version=rules.version,
        total=len(groups),
        reports=len(counted),
        breakdowns={by: dict(sorted(c.items())) for by, c in breakdowns.items()},
        groups=tuple(tuple(o.ref for o, _f in g) for g in groups),
    )


def rules_for(day: dt.date, versions: Sequence[CountingRulesSpec]) -> CountingRulesSpec | None:
    """The rules in force on ``day``: the version with the latest ``effective_from`` on or
    before it (None before the first)."""
    in_force = [v for v in versions if v.effective_from <= day]
    return max(in_force, key=lambda v: v.effective_from) if in_force else None


def reports_from_content(content: Mapping[str, Any]) -> ReportsSpec | None:
    """The ``[reports]`` of a stored arrangement version's canonical content, or None."""
    raw = content.get("reports")
    if not raw:
        return None
    versions = tuple(
        CountingRulesSpec(
            version=str(r["version"]),
            effective_from=dt.date.fromisoformat(str(r["effective_from"])),
            group_within_minutes=float(r["group_within_minutes"]),
            group_within_km=float(r["group_within_km"]),
            count_disputed=bool(r.get("count_disputed", False)),
            count_possible=bool(r.get("count_possible", True)),
            kinds=tuple(r.get("kinds", ())),
            by=tuple(b for b in r.get("by", ()) if b in COUNT_BREAKDOWNS),
        )
        for r in raw.get("counting_rules", ())
    )
    return ReportsSpec(
        cutoff=str(raw["cutoff"]),
        embargo_hours=float(raw["embargo_hours"]),
        extension_hours=float(raw["extension_hours"]),
        release_to=str(raw.get("release_to") or RELEASE_PUBLIC),
        counting_rules=versions,
    )
