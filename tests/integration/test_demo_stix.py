"""The demo's shared items exported as STIX 2.1 for each persona: both checkers pass
(stix2-validator --strict --enforce-refs, and the TLP 2.0 schema), and each export holds
exactly that persona's readable items (issue 14, point 5)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coordcell.interop import stix
from coordcell.sharing import selectors, stix_selectors
from coordcell.sharing.models import Item
from tests.stixcheck import check_tlp2
from tests.story import DemoStory

pytestmark = pytest.mark.django_db

PERSONAS = ("mediator", "il.liaison", "sy.liaison", "monitor", "donor", "observer")


@pytest.fixture(scope="module")
def _told_once(demo_story: DemoStory) -> Iterator[None]:
    """The demo's story for the module, rolled back after its last test (``tests/story.py``)."""
    with demo_story.told():
        yield


@pytest.fixture
def told(_told_once: None) -> None:
    assert Item.objects.count() >= 4


def test_every_personas_export_of_the_demo_passes_both_checkers(
    told: None, actor: Any, tmp_path: Path
) -> None:
    sizes, paths, markings = {}, {}, 0
    for persona in PERSONAS:
        reader = actor(persona)
        items = list(stix_selectors.export_items(reader))
        document = stix_selectors.export_document(reader, items)
        paths[persona] = path = tmp_path / f"{persona}.json"
        path.write_text(json.dumps(document))
        # what the TLP 2.0 checker checks: the marking definitions with their extension
        mine = [
            o
            for o in document["objects"]
            if o["type"] == "marking-definition" and "extensions" in o
        ]
        assert mine, persona
        markings += len(mine)
        expected = {
            stix.item_object_ids(str(public_id))[0]
            for public_id in selectors.items_visible_to(reader).values_list("public_id", flat=True)
        }
        reports = {o["id"] for o in document["objects"] if o["type"] == "report"}
        assert reports == expected
        sizes[persona] = len(reports)
    # Each checker once over the six exports (a process of the validator costs seconds).
    validator = subprocess.run(  # noqa: S603 (the validator's own console script)
        [
            str(Path(sys.executable).with_name("stix2_validator")),
            "--version",
            "2.1",
            "--strict",
            "--enforce-refs",
            *map(str, paths.values()),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert validator.returncode == 0, validator.stdout
    results = {
        section.split("\n", 1)[0].strip(): section
        for section in validator.stdout.split("Results for: ")[1:]
    }
    assert set(results) == {str(p) for p in paths.values()}, validator.stdout
    for persona, path in paths.items():
        assert "STIX JSON: Valid" in results[str(path)], (persona, validator.stdout)
    tlp = check_tlp2(*paths.values())
    assert tlp.returncode == 0, tlp.stdout
    assert tlp.stdout.count("OK  ") == markings, tlp.stdout
    # the story's upper part of the tearline is the mediator's alone
    assert sizes["mediator"] > sizes["il.liaison"] >= sizes["donor"] >= 1
    assert sizes["donor"] == sizes["observer"]
