"""The map's layer of declared positions, in headless Chromium: a party's people see their
own party's positions, the mediator every party's (the escrow), and monitors, donors and
observers get no layer at all — the page does not even name the export to them. The layer
follows the time slider: a position is drawn while it stood in the slider's range."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_map import open_map

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("demo")]

SHOWN = "#map[data-positions-shown]"

# The positions the export gives this reader, as the page itself would fetch them.
EXPORTED = """() => {
  const config = JSON.parse(document.getElementById("map-config").textContent);
  return fetch(config.positionsUrl, {credentials: "same-origin"})
    .then(r => r.json()).then(fc => fc.features.map(f => f.properties));
}"""

SLIDE = """(day) => {
  for (const name of ["from", "to"]) {
    const input = document.querySelector(`#time-slider input[name=${name}]`);
    input.value = String(day);
    input.dispatchEvent(new Event("input"));
  }
  return document.getElementById("map").getAttribute("data-positions-shown");
}"""


def _shown(page: Any) -> int:
    page.wait_for_selector(SHOWN, state="attached")
    return int(page.get_attribute("#map", "data-positions-shown"))


@pytest.mark.parametrize("username", ["il.liaison", "sy.liaison", "mediator"])
def test_readers_of_positions_see_what_stood_in_the_slider_range(
    new_page: Any, username: str
) -> None:
    page = new_page(username)
    open_map(page)
    shown = _shown(page)
    exported = page.evaluate(EXPORTED)
    parties = {p["party"] for p in exported}
    if username == "mediator":
        assert len(parties) == 2  # the escrow holds both parties' declarations
    else:
        assert parties == {username.split(".")[0]}
    # Today's range: every position established by today and not vacated stands.
    today = page.get_attribute("#time-slider", "data-to")
    standing = [
        p for p in exported
        if p["established"] <= today and (p["removed"] is None or p["removed"] > today)
    ]  # fmt: skip
    assert int(page.evaluate(SLIDE, 0)) == len(standing) > 0
    assert shown >= len(standing)
    assert page.locator("#legend-positions li").count() == 1
    assert page.errors == []


@pytest.mark.parametrize("username", ["monitor", "donor", "observer"])
def test_others_get_no_positions_layer(new_page: Any, username: str) -> None:
    page = new_page(username)
    open_map(page)
    page.wait_for_selector("#legend-zones li")
    config = page.evaluate('JSON.parse(document.getElementById("map-config").textContent)')
    assert "positionsUrl" not in config
    assert "positionKinds" not in config
    assert page.get_attribute("#map", "data-positions-shown") is None
    assert page.locator("#legend-positions li").count() == 0
    assert page.errors == []
