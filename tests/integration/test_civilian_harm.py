"""Civilian harm and property through the services: estimates validated (low ≤ best ≤ high,
whole, bounded; refused before any write), each party's figures and versions side by
side (never merged), revisions kept, the link to a declared position shown only to who
may see it, and the counts under the counting rules checked against an independent
count, with nothing of an incident outside the reader's audience."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from coordcell.agreements.models import ArrangementVersion
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.incidents import harm, selectors
from coordcell.incidents.models import CasualtyFigure, PropertyDamage, PropertyVersion
from coordcell.incidents.services import IncidentInput, report_incident
from coordcell.positions import services as position_services
from coordcell.record.models import Entry

pytestmark = pytest.mark.django_db

IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}
FIELD = {
    "type": "Polygon",
    "coordinates": [
        [[35.824, 33.125], [35.826, 33.125], [35.826, 33.127], [35.824, 33.127], [35.824, 33.125]]
    ],
}
IL_SITE = {"type": "Point", "coordinates": [35.7893, 33.0549]}


def _incident(actor: Any, by: str = "sy.liaison", audience: list[str] | None = None,
              when: dt.datetime | None = None) -> Any:  # fmt: skip
    data = IncidentInput(
        kind="looting_destruction",
        title="Houses demolished near a post (fictional)",
        occurred_from=when or timezone.now() - dt.timedelta(hours=2),
        geometry=IN_AOS,
    )
    version = ArrangementVersion.objects.get(is_current=True)
    return report_incident(actor=actor(by), data=data, version=version, audience=audience)


def _figure(**kw: Any) -> dict[str, Any]:
    return {"category": "civilian", "outcome": "killed", "low": 2, "best": 3, "high": 5, **kw}


@pytest.mark.parametrize(
    ("figure", "field"),
    [
        (_figure(low=4, best=3), "figures.0.best"),  # low above best
        (_figure(high=2), "figures.0.best"),  # high below best
        (_figure(best=-1), "figures.0.best"),
        (_figure(best=2.5), "figures.0.best"),
        (_figure(best="3 people"), "figures.0.best"),
        (_figure(best=True), "figures.0.best"),
        (_figure(best=None), "figures.0.best"),
        (_figure(high=10**12), "figures.0.high"),
        (_figure(low="-2"), "figures.0.low"),
        (_figure(category="tourist"), "figures.0.category"),
        (_figure(outcome="missing"), "figures.0.outcome"),
        (_figure(age_band="12"), "figures.0.age_band"),
        (_figure(sex="x"), "figures.0.sex"),
    ],
)
def test_bad_estimates_are_refused_before_any_write(
    actor: Any, figure: dict[str, Any], field: str
) -> None:
    incident = _incident(actor)
    before = (Entry.objects.count(), CasualtyFigure.objects.count())
    with pytest.raises(ValidationFailed) as refused:
        harm.give_casualties(actor=actor("sy.liaison"), incident=incident, figures=[figure])
    assert field in refused.value.fields
    assert all(refused.value.fields[field])  # a message, not an empty list
    assert (Entry.objects.count(), CasualtyFigure.objects.count()) == before


def test_a_cell_given_twice_or_no_figure_at_all_is_refused(actor: Any) -> None:
    incident = _incident(actor)
    with pytest.raises(ValidationFailed) as twice:
        harm.give_casualties(
            actor=actor("sy.liaison"), incident=incident, figures=[_figure(), _figure(best=4)]
        )
    assert "figures.1" in twice.value.fields
    for empty in ([], None, "x", [1]):
        with pytest.raises(ValidationFailed):
            harm.give_casualties(actor=actor("sy.liaison"), incident=incident, figures=empty)
    assert not CasualtyFigure.objects.exists()


def test_each_partys_figures_stand_side_by_side_and_revisions_are_kept(actor: Any) -> None:
    incident = _incident(actor, audience=["il"])
    sy, il = actor("sy.liaison"), actor("il.liaison")
    harm.give_casualties(
        actor=sy,
        incident=incident,
        figures=[_figure(low=3, best=4, high=6), _figure(outcome="detained", best=2)],
    )
    harm.give_casualties(actor=il, incident=incident, figures=[_figure(low=0, best=1, high=2)])
    parties, rows = selectors.casualty_table(incident)
    codes = [p.code for p in parties]
    assert sorted(codes) == ["il", "sy"]
    killed = next(r for r in rows if r.outcome == "killed")
    by_code = dict(zip(codes, killed.figures, strict=True))
    assert (by_code["sy"].low, by_code["sy"].best, by_code["sy"].high) == (3, 4, 6)
    assert (by_code["il"].low, by_code["il"].best, by_code["il"].high) == (0, 1, 2)
    assert killed.differ
    detained = next(r for r in rows if r.outcome == "detained")
    assert dict(zip(codes, detained.figures, strict=True))["il"] is None
    assert detained.figures[codes.index("sy")].best == 2  # low and high default to best
    assert detained.figures[codes.index("sy")].low == 2
    # A revision replaces the current figure; the earlier one is kept.
    harm.give_casualties(actor=sy, incident=incident, figures=[_figure(low=4, best=5, high=7)])
    _parties, rows = selectors.casualty_table(incident, parties)
    killed = next(r for r in rows if r.outcome == "killed")
    assert killed.figures[codes.index("sy")].best == 5
    assert len(selectors.casualty_history(incident)) == 4
    entry = Entry.objects.filter(event_type="incidents.casualties_given").order_by("-seq")[0]
    assert entry.audience == incident.audience
    assert entry.data["figures"] == [
        {"category": "civilian", "outcome": "killed", "age_band": "unknown", "sex": "unknown",
         "low": 4, "best": 5, "high": 7}
    ]  # fmt: skip


def test_only_a_partys_liaison_officers_and_principals_give_figures_of_what_they_read(
    actor: Any,
) -> None:
    incident = _incident(actor)  # Syria, the mediator and the monitors read it; not Israel
    for who in ("sy.analyst", "monitor", "mediator"):
        with pytest.raises(PermissionDenied):
            harm.give_casualties(actor=actor(who), incident=incident, figures=[_figure()])
    for who in ("il.liaison", "donor", "observer"):
        with pytest.raises(NotFound):
            harm.give_casualties(actor=actor(who), incident=incident, figures=[_figure()])
        with pytest.raises(NotFound):
            harm.record_property(
                actor=actor(who), incident=incident, kind="demolition", structures=2
            )
    assert not CasualtyFigure.objects.exists()
    assert not PropertyDamage.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "arson"}, "kind"),
        ({"geometry": {"type": "Point", "coordinates": [200, 33]}}, "geometry"),
        ({"geometry": {"type": "Point", "coordinates": [10.0, 10.0]}}, "geometry"),
        ({"geometry": {"type": "LineString", "coordinates": [[35.8, 33.1], [35.9, 33.1]]}},
         "geometry"),
        ({"area_m2": -1}, "area_m2"),
        ({"area_m2": float("nan")}, "area_m2"),
        ({"area_m2": 1e12}, "area_m2"),
        ({"area_m2": "big"}, "area_m2"),
        ({"structures": -3}, "structures"),
        ({"structures": 2.5}, "structures"),
        ({"land_use": "mine"}, "land_use"),
        ({"position": "not-a-uuid"}, "position"),
        ({"structures": None, "geometry": None, "area_m2": None}, "area_m2"),
    ],
)  # fmt: skip
def test_bad_property_is_refused_before_any_write(
    actor: Any, change: dict[str, Any], field: str
) -> None:
    incident = _incident(actor)
    values = {"kind": "demolition", "structures": 3, **change}
    before = Entry.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        harm.record_property(actor=actor("sy.liaison"), incident=incident, **values)
    assert field in refused.value.fields
    assert Entry.objects.count() == before
    assert not PropertyDamage.objects.exists()


def test_the_property_forms_extent_nested_past_the_parsers_depth_is_refused() -> None:
    from coordcell.cases.harm_forms import PropertyForm

    form = PropertyForm({"kind": "demolition", "geometry": "[" * 100_000, "structures": "1"})
    assert not form.is_valid()  # not a RecursionError (a 500 on the case's page)
    assert "geometry" in form.errors


def test_property_versions_side_by_side_and_the_position_only_to_who_may_see_it(
    actor: Any,
) -> None:
    post = position_services.declare_position(
        actor=actor("il.liaison"),
        name="Post (fictional test)",
        kind="outpost",
        geometry=IL_SITE,
        established=dt.date(2025, 6, 1),
        holdings=[{"category": "personnel", "count": 10}],
    )
    incident = _incident(actor, audience=["il"])
    # Syria may not see Israel's declared post: it answers like a missing one.
    with pytest.raises(ValidationFailed) as hidden:
        harm.record_property(
            actor=actor("sy.liaison"), incident=incident, kind="land_clearing",
            area_m2=40_000, position=str(post.public_id),
        )  # fmt: skip
    assert hidden.value.fields["position"] == ["Unknown position."]
    damage = harm.record_property(
        actor=actor("sy.liaison"),
        incident=incident,
        kind="land_clearing",
        geometry=FIELD,
        area_m2=40_000,
        structures=0,
        land_use="orchard",
        note="Olive grove bulldozed (fictional).",
    )
    harm.give_property_version(
        actor=actor("il.liaison"),
        damage=damage,
        area_m2=6_000,
        land_use="grazing",
        position=str(post.public_id),
        note="Brush cleared for the post's field of view (fictional).",
    )
    for who, sees_post in (("il.liaison", True), ("mediator", True), ("sy.liaison", False),
                           ("monitor", False)):  # fmt: skip
        parties, rows = selectors.property_of(actor(who), incident)
        codes = [p.code for p in parties]
        assert sorted(codes) == ["il", "sy"]
        (row,) = rows
        versions = dict(zip(codes, row.versions, strict=True))
        assert versions["sy"].area_m2 == 40_000
        assert versions["il"].area_m2 == 6_000
        positions = dict(zip(codes, row.positions, strict=True))
        assert positions["sy"] is None
        assert (positions["il"] == post) is sees_post
        assert positions["il"] is None or sees_post
    # The record keeps the versions, never the link (its readers may not see the post).
    for entry in Entry.objects.filter(event_type__startswith="incidents.property_"):
        assert str(post.public_id) not in str(entry.data)
        assert entry.audience == incident.audience
    assert PropertyVersion.objects.filter(damage=damage).count() == 2


def test_counts_follow_the_counting_rules_and_the_readers_audience(actor: Any) -> None:
    now = timezone.now()
    since, until = now - dt.timedelta(days=1), now + dt.timedelta(minutes=1)
    shared = _incident(actor, audience=["il"])
    syrian = _incident(actor)  # not read by Israel
    old = _incident(actor, audience=["il"], when=now - dt.timedelta(days=3))
    sy, il = actor("sy.liaison"), actor("il.liaison")
    harm.give_casualties(actor=sy, incident=shared, figures=[
        _figure(low=3, best=4, high=6),
        _figure(age_band="child", sex="female", low=1, best=1, high=2),
        _figure(category="military", outcome="injured", low=0, best=2, high=2),
    ])  # fmt: skip
    harm.give_casualties(actor=sy, incident=shared, figures=[_figure(low=4, best=5, high=8)])
    harm.give_casualties(actor=il, incident=shared, figures=[_figure(low=0, best=1, high=1)])
    harm.give_casualties(actor=sy, incident=syrian, figures=[_figure(low=10, best=10, high=10)])
    harm.give_casualties(actor=sy, incident=old, figures=[_figure(low=7, best=7, high=7)])
    harm.record_property(actor=sy, incident=shared, kind="demolition", structures=3)
    harm.record_property(actor=sy, incident=syrian, kind="demolition", structures=9)

    def independent(reader: str) -> dict[str, dict[str, tuple[int, int, int]]]:
        """The sums by hand: each party's latest figure per cell, incidents in the window
        that the reader reads."""
        readable = set(selectors.list_incidents(actor(reader)).values_list("pk", flat=True))
        latest: dict[tuple[int, str, tuple[str, ...]], CasualtyFigure] = {}
        for f in CasualtyFigure.objects.order_by("given_at", "pk").select_related("party"):
            if f.incident_id in readable and since <= f.incident.occurred_from < until:
                latest[(f.incident_id, f.party.code, f.cell)] = f
        sums: dict[str, dict[str, tuple[int, int, int]]] = {}
        for (_i, code, cell), f in latest.items():
            key = f"{cell[0]}.{cell[1]}"
            low, best, high = sums.setdefault(code, {}).get(key, (0, 0, 0))
            sums[code][key] = (low + f.low, best + f.best, high + f.high)
        return sums

    for reader in ("sy.liaison", "il.liaison", "mediator", "monitor", "donor", "observer"):
        counts = selectors.casualty_counts(actor(reader), since=since, until=until)
        got = {
            code: {k: (v["low"], v["best"], v["high"]) for k, v in entry["cells"].items()}
            for code, entry in counts.parties.items()
        }
        assert got == independent(reader), reader
    sy_counts = selectors.casualty_counts(sy, since=since, until=until)
    assert sy_counts.parties["sy"]["cells"]["civilian.killed"] == {
        "low": 15,
        "best": 16,
        "high": 20,
    }
    assert sy_counts.parties["sy"]["incidents"] == 2
    assert (sy_counts.incidents, sy_counts.disputed) == (2, 1)
    il_counts = selectors.casualty_counts(il, since=since, until=until)
    assert il_counts.parties["sy"]["cells"]["civilian.killed"] == {"low": 5, "best": 6, "high": 10}
    assert il_counts.incidents == 1  # the Syrian-only incident is missing, not zero
    for outsider in ("donor", "observer"):
        nothing = selectors.casualty_counts(actor(outsider), since=since, until=until)
        assert (nothing.incidents, nothing.parties) == (0, {})
        assert selectors.property_counts(actor(outsider), since=since, until=until)["records"] == 0
    assert selectors.property_counts(il, since=since, until=until)["parties"]["sy"] == {
        "records": 1, "structures": 3, "area_m2": 0.0
    }  # fmt: skip
    assert selectors.property_counts(sy, since=since, until=until)["kinds"] == {"demolition": 2}
