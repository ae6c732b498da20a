"""POST /api/v1/locate: the zones a drawn place falls in, named in the request's language,
for every member; stateless. The lodge form calls it while its author draws."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.api.endpoints import LOCATE_BODY

pytestmark = pytest.mark.django_db

#: A point in the Area of Separation (the gazetteer's Quneitra) and a path across the lines.
POINT = LOCATE_BODY["geometry"]
ACROSS = {"type": "LineString", "coordinates": [[35.70, 33.10], [35.95, 33.15]]}


def _post(client: Any, body: Any, **extra: Any) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post("/api/v1/locate", data, content_type="application/json", **extra)


@pytest.mark.parametrize(
    "persona", ["il.liaison", "sy.analyst", "mediator", "monitor", "donor", "observer"]
)
def test_every_member_may_locate_and_nothing_is_written(api: Any, snapshot: Any, persona) -> None:
    client = api(persona, "token")
    before = snapshot()
    response = _post(client, LOCATE_BODY)
    assert response.status_code == 200
    body = response.json()
    assert [z["kind"] for z in body["zones"]] == ["area"]
    assert body["possible_zones"] == []
    assert body["problems"] == []
    assert body["summary"] == f"In: {body['zones'][0]['name']}."
    assert snapshot() == before


@pytest.mark.parametrize("language", ["ar", "he"])
def test_zones_are_named_in_the_request_language(api: Any, language: str) -> None:
    english = _post(api("il.liaison", "token"), LOCATE_BODY).json()
    local = _post(api("il.liaison", "token"), LOCATE_BODY, HTTP_ACCEPT_LANGUAGE=language).json()
    assert [z["id"] for z in local["zones"]] == [z["id"] for z in english["zones"]]
    assert local["zones"][0]["name"] != english["zones"][0]["name"]
    assert local["zones"][0]["name"] in local["summary"]
    assert "In:" not in local["summary"]


def test_an_uncertain_place_is_only_possibly_in_its_zones(api: Any) -> None:
    body = _post(api("il.liaison", "token"), {"geometry": POINT, "uncertainty_m": 5000}).json()
    assert body["zones"] == []
    assert len(body["possible_zones"]) >= 2
    assert body["summary"].startswith("Possibly in, within the location's uncertainty: ")
    he = _post(
        api("il.liaison", "token"),
        {"geometry": POINT, "uncertainty_m": 5000},
        HTTP_ACCEPT_LANGUAGE="he",
    ).json()
    assert he["summary"].startswith("ייתכן")


def test_a_path_names_the_lines_it_crosses(api: Any) -> None:
    body = _post(api("il.liaison", "token"), {"geometry": ACROSS}).json()
    assert body["crossed_lines"]
    assert all(z["kind"] == "line" for z in body["crossed_lines"])
    assert "Crosses: " in body["summary"]


def test_a_place_outside_the_region_says_so(api: Any) -> None:
    body = _post(
        api("il.liaison", "token"), {"geometry": {"type": "Point", "coordinates": [0, 0]}}
    ).json()
    assert (body["zones"], body["possible_zones"]) == ([], [])
    assert [p["code"] for p in body["problems"]] == ["outside_region"]
    assert "outside the arrangement's region" in body["summary"]


@pytest.mark.parametrize(
    "body",
    [
        {"geometry": {"type": "Point", "coordinates": [35.8]}},
        {"geometry": {"type": "Polygon", "coordinates": [[[35.8, 33.1], [35.9, 33.1]]]}},
        {"geometry": {"type": "Point", "coordinates": ["35.8", "33.1"]}},
        {"geometry": POINT, "uncertainty_m": -1},
        {"geometry": POINT, "kind": "armed_clash"},
        {},
        [],
    ],
)
def test_bad_input_is_a_400_with_a_message(api: Any, snapshot: Any, body: Any) -> None:
    before = snapshot()
    response = _post(api("il.liaison", "token"), body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert snapshot() == before
