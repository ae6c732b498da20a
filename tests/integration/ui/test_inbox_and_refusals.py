"""Reading a case clears one's own inbox items about it; the lodge page tells those who may
not lodge who can and what they can do instead."""

from __future__ import annotations

import html
from typing import Any

import pytest

from coordcell.cases.models import Case, Notification

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _unread(username: str, case: Case) -> int:
    return Notification.objects.filter(
        recipient__username=username, case=case, read_at__isnull=True
    ).count()


def _lodge_second_case(client_for: Any) -> Case:
    response = client_for("il.liaison").post(
        "/cases/new/",
        {"respondent": "sy", "title": "Shots near the line (fictional)", "kind": "armed_clash",
         "occurred_from": "2026-05-02T04:15", "time_precision": "minute", "lat": "33.12595",
         "lon": "35.82461", "uncertainty_m": "0", "summary": "A second case (fictional)."},
    )  # fmt: skip
    assert response.status_code == 302
    case = Case.objects.order_by("-pk").first()
    assert case is not None
    return case


def test_opening_a_case_marks_the_readers_own_items_about_it_read(client_for: Any) -> None:
    first = Case.objects.order_by("pk").first()
    assert first is not None
    second = _lodge_second_case(client_for)
    assert _unread("sy.liaison", first) > 0
    assert _unread("sy.liaison", second) > 0
    assert _unread("mediator", first) > 0

    assert client_for("sy.liaison").get(f"/cases/{first.public_id}/").status_code == 200

    assert _unread("sy.liaison", first) == 0
    # Another case's items, and other people's items about this case, stay new.
    assert _unread("sy.liaison", second) > 0
    assert _unread("mediator", first) > 0
    inbox = _text(client_for("sy.liaison").get("/cases/inbox/"))
    assert inbox.count(">new<") == _unread("sy.liaison", second)


def test_a_case_the_reader_may_not_see_marks_nothing(client_for: Any) -> None:
    first = Case.objects.order_by("pk").first()
    assert first is not None
    before = list(Notification.objects.order_by("pk").values_list("pk", "read_at"))
    assert client_for("observer").get(f"/cases/{first.public_id}/").status_code == 404
    assert list(Notification.objects.order_by("pk").values_list("pk", "read_at")) == before


@pytest.mark.parametrize("username", ["il.analyst", "mediator", "monitor", "observer", "donor"])
def test_the_lodge_page_says_who_lodges_and_what_else_to_do(client_for: Any, username: str) -> None:
    response = client_for(username).get("/cases/new/")
    assert response.status_code == 403
    text = _text(response)
    assert "Who lodges a complaint" in text
    assert "What you can do instead" in text
    assert 'href="/cases/"' in text  # follow the cases on the board


def test_a_party_analyst_is_pointed_to_the_liaison_officers(client_for: Any) -> None:
    text = _text(client_for("il.analyst").get("/cases/new/"))
    assert "Ask your party's liaison officer" in text


@pytest.mark.parametrize(("language", "word"), [("ar", "تقديم الشكوى"), ("he", "מגיש תלונה")])
def test_the_refusal_is_translated(client_for: Any, language: str, word: str) -> None:
    client = client_for("mediator")
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    response = client.get("/cases/new/")
    assert response.status_code == 403
    assert word in _text(response)
