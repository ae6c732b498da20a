"""POST /api/v1/check: stateless assessment of GeoJSON features, for analysts and monitors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import override_settings

from tests.integration.api.endpoints import CHECK_BODY

pytestmark = pytest.mark.django_db


def _post(client: Any, body: Any, **extra: Any) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post("/api/v1/check", data, content_type="application/geo+json", **extra)


@pytest.mark.parametrize("auth", ["session", "token"])
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("il.analyst", 200), ("sy.analyst", 200), ("monitor", 200),
        ("il.liaison", 403), ("sy.liaison", 403), ("mediator", 403), ("donor", 403),
        ("observer", 403), ("il.admin", 403),
    ],
)  # fmt: skip
def test_it_serves_analysts_and_monitors_only(api, snapshot, persona, status, auth) -> None:
    client = api(persona, auth)  # (a session login is written before the snapshot)
    before = snapshot()
    response = _post(client, CHECK_BODY)
    assert response.status_code == status
    if status == 403:
        assert response.json()["error"]["code"] == "permission_denied"
    assert snapshot() == before  # stateless: nothing stored, nothing recorded


def test_it_answers_one_feature_per_input_feature_in_order(api) -> None:
    body = {
        "type": "FeatureCollection",
        "features": [
            CHECK_BODY["features"][0],
            {"type": "Feature", "id": "bad", "properties": {"kind": "armed_clash",
                                                            "time": "2026-02-01"},
             "geometry": {"type": "Polygon", "coordinates": [[[35.8, 33.1], [35.9, 33.1],
                                                              [35.9, 33.2], [35.8, 33.2]]]}},
            {"type": "Feature", "id": "swapped", "properties": {"kind": "armed_clash",
                                                                "time": "2026-02-01"},
             "geometry": {"type": "Point", "coordinates": [33.12, 35.82]}},
        ],
    }  # fmt: skip
    response = _post(api("il.analyst"), body)
    assert response.status_code == 200
    data = response.json()
    assert data["arrangement"]["key"] == "southern_syria_2026"
    # B.3 and A are disputed in the scenario: their findings are kept apart.
    assert data["summary"] == {"read": 3, "accepted": 2, "rejected": 1, "assessed": 1,
                               "findings": 0, "findings_not_agreed": 3}  # fmt: skip
    first, bad, swapped = data["features"]
    assert first["properties"]["zones"] == ["area_of_separation_approx"]
    assert first["properties"]["findings"] == []
    apart = first["properties"]["findings_not_agreed"]
    assert [f["clause"] for f in apart] == ["B.3", "B.3", "A"]
    assert apart[0]["label"] == "Under a clause whose applicability Israel disputes."
    assert "B.3" in [c["id"] for c in data["clauses"]["machine_assessed"]]
    assert "INSPECT" in [c["id"] for c in data["clauses"]["not_machine_assessed"]]
    assert bad["properties"]["rejected"]["category"] == "bad_geometry"
    assert "not closed" in bad["properties"]["rejected"]["reason"]
    assert [p["code"] for p in swapped["properties"]["problems"]] == ["swapped_coordinates"]


def test_it_explains_findings_in_the_callers_language(api) -> None:
    english = _post(api("il.analyst"), CHECK_BODY).json()
    arabic = _post(api("il.analyst"), CHECK_BODY, HTTP_ACCEPT_LANGUAGE="ar").json()
    en = english["features"][0]["properties"]["findings_not_agreed"][0]
    ar = arabic["features"][0]["properties"]["findings_not_agreed"][0]
    assert en["message"].startswith("Military presence reported inside Area of Separation")
    assert ar["message"] != en["message"]
    assert (ar["clause"], ar["rule"], ar["params"]) == (en["clause"], en["rule"], en["params"])


@pytest.mark.parametrize(
    ("body", "fragment"),
    [("this is not json", "JSON"), ('{"type": "Feature"}', "FeatureCollection"), ("", "")],
)
def test_it_refuses_an_unreadable_body_with_a_specific_error(api, body, fragment) -> None:
    response = _post(api("il.analyst"), body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert fragment in error["message"]


@override_settings(CHECK_MAX_BYTES=2000)
def test_it_refuses_a_body_above_the_size_limit(api) -> None:
    big = {"type": "FeatureCollection", "features": CHECK_BODY["features"] * 20}
    response = _post(api("il.analyst"), big)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


@override_settings(CHECK_MAX_FEATURES=3)
def test_it_refuses_more_features_than_the_limit(api) -> None:
    many = {"type": "FeatureCollection", "features": CHECK_BODY["features"] * 4}
    response = _post(api("monitor"), many)
    assert response.status_code == 413
    assert "At most 3 features" in response.json()["error"]["message"]


def test_the_clauses_carry_their_status(api) -> None:
    response = api("il.analyst").get("/api/v1/clauses/?page_size=100")
    assert response.status_code == 200
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    status = {c["id"]: (c["status"], c["disputed_by"]) for c in rows}
    assert status["B.3"] == ("disputed", ["il"])
    assert status["EZ-2026"] == ("illustrative", [])
    assert status["FREEZE-2026"] == ("agreed", [])
