"""Advance notification through the API: the dry run and the required ``confirm``, late
notices, receipts, the withdrawal, the map layer and the export, the calendar,
humanitarian convoys, and hidden notices that look exactly like missing ones; and the
notice page's withdrawal form."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from coordcell.deconfliction.models import FollowUp, Notice
from coordcell.deconfliction.services import escalate_unacknowledged, screen_incidents
from coordcell.record.models import Entry
from tests.integration.api.conftest import NOT_FOUND, results

pytestmark = pytest.mark.django_db

ACROSS_AOS = {"type": "LineString", "coordinates": [[35.78, 33.12], [35.86, 33.13]]}
FAR_ROUTE = {"type": "LineString", "coordinates": [[36.3, 32.7], [36.35, 32.72]]}
SITE = {"type": "Point", "coordinates": [35.84, 33.2]}


def _body(hours_ahead: float = 100, **kwargs: Any) -> dict[str, Any]:
    start = timezone.now() + dt.timedelta(hours=hours_ahead)
    return {
        "activity": "troop_movement",
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=4)).isoformat(),
        "geometry": FAR_ROUTE,
        "description": "Supply trucks (fictional exercise).",
        **kwargs,
    }


def _post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, body, content_type="application/json")


def test_the_dry_run_shows_the_warnings_and_submission_requires_confirm(api: Any) -> None:
    il = api("il.liaison", "token")
    before = (Entry.objects.count(), Notice.objects.count())
    checked = _post(il, "/api/v1/notices/check/", _body(6, geometry=ACROSS_AOS))
    assert checked.status_code == 200, checked.json()
    body = checked.json()
    assert body["late"] is True
    kinds = [w["kind"] for w in body["warnings"]]
    assert kinds[0] == "late"
    assert "clause" in kinds
    assert body["audience"] == ["il", "us"]
    assert body["addressees"] == []
    assert (Entry.objects.count(), Notice.objects.count()) == before  # a dry run stores nothing
    refused = _post(il, "/api/v1/notices/", _body(6, geometry=ACROSS_AOS))
    assert refused.status_code == 400
    assert "confirm" in refused.json()["error"]["fields"]
    assert (Entry.objects.count(), Notice.objects.count()) == before
    made = _post(il, "/api/v1/notices/", _body(6, geometry=ACROSS_AOS, confirm=True))
    assert made.status_code == 201, made.json()
    notice = made.json()
    assert notice["late"] is True
    assert [w["kind"] for w in notice["warnings"]] == kinds
    # A notice without warnings needs no confirmation.
    plain = _post(il, "/api/v1/notices/", _body())
    assert plain.status_code == 201
    assert plain.json()["warnings"] == []


@pytest.mark.parametrize(
    "change",
    [
        {"geometry": {"type": "LineString", "coordinates": [[200, 33], [35, 33]]}},
        {"geometry": "not a geometry"},
        {"starts_at": "2026-03-01T04:00"},  # no offset
        {"activity": "juggling"},
        {"audience": ["nobody"]},
        {"colour": "red"},  # unknown member
        {"description": "x" * 5001},
    ],
)
def test_bad_input_is_a_400_that_writes_nothing(api: Any, change: dict[str, Any]) -> None:
    before = (Entry.objects.count(), Notice.objects.count())
    response = _post(api("il.liaison"), "/api/v1/notices/", {**_body(), **change, "confirm": True})
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid"
    assert (Entry.objects.count(), Notice.objects.count()) == before


def test_a_hidden_notice_answers_exactly_like_a_missing_one(api: Any) -> None:
    made = _post(api("il.liaison"), "/api/v1/notices/", _body())
    assert made.status_code == 201
    notice = made.json()
    sy = api("sy.liaison", "token")
    hidden = sy.get(f"/api/v1/notices/{notice['id']}/")
    missing = sy.get("/api/v1/notices/00000000-0000-0000-0000-000000000000/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == NOT_FOUND
    receipt = _post(sy, f"/api/v1/notices/{notice['id']}/receipt/", {})
    assert receipt.status_code == 404
    assert receipt.json() == NOT_FOUND
    for who in ("sy.liaison", "monitor", "donor", "observer"):
        client = api(who)
        assert notice["id"] not in str(results(client.get("/api/v1/notices/")))
        layer = client.get(
            "/api/v1/notices/layer/", {"end": str(timezone.now().date() + dt.timedelta(days=10))}
        )
        assert layer.status_code == 200
        assert notice["reference"] not in layer.content.decode()
    mine = api("il.analyst").get(f"/api/v1/notices/{notice['id']}/")
    assert mine.status_code == 200
    assert mine.json()["audience"] == ["il", "us"]


def test_the_addressee_acknowledges_and_the_author_sees_it(api: Any) -> None:
    notice = _post(api("il.liaison"), "/api/v1/notices/", _body(audience=["sy"])).json()
    assert notice["receipts"] == [{"party": "sy", "acknowledged_at": None}]
    assert (
        _post(api("il.liaison"), f"/api/v1/notices/{notice['id']}/receipt/", {}).status_code == 403
    )
    awaiting = results(api("sy.liaison").get("/api/v1/notices/", {"awaiting_receipt": "yes"}))
    assert [n["id"] for n in awaiting] == [notice["id"]]
    assert results(api("il.liaison").get("/api/v1/notices/", {"awaiting_receipt": "yes"})) == []
    done = _post(api("sy.liaison", "token"), f"/api/v1/notices/{notice['id']}/receipt/", {})
    assert done.status_code == 200
    assert done.json()["receipts"][0]["acknowledged_at"] is not None
    again = _post(api("sy.liaison"), f"/api/v1/notices/{notice['id']}/receipt/", {})
    assert again.status_code == 400
    seen = api("il.liaison").get(f"/api/v1/notices/{notice['id']}/").json()
    assert seen["receipts"][0]["acknowledged_at"] is not None


def test_an_unacknowledged_notice_shows_its_single_escalation(api: Any) -> None:
    notice = _post(api("il.liaison"), "/api/v1/notices/", _body(audience=["sy"])).json()
    due = dt.datetime.fromisoformat(notice["receipts_due_at"])
    assert escalate_unacknowledged(due + dt.timedelta(minutes=1)) == 1
    assert escalate_unacknowledged(due + dt.timedelta(minutes=2)) == 0
    seen = api("sy.liaison").get(f"/api/v1/notices/{notice['id']}/").json()
    assert seen["escalation_level"] == "cell_principals"
    assert seen["escalated_at"]


def test_the_mediator_registers_an_agency_and_notifies_its_convoy(api: Any) -> None:
    mediator = api("mediator", "token")
    assert (
        _post(api("il.liaison"), "/api/v1/humanitarian-actors/", {"name_en": "x"}).status_code
        == 403
    )
    agency = _post(mediator, "/api/v1/humanitarian-actors/", {"name_en": "Test Relief (fictional)"})
    assert agency.status_code == 201
    agency_id = agency.json()["id"]
    assert agency_id in str(results(api("sy.liaison").get("/api/v1/humanitarian-actors/")))
    assert results(api("donor").get("/api/v1/humanitarian-actors/")) == []
    convoy = _post(
        mediator,
        "/api/v1/notices/",
        _body(activity="humanitarian_convoy", humanitarian=agency_id, audience=["il", "sy"]),
    )
    assert convoy.status_code == 201, convoy.json()
    assert convoy.json()["humanitarian"] == agency_id
    assert [r["party"] for r in convoy.json()["receipts"]] == ["il", "sy"]
    unknown = _post(
        mediator,
        "/api/v1/notices/",
        _body(activity="humanitarian_convoy", humanitarian="00000000-0000-0000-0000-000000000000"),
    )
    assert unknown.status_code == 404


def test_an_incident_at_a_notified_site_opens_its_own_case_seen_only_by_its_readers(
    api: Any,
) -> None:
    now = timezone.now()
    notice = _post(
        api("sy.liaison"),
        "/api/v1/notices/",
        {
            "activity": "static_site",
            "starts_at": (now - dt.timedelta(hours=1)).isoformat(),
            "ends_at": (now + dt.timedelta(hours=24)).isoformat(),
            "geometry": SITE,
            "description": "Pumping station repairs (fictional exercise).",
            "confirm": True,
        },
    ).json()
    incident = _post(
        api("il.liaison"),
        "/api/v1/incidents/",
        {
            "kind": "looting_destruction",
            "title": "Pipes damaged near the station (fictional)",
            "occurred_from": (now - dt.timedelta(minutes=5)).isoformat(),
            "geometry": {"type": "Point", "coordinates": [35.842, 33.202]},
            "audience": ["sy", "us"],
        },
    )
    assert incident.status_code == 201, incident.json()
    screen_incidents(timezone.now())
    follow = FollowUp.objects.get(notice__public_id=notice["id"])
    case_id = str(follow.case.public_id)
    assert api("sy.liaison").get(f"/api/v1/cases/{case_id}/").status_code == 200
    hidden = api("il.liaison").get(f"/api/v1/cases/{case_id}/")
    assert hidden.status_code == 404
    assert hidden.json() == NOT_FOUND
    assert case_id not in str(results(api("il.liaison").get("/api/v1/cases/")))


def test_the_calendar_lists_the_sensitive_days_of_a_range(api: Any) -> None:
    response = api("donor").get(
        "/api/v1/sensitive-days/", {"start": "2027-05-01", "end": "2027-06-30"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["list_version"] == "2026-1"
    assert [d["id"] for d in body["days"]] == ["disengagement_anniversary"]
    too_wide = api("donor").get(
        "/api/v1/sensitive-days/", {"start": "2020-01-01", "end": "2027-01-01"}
    )
    assert too_wide.status_code == 400


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        ("9999-12-30T00:00:00Z", "9999-12-30T06:00:00Z"),  # +30 days would overflow
        ("0001-01-01T00:00:00Z", "0001-01-01T06:00:00Z"),
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/notices/check/", "/api/v1/notices/"])
def test_a_window_at_the_calendar_s_edge_is_a_400(
    api: Any, path: str, starts_at: str, ends_at: str
) -> None:
    client = api("il.liaison", "token")
    client.raise_request_exception = False
    before = (Entry.objects.count(), Notice.objects.count())
    body = {**_body(starts_at=starts_at, ends_at=ends_at), "confirm": True}
    if path.endswith("check/"):
        del body["confirm"]
    response = _post(client, path, body)
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["fields"]["starts_at"]
    assert (Entry.objects.count(), Notice.objects.count()) == before


@pytest.mark.parametrize("path", ["/api/v1/notices/layer/", "/api/v1/sensitive-days/"])
@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("9999-12-31", "9999-12-31"),  # the day after the end would overflow
        ("0001-01-01", "0001-01-02"),  # year 1 has no UTC instant east of Greenwich
        ("0001-01-01", "0001-02-01"),  # the year before year 1
        ("9999-12-01", "9999-12-31"),
    ],
)
def test_a_range_outside_the_bounded_years_is_a_400(
    api: Any, path: str, start: str, end: str
) -> None:
    client = api("il.liaison", "token")
    client.raise_request_exception = False
    response = client.get(path, {"start": start, "end": end})
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["code"] == "invalid"
    assert "1900" in str(response.json()["error"]["fields"])
    assert client.get(path, {"start": "2027-05-01", "end": "2027-06-30"}).status_code == 200


def test_the_pages_check_then_confirm(client_for: Any) -> None:
    client = client_for("il.liaison")
    start = timezone.localtime(timezone.now() + dt.timedelta(hours=6))
    form = {
        "activity": "troop_movement",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "geometry": '{"type": "LineString", "coordinates": [[36.3, 32.7], [36.35, 32.72]]}',
        "description": "Supply trucks (fictional exercise).",
    }
    before = Notice.objects.count()
    first = client.post("/notices/new/", form)
    assert first.status_code == 200
    assert "Late:" in first.content.decode()
    assert Notice.objects.count() == before
    second = client.post("/notices/new/", {**form, "confirm": "on"})
    assert second.status_code == 302
    assert Notice.objects.count() == before + 1
    page = client.get(second["Location"])
    assert page.status_code == 200
    assert "late" in page.content.decode()
    bad = client.post("/notices/new/", {**form, "geometry": "{"})
    assert bad.status_code == 400
    for path in ("/notices/", "/notices/calendar/", "/notices/humanitarian/"):
        for language in ("en", "ar", "he"):
            response = client_for("sy.liaison").get(path, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200
    ics = client.get("/notices/calendar.ics")
    assert ics.status_code == 200
    assert ics["Content-Type"].startswith("text/calendar")
    assert ics.content.startswith(b"BEGIN:VCALENDAR\r\n")


def test_the_page_refuses_a_deeply_nested_geometry_and_a_window_at_the_calendar_s_edge(
    client_for: Any,
) -> None:
    client = client_for("il.liaison")
    client.raise_request_exception = False
    form = {
        "activity": "troop_movement",
        "starts_at": "2030-01-01T10:00",
        "ends_at": "2030-01-01T12:00",
        "description": "Supply trucks (fictional exercise).",
    }
    before = Notice.objects.count()
    nested = client.post("/notices/new/", {**form, "geometry": "[" * 50_000 + "]" * 50_000})
    assert nested.status_code == 400
    assert "This is not GeoJSON." in nested.content.decode()
    route = '{"type": "LineString", "coordinates": [[36.3, 32.7], [36.35, 32.72]]}'
    for starts_at, ends_at in [
        ("0001-01-01T01:00", "0001-01-01T02:00"),  # before the first UTC instant
        ("9999-12-30T10:00", "9999-12-30T12:00"),
    ]:
        edge = {**form, "geometry": route, "starts_at": starts_at, "ends_at": ends_at}
        response = client.post("/notices/new/", {**edge, "confirm": "on"})
        assert response.status_code == 400, starts_at
        assert "A window starts" in response.content.decode()
    assert Notice.objects.count() == before


@pytest.mark.parametrize("who", ["il.analyst", "monitor", "donor", "observer"])
def test_only_those_who_notify_open_the_new_notice_page(client_for: Any, who: str) -> None:
    assert client_for(who).get("/notices/new/").status_code == 403
    assert client_for("il.liaison").get("/notices/new/").status_code == 200


# --- withdrawal ------------------------------------------------------------------------------


def test_the_notifying_party_withdraws_its_notice_through_the_api(api: Any) -> None:
    notice = _post(api("il.liaison"), "/api/v1/notices/", _body(audience=["sy", "undof"])).json()
    assert (notice["withdrawn_at"], notice["withdrawal_reason"]) == (None, "")
    path = f"/api/v1/notices/{notice['id']}/withdraw/"
    before = Entry.objects.count()
    for who in ("sy.liaison", "mediator", "monitor", "il.analyst"):  # read it, may not
        refused = _post(api(who), path, {"reason": "Cancelled."})
        assert refused.status_code == 403, (who, refused.content)
        assert refused.json()["error"]["code"] == "permission_denied"
    donor = _post(api("donor"), path, {"reason": "Cancelled."})
    assert donor.status_code == 404
    assert donor.json() == NOT_FOUND
    for bad in ({}, {"reason": ""}, {"reason": "x" * 2001}, {"reason": "x", "colour": "red"}):
        invalid = _post(api("il.liaison"), path, bad)
        assert invalid.status_code == 400, (bad, invalid.content)
        assert invalid.json()["error"]["code"] == "invalid"
    assert Entry.objects.count() == before
    done = _post(api("il.liaison", "token"), path, {"reason": "Convoy cancelled."})
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["id"] == notice["id"]
    assert body["withdrawn_at"]
    assert body["withdrawal_reason"] == "Convoy cancelled."
    again = _post(api("il.liaison"), path, {"reason": "Again."})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"
    receipt = _post(api("sy.liaison"), f"/api/v1/notices/{notice['id']}/receipt/", {})
    assert receipt.status_code == 409
    seen = api("sy.liaison").get(f"/api/v1/notices/{notice['id']}/").json()
    assert seen["withdrawal_reason"] == "Convoy cancelled."
    assert results(api("sy.liaison").get("/api/v1/notices/", {"awaiting_receipt": "yes"})) == []
    layer = api("sy.liaison").get(
        "/api/v1/notices/layer/", {"end": str(timezone.now().date() + dt.timedelta(days=10))}
    )
    (feature,) = [f for f in layer.json()["features"] if f["id"] == notice["id"]]
    withdrawn_at = dt.datetime.fromisoformat(feature["properties"]["withdrawn_at"])
    assert withdrawn_at == dt.datetime.fromisoformat(seen["withdrawn_at"])
    assert feature["properties"]["withdrawal_reason"] == "Convoy cancelled."


def test_a_hidden_notice_s_withdrawal_answers_exactly_like_a_missing_one(api: Any) -> None:
    notice = _post(api("il.liaison"), "/api/v1/notices/", _body()).json()  # il and us only
    sy = api("sy.liaison", "token")
    for body in ({"reason": "x"}, {}, {"reason": None}, {"reason": "x" * 3_000}):
        hidden = _post(sy, f"/api/v1/notices/{notice['id']}/withdraw/", body)
        missing = _post(sy, "/api/v1/notices/00000000-0000-0000-0000-000000000000/withdraw/", body)
        assert hidden.status_code == missing.status_code == 404, body
        assert hidden.json() == missing.json() == NOT_FOUND
    malformed = sy.post(
        f"/api/v1/notices/{notice['id']}/withdraw/", "{", content_type="application/json"
    )
    assert malformed.status_code == 404


def test_who_may_not_withdraw_is_refused_before_the_body_is_read(api: Any) -> None:
    notice = _post(api("il.liaison"), "/api/v1/notices/", _body(audience=["sy"])).json()
    action = f"/api/v1/notices/{notice['id']}/withdraw/"
    for who in ("sy.liaison", "mediator", "il.analyst"):  # all read it
        for body in ({}, {"reason": None}, {"reason": "x" * 3_000}, {"reason": "x", "y": 1}):
            assert _post(api(who, "token"), action, body).status_code == 403, (who, body)
    il = api("il.liaison", "token")
    assert _post(il, action, {}).status_code == 400  # the notifying party: its body is read
    assert _post(il, action, {"reason": "x" * 3_000}).status_code == 400


def test_a_notice_whose_window_has_ended_is_not_withdrawn_through_the_api(
    api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    notice = _post(api("il.liaison"), "/api/v1/notices/", _body()).json()
    ended = dt.datetime.fromisoformat(notice["ends_at"]) + dt.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: ended)
    refused = _post(api("il.liaison"), f"/api/v1/notices/{notice['id']}/withdraw/", {"reason": "x"})
    assert refused.status_code == 400
    assert "notice" in refused.json()["error"]["fields"]


def test_a_withdrawal_refused_as_too_late_says_why_on_the_page(
    client_for: Any, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The page was opened before the window ended; the form is sent after.
    notice = _post(api("il.liaison"), "/api/v1/notices/", _body(audience=["sy"])).json()
    ended = dt.datetime.fromisoformat(notice["ends_at"]) + dt.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: ended)
    late = client_for("il.liaison").post(
        f"/notices/{notice['id']}/withdraw/", {"reason": "Convoy cancelled (fictional)."}
    )
    assert late.status_code == 400
    assert "can no longer be withdrawn" in late.content.decode()


def test_the_notice_page_withdraws_it_for_its_own_party_only(client_for: Any, api: Any) -> None:
    notice = _post(api("il.liaison"), "/api/v1/notices/", _body(audience=["sy"])).json()
    page = f"/notices/{notice['id']}/"
    action = f"/notices/{notice['id']}/withdraw/"
    il, sy = client_for("il.liaison"), client_for("sy.liaison")
    assert action in il.get(page).content.decode()
    for other in (sy, client_for("mediator"), client_for("il.analyst")):
        assert action not in other.get(page).content.decode()
        assert other.post(action, {"reason": "Cancelled."}).status_code == 403
        assert other.post(action, {"reason": ""}).status_code == 403  # refused before the form
    assert client_for("donor").post(action, {"reason": "Cancelled."}).status_code == 404
    blank = il.post(action, {"reason": "  "})
    assert blank.status_code == 400
    assert 'class="errorlist"' in blank.content.decode()
    assert Notice.objects.get(public_id=notice["id"]).withdrawn_at is None
    done = il.post(action, {"reason": "Convoy cancelled (fictional)."})
    assert done.status_code == 302
    assert done["Location"] == page
    shown = il.get(page).content.decode()
    assert "Notice withdrawn" in shown  # the message, once
    assert "Convoy cancelled (fictional)." in shown
    assert action not in shown  # nothing left to withdraw
    theirs = sy.get(page).content.decode()
    assert "Convoy cancelled (fictional)." in theirs
    assert "not awaited (withdrawn)" in theirs
    assert "(due " not in theirs  # no receipt shown as awaited
    assert f"/notices/{notice['id']}/acknowledge/" not in theirs  # no receipt to send
    assert "withdrawn" in sy.get("/notices/").content.decode()
    again = il.post(action, {"reason": "Again."})
    assert again.status_code == 302  # withdrawn already: said on the page
    assert "already been withdrawn" in il.get(page).content.decode()
