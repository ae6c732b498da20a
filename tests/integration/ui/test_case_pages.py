"""The case pages: the board, the inbox, a case, lodging, steps and versions from the UI."""

from __future__ import annotations

import html
import json
from typing import Any

import pytest

from coordcell.cases.models import Case, Notification
from coordcell.incidents.models import Account, Incident
from coordcell.record.models import Entry

pytestmark = pytest.mark.django_db

AUDIENCE = ["il.liaison", "il.admin", "sy.liaison", "sy.analyst", "mediator", "monitor"]
OUTSIDE = ["observer", "donor"]


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _case() -> Case:
    case = Case.objects.order_by("pk").first()
    assert case is not None
    return case


@pytest.mark.parametrize("username", AUDIENCE)
def test_the_audience_sees_the_case_on_the_board_and_its_page(
    client_for: Any, username: str
) -> None:
    case = _case()
    client = client_for(username)
    assert case.reference in _text(client.get("/cases/"))
    page = client.get(f"/cases/{case.public_id}/")
    assert page.status_code == 200
    text = _text(page)
    assert "Armed personnel in the Area of Separation" in text
    assert "acknowledgement" in text  # the deadlines table
    chain = client.get(f"/cases/{case.public_id}/chain.json")
    assert chain.status_code == 200
    assert chain.json()["case"] == case.reference


@pytest.mark.parametrize("username", OUTSIDE)
def test_others_see_nothing_of_it(client_for: Any, username: str) -> None:
    case = _case()
    client = client_for(username)
    assert case.reference not in _text(client.get("/cases/?all=1"))
    for path in (f"/cases/{case.public_id}/", f"/cases/{case.public_id}/chain.json"):
        assert client.get(path).status_code == 404
    assert client.post(f"/cases/{case.public_id}/acknowledge/").status_code == 404


def test_the_respondent_acknowledges_from_the_page(client_for: Any) -> None:
    case = _case()
    client = client_for("sy.liaison")
    response = client.post(f"/cases/{case.public_id}/acknowledge/", {"text": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "acknowledged"
    # Opening the page is the duty officer's read receipt (test_precedence.py): here the
    # case was acknowledged first, so nothing more is recorded.
    client.get(f"/cases/{case.public_id}/")
    assert case.steps.filter(action="acknowledge").count() == 1
    # The complainant cannot take the respondent's step, and the page says nothing was done.
    denied = client_for("il.liaison").post(f"/cases/{case.public_id}/answer/", {"text": "x"})
    assert denied.status_code == 403


def test_an_answer_needs_a_text(client_for: Any) -> None:
    case = _case()
    response = client_for("sy.liaison").post(f"/cases/{case.public_id}/answer/", {"text": ""})
    assert response.status_code == 400
    assert "This step needs a text." in _text(response)
    case.refresh_from_db()
    assert case.state == "lodged"


def test_the_answer_box_does_not_call_itself_optional(client_for: Any) -> None:
    # The answer needs a text (the service refuses an empty one): the form says so.
    page = client_for("sy.liaison").get(f"/cases/{_case().public_id}/").content.decode()
    form = page[page.index('/answer/"') :]
    form = form[: form.index("</form>")]
    assert "<textarea" in form
    assert "(optional)" not in form
    assert "required" in form[form.index("<textarea") :]


def test_an_unknown_step_is_not_found(client_for: Any) -> None:
    case = _case()
    assert client_for("mediator").post(f"/cases/{case.public_id}/no_reply/").status_code == 404
    assert client_for("mediator").post(f"/cases/{case.public_id}/fly/").status_code == 404
    assert client_for("mediator").get(f"/cases/{case.public_id}/determine/").status_code == 405


def test_each_party_gives_its_version_on_the_page(client_for: Any) -> None:
    case = _case()
    response = client_for("sy.liaison").post(
        f"/cases/{case.public_id}/version/",
        {"actor_claim": "denied", "narrative": "No unit of ours was there (fictional)."},
    )
    assert response.status_code == 302
    account = Account.objects.get(incident=case.incident, party__code="sy")
    assert account.actor_claim == "denied"
    text = _text(client_for("mediator").get(f"/cases/{case.public_id}/"))
    assert "No unit of ours was there" in text
    bad = client_for("il.liaison").post(
        f"/cases/{case.public_id}/version/",
        {"actor_claim": "claimed", "casualties_low": "5", "casualties_best": "2"},
    )
    assert bad.status_code == 400
    assert "low ≤ best ≤ high" in _text(bad)
    assert (
        client_for("monitor")
        .post(f"/cases/{case.public_id}/version/", {"actor_claim": "denied"})
        .status_code
        == 403
    )


def test_a_liaison_officer_lodges_a_complaint_with_its_incident(client_for: Any) -> None:
    client = client_for("sy.liaison")
    assert client.get("/cases/new/").status_code == 200
    head = Entry.objects.order_by("-seq").values_list("seq", flat=True)[0]
    response = client.post(
        "/cases/new/",
        {
            "respondent": "il",
            "title": "Drone over the Area of Separation (fictional)",
            "kind": "overflight",
            "occurred_from": "2026-05-02T04:15",
            "time_precision": "minute",
            "lat": "33.12595",
            "lon": "35.82461",
            "uncertainty_m": "200",
            "summary": "A drone crossed the Area of Separation (fictional).",
        },
    )
    assert response.status_code == 302, _text(response)
    case = Case.objects.order_by("-pk").first()
    assert case is not None
    assert (case.complainant.code, case.respondent.code) == ("sy", "il")
    assert response["Location"] == f"/cases/{case.public_id}/"
    types = list(Entry.objects.filter(seq__gt=head).values_list("event_type", flat=True))
    assert types == ["incidents.incident_reported", "cases.complaint_lodged"]
    assert Notification.objects.filter(case=case, recipient__username="il.liaison").exists()


def test_a_place_outside_the_region_is_shown_on_the_form(client_for: Any) -> None:
    count = Incident.objects.count()
    response = client_for("il.liaison").post(
        "/cases/new/",
        {"respondent": "sy", "title": "x", "kind": "armed_clash",
         "occurred_from": "2026-05-02T04:15", "time_precision": "minute", "lat": "0", "lon": "0",
         "uncertainty_m": "0", "summary": "x"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "outside" in _text(response)
    assert Incident.objects.count() == count


@pytest.mark.parametrize("username", ["il.analyst", "mediator", "monitor", "observer", "donor"])
def test_only_party_liaison_officers_and_principals_lodge(client_for: Any, username: str) -> None:
    assert client_for(username).get("/cases/new/").status_code == 403


def test_the_inbox_lists_and_marks_read(client_for: Any) -> None:
    client = client_for("sy.liaison")
    assert _case().reference in _text(client.get("/cases/inbox/"))
    assert client.post("/cases/inbox/").status_code == 302
    assert not Notification.objects.filter(
        recipient__username="sy.liaison", read_at__isnull=True
    ).exists()


def test_the_hotline_console_records_and_answers(client_for: Any) -> None:
    from coordcell.cases.models import Activation

    caller = client_for("sy.liaison")
    response = caller.post(
        "/cases/hotline/",
        {"callee": "il", "channel": "call", "subject": "Shots near the line (fictional)."},
    )
    assert response.status_code == 302
    activation = Activation.objects.order_by("-pk").first()
    assert activation is not None
    assert activation.subject == "Shots near the line (fictional)."
    page = _text(client_for("il.liaison").get("/cases/hotline/"))
    assert activation.reference in page
    assert f"/cases/hotline/{activation.public_id}/answer/" in page
    # Only the called party answers; the caller's attempt changes nothing.
    denied = caller.post(f"/cases/hotline/{activation.public_id}/answer/", {"answer": "x"})
    assert denied.status_code == 403
    done = client_for("il.liaison").post(
        f"/cases/hotline/{activation.public_id}/answer/", {"answer": "Checking."}
    )
    assert done.status_code == 302
    activation.refresh_from_db()
    assert activation.answer == "Checking."
    # Observers see neither the call nor the form.
    other = _text(client_for("observer").get("/cases/hotline/"))
    assert activation.reference not in other
    assert "Record a call or message" not in other
    refused = client_for("observer").post(
        "/cases/hotline/", {"callee": "il", "channel": "call", "subject": "x"}
    )
    assert refused.status_code == 403


def test_a_call_becomes_a_complaint_from_the_lodge_form(client_for: Any) -> None:
    from coordcell.cases.models import Activation

    activation = Activation.objects.order_by("pk").first()
    assert activation is not None
    client = client_for("il.liaison")
    form = _text(client.get(f"/cases/new/?activation={activation.public_id}"))
    assert activation.reference in form
    response = client.post(
        f"/cases/new/?activation={activation.public_id}",
        {"respondent": "sy", "title": "Shots (fictional)", "kind": "armed_clash",
         "occurred_from": "2026-05-02T04:15", "time_precision": "minute", "lat": "33.12595",
         "lon": "35.82461", "uncertainty_m": "0", "summary": "From the hotline (fictional)."},
    )  # fmt: skip
    assert response.status_code == 302
    activation.refresh_from_db()
    assert activation.case is not None
    assert activation.case.protocol_id == "hotline"
    assert (
        client_for("observer").get(f"/cases/new/?activation={activation.public_id}").status_code
        == 403
    )


def test_the_scorecard_page_shows_every_party(client_for: Any) -> None:
    text = _text(client_for("il.liaison").get("/cases/scorecard/"))
    for name in ("Israel", "Syria"):
        assert name in text


def test_a_drawn_line_becomes_the_incident_geometry(client_for: Any) -> None:
    line = {"type": "LineString", "coordinates": [[35.80, 33.10], [35.86, 33.14]]}
    response = client_for("il.liaison").post(
        "/cases/new/",
        {"respondent": "sy", "title": "Vehicles crossing (fictional)", "kind": "troop_movement",
         "occurred_from": "2026-05-02T04:15", "time_precision": "minute",
         "geometry": json.dumps(line), "uncertainty_m": "0", "summary": "A crossing (fictional)."},
    )  # fmt: skip
    assert response.status_code == 302, _text(response)
    incident = Incident.objects.order_by("-pk").first()
    assert incident is not None
    assert incident.geometry == line


@pytest.mark.parametrize("geometry", ["not json", '{"type": "Circle"}', ""])
def test_a_place_is_required_and_must_be_readable(client_for: Any, geometry: str) -> None:
    count = Incident.objects.count()
    response = client_for("il.liaison").post(
        "/cases/new/",
        {"respondent": "sy", "title": "x", "kind": "armed_clash",
         "occurred_from": "2026-05-02T04:15", "time_precision": "minute",
         "geometry": geometry, "uncertainty_m": "0", "summary": "x"},
    )  # fmt: skip
    assert response.status_code == 400
    assert Incident.objects.count() == count


def test_findings_under_a_disputed_clause_are_labelled_and_kept_apart(client_for: Any) -> None:
    # The case's incident is in the Area of Separation: B.3, which il disputes in the
    # scenario. Its findings are shown apart, labelled, and the page says which clauses
    # the engine assessed; it never says that no clause applies.
    case = _case()
    text = _text(client_for("mediator").get(f"/cases/{case.public_id}/"))
    assert "Under clauses that are not agreed" in text
    assert "Under a clause whose applicability Israel disputes." in text
    assert "Assessed by the rules engine:" in text
    assert "Not assessed by the engine (for a person to read):" in text
    assert "No clause applies" not in text
    arabic = _text(
        client_for("mediator").get(f"/cases/{case.public_id}/", HTTP_ACCEPT_LANGUAGE="ar")
    )
    assert "بموجب بنود غير متفق عليها" in arabic


def test_a_strike_far_from_the_zones_has_a_finding_under_the_ceasefire(client_for: Any) -> None:
    client = client_for("sy.liaison")
    response = client.post(
        "/cases/new/",
        {
            "respondent": "il",
            "title": "Air strike far from the zones (fictional)",
            "kind": "air_or_drone_strike",
            "occurred_from": "2026-04-01T10:00",
            "time_precision": "minute",
            "lat": "33.51",
            "lon": "36.29",
            "uncertainty_m": "0",
            "summary": "Air strike about 40 km east of Line B (fictional).",
        },
    )
    assert response.status_code == 302, _text(response)[:2000]
    incident = Incident.objects.order_by("-pk").first()
    assert incident is not None
    assert [(f["clause"], f["rule"], f["status"]) for f in incident.findings] == [
        ("A", "prohibited:fire", "disputed")
    ]
    page = _text(client.get(response["Location"]))
    assert "throughout the arrangement" in page
    assert "No clause applies" not in page
