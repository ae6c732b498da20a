"""``Accept-Language`` picks the language of the names the API returns."""

from __future__ import annotations

import json
import tomllib
from typing import Any

import pytest

from tests.conftest import SCENARIO

pytestmark = pytest.mark.django_db


def _scenario_names(language: str) -> dict[str, str]:
    """The zones' names as the scenario's lexicon gives them."""
    zones = json.loads((SCENARIO / "zones.geojson").read_text(encoding="utf-8"))
    areas = tomllib.loads((SCENARIO / "lexicon.toml").read_text(encoding="utf-8"))["areas"]
    return {f["id"]: areas[f["id"]][language] for f in zones["features"]}


@pytest.mark.parametrize("language", ["ar", "he", "en"])
def test_it_names_the_zones_in_the_requested_language(api: Any, language: str) -> None:
    response = api("sy.liaison").get("/api/v1/zones/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    features = json.loads(response.content)["features"]
    expected = _scenario_names(language)
    assert {f["id"]: f["properties"]["name"] for f in features} == expected
    assert all(f["properties"]["names"][language] == expected[f["id"]] for f in features)


def test_it_names_line_a_in_arabic(api: Any) -> None:
    response = api("sy.liaison").get("/api/v1/zones/", HTTP_ACCEPT_LANGUAGE="ar")
    names = {f["id"]: f["properties"]["name"] for f in json.loads(response.content)["features"]}
    assert names["alpha_line_approx"] == "الخط أ (تقريبي)"
    assert names["economic_zone"] == "المنطقة الاقتصادية (توضيحية)"


def test_it_falls_back_to_english_for_a_language_it_does_not_offer(api: Any) -> None:
    response = api("sy.liaison").get("/api/v1/zones/", HTTP_ACCEPT_LANGUAGE="fr")
    names = {f["id"]: f["properties"]["name"] for f in json.loads(response.content)["features"]}
    assert names == _scenario_names("en")
