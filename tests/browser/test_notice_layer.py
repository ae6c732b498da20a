"""The map's layer of notified activities and its time slider, in headless Chromium: each
reader sees the notices they may read (the demo's three for either party, none for a
donor), filtered by the slider's date range, with no script error; a withdrawn notice is
drawn grey and its popup says when and why."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_map import open_map

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("demo")]

SHOWN = "#map[data-notices-shown]"

# Move both handles of the slider to ``day`` (days from today) and tell the layers.
SLIDE = """(day) => {
  for (const name of ["from", "to"]) {
    const input = document.querySelector(`#time-slider input[name=${name}]`);
    input.value = String(day);
    input.dispatchEvent(new Event("input"));
  }
  return document.getElementById("map").getAttribute("data-notices-shown");
}"""


def _shown(page: Any) -> int:
    page.wait_for_selector(SHOWN, state="attached")
    return int(page.get_attribute("#map", "data-notices-shown"))


@pytest.mark.parametrize(
    ("username", "count"), [("sy.liaison", 3), ("il.liaison", 3), ("donor", 0)]
)
def test_each_reader_sees_the_notices_they_may_read_in_the_slider_range(
    new_page: Any, username: str, count: int
) -> None:
    page = new_page(username)
    open_map(page)
    assert _shown(page) == count
    assert page.evaluate(SLIDE, -30) == "0"  # a month ago: no window was open
    legend = page.locator("#legend-notices li")
    assert legend.count() == 1
    assert page.errors == []


def test_the_slider_shows_its_range_and_the_layer_follows_it(new_page: Any) -> None:
    page = new_page("sy.liaison")
    open_map(page)
    _shown(page)
    start = page.get_attribute("#time-slider", "data-from")
    page.evaluate(SLIDE, 0)
    assert page.get_attribute("#time-slider", "data-from") != start
    assert page.get_attribute("#time-slider", "data-from") == page.get_attribute(
        "#time-slider", "data-to"
    )
    # Today: the Syrian site's window is open now; the convoy's starts in 60 hours.
    assert int(page.evaluate(SLIDE, 0)) >= 1
    assert page.errors == []


# The layer's answer with its first feature marked withdrawn, as the API sends a withdrawn
# notice (``withdrawn_at``, ``withdrawal_reason``): the shared demo itself is not changed.
WITHDRAWN_AT = "2026-06-01T09:00:00+00:00"
REASON = "Convoy cancelled (fictional)."


def _one_withdrawn(route: Any) -> None:
    answer = route.fetch()
    body = answer.json()
    body["features"][0]["properties"].update(withdrawn_at=WITHDRAWN_AT, withdrawal_reason=REASON)
    route.fulfill(response=answer, json=body)


# The strokes of the layer's drawn shapes (paths of the overlay pane).
STROKES = """() => Array.from(document.querySelectorAll(".leaflet-overlay-pane path")).map(
  (p) => p.getAttribute("stroke")
)"""


def test_a_withdrawn_notice_is_drawn_grey_and_says_when_and_why(new_page: Any) -> None:
    page = new_page("sy.liaison")
    page.route("**/api/v1/notices/layer/**", _one_withdrawn)
    open_map(page)
    assert _shown(page) == 3  # still drawn: withdrawn, not hidden
    strokes = page.evaluate(STROKES)
    assert "#8d8d8d" in strokes  # the withdrawn one, grey
    assert "#8a3ffc" in strokes  # the others as before
    grey = page.locator('.leaflet-overlay-pane path[stroke="#8d8d8d"]').first
    grey.dispatch_event("click")  # on the shape itself: another layer's marker may cover it
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "Withdrawn by its party" in text
    assert WITHDRAWN_AT in text
    assert REASON in text
    assert page.errors == []
