"""The verification pages in three languages: the timeline with its burndown (inline
SVG, nothing from outside), a step with its outcome history and countersigning, the
inspections schedule and request, the report form and a report with its findings, the
access denials. Hidden looks missing; bad input is a 400 that writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from coordcell.record.models import Entry
from coordcell.verification.models import (
    AccessDenial,
    InspectionReport,
    InspectionRequest,
    WithdrawalStep,
)

pytestmark = pytest.mark.django_db


def _step() -> WithdrawalStep:
    return WithdrawalStep.objects.order_by("pk").first()  # type: ignore[return-value]


@pytest.mark.parametrize("language", ["en", "ar", "he"])
def test_the_timeline_draws_its_burndown_on_the_server_in_every_language(
    client_for: Any, language: str
) -> None:
    client = client_for("il.liaison")
    client.cookies["django_language"] = language
    response = client.get("/verification/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body
    assert "<polyline" in body
    assert "<script" not in body.split("<main", 1)[-1].split("</main>", 1)[0]
    assert "http://" not in body.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert _step().reference in body
    title = {
        "en": "Withdrawal timeline",
        "ar": "الجدول الزمني للانسحاب",
        "he": "לוח הזמנים של הנסיגה",
    }
    assert title[language] in body
    if language != "en":
        assert 'dir="rtl"' in body


def test_the_step_page_shows_the_outcome_history_and_the_countersigning(client_for: Any) -> None:
    step = _step()
    body = client_for("sy.liaison").get(f"/verification/steps/{step.public_id}/").content.decode()
    assert "Outcome history" in body
    assert "Countersign the new date" in body
    assert client_for("donor").get(f"/verification/steps/{step.public_id}/").status_code == 404
    missing = client_for("donor").get("/verification/steps/00000000-0000-0000-0000-000000000000/")
    assert missing.status_code == 404


def test_a_party_countersigns_an_extension_on_the_page(client_for: Any) -> None:
    step = _step()
    extension = step.extensions.get(state="open")
    page = f"/verification/steps/{step.public_id}/"
    refused = client_for("mediator").post(
        page, {"action": "sign_extension", "extension": str(extension.public_id)}
    )
    assert refused.status_code == 403
    done = client_for("il.liaison").post(
        page, {"action": "sign_extension", "extension": str(extension.public_id)}
    )
    assert done.status_code == 302
    extension.refresh_from_db()
    assert extension.state == "agreed"
    body = client_for("monitor").get(page).content.decode()
    assert "extended (both parties countersigned)" in body


def test_a_monitor_files_a_report_by_element_on_the_page(client_for: Any) -> None:
    client = client_for("monitor")
    assert client.get("/verification/inspections/report/").status_code == 200
    assert client_for("il.liaison").get("/verification/inspections/report/").status_code == 403
    local = (timezone.now() - dt.timedelta(hours=1)).astimezone(dt.timezone(dt.timedelta(hours=3)))
    form = {
        "zone": "aol_A_0_10km",
        "inspected_at": local.strftime("%Y-%m-%dT%H:%M"),
        "summary": "Page inspection (fictional)",
        "party_0": "il", "category_0": "tanks", "count_0": "90",
    }  # fmt: skip
    response = client.post("/verification/inspections/report/", form)
    assert response.status_code == 302
    report = InspectionReport.objects.get(summary="Page inspection (fictional)")
    hidden = client_for("donor").get(f"/verification/inspections/reports/{report.public_id}/")
    missing = client_for("donor").get(
        "/verification/inspections/reports/00000000-0000-0000-0000-000000000000/"
    )
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    body = client_for("sy.analyst").get(response["Location"]).content.decode()
    assert "90" in body
    assert "75" in body
    assert "AOL-10" in body
    assert "disputed clause: no severity" in body
    before = Entry.objects.count()
    bad = client.post("/verification/inspections/report/", {**form, "count_0": "-3"})
    assert bad.status_code == 400
    assert Entry.objects.count() == before
    assert report.findings


def test_a_party_requests_an_inspection_and_the_schedule_shows_it(client_for: Any) -> None:
    client = client_for("sy.liaison")
    before = InspectionRequest.objects.count()
    response = client.post(
        "/verification/inspections/",
        {"zone": "area_of_separation_approx", "reason": "Page request (fictional)"},
    )
    assert response.status_code == 302
    assert InspectionRequest.objects.count() == before + 1
    body = client_for("il.analyst").get("/verification/inspections/").content.decode()
    assert "Page request (fictional)" in body
    assert "Schedule" in body
    assert (
        client_for("monitor")
        .post("/verification/inspections/", {"zone": "x", "reason": "x"})
        .status_code
        == 403
    )


def test_a_monitor_records_a_denial_with_a_validated_place(client_for: Any) -> None:
    client = client_for("monitor")
    when = (timezone.now() - dt.timedelta(hours=1)).astimezone(dt.timezone(dt.timedelta(hours=3)))
    form = {
        "kind": "restriction", "occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
        "lon": "35.82461", "lat": "33.12595", "party": "il",
        "description": "Page denial (fictional)",
    }  # fmt: skip
    before = AccessDenial.objects.count()
    assert client.post("/verification/denials/", {**form, "lon": "200"}).status_code == 400
    assert AccessDenial.objects.count() == before
    assert client.post("/verification/denials/", form).status_code == 302
    assert AccessDenial.objects.count() == before + 1
    assert (
        "Page denial (fictional)"
        in client_for("il.liaison").get("/verification/denials/").content.decode()
    )
    assert (
        "Page denial (fictional)"
        not in client_for("donor").get("/verification/denials/").content.decode()
    )
    assert client_for("sy.liaison").post("/verification/denials/", form).status_code == 403
