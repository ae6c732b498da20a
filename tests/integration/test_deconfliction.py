"""Advance notification through the services: late and missing notices, receipts and their
escalation (exactly once), the warning shown before submission, the follow-up case an
incident near a notified site opens by itself, humanitarian convoys, audiences (a
notice not shared with a party is missing to it, everywhere), and the withdrawal of a
notice by its own party (what it stops: receipts, escalation, screening)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from coordcell.agreements.models import ArrangementVersion
from coordcell.cases.models import Case
from coordcell.cases.selectors import list_cases
from coordcell.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from coordcell.deconfliction import selectors, services, texts
from coordcell.deconfliction.models import FollowUp, MissingNotice, Notice, Receipt
from coordcell.incidents.services import IncidentInput, report_incident
from coordcell.notify.models import Delivery, Webhook
from coordcell.parties.models import Party
from coordcell.record.models import Entry
from coordcell.record.selectors import list_visible_entries
from coordcell.rules import deconfliction as rules
from tests.locks import row_locks

pytestmark = pytest.mark.django_db

#: A point in the Area of Separation (Quneitra), and a route across it.
IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}
ACROSS_AOS = {"type": "LineString", "coordinates": [[35.78, 33.12], [35.86, 33.13]]}
#: A route well east of the lines, which no clause concerns.
FAR_ROUTE = {"type": "LineString", "coordinates": [[36.3, 32.7], [36.35, 32.72]]}
SITE = {"type": "Point", "coordinates": [35.84, 33.2]}
NEAR_SITE = {"type": "Point", "coordinates": [35.842, 33.202]}  # about 280 m away
#: Instants at the calendar's first and last days.
EDGE_1 = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
EDGE_9999 = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)


def _version() -> ArrangementVersion:
    return ArrangementVersion.objects.get(is_current=True)


def _notice(actor: Any, by: str = "il.liaison", **kwargs: Any) -> Notice:
    start = timezone.now() + dt.timedelta(hours=100)
    values: dict[str, Any] = {
        "activity": "troop_movement",
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=4),
        "geometry": FAR_ROUTE,
        "description": "Supply trucks (fictional exercise).",
        "confirm": True,
        **kwargs,
    }
    return services.submit_notice(actor=actor(by), **values)


def _report(actor: Any, by: str, geometry: dict[str, Any], kind: str = "looting_destruction",
            audience: list[str] | None = None, **kwargs: Any) -> Any:  # fmt: skip
    kwargs.setdefault("occurred_from", timezone.now() - dt.timedelta(minutes=5))
    data = IncidentInput(
        kind=kind,
        title="Reported near a notified place (fictional)",
        geometry=geometry,
        **kwargs,
    )
    return report_incident(actor=actor(by), data=data, version=_version(), audience=audience)


# --- submission: late, the warning before submission, validation ------------------------


def test_a_notice_with_less_lead_time_than_its_activity_requires_is_flagged_late(
    actor: Any,
) -> None:
    start = timezone.now() + dt.timedelta(hours=6)
    notice = _notice(actor, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    assert notice.late is True
    assert 5.9 < notice.lead_hours < 6.1
    assert notice.warnings[0] == {"kind": "late", "lead_hours": 6.0, "required_hours": 48.0}
    entry = Entry.objects.order_by("-seq").first()
    assert entry.event_type == "deconfliction.notice_submitted"
    assert entry.data["late"] is True
    on_time = _notice(actor)  # 100 h ahead of a 48 h activity
    assert on_time.late is False
    assert on_time.warnings == []


def test_the_author_sees_the_clauses_a_notice_would_break_before_it_is_submitted(
    actor: Any,
) -> None:
    draft = services.check_notice(
        actor("il.liaison"),
        activity="troop_movement",
        starts_at=timezone.now() + dt.timedelta(hours=100),
        ends_at=timezone.now() + dt.timedelta(hours=104),
        geometry=ACROSS_AOS,
        description="Across the Area of Separation (fictional exercise).",
    )
    clauses = [w for w in draft.warnings if w["kind"] == "clause"]
    assert clauses, draft.warnings
    shown = texts.describe_warnings(draft.warnings, draft.version)
    assert all(w["text"] for w in shown)
    before = (Entry.objects.count(), Notice.objects.count())
    with pytest.raises(ValidationFailed) as refused:
        _notice(actor, geometry=ACROSS_AOS, confirm=False)
    assert "confirm" in refused.value.fields
    assert (Entry.objects.count(), Notice.objects.count()) == before
    notice = _notice(actor, geometry=ACROSS_AOS, confirm=True)
    assert [w["finding"]["clause"] for w in notice.warnings if w["kind"] == "clause"] == [
        w["finding"]["clause"] for w in clauses
    ]


def test_a_window_over_a_sensitive_day_warns_its_author(actor: Any) -> None:
    today = timezone.now().date()
    # The Agreement's next anniversary (every year on 31 May), within the year ahead.
    anniversary = dt.date(today.year, 5, 31)
    if anniversary < today:
        anniversary = anniversary.replace(year=today.year + 1)
    start = dt.datetime.combine(anniversary, dt.time(0), dt.UTC)
    end = start + dt.timedelta(hours=23, minutes=59)
    draft = services.check_notice(
        actor("il.liaison"),
        activity="troop_movement",
        starts_at=start,
        ends_at=end,
        geometry=FAR_ROUTE,
        description="x (fictional exercise)",
    )
    days = [w for w in draft.warnings if w["kind"] == "sensitive_day"]
    assert [w["id"] for w in days] == ["disengagement_anniversary"]
    with pytest.raises(ValidationFailed):
        _notice(actor, starts_at=start, ends_at=end, confirm=False)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"activity": "juggling"}, "activity"),
        ({"activity": "humanitarian_convoy"}, "activity"),  # not the parties' to notify
        ({"geometry": SITE}, "geometry"),  # a movement is notified with its route
        ({"geometry": None}, "geometry"),
        ({"description": "  "}, "description"),
        ({"audience": ["donor_a"]}, "audience"),
        ({"audience": ["*"]}, "audience"),
        ({"ends_at": timezone.now() - dt.timedelta(days=400)}, "ends_at"),
        # At the calendar's edge: a window is bounded to start near now (no overflow).
        ({"starts_at": EDGE_9999, "ends_at": EDGE_9999 + dt.timedelta(hours=6)}, "starts_at"),
        ({"starts_at": EDGE_1, "ends_at": EDGE_1 + dt.timedelta(hours=6)}, "starts_at"),
        ({"starts_at": timezone.now() + dt.timedelta(days=400)}, "starts_at"),
    ],
)
def test_a_bad_notice_writes_nothing(actor: Any, change: dict[str, Any], field: str) -> None:
    before = (Entry.objects.count(), Notice.objects.count(), Receipt.objects.count())
    with pytest.raises(ValidationFailed) as refused:
        _notice(actor, **change)
    assert field in refused.value.fields
    assert (Entry.objects.count(), Notice.objects.count(), Receipt.objects.count()) == before


def test_only_liaison_officers_and_principals_of_a_party_or_the_mediator_notify(
    actor: Any,
) -> None:
    for who in ("il.analyst", "monitor", "donor", "observer"):
        with pytest.raises(PermissionDenied):
            _notice(actor, by=who)


# --- audience: the strictest by default -----------------------------------------------


def test_a_notice_not_widened_is_missing_to_the_other_party_everywhere(
    actor: Any, client_for: Any
) -> None:
    notice = _notice(actor)
    assert notice.audience_codes == ["il", "us"]
    assert Receipt.objects.filter(notice=notice).count() == 0
    assert notice.receipt_due_at is None
    entry = Entry.objects.order_by("-seq").first()
    assert entry.audience == "|il|us|"
    for other in ("sy.liaison", "monitor", "donor", "observer"):
        with pytest.raises(NotFound):
            selectors.get_notice(actor(other), notice.public_id)
        assert not selectors.list_notices(actor(other)).filter(pk=notice.pk).exists()
        assert list_visible_entries(actor(other), after=entry.seq - 1, limit=1) == []
        client = client_for(other)
        missing = client.get(f"/notices/{notice.public_id}/")
        unknown = client.get("/notices/00000000-0000-0000-0000-000000000000/")
        assert missing.status_code == unknown.status_code == 404
        assert notice.reference not in client.get("/notices/").content.decode()
        assert notice.reference not in client.get("/notices/notices.geojson").content.decode()
    for reader in ("il.liaison", "il.analyst", "mediator"):
        assert selectors.get_notice(actor(reader), notice.public_id) == notice


def test_a_widened_notice_is_acknowledged_once_by_each_addressee(actor: Any) -> None:
    notice = _notice(actor, audience=["sy"])
    assert notice.audience_codes == ["il", "sy", "us"]
    assert [r.party.code for r in selectors.receipts_of(notice)] == ["sy"]
    with pytest.raises(PermissionDenied):  # the author's own party has no receipt to give
        services.acknowledge(actor=actor("il.liaison"), notice=notice)
    with pytest.raises(PermissionDenied):  # an analyst does not act for the party
        services.acknowledge(actor=actor("sy.analyst"), notice=notice)
    assert list(selectors.awaiting_receipt(actor("sy.liaison"))) == [notice]
    assert not selectors.awaiting_receipt(actor("il.liaison")).exists()
    with row_locks() as locks:
        receipt = services.acknowledge(actor=actor("sy.liaison"), notice=notice)
    # The notice's row first, then the receipt's: the order of a withdrawal (notice) and
    # of the worker's escalation (notice, then its receipts), so that they wait in turn.
    assert locks[:2] == ["deconfliction_notice", "deconfliction_receipt"], locks
    assert not selectors.awaiting_receipt(actor("sy.liaison")).exists()
    assert receipt.acknowledged_at is not None
    assert Entry.objects.order_by("-seq").first().event_type == "deconfliction.notice_acknowledged"
    with pytest.raises(ValidationFailed):
        services.acknowledge(actor=actor("sy.liaison"), notice=notice)
    assert selectors.pending_receipt(actor("sy.liaison"), notice) is None


# --- escalation of a missing receipt ----------------------------------------------------


def test_an_unacknowledged_notice_escalates_exactly_once_when_its_receipt_is_due(
    actor: Any,
) -> None:
    notice = _notice(actor, audience=["sy"])
    due = notice.receipt_due_at
    assert due is not None
    assert services.escalate_unacknowledged(due - dt.timedelta(minutes=1)) == 0
    assert services.escalate_unacknowledged(due) == 1
    assert services.escalate_unacknowledged(due + dt.timedelta(hours=1)) == 0
    notice.refresh_from_db()
    assert notice.escalation_level == "cell_principals"  # the complaint protocol's next level
    escalations = Entry.objects.filter(event_type="deconfliction.notice_escalated")
    assert escalations.count() == 1
    entry = escalations.get()
    assert entry.audience == "|il|sy|us|"
    assert entry.data["missing_receipts"] == ["sy"]
    assert entry.data["grounds"] == "missed_deadline"


def test_an_acknowledged_notice_does_not_escalate(actor: Any) -> None:
    notice = _notice(actor, audience=["sy"])
    services.acknowledge(actor=actor("sy.liaison"), notice=notice)
    assert services.escalate_unacknowledged(notice.receipt_due_at + dt.timedelta(hours=1)) == 0


# --- follow-up cases -----------------------------------------------------------------------


def _site(actor: Any, audience: list[str]) -> Notice:
    now = timezone.now()
    return _notice(
        actor,
        by="sy.liaison",
        activity="static_site",
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=24),
        geometry=SITE,
        audience=audience,
    )


def test_an_incident_near_a_notified_site_during_its_window_opens_one_follow_up_case(
    actor: Any,
) -> None:
    notice = _site(actor, ["il"])
    incident = _report(actor, "il.liaison", NEAR_SITE, audience=["sy", "us"])
    far = _report(actor, "il.liaison", IN_AOS, audience=["sy", "us"])
    now = timezone.now()
    assert services.screen_incidents(now) >= 2
    follow = FollowUp.objects.get(notice=notice)
    assert follow.incident == incident
    assert 200 < follow.distance_m < 400
    case = follow.case
    assert case is not None
    assert case.own_motion_by == "follow-up"
    assert case.complainant is None
    assert case.respondent.code == "il"
    assert case.audience_codes == ["il", "sy", "us"]  # who reads both
    assert not FollowUp.objects.filter(incident=far).exists()
    # Screening again opens nothing new: one case per notice and incident.
    cases = Case.objects.count()
    assert services.screen_incidents(now + dt.timedelta(minutes=1)) == 0
    assert Case.objects.count() == cases
    assert list(selectors.follow_ups_of(actor("il.liaison"), notice)) == [follow]


def test_a_follow_up_case_never_shows_a_notice_to_a_party_that_does_not_read_it(
    actor: Any,
) -> None:
    notice = _site(actor, [])  # Syria and the mediator only
    incident = _report(actor, "il.liaison", NEAR_SITE, audience=["sy", "us"])
    services.screen_incidents(timezone.now())
    follow = FollowUp.objects.get(notice=notice, incident=incident)
    case = follow.case
    assert case is not None
    assert case.audience_codes == ["sy", "us"]
    assert case.respondent.code == "sy"
    il = actor("il.liaison")
    assert not list_cases(il).filter(pk=case.pk).exists()
    assert not FollowUp.objects.restrict(il).filter(pk=follow.pk).exists()
    for entry in Entry.objects.filter(seq__gt=0).order_by("-seq")[:6]:
        if notice.reference in str(entry.data):
            assert "il" not in entry.audience.split("|"), entry.event_type


def test_an_incident_outside_the_window_opens_no_case(actor: Any) -> None:
    now = timezone.now()
    notice = _notice(
        actor,
        by="sy.liaison",
        activity="static_site",
        starts_at=now + dt.timedelta(hours=30),
        ends_at=now + dt.timedelta(hours=40),
        geometry=SITE,
        audience=["il"],
    )
    _report(actor, "il.liaison", NEAR_SITE, audience=["sy", "us"])
    services.screen_incidents(now)
    assert not FollowUp.objects.filter(notice=notice).exists()


# --- missing notices ---------------------------------------------------------------------


def test_an_incident_of_a_notifiable_activity_without_a_covering_notice_is_flagged(
    actor: Any,
) -> None:
    flagged = _report(actor, "sy.liaison", IN_AOS, kind="troop_movement", acting_party="il")
    services.screen_incidents(timezone.now())
    flag = MissingNotice.objects.get(incident=flagged)
    assert (flag.activity, flag.party_code) == ("troop_movement", "il")
    assert flag.audience == flagged.audience
    assert Entry.objects.filter(event_type="deconfliction.missing_notice_flagged").exists()
    assert selectors.list_missing(actor("sy.liaison")).filter(pk=flag.pk).exists()
    assert not selectors.list_missing(actor("donor")).filter(pk=flag.pk).exists()


def test_a_covering_notice_its_readers_share_clears_the_flag(actor: Any) -> None:
    now = timezone.now()
    route = {"type": "LineString", "coordinates": [[35.80, 33.12], [35.85, 33.13]]}
    _notice(
        actor,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=3),
        geometry=route,
        audience=["sy", "undof"],
    )
    covered = _report(actor, "sy.liaison", IN_AOS, kind="troop_movement", acting_party="il")
    services.screen_incidents(now)
    assert not MissingNotice.objects.filter(incident=covered).exists()


# --- humanitarian actors -----------------------------------------------------------------


def test_the_mediator_notifies_a_humanitarian_convoy_for_an_actor_it_registered(
    actor: Any,
) -> None:
    names = {"en": "Test Relief (fictional)", "ar": "إغاثة تجريبية", "he": "סיוע לבדיקה"}
    with pytest.raises(PermissionDenied):
        services.register_humanitarian(actor=actor("il.liaison"), names=names)
    agency = services.register_humanitarian(actor=actor("mediator"), names=names)
    assert selectors.list_humanitarians(actor("sy.liaison")).filter(pk=agency.pk).exists()
    assert not selectors.list_humanitarians(actor("donor")).filter(pk=agency.pk).exists()
    with pytest.raises(ValidationFailed) as refused:  # the mediator notifies for someone
        _notice(actor, by="mediator", activity="humanitarian_convoy")
    assert "humanitarian" in refused.value.fields
    with pytest.raises(ValidationFailed):  # and only humanitarian activities
        _notice(actor, by="mediator", activity="troop_movement", humanitarian=agency)
    with pytest.raises(ValidationFailed):  # a party does not relay a humanitarian notice
        _notice(actor, humanitarian=agency)
    convoy = _notice(
        actor, by="mediator", activity="humanitarian_convoy", humanitarian=agency,
        audience=["il", "sy"],
    )  # fmt: skip
    assert convoy.humanitarian == agency
    assert convoy.audience_codes == ["il", "sy", "us"]
    assert [r.party.code for r in selectors.receipts_of(convoy)] == ["il", "sy"]


# --- the calendar ----------------------------------------------------------------------------


def test_sensitive_days_recur_every_year_and_export_as_icalendar() -> None:
    spec = services.spec_of(_version())
    assert spec is not None
    found = list(rules.occurrences(spec.sensitive_days, dt.date(2027, 1, 1), dt.date(2027, 12, 31)))
    ids = [o.spec.id for o in found]
    assert "disengagement_anniversary" in ids
    assert "harvest_near_lines" in ids
    assert "eid_al_fitr_2026" not in ids  # a fixed date of another year
    harvest = next(o for o in found if o.spec.id == "harvest_near_lines")
    assert (harvest.first, harvest.last) == (dt.date(2027, 9, 15), dt.date(2027, 10, 14))
    body = texts.calendar_ics(found, key="k", stamp=timezone.now(), host="coordcell")
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert body.endswith("END:VCALENDAR\r\n")
    assert "DTSTART;VALUE=DATE:20270915\r\nDTEND;VALUE=DATE:20271015\r\n" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert "\n" not in body.replace("\r\n", "")


def test_sensitive_days_at_the_calendar_s_first_and_last_years() -> None:
    spec = services.spec_of(_version())
    assert spec is not None
    first = list(rules.occurrences(spec.sensitive_days, dt.date(1, 1, 1), dt.date(1, 12, 31)))
    assert "disengagement_anniversary" in [o.spec.id for o in first]
    last = list(rules.occurrences(spec.sensitive_days, dt.date(9999, 1, 1), dt.date.max))
    harvest = next(o for o in last if o.spec.id == "harvest_near_lines")
    assert harvest.first == dt.date(9999, 9, 15)
    assert harvest.last <= dt.date.max


def test_the_calendar_keeps_any_name_whole_through_a_strict_parser() -> None:
    """Commas, semicolons, backslashes, line breaks and long right-to-left names survive
    the file (escaped and folded by the icalendar library) and read back the same."""
    import dataclasses

    import icalendar

    name = "a,b;c\\d\ne " + "ع" * 60
    spec = dataclasses.replace(
        rules.SensitiveDaySpec("x", {"en": name, "ar": name, "he": name}, date=dt.date(2027, 3, 1)),
        zones=("zone_a", "zone_b"),
    )
    body = texts.calendar_ics(
        [rules.Occurrence(spec, dt.date(2027, 3, 1), dt.date(2027, 3, 2))],
        key="k", stamp=timezone.now(), host="coordcell",
    )  # fmt: skip
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert "\n" not in body.replace("\r\n", "")
    (event,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(event["SUMMARY"]) == name
    assert event.decoded("DTSTART") == dt.date(2027, 3, 1)
    assert event.decoded("DTEND") == dt.date(2027, 3, 3)  # exclusive: the day after the last
    assert "zone_a, zone_b" in str(event["DESCRIPTION"])


def test_an_incident_is_screened_once_even_when_two_runs_meet_it(actor: Any) -> None:
    from coordcell.deconfliction.models import Screening

    notice = _site(actor, ["il"])
    incident = _report(actor, "il.liaison", NEAR_SITE, audience=["sy", "us"])
    console = services.Actor.console("tests")
    now = timezone.now()
    assert services._screen(console, incident.pk, now) is True
    # A second run that read the same list before the first committed finds it taken.
    assert services._screen(console, incident.pk, now) is False
    assert Screening.objects.filter(incident=incident).count() == 1
    assert FollowUp.objects.filter(notice=notice, incident=incident).count() == 1


# --- withdrawal by the notifying party ------------------------------------------------------


def _withdraw_at(monkeypatch: Any, moment: dt.datetime) -> None:
    """The service's clock reads ``moment`` (a withdrawal made then)."""
    monkeypatch.setattr(services.timezone, "now", lambda: moment)


def _state(notice: Notice) -> tuple[int, Any, int]:
    notice.refresh_from_db()
    return Entry.objects.count(), notice.withdrawn_at, Delivery.objects.count()


def test_the_notifying_party_withdraws_its_notice_and_its_readers_see_why(
    actor: Any,
) -> None:
    hook = Webhook.objects.create(
        party=Party.objects.get(code="sy"), url="https://hooks.example/sy", secret="s",
        created_at=timezone.now(),
    )  # fmt: skip
    notice = _notice(actor, audience=["sy"])
    assert list(selectors.awaiting_receipt(actor("sy.liaison"))) == [notice]
    done = services.withdraw_notice(
        actor=actor("il.liaison"), notice=notice, reason="  Convoy cancelled (fictional).  "
    )
    notice.refresh_from_db()
    assert notice.withdrawn_at is not None
    assert notice.withdrawn_by.username == "il.liaison"
    assert notice.withdrawal_reason == "Convoy cancelled (fictional)."
    assert done == notice
    entry = Entry.objects.order_by("-seq").first()
    assert entry.event_type == "deconfliction.notice_withdrawn"
    assert entry.audience == "|il|sy|us|"  # the notice's own audience
    assert entry.data["reason"] == "Convoy cancelled (fictional)."
    assert entry.data["notice"] == notice.reference
    # The webhooks of the parties its submission told are told too.
    assert Delivery.objects.filter(
        webhook=hook,
        subject_type="deconfliction.withdrawal",
        event="deconfliction.notice_withdrawn",
    ).exists()
    # The other party still reads it, withdrawn, and owes no receipt any more.
    seen = selectors.get_notice(actor("sy.liaison"), notice.public_id)
    assert seen.withdrawn_at == notice.withdrawn_at
    assert not selectors.awaiting_receipt(actor("sy.liaison")).exists()
    assert selectors.pending_receipt(actor("sy.liaison"), seen) is None
    feature = texts.feature_of(seen, services.spec_of(_version()))
    assert feature["properties"]["withdrawn_at"] == notice.withdrawn_at.isoformat()
    assert feature["properties"]["withdrawal_reason"] == "Convoy cancelled (fictional)."


@pytest.mark.parametrize(
    ("who", "refusal"),
    [
        ("sy.liaison", PermissionDenied),  # the other party, which reads it
        ("mediator", PermissionDenied),  # reads every notice, notified none of a party's
        ("monitor", PermissionDenied),  # reads it (named in its audience)
        ("il.analyst", PermissionDenied),  # its own party, but does not notify for it
        ("donor", NotFound),  # never reads a notice: as if it did not exist
    ],
)
def test_no_one_but_the_notifying_party_s_liaison_and_principals_withdraws(
    actor: Any, who: str, refusal: type[Exception]
) -> None:
    notice = _notice(actor, audience=["sy", "undof"])
    before = _state(notice)
    with pytest.raises(refusal):
        services.withdraw_notice(actor=actor(who), notice=notice, reason="Cancelled.")
    assert _state(notice) == before
    assert before[1] is None


def test_the_mediator_withdraws_the_humanitarian_notice_it_relayed(actor: Any) -> None:
    agency = services.register_humanitarian(
        actor=actor("mediator"), names={"en": "Test Relief (fictional)"}
    )
    convoy = _notice(
        actor, by="mediator", activity="humanitarian_convoy", humanitarian=agency,
        audience=["il", "sy"],
    )  # fmt: skip
    with pytest.raises(PermissionDenied):  # not the parties it was notified to
        services.withdraw_notice(actor=actor("il.liaison"), notice=convoy, reason="x")
    services.withdraw_notice(actor=actor("mediator"), notice=convoy, reason="Convoy postponed.")
    convoy.refresh_from_db()
    assert convoy.withdrawn_at is not None


@pytest.mark.parametrize(
    "reason",
    ["", "   ", "x" * (services.WITHDRAWAL_REASON_MAX_CHARS + 1)],
    ids=["empty", "blank", "too-long"],
)
def test_a_withdrawal_without_a_reason_or_with_too_long_a_one_writes_nothing(
    actor: Any, reason: str
) -> None:
    notice = _notice(actor, audience=["sy"])
    before = _state(notice)
    with pytest.raises(ValidationFailed) as refused:
        services.withdraw_notice(actor=actor("il.liaison"), notice=notice, reason=reason)
    assert "reason" in refused.value.fields
    assert _state(notice) == before
    # The longest reason allowed is taken.
    longest = "x" * services.WITHDRAWAL_REASON_MAX_CHARS
    services.withdraw_notice(actor=actor("il.liaison"), notice=notice, reason=longest)


def test_a_notice_is_withdrawn_once(actor: Any) -> None:
    notice = _notice(actor, audience=["sy"])
    services.withdraw_notice(actor=actor("il.liaison"), notice=notice, reason="Cancelled.")
    before = _state(notice)
    with pytest.raises(Conflict):
        services.withdraw_notice(actor=actor("il.liaison"), notice=notice, reason="Again.")
    assert _state(notice) == before
    assert notice.withdrawal_reason == "Cancelled."


def test_a_notice_whose_window_has_ended_cannot_be_withdrawn(
    actor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    notice = _notice(actor, audience=["sy"])
    before = _state(notice)
    _withdraw_at(monkeypatch, notice.ends_at)
    with pytest.raises(ValidationFailed) as refused:
        services.withdraw_notice(actor=actor("il.liaison"), notice=notice, reason="Too late.")
    assert "notice" in refused.value.fields
    assert _state(notice) == before
    # A minute before its end, it could still be.
    _withdraw_at(monkeypatch, notice.ends_at - dt.timedelta(minutes=1))
    services.withdraw_notice(actor=actor("il.liaison"), notice=notice, reason="Cut short.")


def test_a_withdrawn_notice_is_not_acknowledged(actor: Any) -> None:
    notice = _notice(actor, audience=["sy"])
    services.withdraw_notice(actor=actor("il.liaison"), notice=notice, reason="Cancelled.")
    before = Entry.objects.count()
    with pytest.raises(Conflict):
        services.acknowledge(actor=actor("sy.liaison"), notice=notice)
    assert Entry.objects.count() == before
    assert Receipt.objects.get(notice=notice).acknowledged_at is None


def test_a_withdrawn_notice_does_not_escalate(actor: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    notice = _notice(actor, audience=["sy"])
    services.withdraw_notice(actor=actor("il.liaison"), notice=notice, reason="Cancelled.")
    standing = _notice(actor, audience=["sy"])
    assert notice.receipt_due_at is not None
    later = standing.receipt_due_at + dt.timedelta(hours=1)
    # Not listed at all: a run of one notice takes the one still standing.
    monkeypatch.setattr(services, "SCREEN_BATCH", 1)
    assert services.escalate_unacknowledged(later) == 1
    standing.refresh_from_db()
    assert standing.escalated_at is not None
    # Nor when a worker listed it before the withdrawal committed (it re-reads it locked).
    assert services._escalate(notice.pk, later) is False
    notice.refresh_from_db()
    assert notice.escalated_at is None
    escalated = Entry.objects.filter(event_type="deconfliction.notice_escalated")
    assert [e.data["notice"] for e in escalated] == [standing.reference]


def test_a_withdrawn_site_opens_no_follow_up_for_an_incident_after_its_withdrawal(
    actor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The notice counted while it stood: an incident before its withdrawal is followed up,
    one after it is not (nothing notified was there any more)."""
    now = timezone.now()
    notice = _site(actor, ["il"])  # its window began an hour ago
    before = _report(actor, "il.liaison", NEAR_SITE, audience=["sy", "us"],
                     occurred_from=now - dt.timedelta(minutes=50))  # fmt: skip
    after = _report(actor, "il.liaison", NEAR_SITE, audience=["sy", "us"],
                    occurred_from=now - dt.timedelta(minutes=5))  # fmt: skip
    with monkeypatch.context() as patched:
        _withdraw_at(patched, now - dt.timedelta(minutes=30))
        services.withdraw_notice(actor=actor("sy.liaison"), notice=notice, reason="Closed.")
    services.screen_incidents(now)
    assert list(FollowUp.objects.filter(notice=notice).values_list("incident", flat=True)) == [
        before.pk
    ]
    assert not FollowUp.objects.filter(incident=after).exists()


def test_a_notice_withdrawn_before_its_window_opened_never_counts(actor: Any) -> None:
    """Withdrawn before its window, a notice covered nothing: not even an incident whose
    span began before the withdrawal and ran into the window."""
    now = timezone.now()
    notice = _site(actor, ["il"])
    Notice.objects.filter(pk=notice.pk).update(  # withdrawn the day before its window
        withdrawn_at=notice.starts_at - dt.timedelta(days=1), withdrawal_reason="Cancelled."
    )
    _report(actor, "il.liaison", NEAR_SITE, audience=["sy", "us"],
            occurred_from=notice.starts_at - dt.timedelta(days=2),
            occurred_until=now - dt.timedelta(minutes=5))  # fmt: skip
    services.screen_incidents(now)
    assert not FollowUp.objects.filter(notice=notice).exists()


def test_a_withdrawn_notice_does_not_cover_a_movement_made_after_its_withdrawal(
    actor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = timezone.now()
    route = {"type": "LineString", "coordinates": [[35.80, 33.12], [35.85, 33.13]]}
    notice = _notice(
        actor,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=3),
        geometry=route,
        audience=["sy", "undof"],
    )
    with monkeypatch.context() as patched:
        _withdraw_at(patched, now - dt.timedelta(minutes=30))
        services.withdraw_notice(actor=actor("il.liaison"), notice=notice, reason="Cancelled.")
    moved = _report(actor, "sy.liaison", IN_AOS, kind="troop_movement", acting_party="il")
    services.screen_incidents(now)
    assert MissingNotice.objects.filter(incident=moved).exists()
