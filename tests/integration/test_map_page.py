"""The map page is the same for every arrangement: what it says of zones, sources and
attribution comes from the current version's data, never from text about one scenario."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from tests import shipped

pytestmark = pytest.mark.django_db


def _page(client_for) -> tuple[str, dict]:
    body = client_for("il.liaison").get("/map/").content.decode()
    found = re.search(r'<script id="map-config" type="application/json">(.*?)</script>', body, re.S)
    assert found
    return body, json.loads(found.group(1))


def test_the_map_page_names_no_zone_of_any_scenario(client_for) -> None:
    """Outside the scenario's own note (``[map] note``), which is the scenario's data."""
    body, _ = _page(client_for)
    body = re.sub(r'<p class="muted" id="map-note">.*?</p>', "", body, flags=re.S)
    for name in shipped.NAMES:
        for zone in shipped.arrangement(name).zones:
            stem = zone.name["en"].split(" (")[0]  # "Zone A (approximate)" -> "Zone A"
            assert stem not in body, (name, zone.id)


def test_the_map_credits_its_data_through_the_sources_page(client_for) -> None:
    _, config = _page(client_for)
    assert config["sourcesUrl"] == reverse("agreements:sources")
    assert config["text"]["sources"] == "Data sources and attribution"
    assert "attribution" not in config["text"]


def test_a_derived_zone_is_not_said_to_come_from_one_data_set(client_for) -> None:
    """Which reference data a zone was derived from is the scenario's to say (its sources)."""
    _, config = _page(client_for)
    assert "Natural Earth" not in config["text"]["derived"]
    assert "sources" in config["text"]["derived"]
