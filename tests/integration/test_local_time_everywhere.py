"""Every page that shows a time shows the arrangement's local time beside UTC, with one
filter (``core.timefmt``): the board, the inbox, the hotline page, the home page; and the
CLI prints them so. Latin digits in every language."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command

from coordcell.agreements.models import ArrangementVersion
from coordcell.cases.models import Activation, Case
from coordcell.core.timefmt import local_time_text
from coordcell.parties.models import Invitation

pytestmark = pytest.mark.django_db

ZONE = "Asia/Damascus"
FORM = {
    "respondent": "il",
    "title": "Drone over the Area of Separation (fictional)",
    "kind": "overflight",
    "time_precision": "minute",
    "occurred_from": "2026-03-01T01:30",
    "lat": "33.12595",
    "lon": "35.82461",
    "uncertainty_m": "200",
    "summary": "A drone crossed the Area of Separation (fictional).",
}
#: The old UTC-only forms: "2026-03-01 06:30 UTC" right after a date.
UTC_ONLY = re.compile(r"(?<!\()\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? UTC")  # not "(… UTC)" beside local


def _lodge(client: Any) -> Case:
    response = client.post("/cases/new/", FORM)
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.order_by("-pk").first()
    assert case is not None
    return case


def _shows(page: str, moment: Any) -> None:
    text = local_time_text(moment, ZONE)
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d \(", text), text
    assert f'title="{ZONE}">{text}</time>' in page, text
    assert not UTC_ONLY.search(page)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_board_shows_the_next_deadline_in_local_time(client_for: Any, language: str) -> None:
    client = client_for("sy.liaison")
    case = _lodge(client)
    due = case.deadlines.filter(state="open").order_by("due_at").first()
    assert due is not None
    page = client.get("/cases/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    _shows(page, due.due_at)
    assert ZONE in page  # the footer names the zone


def test_the_inbox_shows_local_time(client_for: Any) -> None:
    case = _lodge(client_for("sy.liaison"))
    client = client_for("il.liaison")
    page = client.get("/cases/inbox/", HTTP_ACCEPT_LANGUAGE="he").content.decode()
    latest = case.notifications.filter(recipient__username="il.liaison").order_by("-pk").first()
    assert latest is not None
    _shows(page, latest.created_at)


def test_the_hotline_page_shows_local_time(client_for: Any) -> None:
    client = client_for("sy.liaison")
    called = client.post(
        "/api/v1/hotline/",
        {"callee": "il", "channel": "call", "subject": "A convoy near the line (fictional)."},
        content_type="application/json",
    )
    assert called.status_code == 201, called.content
    activation = Activation.objects.order_by("-pk").first()
    assert activation is not None
    page = client.get("/cases/hotline/").content.decode()
    _shows(page, activation.received_at)


def test_the_home_page_shows_local_time(client_for: Any) -> None:
    page = client_for("sy.liaison").get("/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    version = ArrangementVersion.objects.get(is_current=True)
    _shows(page, version.loaded_at)


def test_cell_init_prints_local_time_with_its_zone() -> None:
    out = io.StringIO()
    call_command("cell", "init", "--base-url", "https://cell.example.org", stdout=out)
    invitation = Invitation.objects.order_by("-pk").first()
    assert invitation is not None
    expected = local_time_text(invitation.expires_at, ZONE, named=True)
    assert f"until {expected}" in out.getvalue()
    assert f" {ZONE} (" in expected
