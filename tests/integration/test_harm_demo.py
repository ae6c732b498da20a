"""The demo's civilian harm, property and access (issue 18), played once for the module:
a casualty record with both parties' versions (different estimates), a property record
with both versions, an access request for a farm near the line granted with an escorted
window, all labelled fictional; and no name anywhere in their record entries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from coordcell.accounts.models import User
from coordcell.core.actor import Actor
from coordcell.deconfliction.models import AccessRequest
from coordcell.incidents import selectors
from coordcell.incidents.models import PropertyDamage
from coordcell.record.models import Entry
from tests.story import DemoStory


@pytest.fixture(scope="module")
def _told_once(demo_story: DemoStory) -> Iterator[None]:
    with demo_story.told():
        yield


@pytest.fixture
def story(db: Any, _told_once: None) -> None:
    """The demo's story is told (once for the module)."""


def test_the_demo_has_both_versions_property_and_an_escorted_access_window(
    story: None, actor: Any
) -> None:
    damage = PropertyDamage.objects.select_related("incident").get(kind="land_clearing")
    incident = damage.incident
    assert "fictional" in incident.title
    parties, rows = selectors.casualty_table(incident)
    codes = [p.code for p in parties]
    assert sorted(codes) == ["il", "sy"]
    injured = next(r for r in rows if r.outcome == "injured" and r.age_band == "unknown")
    by = dict(zip(codes, injured.figures, strict=True))
    assert (by["sy"].low, by["sy"].best, by["sy"].high) == (3, 4, 6)
    assert (by["il"].low, by["il"].best, by["il"].high) == (0, 1, 2)
    assert injured.differ
    _parties, (row,) = selectors.property_of(actor("mediator"), incident)
    assert sorted(v.area_m2 for v in row.versions if v) == [8000, 45000]
    request = AccessRequest.objects.get(requester_ref="FARM-0042")
    assert request.fictional
    assert (request.answer, request.escort_by) == ("granted_escorted", "undof")
    assert request.received_at is not None
    assert request.window_starts_at > request.starts_at
    assert request.window_ends_at <= request.ends_at
    console = Actor.console("tests")
    assert (
        selectors.casualty_counts(
            console, since=incident.occurred_from, until=incident.reported_at
        ).disputed
        == 1
    )
    # The record holds references and counts only: no person's name in these entries
    # (every account's full name and user name, searched in each entry's data).
    names = [
        n
        for u in User.objects.all()
        for n in (u.get_full_name(), u.username, getattr(u, "full_name", ""))
        if n and len(n) > 3
    ]
    assert names
    for entry in Entry.objects.filter(
        event_type__in=[
            "incidents.casualties_given", "incidents.property_recorded",
            "incidents.property_version_given", "deconfliction.access_requested",
            "deconfliction.access_answered",
        ]
    ):  # fmt: skip
        assert not any(n in str(entry.data) for n in names), entry.data
