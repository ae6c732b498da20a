"""Issue 17's map journeys in headless Chromium, in English, Arabic and Hebrew: lodge an
incident on the map by MGRS (the reference read by the server fills the point and its
uncertainty; a bad one says why, in the page's language), and filter the situation map
by time (the incidents the server counts for the slider's range appear and disappear).
One browser for the module (tests/browser/conftest.py), one page per language."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.test_map import switch_language

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("demo")]

QUNEITRA_MGRS = "36S YB 6353 6880"  # 10 m squares: the centre is 5 m from the corner
LOADED = '#picker[data-zones-loaded="11"]'
#: The words that must be in the page's language.
BAD_MGRS = {
    "en": "Not an MGRS reference",
    "ar": "ليست إحداثية MGRS",
    "he": 'זה אינו נ"צ MGRS',
}
IN_AOS = {"en": "Area of Separation", "ar": "منطقة الفصل", "he": "אזור ההפרדה"}

SLIDE = """([from, to]) => {
  const f = document.querySelector("#time-slider input[name=from]");
  const t = document.querySelector("#time-slider input[name=to]");
  f.value = String(from); t.value = String(to);
  f.dispatchEvent(new Event("input"));
  return document.getElementById("time-slider").getAttribute("data-from") + "/" +
    document.getElementById("time-slider").getAttribute("data-to");
}"""


def _search(page: Any, text: str, state: str) -> str:
    page.evaluate("document.getElementById('map-search').removeAttribute('data-state')")
    page.fill("#map-search-q", text)
    page.press("#map-search-q", "Enter")
    page.wait_for_selector(f'#map-search[data-state="{state}"]')
    return str(page.inner_text("#map-search-status"))


@pytest.mark.parametrize("language", ["en", "ar", "he"])
def test_lodge_an_incident_on_the_map_by_mgrs(new_page: Any, language: str) -> None:
    page = new_page("il.liaison")
    page.goto("/cases/new/")
    if language != "en":
        switch_language(page, language)
    page.wait_for_selector(LOADED, state="attached")
    page.wait_for_selector('#map-search[data-ready="true"]', state="attached")

    # A bad reference: the server says what is wrong, in the page's language.
    assert BAD_MGRS[language] in _search(page, "37S BT 12 AB", "refused")
    assert page.input_value("#id_lat") == ""

    # Enter in the box searches; it does not submit the complaint.
    said = _search(page, QUNEITRA_MGRS, "found")
    assert "36SYB63536880" in said
    assert "10 m" in said
    assert page.input_value("#id_lat") == "33.12598"
    assert page.input_value("#id_lon") == "35.824653"
    assert page.input_value("#id_uncertainty_m") == "7"  # half the 10 m square's diagonal
    page.wait_for_selector('#picker-zones[data-state="located"]')
    assert IN_AOS[language] in page.inner_text("#picker-zones")
    assert "/cases/new/" in page.url

    if language == "en":  # lodge it, once: the case page maps the incident there
        page.select_option("#id_respondent", "sy")
        page.fill("#id_title", "Armed personnel seen (fictional, browser test)")
        page.select_option("#id_kind", "military_presence")
        page.fill("#id_occurred_from", "2026-05-02T04:15")
        page.fill("#id_summary", "Armed personnel seen near Quneitra (fictional).")
        with page.expect_navigation(wait_until="domcontentloaded", timeout=45_000):
            page.click("form.form button.primary")
        assert "/cases/" in page.url, page.content()[:2000]
        assert "/cases/new/" not in page.url, page.content()[:2000]
        page.wait_for_selector('#incident-map[data-loaded="Point"]', state="attached")
        assert "33.12598, 35.82465" in page.inner_text("dl.facts")
    # The one error the console shows is the refused reference's answer (a 400, as it should).
    assert [e for e in page.errors if "status of 400" not in e] == []
    assert len(page.errors) <= 1


def _incidents(page: Any) -> int:
    page.wait_for_selector('#map[data-incidents-state="loaded"]', state="attached")
    return int(page.get_attribute("#map", "data-incidents-total"))


def _server_count(page: Any, first: str, last: str, more: str = "") -> int:
    """The server's own count for the range over the whole region (the map's view is
    the region at first: the demo's incidents are all in it)."""
    body = page.request.get(f"/map/incidents.json?start={first}&end={last}{more}").text()
    return int(json.loads(body)["total"])


@pytest.mark.parametrize("language", ["en", "ar", "he"])
def test_filter_the_map_by_time(new_page: Any, language: str) -> None:
    page = new_page("il.liaison")
    page.goto("/map/")
    if language != "en":
        switch_language(page, language)
    # A newcomer sees the demo's incidents and cases at once (today is in the range).
    shown = _incidents(page)
    assert shown > 0
    first, last = (
        page.get_attribute("#time-slider", "data-from"),
        page.get_attribute("#time-slider", "data-to"),
    )
    assert shown == _server_count(page, first, last)
    assert page.locator("#legend-incidents li").count() >= 10
    assert page.locator(".leaflet-incidents-pane > *").count() >= 1

    # Slide to a month in the past: today's incidents disappear ...
    page.evaluate("document.getElementById('map').removeAttribute('data-incidents-state')")
    past = page.evaluate(SLIDE, [-60, -30])
    page.wait_for_selector(f'#map[data-incidents-range="{past}"]', state="attached")
    assert _incidents(page) == _server_count(page, *past.split("/")) < shown
    # ... and come back with today.
    page.evaluate("document.getElementById('map').removeAttribute('data-incidents-state')")
    today = page.evaluate(SLIDE, [-1, 0])
    page.wait_for_selector(f'#map[data-incidents-range="{today}"]', state="attached")
    assert _incidents(page) == _server_count(page, *today.split("/")) > 0

    # A filter is applied by the server too: the incidents without a case the reader sees.
    expected = _server_count(page, *today.split("/"), "&state=none")
    assert expected < _incidents(page)
    page.select_option("#incident-filters select[name=state]", "none")
    page.wait_for_selector(f'#map[data-incidents-total="{expected}"]', state="attached")
    assert page.errors == []
