"""Who acted, as a report says (issue "Any arrangement as data"): the incident stores the
acting party and force, checked against the arrangement; the engine applies a clause's
exemption to it; every door (service, lodge page, correction form, API, hotline) takes it;
the case page shows it as the report's version."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from coordcell.agreements.selectors import get_version
from coordcell.cases.models import Case
from coordcell.core.actor import Actor
from coordcell.core.errors import ValidationFailed
from coordcell.incidents.models import Incident
from coordcell.incidents.services import IncidentInput, change_incident, report_incident

pytestmark = pytest.mark.django_db

IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}
EXEMPT_FORCE = "undof_force"  # the shipped scenario's UNDOF force (clause B.3 exempts undof)
ARMY = "sy_army"


def _report(actor: Any, **who: str) -> Incident:
    return report_incident(
        actor=actor("il.liaison"),
        data=IncidentInput(
            kind="military_presence",
            title="Armed personnel seen (fictional)",
            occurred_from=dt.datetime(2026, 6, 1, 6, tzinfo=dt.UTC),
            geometry=IN_AOS,
            **who,
        ),
        version=get_version(Actor.console("tests"), None, None),
    )


def _b3(incident: Incident) -> list[dict[str, Any]]:
    return [f for f in incident.findings if f["clause"] == "B.3"]


def test_the_exempt_force_makes_no_finding_under_its_clause(actor: Any) -> None:
    incident = _report(actor, acting_force=EXEMPT_FORCE)
    assert _b3(incident) == []
    assert (incident.acted_by, incident.acting_party, incident.acting_force) == (
        "party",
        "undof",
        EXEMPT_FORCE,
    )


def test_an_army_force_makes_the_finding_without_the_note(actor: Any) -> None:
    [finding] = [f for f in _b3(_report(actor, acting_force=ARMY)) if "presence" in f["rule"]]
    assert finding["exempt"] == []


def test_an_unknown_actor_keeps_the_finding_with_the_note(actor: Any) -> None:
    [finding] = [f for f in _b3(_report(actor)) if "presence" in f["rule"]]
    assert finding["exempt"] == ["undof"]


def test_an_actor_no_party_controls_keeps_the_finding_without_the_note(actor: Any) -> None:
    [finding] = [f for f in _b3(_report(actor, acted_by="no_party")) if "presence" in f["rule"]]
    assert finding["exempt"] == []


@pytest.mark.parametrize(
    ("who", "field", "words"),
    [
        ({"acting_force": "no_such_force"}, "acting_force", "not a force"),
        ({"acting_party": "il", "acting_force": ARMY}, "acting_force", "another party"),
        ({"acting_party": "xx"}, "acting_party", "not a party"),
        ({"acted_by": "no_party", "acting_party": "il"}, "acted_by", "only when"),
        ({"acted_by": "party"}, "acting_party", "Name the party"),
    ],
)
def test_the_service_refuses_who_acted_outside_the_arrangement(
    actor: Any, who: dict[str, str], field: str, words: str
) -> None:
    before = Incident.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        _report(actor, **who)
    assert words in " ".join(refused.value.fields[field])
    assert Incident.objects.count() == before


def test_a_correction_changes_who_acted_and_the_findings(actor: Any) -> None:
    incident = _report(actor)
    changed = change_incident(
        actor=actor("il.liaison"),
        incident=incident,
        data=IncidentInput(
            kind=incident.kind,
            title=incident.title,
            occurred_from=incident.occurred_from,
            geometry=incident.geometry,
            acting_force=EXEMPT_FORCE,
        ),
        version=incident.version,
    )
    assert _b3(changed) == []


FORM = {
    "respondent": "il",
    "title": "Armed personnel in the Area of Separation (fictional)",
    "kind": "military_presence",
    "time_precision": "minute",
    "occurred_from": "2026-03-01T04:30",
    "lat": "33.12595",
    "lon": "35.82461",
    "uncertainty_m": "0",
    "summary": "Armed personnel were seen (fictional).",
}


def test_the_lodge_page_takes_who_acted_and_the_case_page_shows_it(client_for: Any) -> None:
    client = client_for("sy.liaison")
    form = client.get("/cases/new/").content.decode()
    assert f'value="force:{EXEMPT_FORCE}"' in form
    response = client.post("/cases/new/", {**FORM, "actor": f"force:{ARMY}"})
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.order_by("-pk").first()
    assert case is not None
    assert case.incident.acting_force == ARMY
    assert _b3(case.incident)
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert "reported as: <bdi>Syrian armed forces</bdi>" in page
    hebrew = client.get(f"/cases/{case.public_id}/", HTTP_ACCEPT_LANGUAGE="he").content.decode()
    assert "הכוחות המזוינים של סוריה" in hebrew

    # The correction form shows it and changes it.
    url = f"/cases/{case.public_id}/incident/"
    assert f'<option value="force:{ARMY}" selected>' in client.get(url).content.decode()
    response = client.post(url, {**FORM, "actor": f"force:{EXEMPT_FORCE}"})
    assert response.status_code == 302, response.content.decode()[:2000]
    case.incident.refresh_from_db()
    assert case.incident.acting_force == EXEMPT_FORCE
    assert _b3(case.incident) == []


def test_the_lodge_page_refuses_an_unknown_force_with_a_message(client_for: Any) -> None:
    before = Incident.objects.count()
    response = client_for("sy.liaison").post("/cases/new/", {**FORM, "actor": "force:nothing"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert Incident.objects.count() == before


def _api_case(client: Any, **who: Any) -> Any:
    return client.post(
        "/api/v1/cases/",
        {
            "report": {
                "kind": "military_presence",
                "title": "Armed personnel (fictional)",
                "occurred_from": "2026-03-01T04:30+03:00",
                "geometry": IN_AOS,
                **who,
            },
            "respondent": "il",
            "summary": "Armed personnel (fictional).",
        },
        content_type="application/json",
    )


def test_the_api_takes_who_acted_and_refuses_a_force_of_another_party(
    client_for: Any,
) -> None:
    client = client_for("sy.liaison")
    before = Incident.objects.count()
    refused = _api_case(client, acting_party="il", acting_force=ARMY)
    assert refused.status_code == 400, refused.content
    assert "another party" in refused.content.decode()
    assert Incident.objects.count() == before

    accepted = _api_case(client, acting_force=EXEMPT_FORCE)
    assert accepted.status_code == 201, accepted.content
    incident = Incident.objects.order_by("-pk").first()
    assert incident is not None
    assert _b3(incident) == []
    body = client.get(f"/api/v1/incidents/{incident.public_id}/").json()
    assert (body["acted_by"], body["acting_party"], body["acting_force"]) == (
        "party",
        "undof",
        EXEMPT_FORCE,
    )
    # A correction that names another force computes the findings again.
    patched = client.patch(
        f"/api/v1/incidents/{incident.public_id}/",
        {"acting_force": ARMY},
        content_type="application/json",
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["acting_party"] == "sy"
    incident.refresh_from_db()
    assert _b3(incident)


def test_a_hotline_call_becomes_a_complaint_with_who_acted(client_for: Any) -> None:
    client = client_for("sy.liaison")
    call = client.post(
        "/api/v1/hotline/",
        {"callee": "il", "channel": "call", "subject": "Armed men near the line (fictional)."},
        content_type="application/json",
    )
    assert call.status_code == 201, call.content
    converted = client.post(
        f"/api/v1/hotline/{call.json()['id']}/convert/",
        {
            "kind": "military_presence",
            "title": "Armed men (fictional)",
            "occurred_from": "2026-03-01T04:30+03:00",
            "geometry": IN_AOS,
            "acted_by": "no_party",
            "respondent": "il",
            "summary": "Armed men (fictional).",
        },
        content_type="application/json",
    )
    assert converted.status_code == 201, converted.content
    incident = Incident.objects.order_by("-pk").first()
    assert incident is not None
    assert incident.acted_by == "no_party"
    [finding] = [f for f in _b3(incident) if "presence" in f["rule"]]
    assert finding["exempt"] == []
