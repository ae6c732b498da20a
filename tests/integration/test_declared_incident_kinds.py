"""Incident kinds the arrangement declares (the shipped scenario's weapons cache and arms
transfer): the forms offer them by the scenario's names, the API and the services accept
them, the case page names them in the reader's language."""

from __future__ import annotations

from typing import Any

import pytest

from coordcell.cases.models import Case
from coordcell.incidents.models import Incident

pytestmark = pytest.mark.django_db

IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}
FORM = {
    "respondent": "il",
    "title": "Weapons found in a barn (fictional)",
    "kind": "weapons_cache",
    "time_precision": "minute",
    "occurred_from": "2026-03-01T04:30",
    "lat": "33.12595",
    "lon": "35.82461",
    "uncertainty_m": "0",
    "summary": "A weapons cache was found (fictional).",
}


def test_the_lodge_form_offers_and_takes_a_declared_kind(client_for: Any) -> None:
    client = client_for("sy.liaison")
    hebrew = client.get("/cases/new/", HTTP_ACCEPT_LANGUAGE="he").content.decode()
    assert '<option value="weapons_cache">מחסן נשק</option>' in hebrew
    response = client.post("/cases/new/", FORM)
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.order_by("-pk").first()
    assert case is not None
    assert case.incident.kind == "weapons_cache"
    page = client.get(f"/cases/{case.public_id}/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "مخبأ أسلحة" in page


def test_the_api_takes_a_declared_kind_and_refuses_an_unknown_one(client_for: Any) -> None:
    client = client_for("il.liaison")
    body = {
        "kind": "arms_transfer",
        "title": "Trucks with crates (fictional)",
        "occurred_from": "2026-03-01T04:30+03:00",
        "geometry": IN_AOS,
    }
    accepted = client.post("/api/v1/incidents/", body, content_type="application/json")
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["kind"] == "arms_transfer"
    before = Incident.objects.count()
    refused = client.post(
        "/api/v1/incidents/", {**body, "kind": "smuggling"}, content_type="application/json"
    )
    assert refused.status_code == 400
    assert "Unknown incident kind" in refused.content.decode()
    assert Incident.objects.count() == before


def test_the_api_lists_the_built_in_and_the_declared_kinds(client_for: Any) -> None:
    client = client_for("il.analyst")
    answer = client.get("/api/v1/incident-kinds/", HTTP_ACCEPT_LANGUAGE="he").json()
    assert answer["arrangement"] == "southern_syria_2026"
    kinds = answer["kinds"]
    by_code = {k["code"]: k for k in kinds}
    assert by_code["armed_clash"]["declared"] is False
    assert ["Battles", "Armed clash"] in by_code["armed_clash"]["acled"]
    cache = by_code["weapons_cache"]
    assert (cache["declared"], cache["name"], cache["may_imply"]) == (
        True,
        "מחסן נשק",
        ["military_presence"],
    )
    assert cache["acled"] == [["Strategic developments", "Disrupted weapons use"]]
    assert [k["code"] for k in kinds][-2:] == ["weapons_cache", "arms_transfer"]


def test_the_check_api_reads_a_declared_kind(client_for: Any) -> None:
    body = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "f1",
                "geometry": IN_AOS,
                "properties": {"kind": "weapons_cache", "time": "2026-03-01T04:30+03:00"},
            }
        ],
    }
    answer = client_for("il.analyst").post("/api/v1/check", body, content_type="application/json")
    assert answer.status_code == 200, answer.content
    [feature] = answer.json()["features"]
    assert feature["properties"]["rejected"] is None, feature
    assert feature["properties"]["problems"] == []
