"""The map and the pages around it in headless Chromium: zones drawn, popups, no request
leaving the server, right-to-left layouts, and the README's screenshots."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from coordcell.agreements.services import SCENARIOS_DIR
from tests.browser.conftest import LoggedInStates, watch_errors
from tests.e2e.demo_server import Demo

# One group: these tests share the one demo process that tests/e2e starts.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("demo")]

SCENARIO = SCENARIOS_DIR / "southern_syria_2026"
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
LOADED = '#map[data-zones-loaded="11"]'
SEPARATION = "area_of_separation_approx"

# The topmost point inside the zone's drawn path where no other layer covers it, in page
# coordinates, for a real mouse click (the popup then opens above the zone's north end).
POINT_ON_ZONE = """(id) => {
  const path = window.coordcellZones[id].getLayers()[0].getElement();
  const box = path.getBoundingClientRect();
  for (let fy = 0.02; fy < 1; fy += 0.02) {
    for (let fx = 0.05; fx < 1; fx += 0.05) {
      const x = box.left + box.width * fx, y = box.top + box.height * fy;
      if (document.elementFromPoint(x, y) === path) return {x, y};
    }
  }
  return null;
}"""


def open_map(page: Any) -> None:
    page.goto("/map/")
    page.wait_for_selector(LOADED, state="attached")


def switch_language(page: Any, code: str) -> None:
    with page.expect_navigation():
        page.click(f'form.langswitch button[value="{code}"]')


def click_zone(page: Any, zone_id: str) -> Any:
    point = page.evaluate(POINT_ON_ZONE, zone_id)
    assert point, f"{zone_id}: no visible point to click"
    page.mouse.click(point["x"], point["y"])
    popup = page.locator(".leaflet-popup-content .zone-popup")
    popup.wait_for()
    return popup


@dataclass
class Tour:
    """What the browser did while a person logged in and went through the pages."""

    requests: list[str] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)


@pytest.fixture(scope="module")
def tour(browser: Any, demo: Demo, logged_in_state: LoggedInStates) -> Iterator[Tour]:
    """Log in as the mediator through the form, then open home, map, arrangement and the
    API docs, recording every request and each page's console and page errors."""
    result = Tour()
    context = browser.new_context(base_url=demo.base_url)
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        errors = watch_errors(page)
        page.on("request", lambda r: result.requests.append(r.url))
        page.goto("/accounts/login/")
        page.fill("input[name=login]", "mediator")
        page.fill("input[name=password]", demo.accounts["mediator"]["password"])
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        assert page.url == demo.base_url + "/"
        page.wait_for_load_state("networkidle")
        result.errors["/accounts/login/ and /"] = errors[:]
        for path in ("/map/", "/arrangement/", "/api/docs/"):
            del errors[:]
            page.goto(path)
            if path == "/map/":
                page.wait_for_selector(LOADED, state="attached")
            if path == "/api/docs/":
                page.wait_for_selector(".swagger-ui .info")
            page.wait_for_load_state("networkidle")
            result.errors[path] = errors[:]
        logged_in_state.remember("mediator", context)
        yield result
    finally:
        context.close()


# The basemap's disputed features: how many, and how many are drawn hatched.
DISPUTED = """() => {
  const paths = [...document.querySelectorAll('.leaflet-basemap-pane [data-disputed="true"]')];
  return {count: paths.length,
          hatched: paths.filter((p) => p.getAttribute("data-fill") === "hatched").length,
          legend: document.querySelectorAll('#legend-layers li[data-disputed="true"]').length};
}"""


def test_the_map_draws_the_eleven_zones_and_explains_them(new_page: Any) -> None:
    """The zones, their popups, and the basemap as the scenario declares it: each layer in
    its style and with its legend, the disputed areas hatched (never in a party's colour),
    the attribution from the sources the map uses."""
    page = new_page("il.liaison")
    open_map(page)
    page.wait_for_selector('#map[data-basemap-loaded="5"]', state="attached")
    layers = page.locator("#legend-layers li")
    labels = [layers.nth(i).inner_text().strip() for i in range(layers.count())]
    assert labels[:3] == [
        "Land (Natural Earth)",
        "Disputed areas (Natural Earth)",
        "Disputed: drawn in no party's colour",
    ]
    # Golan Heights, Shebaa Farms, West Bank and Gaza hatched; nine disputed lines dashed.
    assert page.evaluate(DISPUTED) == {"count": 13, "hatched": 4, "legend": 2}
    attribution = page.locator(".leaflet-control-attribution").inner_text()
    assert "Made with Natural Earth" in attribution
    assert "GeoNames (geonames.org)" in attribution
    assert "Lines A and B" in page.locator("#map-note").inner_text()

    assert page.locator("#legend-zones li").count() == 11
    assert page.locator(".leaflet-zones-pane svg path").count() >= 10
    popup = click_zone(page, SEPARATION)
    assert "Area of Separation" in popup.locator("h3").inner_text()
    link = popup.locator("a", has_text="B.3")
    assert link.count() == 1
    assert link.get_attribute("href") == "/arrangement/#clause-B.3"
    assert page.locator("#map-status").is_hidden()
    assert page.errors == []


# How the map drew a zone (its first path) and its legend swatch.
DRAWN = """(id) => {
  const layer = window.coordcellZones[id].getLayers()[0];
  const path = layer.getElement();
  return {stroke: path.getAttribute("stroke"), fill: path.getAttribute("fill"),
          dash: path.getAttribute("stroke-dasharray")};
}"""

# A disputed area drawn with the scenario style ``fill = "hatched"``, on the same map.
HATCHED = """(id) => {
  const map = window.coordcellZones[id]._map;
  const feature = {type: "Feature", id: "disputed_example", properties: {kind: "area",
    name: "Disputed", style: {color: "#123456", fill: "hatched", fill_color: "#654321"}},
    geometry: {type: "Polygon", coordinates: [[[35.8, 33.0], [35.9, 33.0], [35.9, 33.1],
      [35.8, 33.0]]]}};
  const layer = window.coordcellMapStyle.zoneLayer(feature, {pane: "zones"}).addTo(map);
  const path = layer.getLayers()[0].getElement();
  const pattern = document.getElementById(path.getAttribute("fill").slice(5, -1));
  const list = document.createElement("ul");
  const style = window.coordcellMapStyle.zoneStyle(feature);
  const item = window.coordcellMapStyle.legendItem(list, "Disputed", style, "area");
  return {fill: path.getAttribute("fill"), stroke: path.getAttribute("stroke"),
          stripe: pattern && pattern.querySelector("rect").getAttribute("fill"),
          swatch: item.querySelector(".swatch").getAttribute("data-fill")};
}"""


def test_the_zones_are_drawn_in_the_styles_the_scenario_gives_them(new_page: Any) -> None:
    zones = json.loads((SCENARIO / "zones.geojson").read_text(encoding="utf-8"))["features"]
    styles = {z["id"]: z["properties"]["style"] for z in zones}
    page = new_page("il.liaison")
    open_map(page)
    for zone_id, style in styles.items():
        drawn = page.evaluate(DRAWN, zone_id)
        assert drawn["stroke"] == style["color"], zone_id
        if "fill_color" in style:
            assert drawn["fill"] == style["fill_color"], zone_id
        assert (drawn["dash"] is not None) == (style.get("line", "solid") != "solid"), zone_id
    assert page.evaluate(HATCHED, SEPARATION) == {
        "fill": "url(#coordcell-hatch-654321)",
        "stroke": "#123456",
        "stripe": "#654321",
        "swatch": "hatched",
    }
    assert page.errors == []


def test_no_request_leaves_the_server(tour: Tour, demo: Demo) -> None:
    """Login, home, map, arrangement and API docs fetch only from the demo's own origin."""
    assert len(tour.requests) > 10
    assert any(u.startswith(demo.base_url + "/api/schema/") for u in tour.requests)
    assert any(u.startswith(demo.base_url + "/api/v1/zones/") for u in tour.requests)
    foreign = [u for u in tour.requests if not u.startswith((demo.base_url + "/", "data:"))]
    assert foreign == []


def test_the_pages_raise_no_console_errors(tour: Tour) -> None:
    """No script error and no Content Security Policy violation (those are console errors)."""
    assert {path: e for path, e in tour.errors.items() if path != "/api/docs/"} == {
        "/accounts/login/ and /": [],
        "/map/": [],
        "/arrangement/": [],
    }


def test_the_api_docs_raise_no_console_errors(tour: Tour) -> None:
    assert tour.errors["/api/docs/"] == []


def test_right_to_left_languages(new_page: Any) -> None:
    page = new_page("il.liaison")
    open_map(page)
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("en", "ltr")

    for code in ("ar", "he"):
        switch_language(page, code)
        page.wait_for_selector(LOADED, state="attached")
        assert page.url.endswith("/map/")
        assert (html.get_attribute("lang"), html.get_attribute("dir")) == (code, "rtl")
        assert page.locator("#legend-zones li").count() == 11

    switch_language(page, "en")
    page.wait_for_selector(LOADED, state="attached")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("en", "ltr")
    assert page.errors == []


@pytest.mark.skipif(
    os.environ.get("COORDCELL_UPDATE_SCREENSHOTS") != "1",
    reason="makes the README's pictures: run with COORDCELL_UPDATE_SCREENSHOTS=1",
)
def test_screenshots_for_the_readme(new_page: Any, tour: Tour) -> None:
    """The mediator's map with the Area of Separation's popup open, in English and in
    Arabic, at 1280×800, written to docs/img/ (the README's pictures)."""
    page = new_page("mediator", viewport={"width": 1280, "height": 800})
    target = DOCS_IMG
    target.mkdir(parents=True, exist_ok=True)
    open_map(page)
    for code, name in (("en", "map.png"), ("ar", "map-ar.png")):
        if code != "en":
            switch_language(page, code)
            page.wait_for_selector(LOADED, state="attached")
        page.wait_for_load_state("networkidle")
        popup = click_zone(page, SEPARATION)
        assert "B.3" in popup.inner_text()
        page.wait_for_timeout(500)  # the popup's fade-in and the map's pan to fit it
        path = target / name
        page.screenshot(path=str(path), type="png")
        assert 10_000 < path.stat().st_size < 400_000
    assert page.errors == []
