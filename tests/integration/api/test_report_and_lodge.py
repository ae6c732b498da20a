"""One intent, one service: "report this incident and complain about it" through every door.

The lodge page, one API request and a hotline call's conversion all go through
``cases.lodging.report_and_lodge``; they must give the same incident, the same case and
the same audiences, check everything before writing anything, and say who may read
what explicitly (audiences fail closed).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from coordcell.agreements.selectors import get_version
from coordcell.cases import hotline, lodging
from coordcell.cases.models import Activation, Case
from coordcell.core.errors import ValidationFailed
from coordcell.incidents.models import Incident
from coordcell.incidents.services import IncidentInput, report_incident, share_incident
from coordcell.parties.models import Party
from coordcell.record.models import Entry

pytestmark = pytest.mark.django_db

IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}
#: The parties concerned (Syria about Israel), the mediator and the monitors.
CONCERNED = ["il", "sy", "undof", "us"]


def _head() -> int:
    return Entry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _new_types(head: int) -> list[str]:
    return list(
        Entry.objects.filter(seq__gt=head).order_by("seq").values_list("event_type", flat=True)
    )


def _via_page(client_for: Any) -> Case:
    response = client_for("sy.liaison").post(
        "/cases/new/",
        {"respondent": "il", "title": "Drone over the line (fictional)", "kind": "overflight",
         "occurred_from": "2026-05-02T04:15", "time_precision": "minute", "lat": "33.12595",
         "lon": "35.82461", "uncertainty_m": "200", "summary": "A drone (fictional)."},
    )  # fmt: skip
    assert response.status_code == 302
    return Case.objects.order_by("-pk").first()  # type: ignore[return-value]


def _via_api(api: Any) -> Case:
    return _lodge_over_api(api("sy.liaison", "token"))


def _lodge_over_api(client: Any) -> Case:
    response = client.post(
        "/api/v1/cases/",
        {
            "report": {
                "kind": "overflight",
                "title": "Drone over the line (fictional)",
                "occurred_from": "2026-05-02T04:15:00Z",
                "geometry": IN_AOS,
                "uncertainty_m": 200,
            },
            "respondent": "il",
            "summary": "A drone (fictional).",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return Case.objects.get(public_id=response.json()["id"])


def _via_hotline(api: Any) -> Case:
    client = api("sy.liaison", "token")
    call = client.post(
        "/api/v1/hotline/",
        {"callee": "il", "channel": "message", "subject": "A drone over the line (fictional)."},
        content_type="application/json",
    )
    assert call.status_code == 201, call.content
    response = client.post(
        f"/api/v1/hotline/{call.json()['id']}/convert/",
        {
            "kind": "overflight",
            "title": "Drone over the line (fictional)",
            "occurred_from": "2026-05-02T04:15:00Z",
            "geometry": IN_AOS,
            "respondent": "il",
            "summary": "A drone (fictional).",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return Case.objects.get(public_id=response.json()["id"])


def test_one_api_request_reports_the_incident_and_lodges_the_complaint(api: Any) -> None:
    client = api("sy.liaison", "token")
    head = _head()
    case = _lodge_over_api(client)
    assert _new_types(head) == ["incidents.incident_reported", "cases.complaint_lodged"]
    assert (case.complainant.code, case.respondent.code) == ("sy", "il")
    assert case.incident.source_party.code == "sy"
    assert case.incident.audience_codes == case.audience_codes == CONCERNED


def test_the_page_the_api_and_the_hotline_give_the_same_audiences(
    client_for: Any, api: Any
) -> None:
    cases = {"page": _via_page(client_for), "api": _via_api(api), "hotline": _via_hotline(api)}
    audiences = {door: (c.audience_codes, c.incident.audience_codes) for door, c in cases.items()}
    assert audiences == dict.fromkeys(cases, (CONCERNED, CONCERNED))
    assert cases["hotline"].protocol_id == "hotline"
    assert {c.protocol_id for door, c in cases.items() if door != "hotline"} == {"complaint"}


def test_a_report_with_a_bad_respondent_writes_nothing_at_all(actor: Any) -> None:
    liaison = actor("sy.liaison")
    counts = (Entry.objects.count(), Incident.objects.count(), Case.objects.count())
    with pytest.raises(ValidationFailed) as refused:
        lodging.report_and_lodge(
            actor=liaison,
            version=get_version(liaison, None, None),
            incident=IncidentInput(
                kind="overflight", title="", occurred_from=None,  # type: ignore[arg-type]
                geometry=IN_AOS,
            ),
            respondent="sy",  # oneself
            summary="",
        )  # fmt: skip
    # Every field's problem at once, the complaint's and the incident's.
    assert set(refused.value.fields) >= {"respondent", "summary", "title"}
    assert (Entry.objects.count(), Incident.objects.count(), Case.objects.count()) == counts


def test_a_conversion_by_someone_not_on_the_call_writes_nothing(actor: Any) -> None:
    caller = actor("sy.liaison")
    call = hotline.activate(
        actor=caller,
        callee=Party.objects.get(code="us"),
        channel="message",
        subject_text="Smoke (fictional).",
        version=get_version(caller, None, None),
    )
    counts = (Entry.objects.count(), Incident.objects.count())
    with pytest.raises(Exception, match="caller or the called party"):
        lodging.report_and_lodge(
            actor=actor("il.liaison"),
            version=call.version,
            incident=IncidentInput(kind="overflight", title="x", occurred_from=call.received_at,
                                   geometry=IN_AOS),
            respondent="sy",
            summary="x",
            activation=call,
        )  # fmt: skip
    assert (Entry.objects.count(), Incident.objects.count()) == counts
    assert Activation.objects.get(pk=call.pk).case_id is None


def test_an_empty_audience_is_refused_not_published_to_everyone(api: Any) -> None:
    count = Incident.objects.count()
    response = api("il.liaison").post(
        "/api/v1/incidents/",
        {"kind": "overflight", "title": "Drone (fictional)", "geometry": IN_AOS,
         "occurred_from": "2026-05-02T04:15:00Z", "audience": []},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["audience"] == ["Choose who may read this."]
    assert Incident.objects.count() == count


def test_an_incident_reported_without_an_audience_reaches_no_donor_or_observer(
    api: Any,
) -> None:
    response = api("il.liaison").post(
        "/api/v1/incidents/",
        {"kind": "overflight", "title": "Drone (fictional)", "geometry": IN_AOS,
         "occurred_from": "2026-05-02T04:15:00Z"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201
    incident = Incident.objects.get(public_id=response.json()["id"])
    assert incident.audience_codes == ["il", "undof", "us"]
    for outsider in ("donor", "observer", "sy.liaison"):
        assert api(outsider).get(f"/api/v1/incidents/{incident.public_id}/").status_code == 404


def test_every_member_must_be_said_explicitly(api: Any) -> None:
    response = api("il.liaison").post(
        "/api/v1/incidents/",
        {"kind": "overflight", "title": "Drone (fictional)", "geometry": IN_AOS,
         "occurred_from": "2026-05-02T04:15:00Z", "audience": ["*"]},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201
    incident = Incident.objects.get(public_id=response.json()["id"])
    assert incident.audience == "|*|"
    assert api("observer").get(f"/api/v1/incidents/{incident.public_id}/").status_code == 200


def test_lodging_shares_a_narrower_incident_with_its_own_record_event(actor: Any) -> None:
    liaison = actor("il.liaison")
    incident = report_incident(
        actor=liaison,
        data=IncidentInput(kind="overflight", title="Drone (fictional)",
                           occurred_from=json_time(), geometry=IN_AOS),
        version=get_version(liaison, None, None),
        audience=["il", "sy"],
    )  # fmt: skip
    head = _head()
    case = lodging.services.lodge_complaint(
        actor=liaison, incident=incident, respondent="sy", summary="A drone (fictional)."
    )
    assert _new_types(head) == ["incidents.incident_shared", "cases.complaint_lodged"]
    shared = Entry.objects.get(seq=head + 1)
    assert shared.data["added"] == ["undof", "us"]
    assert shared.audience_codes == CONCERNED
    case.incident.refresh_from_db()
    assert case.incident.audience_codes == CONCERNED


def test_only_the_reporting_party_shares_its_report_beyond_the_neutral_parties(
    actor: Any,
) -> None:
    reporter = actor("il.liaison")
    incident = report_incident(
        actor=reporter,
        data=IncidentInput(kind="overflight", title="Drone (fictional)",
                           occurred_from=json_time(), geometry=IN_AOS),
        version=get_version(reporter, None, None),
        audience=["il", "sy"],
    )  # fmt: skip
    with pytest.raises(ValidationFailed, match="only the party that reported it"):
        share_incident(actor=actor("sy.liaison"), incident=incident, audience=["jo"])
    share_incident(actor=actor("sy.liaison"), incident=incident, audience=["us"])
    share_incident(actor=reporter, incident=incident, audience=["jo"])
    incident.refresh_from_db()
    assert incident.audience_codes == ["il", "jo", "sy", "us"]
    with pytest.raises(ValidationFailed, match="Unknown party"):
        share_incident(actor=reporter, incident=incident, audience=["donor_a"])


def json_time() -> Any:
    import datetime as dt

    return dt.datetime(2026, 5, 2, 4, 15, tzinfo=dt.UTC)


def test_the_request_body_names_the_problem(api: Any) -> None:
    response = api("sy.liaison").post(
        "/api/v1/cases/",
        json.dumps({"respondent": "il", "summary": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "incident" in response.json()["error"]["fields"]


# --- correcting an incident: the reporting party, through the page and the API -----------

OUTSIDE_THE_ZONES = {"type": "Point", "coordinates": [36.30, 33.51]}


def test_the_reporter_corrects_the_place_over_the_api_and_the_findings_follow(
    api: Any,
) -> None:
    case = _via_api(api)
    incident = case.incident
    assert "area_of_separation_approx" in incident.zones
    head = _head()
    response = api("sy.liaison").patch(
        f"/api/v1/incidents/{incident.public_id}/",
        {"geometry": OUTSIDE_THE_ZONES, "title": "Drone further east (fictional)"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    # The new title is a new revision of the reporter's version; the first one is kept.
    assert body["accounts"][0]["title"] == "Drone further east (fictional)"
    assert [a["title"] for a in body["account_revisions"]] == [
        "Drone over the line (fictional)",
        "Drone further east (fictional)",
    ]
    assert body["kind"] == "overflight"  # left out: kept
    assert "area_of_separation_approx" not in body["zones"]
    entry = Entry.objects.get(seq=head + 1)
    assert entry.event_type == "incidents.incident_changed"
    changed = set(entry.data["changed"])
    assert {"geometry", "title", "zones"} <= changed
    assert not changed & {"kind", "occurred_from", "time_precision", "uncertainty_m"}
    assert entry.audience_codes == CONCERNED


@pytest.mark.parametrize("username", ["il.liaison", "mediator", "monitor", "sy.admin"])
def test_no_one_else_corrects_a_report(api: Any, username: str) -> None:
    incident = _via_api(api).incident
    head = _head()
    response = api(username).patch(
        f"/api/v1/incidents/{incident.public_id}/",
        {"title": "Changed by someone else"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert _head() == head
    assert Incident.objects.get(pk=incident.pk).title == "Drone over the line (fictional)"


def test_a_hidden_incident_cannot_be_corrected_and_looks_missing(api: Any) -> None:
    incident = _via_api(api).incident
    client = api("observer")
    hidden = client.patch(
        f"/api/v1/incidents/{incident.public_id}/", {"title": "x"}, content_type="application/json"
    )
    missing = client.patch(
        "/api/v1/incidents/00000000-0000-0000-0000-000000000000/",
        {"title": "x"},
        content_type="application/json",
    )
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_the_reporter_corrects_the_report_on_the_page(client_for: Any) -> None:
    case = _via_page(client_for)
    client = client_for("sy.liaison")
    page = client.get(f"/cases/{case.public_id}/")
    assert f"/cases/{case.public_id}/incident/" in page.content.decode()
    form = client.get(f"/cases/{case.public_id}/incident/")
    assert form.status_code == 200
    head = _head()
    response = client.post(
        f"/cases/{case.public_id}/incident/",
        {"title": "Drone further east (fictional)", "kind": "overflight",
         "occurred_from": "2026-05-02T04:15", "time_precision": "minute", "lat": "33.51",
         "lon": "36.30", "uncertainty_m": "0"},
    )  # fmt: skip
    assert response.status_code == 302
    assert _new_types(head) == ["incidents.incident_changed"]
    incident = Incident.objects.get(pk=case.incident_id)
    assert (incident.title, incident.lat, incident.lon) == (
        "Drone further east (fictional)",
        33.51,
        36.30,
    )


def test_the_other_party_gets_no_correction_page_or_link(client_for: Any) -> None:
    case = _via_page(client_for)
    client = client_for("il.liaison")
    assert (
        f"/cases/{case.public_id}/incident/"
        not in client.get(f"/cases/{case.public_id}/").content.decode()
    )
    assert client.get(f"/cases/{case.public_id}/incident/").status_code == 403
    assert client.post(f"/cases/{case.public_id}/incident/", {"title": "x"}).status_code == 403
