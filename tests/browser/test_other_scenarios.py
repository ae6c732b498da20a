"""The shipped scenarios other than the default one, each on a demo of its own: the demo
sets up from it in a data directory where only the migrations ran, serves its
arrangement, draws its map in Chromium, and a complaint nobody answers climbs its ladder
(the drill of issue 5, over the API).

The default scenario's demo is the shared one of tests/e2e, exercised by the other e2e
and browser tests. Each other scenario costs one ``coordcell demo --no-serve`` (on a copy
of the run's migrated database, tests/built_once.py) and one ``coordcell serve``, shared
by the tests of this module; the tests join the ``demo`` group to reuse its Chromium.
Nothing here names a scenario's zone, clause or party: ``tests/shipped.py`` derives them
from the scenario's files.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import shipped
from tests.browser.conftest import watch_errors
from tests.e2e.demo_server import Session
from tests.e2e.record_cell import Cell, Server, api

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("demo")]

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


@pytest.fixture(scope="module", params=shipped.OTHERS)
def served(
    request: Any, tmp_path_factory: pytest.TempPathFactory, migrated_data_dir: Path
) -> Iterator[tuple[str, Cell, Server]]:
    """``coordcell demo --scenario NAME --no-serve`` on a copy of the run's migrated data
    directory (the migrations are no scenario's: ``record_template`` checks the demo's set
    up in an empty directory, for the default scenario), then served."""
    name = request.param
    cell = Cell.create(
        tmp_path_factory.mktemp(f"scenario-{name}"), scenario=name, migrated=migrated_data_dir
    )
    try:
        yield name, cell, cell.serve()
    finally:
        cell.stop_all()


def _ok(result: tuple[int, Any], status: int = 200) -> Any:
    code, body = result
    assert code == status, body
    return body


def _parties(name: str) -> list[str]:
    return [p.code for p in shipped.arrangement(name).parties if p.kind == "party"]


def _zone_names_of_other_scenarios(name: str) -> set[str]:
    """The English zone names of the other shipped scenarios that this one has not too,
    without their "(approximate)" qualifier."""

    def stems(scenario: str) -> set[str]:
        return {z.name["en"].split(" (")[0] for z in shipped.arrangement(scenario).zones}

    others = set().union(*(stems(n) for n in shipped.NAMES if n != name))
    return others - stems(name)


def test_the_demo_serves_the_scenarios_arrangement(served: tuple[str, Cell, Server]) -> None:
    name, cell, server = served
    arrangement = shipped.arrangement(name)
    liaison = shipped.liaison_of(name, _parties(name)[0])
    session = Session(server.base_url)
    session.login(liaison, cell.accounts()[liaison]["password"])
    status, _, body = session.request("/arrangement/")
    assert status == 200
    assert arrangement.title["en"] in body
    for clause in arrangement.clauses:
        assert f'id="clause-{clause.id}"' in body, clause.id


def test_the_map_draws_every_zone(browser: Any, served: tuple[str, Cell, Server]) -> None:
    name, cell, server = served
    zones = len(shipped.arrangement(name).zones)
    liaison = shipped.liaison_of(name, _parties(name)[0])
    context = browser.new_context(base_url=server.base_url, viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        errors = watch_errors(page)
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto("/accounts/login/")
        page.fill("input[name=login]", liaison)
        page.fill("input[name=password]", cell.accounts()[liaison]["password"])
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        page.goto("/map/")
        page.wait_for_selector(f'#map[data-zones-loaded="{zones}"]', state="attached")
        page.wait_for_load_state("networkidle")
        assert page.locator("#legend-zones li").count() == zones
        assert page.locator(".leaflet-zones-pane svg path").count() >= zones
        assert page.locator("#map-status").is_hidden()
        # The credit is the arrangement's sources page, not a text about another scenario.
        credit = page.locator(".leaflet-control-attribution a")
        assert credit.inner_text() == "Data sources and attribution"
        page_text = page.locator("body").inner_text()
        assert [s for s in _zone_names_of_other_scenarios(name) if s in page_text] == []
        assert errors == []
        assert [u for u in requests if not u.startswith(server.base_url)] == []
        if os.environ.get("COORDCELL_UPDATE_SCREENSHOTS") == "1":
            page.wait_for_timeout(500)
            path = DOCS_IMG / f"map-{name}.png"
            page.screenshot(path=str(path), type="png")
            assert 10_000 < path.stat().st_size < 400_000
    finally:
        context.close()


def test_the_drill(served: tuple[str, Cell, Server]) -> None:
    """A complaint about a prohibited activity nobody answers: the worker, run one minute
    after the acknowledgement deadline, records "no reply" and escalates; the scorecard
    counts the miss. (The record's proofs do not depend on the scenario: see
    tests/e2e/test_drill.py.)"""
    name, cell, server = served
    url = server.base_url
    parties = _parties(name)
    drill = next(
        p
        for p in shipped.prohibitions(name)
        if p.clause.agreed and set(p.clause.parties) & set(parties)
    )
    respondent = next(c for c in drill.clause.parties if c in parties)
    complainant = next(c for c in parties if c != respondent)
    mine = cell.token(shipped.liaison_of(name, complainant))
    theirs = cell.token(shipped.liaison_of(name, respondent))
    incident = _ok(
        api(url, "POST", "/api/v1/incidents/", mine, {
            "kind": drill.kind,
            "title": "Prohibited activity in a zone (fictional drill)",
            "occurred_from": dt.datetime.combine(drill.time, dt.time(6, 30), dt.UTC).isoformat(),
            "geometry": drill.point,
            "audience": [respondent],
        }),
        201,
    )  # fmt: skip
    assert drill.zone in incident["zones"]
    assert drill.clause.id in [f["clause"] for f in incident["findings"]]
    case = _ok(
        api(url, "POST", "/api/v1/cases/", mine, {
            "incident": incident["id"], "respondent": respondent,
            "summary": "Prohibited activity in a zone (fictional drill).",
        }),
        201,
    )  # fmt: skip
    inbox = _ok(api(url, "GET", "/api/v1/inbox/", theirs))["results"]
    assert [n for n in inbox if n["case"] == case["id"]]
    ack = next(d for d in case["deadlines"] if d["kind"] == "acknowledge")
    at = dt.datetime.fromisoformat(ack["due_at"].replace("Z", "+00:00")) + dt.timedelta(minutes=1)
    result = cell.cli("worker", "--once", "--now", at.isoformat())
    assert result.returncode == 0, result.stderr
    after = _ok(api(url, "GET", f"/api/v1/cases/{case['id']}/", theirs))
    assert [s["action"] for s in after["steps"]] == ["lodge", "no_reply", "escalate"]
    assert after["level"] == 1
    card = _ok(api(url, "GET", "/api/v1/scorecard/", mine))
    row = next(p for p in card["parties"] if p["party"] == respondent)
    assert sum(m["deadlines"]["missed"] for m in row["months"].values()) >= 1
