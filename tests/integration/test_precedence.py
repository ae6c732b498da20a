"""Precedence: chosen at lodging, it sets the first-response and answer deadlines; the
respondent's duty officer opening the case is its acknowledgement; a change is a
recorded step with a reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from coordcell.agreements.selectors import get_version
from coordcell.cases import services
from coordcell.cases.models import Case, Deadline
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.incidents.services import IncidentInput, report_incident

pytestmark = pytest.mark.django_db

IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}
REPORT = {
    "kind": "military_presence",
    "title": "Exchange of fire across the line (fictional test)",
    "occurred_from": "2026-03-01T06:30:00+00:00",
    "geometry": IN_AOS,
}


def _incident(actor: Any) -> Any:
    liaison = actor("il.liaison")
    return report_incident(
        actor=liaison,
        data=IncidentInput(
            kind="military_presence",
            title="Exchange of fire across the line (fictional test)",
            occurred_from=dt.datetime(2026, 3, 1, 6, 30, tzinfo=dt.UTC),
            geometry=IN_AOS,
        ),
        version=get_version(liaison, None, None),
        audience=["il", "sy"],
    )


def _lodge(actor: Any, precedence: str = "") -> Case:
    return services.lodge_complaint(
        actor=actor("il.liaison"),
        incident=_incident(actor),
        respondent="sy",
        summary="Live exchange of fire (fictional test).",
        precedence=precedence,
    )


def _hours(case: Case) -> dict[str, float]:
    return {
        d.kind: round((d.due_at - case.lodged_at).total_seconds() / 3600, 3)
        for d in Deadline.objects.filter(case=case, kind__in=["acknowledge", "answer"])
    }


def test_flash_gets_its_short_deadlines(actor: Any) -> None:
    case = _lodge(actor, "flash")
    assert case.precedence == "flash"
    assert _hours(case) == {"acknowledge": 0.25, "answer": 2.0}
    lodged = case.steps.get(action="lodge").entry.data
    assert lodged["precedence"] == "flash"


def test_the_default_is_the_protocols_lowest(actor: Any) -> None:
    case = _lodge(actor)
    assert case.precedence == "routine"
    assert _hours(case) == {"acknowledge": 24.0, "answer": 48.0}


def test_an_unknown_precedence_is_refused_before_any_write(actor: Any, tokens: Any) -> None:
    before = Case.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        _lodge(actor, "urgent-ish")
    assert "precedence" in refused.value.fields
    client = Client(headers={"Authorization": f"Bearer {tokens['il.liaison']}"})
    response = client.post(
        "/api/v1/cases/",
        {"report": REPORT, "respondent": "sy", "summary": "x", "precedence": "nope"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "precedence" in response.json()["error"]["fields"]
    assert Case.objects.count() == before


def test_the_api_and_the_lodge_page_take_it(actor: Any, tokens: Any, client_for: Any) -> None:
    client = Client(headers={"Authorization": f"Bearer {tokens['il.liaison']}"})
    response = client.post(
        "/api/v1/cases/",
        {"report": REPORT, "respondent": "sy", "summary": "x", "precedence": "immediate"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["precedence"] == "immediate"
    page = client_for("il.liaison").get("/cases/new/").content.decode()
    assert 'name="precedence"' in page
    assert "FLASH" in page


def test_the_hotline_conversion_takes_it(actor: Any, tokens: Any) -> None:
    from coordcell.cases.hotline import activate
    from coordcell.parties.models import Party

    liaison = actor("il.liaison")
    call = activate(
        actor=liaison,
        callee=Party.objects.get(code="sy"),
        channel="call",
        subject_text="Fire across the line now (fictional test).",
        version=get_version(liaison, None, None),
    )
    client = Client(headers={"Authorization": f"Bearer {tokens['il.liaison']}"})
    response = client.post(
        f"/api/v1/hotline/{call.public_id}/convert/",
        {**REPORT, "respondent": "sy", "summary": "Fire (fictional test).", "precedence": "flash"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(public_id=response.json()["id"])
    assert (case.protocol_id, case.precedence) == ("hotline", "flash")
    assert _hours(case)["acknowledge"] == 0.25


def test_the_duty_officers_read_receipt_is_the_acknowledgement(actor: Any, client_for: Any) -> None:
    case = _lodge(actor, "flash")
    for username in ("il.liaison", "mediator"):  # not the respondent: nothing recorded
        client_for(username).get(f"/cases/{case.public_id}/")
    case.refresh_from_db()
    assert case.state == "lodged"
    client_for("sy.liaison").get(f"/cases/{case.public_id}/")
    case.refresh_from_db()
    assert case.state == "acknowledged"
    ack = case.steps.get(action="acknowledge")
    assert ack.entry.data["read_receipt"] is True
    assert ack.party_code == "sy"
    assert Deadline.objects.get(case=case, kind="acknowledge").state == "met"
    client_for("sy.liaison").get(f"/cases/{case.public_id}/")  # once only
    assert case.steps.filter(action="acknowledge").count() == 1


def test_changing_the_precedence_is_a_recorded_step_with_a_reason(actor: Any) -> None:
    case = _lodge(actor)
    with pytest.raises(PermissionDenied):
        services.change_precedence(
            actor=actor("sy.liaison"), case=case, precedence="routine", reason="x"
        )
    with pytest.raises(ValidationFailed) as refused:
        services.change_precedence(
            actor=actor("il.liaison"), case=case, precedence="flash", reason=""
        )
    assert "text" in refused.value.fields
    with pytest.raises(ValidationFailed):
        services.change_precedence(
            actor=actor("il.liaison"), case=case, precedence="routine", reason="same"
        )
    case = services.change_precedence(
        actor=actor("mediator"),
        case=case,
        precedence="flash",
        reason="Fire is being exchanged now (fictional test).",
    )
    assert case.precedence == "flash"
    assert _hours(case) == {"acknowledge": 0.25, "answer": 2.0}
    changed = case.steps.get(action="change_precedence").entry
    assert changed.event_type == "cases.precedence_changed"
    assert (changed.data["from"], changed.data["to"]) == ("routine", "flash")
    assert changed.data["text"] == "Fire is being exchanged now (fictional test)."
