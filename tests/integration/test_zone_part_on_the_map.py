"""The map shows a part of a zone as part of its zone: the zones API names the zone it is a
part of and the legend entry, in the reader's language."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_the_zones_api_serves_the_part_with_its_zone(client_for: Any) -> None:
    client = client_for("sy.liaison")
    features = {f["id"]: f for f in client.get("/api/v1/zones/").json()["features"]}
    part = features["hermon_part_approx"]["properties"]
    assert part["part_of"] == "area_of_separation_approx"
    assert part["legend"] == (
        "Mount Hermon part (approximate) (part of Area of Separation (approximate))"
    )
    assert [c["id"] for c in part["clauses"]] == ["HERMON"]
    whole = features["area_of_separation_approx"]["properties"]
    assert whole["part_of"] is None
    assert "HERMON" not in [c["id"] for c in whole["clauses"]]
    hebrew = client.get("/api/v1/zones/", HTTP_ACCEPT_LANGUAGE="he").json()["features"]
    [part_he] = [f["properties"] for f in hebrew if f["id"] == "hermon_part_approx"]
    assert "אזור ההפרדה (משוער)" in part_he["legend"]
