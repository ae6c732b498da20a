"""The duty roster of each party's hotline desk: only the party keeps its own; the others
(the mediator included) see who is on duty now, never the roster itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from coordcell.cases import roster
from coordcell.cases.models import DutyShift
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.parties.models import Membership
from coordcell.record.models import Entry
from coordcell.record.selectors import list_visible_entries

pytestmark = pytest.mark.django_db


def _sign(username: str) -> str:
    return Membership.objects.filter(user__username=username, active=True).first().call_sign


def _shift(actor: Any, keeper: str, officer: str, **kwargs: Any) -> DutyShift:
    now = timezone.now()
    values: dict[str, Any] = {
        "call_sign": _sign(officer),
        "tier": 1,
        "channel": "radio",
        "starts_at": now - dt.timedelta(hours=1),
        "ends_at": now + dt.timedelta(hours=7),
        "contact": "Net 4, channel 12 (fictional)",
        **kwargs,
    }
    return roster.set_shift(actor=actor(keeper), **values)


def test_a_party_keeps_its_own_roster_and_records_it_for_itself_alone(actor: Any) -> None:
    shift = _shift(actor, "il.admin", "il.liaison")
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.event_type == "cases.duty_shift_set"
    assert entry.data["call_sign"] == shift.call_sign
    assert shift.audience_codes == ["il"]
    for other in ("sy.admin", "mediator", "monitor"):
        assert list_visible_entries(actor(other), after=entry.seq - 1, limit=1) == []
        assert not roster.list_shifts(actor(other)).filter(pk=shift.pk).exists()


def test_no_one_edits_another_partys_roster(actor: Any) -> None:
    shift = _shift(actor, "il.admin", "il.liaison")
    before = Entry.objects.count()
    for other in ("sy.admin", "mediator"):
        with pytest.raises(NotFound):
            roster.get_shift(actor(other), shift.public_id)
        with pytest.raises(NotFound):
            roster.remove_shift(actor=actor(other), shift=shift)
    with pytest.raises(PermissionDenied):  # same party, not a keeper of the roster
        roster.remove_shift(actor=actor("il.liaison"), shift=shift)
    with pytest.raises(PermissionDenied):
        _shift(actor, "il.liaison", "il.liaison")
    # Another party's call sign is not one of the keeper's own.
    with pytest.raises(ValidationFailed):
        _shift(actor, "sy.admin", "il.liaison")
    assert Entry.objects.count() == before
    shift.refresh_from_db()
    assert shift.removed_at is None
    roster.remove_shift(actor=actor("il.admin"), shift=shift)
    assert Entry.objects.order_by("-seq").first().event_type == "cases.duty_shift_removed"


def test_a_bad_shift_writes_nothing(actor: Any) -> None:
    before = (Entry.objects.count(), DutyShift.objects.count())
    now = timezone.now()
    for bad in (
        {"tier": 4},
        {"channel": "pigeon"},
        {"contact": "x" * 201},
        {"ends_at": now - dt.timedelta(hours=2)},  # before it starts
        {"starts_at": now - dt.timedelta(hours=3), "ends_at": now - dt.timedelta(hours=2)},
        {"ends_at": now + dt.timedelta(days=8)},
        {"ends_at": dt.datetime(2030, 1, 1)},  # no time zone
    ):
        with pytest.raises(ValidationFailed):
            _shift(actor, "il.admin", "il.liaison", **bad)
    assert (Entry.objects.count(), DutyShift.objects.count()) == before


def test_the_other_party_sees_who_is_on_duty_now_and_nothing_more(actor: Any) -> None:
    now = timezone.now()
    _shift(actor, "il.admin", "il.liaison")  # contact details not shared
    _shift(
        actor,
        "il.admin",
        "il.admin",
        tier=2,
        channel="call",
        contact="+000 0000 (fictional)",
        shared=True,
    )
    _shift(  # a future shift: no one else learns of it
        actor,
        "il.admin",
        "il.analyst",
        starts_at=now + dt.timedelta(hours=8),
        ends_at=now + dt.timedelta(hours=16),
    )
    for reader in ("sy.liaison", "mediator"):
        duty = [d for d in roster.on_duty_now(actor(reader)) if d.party_code == "il"]
        assert [(d.tier, d.call_sign, d.channel, d.contact) for d in duty] == [
            (1, _sign("il.liaison"), "radio", ""),
            (2, _sign("il.admin"), "call", "+000 0000 (fictional)"),
        ]
        assert roster.answering(duty)[duty[0].party_id].call_sign == _sign("il.liaison")
    for outsider in ("observer", "donor"):  # they do not use the hotline
        assert roster.on_duty_now(actor(outsider)) == []
    own = [d for d in roster.on_duty_now(actor("il.liaison")) if d.party_code == "il"]
    assert own[0].contact == "Net 4, channel 12 (fictional)"


def test_the_hotline_page_shows_the_call_sign_that_is_to_answer(
    actor: Any, client_for: Any
) -> None:
    assert (
        _sign("il.liaison") not in client_for("sy.liaison").get("/cases/hotline/").content.decode()
    )
    _shift(actor, "il.admin", "il.liaison")
    page = client_for("sy.liaison").get("/cases/hotline/").content.decode()
    assert _sign("il.liaison") in page
    assert "Net 4, channel 12" not in page
    # The roster page: the other party's roster is not there, only who is on duty.
    page = client_for("mediator").get("/cases/hotline/roster/").content.decode()
    assert _sign("il.liaison") in page
    assert "Net 4" not in page


def test_the_api_keeps_the_roster_to_its_own_party(actor: Any, client_for: Any) -> None:
    now = timezone.now()
    body = {
        "call_sign": _sign("sy.liaison"),
        "tier": 1,
        "channel": "call",
        "starts_at": (now - dt.timedelta(hours=1)).isoformat(),
        "ends_at": (now + dt.timedelta(hours=6)).isoformat(),
    }
    made = client_for("sy.admin").post("/api/v1/roster/", body, content_type="application/json")
    assert made.status_code == 201, made.content
    shift_id = made.json()["id"]
    il = client_for("il.admin")
    assert il.get("/api/v1/roster/").json()["results"] == []
    removed = il.post(f"/api/v1/roster/{shift_id}/remove/", content_type="application/json")
    assert removed.status_code == 404
    mediator = client_for("mediator")
    assert mediator.post(f"/api/v1/roster/{shift_id}/remove/").status_code == 404
    # Israel's administrator may not put a Syrian call sign on the roster.
    refused = il.post("/api/v1/roster/", body, content_type="application/json")
    assert refused.status_code == 400
    on_duty = il.get("/api/v1/on-duty/").json()["results"]
    assert {
        "party": "sy",
        "call_sign": _sign("sy.liaison"),
        "tier": 1,
        "channel": "call",
    }.items() <= next(d for d in on_duty if d["party"] == "sy").items()
    assert client_for("sy.admin").get("/api/v1/roster/").json()["count"] == 1
