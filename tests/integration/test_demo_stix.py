"""The demo's shared items exported as STIX 2.1 for each persona: both checkers pass
(stix2-validator --strict --enforce-refs, and the TLP 2.0 schema), and each export holds
exactly that persona's readable items (issue 14, point 5)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from coordcell.agreements.models import ArrangementVersion
from coordcell.demo.loader import tell_story
from coordcell.interop import stix
from coordcell.rules.scenario import read_scenario
from coordcell.sharing import selectors, stix_selectors
from coordcell.sharing.models import Item
from tests.conftest import SCENARIO

pytestmark = pytest.mark.django_db

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "stix"
PERSONAS = ("mediator", "il.liaison", "sy.liaison", "monitor", "donor", "observer")


@pytest.fixture
def told() -> None:
    arrangement = read_scenario(SCENARIO).demo
    assert arrangement is not None
    tell_story(demo=arrangement, version=ArrangementVersion.objects.get(is_current=True))
    assert Item.objects.count() >= 4


def test_every_personas_export_of_the_demo_passes_both_checkers(
    told: None, actor: Any, tmp_path: Path
) -> None:
    sizes = {}
    for persona in PERSONAS:
        reader = actor(persona)
        items = list(stix_selectors.export_items(reader))
        document = stix_selectors.export_document(reader, items)
        path = tmp_path / f"{persona}.json"
        path.write_text(json.dumps(document))
        validator = subprocess.run(  # noqa: S603 (the validator's own console script)
            [
                str(Path(sys.executable).with_name("stix2_validator")),
                "--version",
                "2.1",
                "--strict",
                "--enforce-refs",
                str(path),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert validator.returncode == 0, validator.stdout
        assert "STIX JSON: Valid" in validator.stdout
        tlp = subprocess.run(  # noqa: S603 (our interpreter, the vector's checker)
            [sys.executable, str(VECTORS / "check_tlp2_markings.py"), str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert tlp.returncode == 0, tlp.stdout
        assert "OK  " in tlp.stdout
        expected = {
            stix.item_object_ids(str(public_id))[0]
            for public_id in selectors.items_visible_to(reader).values_list("public_id", flat=True)
        }
        reports = {o["id"] for o in document["objects"] if o["type"] == "report"}
        assert reports == expected
        sizes[persona] = len(reports)
    # the story's upper part of the tearline is the mediator's alone
    assert sizes["mediator"] > sizes["il.liaison"] >= sizes["donor"] >= 1
    assert sizes["donor"] == sizes["observer"]
