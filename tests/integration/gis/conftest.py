"""The GIS doors' tests: the demo's story told once per module (in a transaction rolled
back after the module's last test), and what each persona may read, from the owning
apps' selectors (the reference the OGC API and the exports are checked against)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from coordcell.agreements.models import ArrangementVersion
from coordcell.demo.loader import tell_story
from coordcell.rules.scenario import read_scenario
from tests.conftest import SCENARIO

#: Every kind of reader of the demo: the mediator, both parties, a monitor, a donor and
#: an observer.
PERSONAS = ("mediator", "il.liaison", "sy.liaison", "monitor", "donor", "observer")
COLLECTIONS = ("zones", "places", "incidents", "positions", "notices", "projects")


@pytest.fixture(scope="module")
def _told_once(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        demo = read_scenario(SCENARIO).demo
        assert demo is not None
        version = ArrangementVersion.objects.get(
            arrangement__key="southern_syria_2026", is_current=True
        )
        assert tell_story(demo=demo, version=version) > 0
        yield
        transaction.set_rollback(True)


@pytest.fixture
def story(db: Any, _told_once: None) -> None:
    """The demo's story is told (once for the module: ``_told_once``)."""


def expected_ids(actor: Any, collection: str) -> set[str] | None:
    """The ids of the features ``actor`` may read in ``collection``, straight from the
    owning app's selectors; None when the actor may read none of the layer."""
    from coordcell.agreements import selectors as agreements
    from coordcell.deconfliction import selectors as deconfliction
    from coordcell.economy import selectors as economy
    from coordcell.incidents import selectors as incidents
    from coordcell.positions import selectors as positions

    version = agreements.get_version(actor, None, None)
    if collection == "zones":
        return {f["id"] for f in agreements.zones_feature_collection(actor, version)["features"]}
    if collection == "places":
        return {f["id"] for f in agreements.places_feature_collection(actor, version)["features"]}
    if collection == "incidents":
        return {str(i.public_id) for i in incidents.list_incidents(actor)}
    if collection == "positions":
        if actor.party_kind not in ("party", "mediator"):
            return None
        return {str(p.public_id) for p in positions.list_positions(actor)}
    if collection == "notices":
        return {str(n.public_id) for n in deconfliction.list_notices(actor)}
    assert collection == "projects"
    return {str(p.public_id) for p in economy.list_projects(actor)}
