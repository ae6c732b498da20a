"""Neutral headlines, kept revisions, fail-closed doors.

A reader sees a generated headline (kind · place · local time), never a party's title or
complaint; a party's title is its version, beside the other party's; every revision of a
version is a new row, shown with its time; an incident or complaint given no audience
reaches the parties concerned, the mediators and the monitors, never donors or observers.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps as installed_apps
from django.utils import translation

from coordcell.cases.models import Case
from coordcell.cases.services import _webhook_payload
from coordcell.incidents.headlines import Headlines
from coordcell.incidents.models import Account, Incident

pytestmark = pytest.mark.django_db

#: At Quneitra, in the Area of Separation.
IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}
ALLEGATION = "Israeli drone violated Syrian airspace (fictional allegation)"
COMPLAINT = "The other side flew a drone over the line again (fictional)."


def _lodge(api: Any, audience: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "report": {
            "kind": "overflight",
            "title": ALLEGATION,
            "occurred_from": "2026-05-02T04:15:00Z",
            "geometry": IN_AOS,
        },
        "respondent": "il",
        "summary": COMPLAINT,
    }
    if audience is not None:
        body["audience"] = audience
    response = api("sy.liaison", "token").post(
        "/api/v1/cases/", body, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return dict(response.json())


def test_a_headline_carries_no_partys_words_and_is_the_same_for_both_parties(
    api: Any, client_for: Any
) -> None:
    case = _lodge(api)
    incident = case["incident"]
    seen = {}
    for who in ("sy.liaison", "il.liaison", "mediator"):
        client = api(who, "token")
        seen[who] = (
            client.get(f"/api/v1/cases/{case['id']}/").json()["headline"],
            client.get(f"/api/v1/incidents/{incident}/").json()["headline"],
        )
    assert len(set(seen.values())) == 1
    headline = seen["il.liaison"][0]
    assert headline == seen["il.liaison"][1]
    assert headline == "Overflight · near Quneitra · 2026-05-02 07:15 (04:15 UTC)"
    assert "drone" not in headline.lower()
    # Another language changes the words, not what is said; the same for both parties.
    arabic = {
        who: api(who, "token")
        .get(f"/api/v1/cases/{case['id']}/", HTTP_ACCEPT_LANGUAGE="ar")
        .json()["headline"]
        for who in ("sy.liaison", "il.liaison")
    }
    assert len(set(arabic.values())) == 1
    assert "القنيطرة" in arabic["il.liaison"]
    # The reporter's title is its version; the complaint is shown as lodged by its party.
    detail = api("il.liaison", "token").get(f"/api/v1/incidents/{incident}/").json()
    assert "title" not in detail
    assert [(a["party"], a["title"]) for a in detail["accounts"]] == [("sy", ALLEGATION)]
    # On the pages: the board and the case's heading show the headline, not the words.
    board = client_for("il.liaison").get("/cases/?all=1").content.decode()
    assert COMPLAINT not in board
    assert ALLEGATION not in board
    page = client_for("il.liaison").get(f"/cases/{case['id']}/").content.decode()
    heading = page.split('<h3 id="h-incident">', 1)[1].split("</h3>", 1)[0]
    assert ALLEGATION not in heading
    assert "Overflight · near Quneitra" in heading
    assert page.count(ALLEGATION) == 1  # once: in Syria's version


def test_the_webhook_and_the_email_tell_the_headline_not_the_allegation(api: Any) -> None:
    case = Case.objects.get(public_id=_lodge(api)["id"])
    step = case.steps.order_by("-pk").first()
    assert step is not None
    payload = _webhook_payload(case, step)
    with translation.override("he"):
        hebrew = Headlines().of(case.incident)
    assert payload["case"]["headline"]["he"] == hebrew
    assert payload["case"]["headline"]["en"].startswith("Overflight · near Quneitra")
    assert ALLEGATION not in str(payload)
    assert COMPLAINT not in str(payload)


def test_a_revision_keeps_the_earlier_version(api: Any, client_for: Any) -> None:
    case = _lodge(api)
    path = f"/api/v1/incidents/{case['incident']}/accounts/"
    il = api("il.liaison", "token")
    first = {"actor_claim": "denied", "narrative": "No aircraft of ours flew (fictional)."}
    second = {"actor_claim": "denied", "narrative": "A weather balloon (fictional).",
              "title": "Weather balloon drifted (fictional)"}  # fmt: skip
    for body in (first, second):
        assert il.post(path, body, content_type="application/json").status_code == 200
    rows = Account.objects.filter(incident__public_id=case["incident"], party__code="il")
    assert [a.narrative for a in rows.order_by("given_at", "pk")] == [
        first["narrative"],
        second["narrative"],
    ]
    detail = api("sy.liaison", "token").get(f"/api/v1/incidents/{case['incident']}/").json()
    current = {a["party"]: a for a in detail["accounts"]}
    assert current["il"]["narrative"] == second["narrative"]
    assert current["sy"]["title"] == ALLEGATION  # side by side with the other party's
    history = [a["narrative"] for a in detail["account_revisions"] if a["party"] == "il"]
    assert history == [first["narrative"], second["narrative"]]
    assert all(a["given_at"] for a in detail["account_revisions"])
    # The page shows the earlier revision too, with its time.
    page = client_for("sy.liaison").get(f"/cases/{case['id']}/").content.decode()
    assert first["narrative"] in page
    assert "1 earlier revision" in page


@pytest.mark.parametrize("door", ["incident", "case", "page", "hotline"])
def test_what_is_reported_with_no_audience_reaches_no_donor_or_observer(
    api: Any, client_for: Any, door: str
) -> None:
    report = {"kind": "overflight", "title": "Drone (fictional)",
              "occurred_from": "2026-05-02T04:15:00Z", "geometry": IN_AOS}  # fmt: skip
    client = api("sy.liaison", "token")
    case_id = None
    if door == "incident":
        response = client.post("/api/v1/incidents/", report, content_type="application/json")
        assert response.status_code == 201, response.content
        incident_id = response.json()["id"]
    elif door == "case":
        case = _lodge(api)
        case_id, incident_id = case["id"], case["incident"]
    elif door == "page":
        response = client_for("sy.liaison").post(
            "/cases/new/",
            {"respondent": "il", "title": "Drone (fictional)", "kind": "overflight",
             "occurred_from": "2026-05-02T04:15", "time_precision": "minute",
             "lat": "33.12595", "lon": "35.82461", "uncertainty_m": "0",
             "summary": "A drone (fictional)."},
        )  # fmt: skip
        assert response.status_code == 302
        made = Case.objects.order_by("-pk").first()
        assert made is not None
        case_id, incident_id = str(made.public_id), str(made.incident.public_id)
    else:
        call = client.post(
            "/api/v1/hotline/",
            {"callee": "il", "channel": "message", "subject": "A drone (fictional)."},
            content_type="application/json",
        )
        response = client.post(
            f"/api/v1/hotline/{call.json()['id']}/convert/",
            {**report, "respondent": "il", "summary": "A drone (fictional)."},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        case_id, incident_id = response.json()["id"], response.json()["incident"]
    for reader in ("donor", "observer"):
        reading = api(reader, "token")
        assert reading.get(f"/api/v1/incidents/{incident_id}/").status_code == 404
        if case_id is not None:
            assert reading.get(f"/api/v1/cases/{case_id}/").status_code == 404
    assert api("monitor", "token").get(f"/api/v1/incidents/{incident_id}/").status_code == 200


def test_the_migration_makes_an_existing_title_the_reporters_version(api: Any) -> None:
    from importlib import import_module

    migration = import_module("coordcell.incidents.migrations.0007_account_revisions_and_titles")
    incident = Incident.objects.get(public_id=_lodge(api)["incident"])
    Account.objects.filter(incident=incident).delete()  # as before: a title, no version
    migration.titles_to_reporters_versions(installed_apps, None)
    (account,) = Account.objects.filter(incident=incident)
    assert (account.party.code, account.title) == ("sy", ALLEGATION)
    assert account.given_at == incident.reported_at
