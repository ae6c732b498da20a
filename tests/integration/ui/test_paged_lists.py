"""The board, the inbox and the hotline show long lists a page at a time: following the
"Next page" links from the first page shows every row exactly once, in the list's order,
with "Page X of Y" and the page's other query parameters kept."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest

from coordcell.agreements.selectors import get_version
from coordcell.cases import hotline, lodging, selectors
from coordcell.cases.models import Notification
from coordcell.core import paging
from coordcell.incidents.services import IncidentInput
from coordcell.parties.models import Party
from tests.conftest import IN_AOS

pytestmark = pytest.mark.django_db

NEXT = re.compile(r'<a rel="next" href="([^"]+)"')
PREVIOUS = re.compile(r'<a rel="prev" href="([^"]+)"')


@pytest.fixture(autouse=True)
def _two_a_page(monkeypatch: Any) -> None:
    monkeypatch.setattr(paging, "PAGE_SIZE", 2)


def _walk(client: Any, path: str, first: str, row: re.Pattern[str]) -> list[str]:
    """Every row's text from the first page on; checks each page's position and links."""
    pages: list[list[str]] = []
    query: str | None = first
    while query is not None:
        response = client.get(path + query)
        assert response.status_code == 200
        text = response.content.decode()
        pages.append(row.findall(text))
        assert len(pages) <= 100, "the walk does not end"
        assert bool(PREVIOUS.search(text)) == (len(pages) > 1)
        found = NEXT.search(text)
        query = html.unescape(found[1]) if found else None
        position = re.search(r"Page (\d+) of (\d+)", text)
        assert position is not None
        pages[-1].append(position.group(0))
    total = len(pages)
    assert [p.pop() for p in pages] == [f"Page {n} of {total}" for n in range(1, total + 1)]
    assert all(len(p) == 2 for p in pages[:-1])
    return [r for p in pages for r in p]


def _lodge(actor: Any, n: int) -> None:
    liaison = actor("il.liaison")
    for i in range(n):
        lodging.report_and_lodge(
            actor=liaison,
            version=get_version(liaison, None, None),
            incident=IncidentInput(
                kind="military_presence",
                title=f"Vehicles near the line, page test {i} (fictional)",
                occurred_from=dt.datetime(2026, 4, i + 1, 7, tzinfo=dt.UTC),
                geometry=IN_AOS,
            ),
            respondent="sy",
            summary=f"Complaint {i} for the pages (fictional).",
        )


def test_the_board_shows_every_case_once_the_next_deadline_first(
    client_for: Any, actor: Any
) -> None:
    _lodge(actor, 4)
    mediator = actor("mediator")
    rows = list(selectors.list_cases(mediator))
    assert len(rows) >= 5
    # The order the board promises, computed here in Python: the next deadline first,
    # cases without one last, the newest first among equals.
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    expected = [
        c.reference
        for c in sorted(rows, key=lambda c: (c.next_due is None, c.next_due or far, -c.pk))
    ]
    walked = _walk(
        client_for("mediator"),
        "/cases/",
        "?all=1",
        re.compile(r'class="mono">(CASE(?:-[0-9A-Z]{4}){3})</a>'),
    )
    assert walked == expected
    assert len(set(walked)) == len(walked)


def test_the_board_links_keep_the_choice_of_closed_cases(client_for: Any, actor: Any) -> None:
    _lodge(actor, 3)
    text = client_for("mediator").get("/cases/?all=1").content.decode()
    found = NEXT.search(text)
    assert found is not None
    assert html.unescape(found[1]) == "?all=1&page=2"


def test_the_inbox_shows_every_item_once_newest_first(
    client_for: Any, actor: Any, user: Any
) -> None:
    _lodge(actor, 3)
    mine = Notification.objects.filter(recipient=user("sy.liaison")).order_by("-created_at", "-pk")
    expected = [n.case.reference for n in mine.select_related("case")]
    assert len(expected) >= 4
    walked = _walk(
        client_for("sy.liaison"),
        "/cases/inbox/",
        "",
        re.compile(r'class="mono">(CASE(?:-[0-9A-Z]{4}){3})</a>'),
    )
    assert walked == expected


def test_the_hotline_shows_every_activation_once_newest_first(client_for: Any, actor: Any) -> None:
    liaison = actor("il.liaison")
    for i in range(3):
        hotline.activate(
            actor=liaison,
            callee=Party.objects.get(code="sy"),
            channel="radio",
            subject_text=f"Call {i} for the pages (fictional).",
            version=get_version(liaison, None, None),
        )
    expected = [a.reference for a in selectors.list_activations(liaison)]
    assert len(expected) >= 4
    walked = _walk(
        client_for("il.liaison"),
        "/cases/hotline/",
        "",
        re.compile(r'class="mono">(HOT(?:-[0-9A-Z]{4}){3})</a>'),  # a link to the call
    )
    assert walked == expected


def test_a_list_that_fits_on_one_page_shows_no_pager(client_for: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(paging, "PAGE_SIZE", 1000)
    text = client_for("mediator").get("/cases/?all=1").content.decode()
    assert re.search(r'class="mono">CASE(?:-[0-9A-Z]{4}){3}</a>', text)
    assert 'class="pager"' not in text


@pytest.mark.parametrize(
    ("language", "position", "previous", "following"),
    [
        ("ar", "الصفحة 2 من 3", "الصفحة السابقة", "الصفحة التالية"),
        ("he", "עמוד 2 מתוך 3", "העמוד הקודם", "העמוד הבא"),
    ],
)
def test_the_pager_speaks_the_page_language_right_to_left(
    client_for: Any, actor: Any, language: str, position: str, previous: str, following: str
) -> None:
    _lodge(actor, 5)  # the session's case and five more: three pages of two
    client = client_for("mediator")
    assert client.post("/i18n/setlang/", {"language": language, "next": "/"}).status_code == 302
    text = client.get("/cases/?all=1&page=2").content.decode()
    assert f'<html lang="{language}" dir="rtl">' in text
    assert f">{position}<" in text
    assert f'<a rel="prev" href="?all=1&amp;page=1">{previous}</a>' in text
    assert f'<a rel="next" href="?all=1&amp;page=3">{following}</a>' in text
