"""Officers type local time (issue 10): the lodge and correction forms read the incident
time in the arrangement's zone and store UTC; the case page shows local time beside UTC;
the API takes only times with an offset."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from coordcell.cases.models import Case
from coordcell.incidents.models import Incident

pytestmark = pytest.mark.django_db

IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}
FORM = {
    "respondent": "il",
    "title": "Drone over the Area of Separation (fictional)",
    "kind": "overflight",
    "time_precision": "minute",
    "lat": "33.12595",
    "lon": "35.82461",
    "uncertainty_m": "200",
    "summary": "A drone crossed the Area of Separation (fictional).",
}


def _text(response: Any) -> str:
    return response.content.decode()


def _lodge(client: Any, local: str) -> Case:
    response = client.post("/cases/new/", {**FORM, "occurred_from": local})
    assert response.status_code == 302, _text(response)[:2000]
    case = Case.objects.order_by("-pk").first()
    assert case is not None
    return case


def test_the_lodge_form_says_the_time_is_local_and_stores_utc(client_for: Any) -> None:
    client = client_for("sy.liaison")
    form = _text(client.get("/cases/new/"))
    assert "Local time in Asia/Damascus" in form
    case = _lodge(client, "2026-03-01T04:30")
    # Damascus is UTC+3: 04:30 local is 01:30 UTC.
    assert case.incident.occurred_from == dt.datetime(2026, 3, 1, 1, 30, tzinfo=dt.UTC)


def test_the_case_page_shows_local_time_beside_utc(client_for: Any) -> None:
    client = client_for("sy.liaison")
    case = _lodge(client, "2026-03-01T01:30")
    page = _text(client.get(f"/cases/{case.public_id}/"))
    # The UTC date differs from the local one: it is repeated.
    assert "2026-03-01 01:30 (2026-02-28 22:30 UTC)" in page
    assert 'datetime="2026-02-28T22:30:00+00:00"' in page
    # Deadlines and steps too: every time on the page has its local form.
    assert not re.search(r"\d{2}:\d{2}(:\d{2})? UTC</(td|span)>", page)
    arabic = _text(client.get(f"/cases/{case.public_id}/", HTTP_ACCEPT_LANGUAGE="ar"))
    assert "2026-03-01 01:30 (2026-02-28 22:30 UTC)" in arabic  # Latin digits
    assert "التوقيت المحلي" in arabic
    hebrew = _text(client.get("/cases/new/", HTTP_ACCEPT_LANGUAGE="he"))
    assert "שעון מקומי ב־Asia/Damascus" in hebrew


def test_the_correction_form_shows_and_reads_local_time(client_for: Any) -> None:
    client = client_for("sy.liaison")
    case = _lodge(client, "2026-03-01T04:30")
    url = f"/cases/{case.public_id}/incident/"
    assert "2026-03-01 04:30" in _text(client.get(url))
    response = client.post(url, {**FORM, "occurred_from": "2026-03-01T06:00"})
    assert response.status_code == 302, _text(response)[:2000]
    incident = Incident.objects.get(pk=case.incident_id)
    assert incident.occurred_from == dt.datetime(2026, 3, 1, 3, 0, tzinfo=dt.UTC)


def _report(client: Any, when: str) -> Any:
    return client.post(
        "/api/v1/cases/",
        {
            "report": {
                "kind": "overflight",
                "title": "Drone over the line (fictional)",
                "occurred_from": when,
                "geometry": IN_AOS,
                "uncertainty_m": 200,
            },
            "respondent": "il",
            "summary": "A drone (fictional).",
        },
        content_type="application/json",
    )


def test_the_api_refuses_a_time_without_offset(client_for: Any) -> None:
    client = client_for("sy.liaison")
    before = Incident.objects.count()
    refused = _report(client, "2026-03-01T04:30")
    assert refused.status_code == 400, refused.content
    assert "UTC offset" in _text(refused)
    assert Incident.objects.count() == before
    accepted = _report(client, "2026-03-01T04:30+03:00")
    assert accepted.status_code == 201, accepted.content
    incident = Incident.objects.order_by("-pk").first()
    assert incident is not None
    assert incident.occurred_from == dt.datetime(2026, 3, 1, 1, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("path", ["/", "/record/"])
def test_a_page_looks_its_time_zone_up_once_however_many_times_it_shows(
    client_for, path: str
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("il.liaison")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    lookups = [q for q in queries.captured_queries if '"time_zone"' in q["sql"]]
    assert len(lookups) <= 1
