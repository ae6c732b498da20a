"""Every shipped scenario, read from its own files: it checks clean, and the rules engine
finds what its prohibitions prohibit inside their zones, except for whom they exempt.

The tests are parametrized over the folders of ``src/coordcell/scenarios/``; nothing in
them names a scenario's zone, clause or party (``tests/shipped.py`` derives them).
"""

from __future__ import annotations

import pytest

from coordcell.rules.engine import Holding, Observation
from coordcell.rules.scenario import check_scenario
from tests import shipped

pytestmark = pytest.mark.parametrize("name", shipped.NAMES)


def _findings(name: str, p: shipped.Prohibition, **actor: str) -> list:
    a = shipped.engine(name).assess(
        Observation("o", p.kind, p.point, p.time, uncertainty_m=0, **actor)
    )
    assert a.assessed, a.problems
    assert p.zone in a.zones
    return [f for f in (*a.findings, *a.findings_not_agreed) if f.clause == p.clause.id]


def test_it_checks_clean(name: str) -> None:
    arrangement, errors = check_scenario(shipped.folder(name))
    assert errors == []
    assert arrangement is not None
    assert arrangement.demo is not None, "a shipped scenario has a demo"
    assert len([p for p in arrangement.parties if p.kind == "party"]) >= 2


def test_it_has_a_prohibition_the_engine_can_find(name: str) -> None:
    assert list(shipped.prohibitions(name))


def test_a_bound_party_breaches_each_prohibition_in_its_zone(name: str) -> None:
    for p in shipped.prohibitions(name):
        bound = [c for c in p.clause.parties if c not in p.clause.exempt_parties]
        for party in bound or [None]:
            actor = {"party": party} if party else {}
            assert _findings(name, p, **actor), (p.clause.id, party)


def test_an_exempt_party_or_force_breaches_nothing(name: str) -> None:
    arrangement = shipped.arrangement(name)
    forces = {f.id: f for f in arrangement.forces}
    for p in shipped.prohibitions(name):
        for party in p.clause.exempt_parties:
            assert _findings(name, p, party=party) == [], (p.clause.id, party)
        for force in p.clause.exempt_forces:
            assert _findings(name, p, acting_force=force) == [], (p.clause.id, force)
        # A force the clause does not exempt, of a party it binds, still breaches it.
        for force in forces.values():
            if (
                force.id not in p.clause.exempt_forces
                and force.party not in p.clause.exempt_parties
                and (not p.clause.parties or force.party in p.clause.parties)
            ):
                assert _findings(name, p, acting_force=force.id), (p.clause.id, force.id)


def test_an_exempt_force_and_a_bound_army_in_the_same_zone_differ(name: str) -> None:
    """Where a clause exempts a force, another force of the same party is not exempt."""
    arrangement = shipped.arrangement(name)
    for p in shipped.prohibitions(name):
        for exempt in p.clause.exempt_forces:
            party = next(f.party for f in arrangement.forces if f.id == exempt)
            others = [f.id for f in arrangement.forces if f.party == party and f.id != exempt]
            for other in others:
                assert _findings(name, p, acting_force=exempt) == []
                assert _findings(name, p, acting_force=other), (p.clause.id, other)


def test_declared_holdings_over_each_limit_are_found(name: str) -> None:
    engine = shipped.engine(name)
    for clause in shipped.arrangement(name).clauses:
        if not clause.limits or not clause.zones:
            continue
        day = shipped.in_force_on(name, clause)
        if day is None:
            continue
        party = next(iter(c for c in clause.parties if c not in clause.exempt_parties), "x")
        for key, limit in clause.limits.items():
            category = key.removeprefix("max_")
            over = Holding(clause.zones[0], party, category, limit + 1, day)
            found = [f for f in engine.check_holdings([over]) if f.clause == clause.id]
            assert found, (clause.id, key)
            for exempt in clause.exempt_parties:
                held = Holding(clause.zones[0], exempt, category, limit + 1, day)
                assert not [f for f in engine.check_holdings([held]) if f.clause == clause.id]


def test_every_demo_story_point_lies_in_the_region(name: str) -> None:
    arrangement = shipped.arrangement(name)
    west, south, east, north = arrangement.region_bbox
    assert arrangement.demo is not None
    for step in arrangement.demo.story:
        if step.incident is not None:
            lon, lat = step.incident.geometry["coordinates"]
            assert west <= lon <= east
            assert south <= lat <= north
