"""Reading the daily report in headless Chromium, in English, Arabic and Hebrew (issue 17):
the demo's report is in the archive, each language's rendition opens right to left where it
should, with its translated headings and counts, and its PDF opens; no outside request, no
script or console error."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.browser.test_map import switch_language
from tests.e2e.conftest import demo  # noqa: F401 (the shared, running demo)
from tests.e2e.demo_server import Demo

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("demo")]

HEADINGS = {
    "en": ("ltr", "Daily report of", "Violations under the counting rules"),
    "ar": ("rtl", "التقرير اليومي ليوم", "الخروقات وفق قواعد العدّ"),
    "he": ("rtl", "דוח יומי ליום", "הפרות לפי כללי הספירה"),
}


@pytest.mark.parametrize("language", ["en", "ar", "he"])
def test_a_liaison_officer_reads_the_demos_report_in_each_language(
    new_page: Any,
    demo: Demo,  # noqa: F811
    language: str,
) -> None:
    page = new_page("sy.liaison")
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(demo.base_url) else None,
    )
    page.goto("/reports/")
    if language != "en":
        switch_language(page, language)
    assert page.get_attribute("html", "lang") == language
    row = page.locator(f'td[lang="{language}"] a[hreflang="{language}"]').first
    row.wait_for()
    with page.expect_navigation():
        row.click()
    direction, title, heading = HEADINGS[language]
    assert page.get_attribute("html", "dir") == direction
    assert page.get_attribute("html", "lang") == language
    assert title in page.locator("h1").inner_text()
    assert page.locator("h2").first.inner_text() == heading
    assert page.locator("p.fictional").count() == 1  # the demo's report says it is fictional
    # Right to left where it should be: the headline starts at the right edge.
    box = page.locator("h1").bounding_box()
    width = page.viewport_size["width"]
    if direction == "rtl":
        assert box["x"] + box["width"] > width / 2
    # The worker makes the PDFs right after the release (every 10 s, a few seconds' work;
    # longer on a loaded machine).
    for _attempt in range(240):
        pdf = page.request.get(page.url.rstrip("/") + ".pdf")
        if pdf.status == 200:
            break
        time.sleep(0.5)
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    assert outside == []
    assert page.errors == []


@pytest.mark.parametrize(("language", "side"), [("en", "right"), ("ar", "left"), ("he", "left")])
def test_the_dashboards_chart_reads_in_the_pages_direction(
    new_page: Any, language: str, side: str
) -> None:
    """This week's bar stands at the end the page's reading reaches last: the right in
    English, the left in Arabic and Hebrew; the chart stays inside its frame."""
    page = new_page("il.liaison")
    page.goto("/reports/dashboard/")
    if language != "en":
        switch_language(page, language)
    chart = page.locator("figure.reports-chart svg").first
    frame = chart.bounding_box()
    bars = chart.locator("rect.violations")
    assert bars.count() >= 1
    bar = bars.last.bounding_box()  # the demo's incidents are all of this week
    centre = bar["x"] + bar["width"] / 2
    middle = frame["x"] + frame["width"] / 2
    assert (centre > middle) if side == "right" else (centre < middle)
    assert frame["x"] <= bar["x"]
    assert bar["x"] + bar["width"] <= frame["x"] + frame["width"]
    assert page.errors == []
