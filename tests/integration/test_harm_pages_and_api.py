"""Civilian harm, property and access on the pages and through the API: the batched
authorization matrix (surface × persona: nothing of an incident or a request outside the
reader's audience, in status, body, lists, the calendar or its export), the forms, and
bad numbers answering 400 with a message (never a 500). The data is built once per
module, in a transaction rolled back after its last test."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coordcell.accounts.models import User
from coordcell.agreements.models import ArrangementVersion
from coordcell.cases.models import Case
from coordcell.core.actor import Actor
from coordcell.deconfliction import access
from coordcell.deconfliction.models import AccessRequest
from coordcell.incidents import harm
from coordcell.incidents.models import CasualtyFigure, Incident, PropertyDamage
from coordcell.incidents.services import IncidentInput, report_incident

IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}
PERSONAS = ("il.liaison", "sy.liaison", "mediator", "monitor", "donor", "observer", "outsider")
#: Who reads the drill case's incident (Israel, Syria, the mediator, the monitors) and
#: the access request between the two parties; the Syrian report's readers.
CASE_READERS = {"il.liaison", "sy.liaison", "mediator", "monitor"}
SYRIAN_READERS = {"sy.liaison", "mediator", "monitor"}


def _figure_912(content: bytes) -> bool:
    """Whether the Syrian report's best figure (912) is shown: the number on its own, not
    the digits inside a time's microseconds or an identifier."""
    return re.search(rb"(?<![\w.])912(?!\w)", content) is not None


def _as(username: str) -> Actor:
    return Actor.from_user(User.objects.get(username=username))


@pytest.fixture(scope="module")
def _built(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock(), transaction.atomic():
        case = Case.objects.order_by("pk").first()
        assert case is not None
        incident = case.incident
        harm.give_casualties(actor=_as("sy.liaison"), incident=incident, figures=[
            {"category": "civilian", "outcome": "killed", "low": 3, "best": 4, "high": 6},
            {"category": "civilian", "outcome": "detained", "best": 2},
        ])  # fmt: skip
        harm.give_casualties(actor=_as("il.liaison"), incident=incident, figures=[
            {"category": "civilian", "outcome": "killed", "low": 0, "best": 1, "high": 1},
        ])  # fmt: skip
        damage = harm.record_property(
            actor=_as("sy.liaison"), incident=incident, kind="demolition", structures=7,
            land_use="residential", note="Seven houses (fictional test).",
        )  # fmt: skip
        harm.give_property_version(
            actor=_as("il.liaison"), damage=damage, structures=2, note="Two sheds (fictional)."
        )
        syrian = report_incident(
            actor=_as("sy.liaison"),
            data=IncidentInput(
                kind="looting_destruction",
                title="Syrian report only (fictional test)",
                occurred_from=timezone.now() - dt.timedelta(hours=1),
                geometry=IN_AOS,
            ),
            version=ArrangementVersion.objects.get(is_current=True),
        )
        harm.give_casualties(actor=_as("sy.liaison"), incident=syrian, figures=[
            {"category": "civilian", "outcome": "injured", "low": 911, "best": 912, "high": 913},
        ])  # fmt: skip
        start = timezone.now() + dt.timedelta(days=3)
        row = access.request_access(
            actor=_as("sy.liaison"), answering_party="il", requester_kind="farmer",
            requester_ref="FARM-7781", purpose="harvest", geometry=IN_AOS,
            starts_at=start, ends_at=start + dt.timedelta(hours=6),
        )  # fmt: skip
        access.answer_access(
            actor=_as("il.liaison"), request=row, answer="granted_escorted",
            window_starts_at=start + dt.timedelta(hours=1),
            window_ends_at=start + dt.timedelta(hours=4), escort_by="undof",
        )  # fmt: skip
        yield {"case": case, "incident": incident, "syrian": syrian, "damage": damage,
               "access": row}  # fmt: skip
        transaction.set_rollback(True)


@pytest.fixture
def built(db: Any, _built: dict[str, Any]) -> dict[str, Any]:
    return _built


def _api(tokens: dict[str, str], username: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {tokens[username]}"})


def test_nothing_reaches_anyone_outside_the_audience_on_any_surface(
    built: dict[str, Any], client_for: Any, tokens: dict[str, str]
) -> None:
    case, incident, syrian, row = built["case"], built["incident"], built["syrian"], built["access"]
    seen: dict[str, dict[str, Any]] = {}
    for who in PERSONAS:
        page = client_for(who)
        api = _api(tokens, who)
        reads_case, reads_syrian = who in CASE_READERS, who in SYRIAN_READERS
        got = {
            "case": page.get(reverse("cases:case", args=[case.public_id])),
            "casualties": api.get(f"/api/v1/incidents/{incident.public_id}/casualties/"),
            "revisions": api.get(f"/api/v1/incidents/{incident.public_id}/casualties/revisions/"),
            "property": api.get(f"/api/v1/incidents/{incident.public_id}/property/"),
            "syrian": api.get(f"/api/v1/incidents/{syrian.public_id}/casualties/"),
            "syrian_property": api.get(f"/api/v1/incidents/{syrian.public_id}/property/"),
            "access_api": api.get(f"/api/v1/access-requests/{row.public_id}/"),
            "access_page": page.get(reverse("deconfliction:access", args=[row.public_id])),
        }
        seen[who] = {k: r.status_code for k, r in got.items()}
        if who == "outsider":  # no delegation: no page, no answer with any of it
            assert all(r.status_code in (302, 403, 404) for r in got.values()), seen[who]
            assert not any(b"FARM-7781" in r.content or _figure_912(r.content)
                           for r in got.values())  # fmt: skip
            continue
        expect = 200 if reads_case else 404
        for name in ("case", "casualties", "revisions", "property", "access_api", "access_page"):
            assert got[name].status_code == expect, (who, name, got[name].status_code)
        for name in ("syrian", "syrian_property"):
            assert got[name].status_code == (200 if reads_syrian else 404), (who, name)
        lists = {
            "access": api.get("/api/v1/access-requests/").json(),
            "calendar": page.get(reverse("deconfliction:calendar")).content.decode(),
            "ics": page.get(reverse("deconfliction:calendar_ics")).content.decode(),
            "access_list": page.get(reverse("deconfliction:access_list")).content.decode(),
        }
        assert (lists["access"]["count"] == 1) is reads_case, who
        for name in ("calendar", "ics", "access_list"):
            assert (row.reference in lists[name]) is reads_case, (who, name)
        if reads_case:
            body = got["case"].content.decode()
            assert "3 / <strong>4</strong> / 6" in body
            assert "0 / <strong>1</strong> / 1" in body
            # The Syrian report's figures are not this incident's.
            assert not _figure_912(body.encode())
            table = got["casualties"].json()
            assert sorted(table["parties"]) == ["il", "sy"]
            killed = next(c for c in table["cells"] if c["outcome"] == "killed")
            assert killed["versions"]["sy"]["best"] == 4
            assert killed["versions"]["il"]["best"] == 1
            assert killed["differ"] is True
            (record,) = got["property"].json()["results"]
            assert record["versions"]["sy"]["structures"] == 7
            assert record["versions"]["il"]["structures"] == 2
            assert got["access_api"].json()["escort_by"] == "undof"
        else:
            for response in got.values():
                assert b"FARM-7781" not in response.content
                assert not _figure_912(response.content)
    assert seen["donor"]["case"] == 404
    assert seen["il.liaison"]["syrian"] == 404


@pytest.mark.parametrize(
    "figure",
    [
        {"category": "civilian", "outcome": "killed", "low": 5, "best": 4},
        {"category": "civilian", "outcome": "killed", "best": -1},
        {"category": "civilian", "outcome": "killed", "best": "many"},
        {"category": "civilian", "outcome": "killed", "best": 10**15},
        {"category": "civilian", "outcome": "killed", "best": 3, "high": 2.5},
        {"category": "alien", "outcome": "killed", "best": 1},
        {"category": "civilian", "outcome": "killed", "best": 1, "name": "A. Person"},
    ],
)
def test_bad_numbers_answer_400_with_a_message_in_the_api_and_the_form(
    built: dict[str, Any], client_for: Any, tokens: dict[str, str], figure: dict[str, Any]
) -> None:
    before = CasualtyFigure.objects.count()
    incident, case = built["incident"], built["case"]
    response = _api(tokens, "sy.liaison").post(
        f"/api/v1/incidents/{incident.public_id}/casualties/",
        {"figures": [figure]},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert json.dumps(response.json())  # a message body, not an error page
    if "name" not in figure:
        form = dict(figure.items()) | {"age_band": "unknown", "sex": "unknown"}
        page = client_for("sy.liaison").post(
            reverse("cases:give_casualties", args=[case.public_id]), form
        )
        assert page.status_code == 400
        assert b'class="errorlist"' in page.content
    assert CasualtyFigure.objects.count() == before


def test_the_forms_give_figures_property_and_answer_access(
    built: dict[str, Any], client_for: Any
) -> None:
    case = built["case"]
    page = client_for("il.liaison")
    response = page.post(
        reverse("cases:give_casualties", args=[case.public_id]),
        {"category": "military", "outcome": "injured", "age_band": "adult", "sex": "male",
         "low": "1", "best": "2", "high": "3"},
    )  # fmt: skip
    assert response.status_code == 302
    assert CasualtyFigure.objects.filter(party__code="il", outcome="injured").get().best == 2
    # A revision of Israel's killed figure: the page keeps the earlier one in view.
    page.post(
        reverse("cases:give_casualties", args=[case.public_id]),
        {"category": "civilian", "outcome": "killed", "age_band": "unknown", "sex": "unknown",
         "low": "1", "best": "2", "high": "2"},
    )  # fmt: skip
    html = page.get(reverse("cases:case", args=[case.public_id])).content.decode()
    assert "Every revision of the figures" in html
    assert "1 / <strong>2</strong> / 2" in html  # the current figure
    assert "0 / 1 / 1" in html  # the earlier one, kept
    response = page.post(
        reverse("cases:record_property", args=[case.public_id]),
        {"kind": "land_clearing", "area_m2": "12000", "land_use": "orchard",
         "geometry": json.dumps(IN_AOS)},
    )  # fmt: skip
    assert response.status_code == 302
    assert PropertyDamage.objects.filter(kind="land_clearing").exists()
    bad = page.post(
        reverse("cases:property_version", args=[case.public_id, built["damage"].public_id]),
        {"area_m2": "-5"},
    )
    assert bad.status_code == 400
    # Access: a request from the page, answered from the page (denied with its reason).
    zone_now = timezone.localtime(timezone.now() + dt.timedelta(days=2))
    response = client_for("sy.liaison").post(
        reverse("deconfliction:access_new"),
        {"answering_party": "il", "requester_kind": "shepherd", "requester_ref": "HERD-0203",
         "purpose": "grazing", "geometry": json.dumps(IN_AOS),
         "starts_at": zone_now.strftime("%Y-%m-%dT%H:%M"),
         "ends_at": (zone_now + dt.timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[-2000:]
    row = AccessRequest.objects.get(requester_ref="HERD-0203")
    refused = page.post(reverse("deconfliction:access_answer", args=[row.public_id]),
                        {"answer": "denied"})  # fmt: skip
    assert refused.status_code == 400
    assert b"A denial gives its reason." in refused.content
    done = page.post(
        reverse("deconfliction:access_answer", args=[row.public_id]),
        {"answer": "denied", "reason": "Live-fire training that day (fictional)."},
    )
    assert done.status_code == 302
    row.refresh_from_db()
    assert row.answer == "denied"
    # Someone who may not answer finds no form, and posting answers 403.
    assert (
        b"access_answer"
        not in client_for("sy.liaison")
        .get(reverse("deconfliction:access", args=[row.public_id]))
        .content
    )
    assert page.get(reverse("deconfliction:access_new")).status_code == 200
    assert client_for("monitor").get(reverse("deconfliction:access_new")).status_code == 403


def test_the_api_requests_and_answers_access_and_pages_its_list(
    built: dict[str, Any], tokens: dict[str, str]
) -> None:
    start = timezone.now() + dt.timedelta(days=1)
    body = {
        "answering_party": "sy", "requester_kind": "utility_worker", "requester_ref": "WTR-19",
        "purpose": "repair", "geometry": IN_AOS,
        "starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=3)).isoformat(),
    }  # fmt: skip
    il = _api(tokens, "il.liaison")
    created = il.post("/api/v1/access-requests/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    rid = created.json()["id"]
    named = il.post("/api/v1/access-requests/", {**body, "requester_ref": "Mr Smith"},
                    content_type="application/json")  # fmt: skip
    assert named.status_code == 400
    assert "never a name" in json.dumps(named.json())
    sy = _api(tokens, "sy.liaison")
    assert sy.post(f"/api/v1/access-requests/{rid}/receipt/").status_code == 200
    answered = sy.post(
        f"/api/v1/access-requests/{rid}/answer/",
        {"answer": "granted"},
        content_type="application/json",
    )
    assert answered.status_code == 200
    assert answered.json()["window_starts_at"] is not None
    listing = il.get("/api/v1/access-requests/?awaiting_answer=no").json()
    assert {"count", "results"} <= set(listing)
    assert _api(tokens, "donor").get(f"/api/v1/access-requests/{rid}/").status_code == 404
    assert _api(tokens, "observer").post(f"/api/v1/access-requests/{rid}/answer/",
                                         {"answer": "granted"}).status_code == 404  # fmt: skip
    assert Incident.objects.exists()


def test_the_sections_and_pages_speak_arabic_and_hebrew(
    built: dict[str, Any], client_for: Any
) -> None:
    page = client_for("il.liaison")
    case_url = reverse("cases:case", args=[built["case"].public_id])
    access_url = reverse("deconfliction:access", args=[built["access"].public_id])
    for language, words in (
        ("ar", ("الإصابات كما يقدّمها كل طرف", "مقبول بنافذة وصول مع مرافقة", "مزارع")),
        ("he", ("נפגעים, כפי שכל צד מוסר אותם", "אושרה בחלון גישה בליווי", "חקלאי")),
    ):
        case_html = page.get(case_url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        access_html = page.get(access_url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert words[0] in case_html, language
        assert words[1] in access_html, language
        assert words[2] in access_html, language
        assert 'dir="rtl"' in access_html
