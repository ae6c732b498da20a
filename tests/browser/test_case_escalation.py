"""Follow a case to escalation, in headless Chromium, in English, Arabic and Hebrew: the
Israeli liaison officer lodges a complaint about Syria, the Syrian officer answers, the
complainant rejects the answer with reasons (the grounds to climb) and escalates; the
case page shows the case one level up its ladder, in the reader's language and
direction, with no script error."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("demo")]

QUNEITRA = ("33.12595", "35.82461")  # in the Area of Separation (the gazetteer)
DIRECTION = {"en": "ltr", "ar": "rtl", "he": "rtl"}
#: Each step writes the record and notifies: on a busy machine a step's page took over
#: the default 15 s once, so these pages wait longer.
STEP_TIMEOUT_MS = 60_000


def _speak(page: Any, language: str, path: str) -> None:
    """Open ``path`` and switch the interface to ``language`` (kept in the session)."""
    page.goto(path)
    if page.get_attribute("html", "lang") != language:
        with page.expect_navigation():
            page.click(f'form.langswitch button[value="{language}"]')
    assert page.get_attribute("html", "lang") == language
    assert page.get_attribute("html", "dir") == DIRECTION[language]


def _step(page: Any, action: str, text: str | None = None) -> None:
    """Take the case page's step ``action`` (with its text) and wait for the page after."""
    form = page.locator(f'form.step-form[action$="/{action}/"]')
    if text is not None:
        form.locator("textarea[name=text], input[name=text]").first.fill(text)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def _level(page: Any) -> int:
    """The index of the case's current level on its ladder (0: the working level)."""
    rungs = page.locator("ol.ladder > li")
    classes = [rungs.nth(i).get_attribute("class") or "" for i in range(rungs.count())]
    assert classes.count("current") == 1, classes
    return classes.index("current")


@pytest.mark.parametrize("language", ["en", "ar", "he"])
def test_a_case_followed_to_escalation(new_page: Any, language: str) -> None:
    complainant = new_page("il.liaison")
    complainant.set_default_timeout(STEP_TIMEOUT_MS)
    _speak(complainant, language, "/cases/new/")
    yesterday = dt.datetime.now() - dt.timedelta(days=1)
    complainant.fill("#id_title", f"Browser journey ({language}): shots reported near Quneitra")
    complainant.select_option("#id_kind", index=1)
    complainant.fill("#id_occurred_from", yesterday.strftime("%Y-%m-%dT%H:%M"))
    complainant.fill("#id_lat", QUNEITRA[0])
    complainant.fill("#id_lon", QUNEITRA[1])
    complainant.select_option("#id_respondent", "sy")
    complainant.fill("#id_summary", "Fictional: shots reported near the crossing.")
    with complainant.expect_navigation():
        complainant.click("form:has(#id_summary) button[type=submit]")
    assert "/cases/new/" not in complainant.url, complainant.content()[:2000]
    case_path = "/cases/" + complainant.url.split("/cases/")[1]
    assert _level(complainant) == 0
    assert complainant.errors == []
    # Climbing now is refused, with the reason: nothing failed at this level yet.
    _step(complainant, "escalate", "Fictional: at once, please.")
    assert complainant.locator('.errorlist[role="alert"]').count() >= 1
    assert _level(complainant) == 0
    # The refused step's page answers 409 (Conflict), which Chromium notes; nothing else.
    assert [e for e in complainant.errors if "409" not in e] == []
    complainant.errors.clear()

    respondent = new_page("sy.liaison")
    respondent.set_default_timeout(STEP_TIMEOUT_MS)
    _speak(respondent, language, case_path)
    _step(respondent, "answer", "Fictional: no unit of ours was in the area.")
    assert _level(respondent) == 0

    complainant.goto(case_path)
    _step(complainant, "reject_answer", "Fictional: two monitors heard the shots.")
    assert _level(complainant) == 0
    _step(complainant, "escalate", "Fictional: the answer was rejected; the principals must meet.")
    assert _level(complainant) == 1
    assert complainant.get_attribute("html", "dir") == DIRECTION[language]
    assert complainant.locator("ol.ladder > li.current .badge").count() == 1

    # The respondent's page shows the same climb.
    respondent.goto(case_path)
    assert _level(respondent) == 1
    assert complainant.errors == []
    assert respondent.errors == []
