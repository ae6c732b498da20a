"""The demo's economic zone (issue 15): three sectors funded in tranches; the wind farm's
first tranche held by the military presence the monitors verified at its site and
released once they verified it removed; the incident staged by an armed group no party
controls holds nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from coordcell.economy.models import Pledge, Project, Tranche, TrancheHold
from coordcell.incidents.models import Incident
from coordcell.record.models import Entry
from tests.story import DemoStory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _told_once(demo_story: DemoStory) -> Iterator[None]:
    """The demo's story for the module, rolled back after its last test (``tests/story.py``)."""
    with demo_story.told():
        yield


@pytest.mark.usefixtures("_told_once")
def test_the_story_funds_three_sectors_and_holds_one_tranche_until_the_site_is_clear(
    client_for: Any,
) -> None:
    projects = Project.objects.filter(
        pk__in=[p.pk for p in Project.objects.all() if "(fictional exercise)" in p.titles["en"]]
    )
    assert {p.sector for p in projects} == {"agriculture", "wind_energy", "tourism"}
    coops = projects.get(sector="agriculture")
    assert coops.sides == ["A", "B"]
    ski = projects.get(sector="tourism")
    assert "hermon_part_approx" in ski.zones
    tranches = Tranche.objects.filter(commitment__pledge__project__in=projects)
    assert tranches.filter(state="disbursed").count() == 3
    wind = projects.get(sector="wind_energy")
    first = tranches.filter(commitment__pledge__project=wind).order_by("planned_on").first()
    assert first is not None
    hold = TrancheHold.objects.get(tranche=first)
    assert hold.released_at is not None
    assert first.state == "disbursed"
    assert Entry.objects.filter(
        event_type="economy.tranche_held", data__tranche=first.reference
    ).exists()
    assert Entry.objects.filter(
        event_type="economy.tranche_released", data__tranche=first.reference
    ).exists()
    # The staged incident is on record, and holds nothing: one hold in the whole story.
    assert Incident.objects.filter(
        title__contains="no party controls", acted_by="no_party"
    ).exists()
    assert TrancheHold.objects.filter(tranche__in=tranches).count() == 1
    assert tranches.filter(state="held").count() == 0
    # Two fictional donors: the second pledged to the cooperatives only, and the parties
    # read both by their pseudonyms.
    pledges = Pledge.objects.filter(project__in=projects)
    assert set(pledges.values_list("donor__party__code", flat=True)) == {"donor_a", "donor_b"}
    assert {p.project for p in pledges.filter(donor__party__code="donor_b")} == {coops}
    pseudonyms = {p.donor.pseudonym for p in pledges}
    assert len(pseudonyms) == 2
    page = client_for("sy.liaison").get(f"/economy/projects/{coops.public_id}/")
    body = page.content.decode()
    for pseudonym in pseudonyms:
        assert f"Donor {pseudonym}" in body
    assert "Donor B (fictional)" not in body
