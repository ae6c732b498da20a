"""The lodge form's map in headless Chromium: the offline basemap and the coloured zones
with their legend, in view, and the live line saying which zones the place falls in."""

from __future__ import annotations

from typing import Any

import pytest

# One group: these tests share the one demo process that tests/e2e starts.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("demo")]

LOADED = '#picker[data-zones-loaded="11"]'
QUNEITRA = ("33.12595", "35.82461")  # in the Area of Separation (the gazetteer)


def _place_point(page: Any, lat: str, lon: str, uncertainty: str = "0") -> str:
    """Type a point's coordinates and its uncertainty; the located answer's text."""
    # Forget the previous answer, so that the wait below is for the next one.
    page.evaluate("document.getElementById('picker-zones').dataset.state = 'stale'")
    page.fill("#id_uncertainty_m", uncertainty)
    page.fill("#id_lat", lat)
    page.fill("#id_lon", lon)
    page.locator("#id_lon").dispatch_event("change")
    page.locator("#id_uncertainty_m").dispatch_event("change")
    status = page.locator('#picker-zones[data-state="located"]')
    status.wait_for()
    return str(status.inner_text())


def test_the_lodge_map_shows_the_zones_and_says_where_the_place_falls(new_page: Any) -> None:
    page = new_page("il.liaison")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto("/cases/new/")
    page.wait_for_selector(LOADED, state="attached")

    assert page.locator("#picker-legend li").count() == 11
    assert page.locator(".leaflet-zones-pane svg path").count() >= 10
    page.wait_for_selector(".leaflet-basemap-pane svg path", state="attached")
    box = page.locator("#picker").bounding_box()
    assert box is not None
    assert box["y"] + box["height"] / 2 < page.viewport_size["height"]  # no scrolling needed

    assert _place_point(page, *QUNEITRA) == "In: Area of Separation (approximate)."
    uncertain = _place_point(page, *QUNEITRA, uncertainty="5000")
    assert uncertain.startswith("Possibly in, within the location's uncertainty: ")
    assert "Area of Separation (approximate)" in uncertain

    page.click('form.langswitch button[value="he"]')
    page.wait_for_selector(LOADED, state="attached")
    assert _place_point(page, *QUNEITRA) == "בתוך: אזור ההפרדה (משוער)."

    origin = page.url.split("/cases/")[0]
    assert [u for u in requests if not u.startswith((origin + "/", "data:"))] == []
    assert page.errors == []
