"""Inspections on the arrangement's schedule: a party's request (due within the hours the
inspection clause sets), a monitor's report by element checked against the caps, access
denials and restrictions of movement with place and time — read by both parties, the
mediator and the monitors, by no one else."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from coordcell.agreements.selectors import get_version
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.record.models import Entry
from coordcell.verification import inspections, selectors
from coordcell.verification.models import AccessDenial, InspectionReport, InspectionRequest

pytestmark = pytest.mark.django_db

#: The inspection clause's zones in the default scenario (its data, read in the tests).
AOS = "area_of_separation_approx"
AOL = "aol_B_0_10km"
QUNEITRA = {"type": "Point", "coordinates": [35.82461, 33.12595]}


def _version(actor: Any) -> Any:
    return get_version(actor("monitor"), None, None)


def _file(actor: Any, **kwargs: Any) -> InspectionReport:
    values: dict[str, Any] = {
        "zone": AOL,
        "inspected_at": timezone.now() - dt.timedelta(minutes=10),
        "holdings": [
            {"party": "sy", "category": "tanks", "count": 80},
            {"party": "sy", "category": "personnel", "count": 5200},
        ],
        "summary": "Routine inspection (fictional exercise)",
        **kwargs,
    }
    return inspections.file_report(actor=actor("monitor"), version=_version(actor), **values)


def test_a_report_over_a_cap_has_a_finding_with_the_clauses_status_and_no_severity(
    actor: Any,
) -> None:
    report = _file(actor)
    assert len(report.findings) == 1
    finding = report.findings[0]
    assert finding["clause"] == "AOL-10"
    assert finding["party"] == "sy"
    assert finding["params"]["count"] == 80
    assert finding["params"]["limit"] == 75
    # AOL-10 is disputed in the scenario: a finding under it has no severity.
    assert finding["status"] == "disputed"
    assert finding["severity"] is None
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.event_type == "verification.report_filed"
    assert entry.audience == report.audience


def test_a_report_within_the_caps_finds_nothing(actor: Any) -> None:
    report = _file(
        actor, holdings=[{"party": "il", "category": "tanks", "count": 75}], zone="aol_A_0_10km"
    )
    assert report.findings == []


def test_reports_are_read_by_both_parties_the_mediator_and_the_monitors_only(actor: Any) -> None:
    report = _file(actor)
    assert set(report.audience_codes) >= {"il", "sy", "us", "undof"}
    for reader in ("il.liaison", "sy.analyst", "mediator", "monitor"):
        assert selectors.get_report(actor(reader), report.public_id) == report
    for outsider in ("donor", "observer"):
        with pytest.raises(NotFound):
            selectors.get_report(actor(outsider), report.public_id)
        assert not selectors.list_reports(actor(outsider)).exists()


def test_only_monitors_file_reports_and_bad_elements_write_nothing(actor: Any) -> None:
    before = (InspectionReport.objects.count(), Entry.objects.count())
    for other in ("il.liaison", "mediator", "sy.admin"):
        with pytest.raises(PermissionDenied):
            _file(lambda _u, o=other: actor(o))
    bad = [
        [],
        [{"party": "us", "category": "tanks", "count": 1}],
        [{"party": "sy", "category": "helicopters", "count": 1}],
        [{"party": "sy", "category": "tanks", "count": -1}],
        [{"party": "sy", "category": "tanks", "count": 1.5}],
        [{"party": "sy", "category": "tanks", "count": float("nan")}],
        [{"party": "sy", "category": "tanks", "count": True}],
        [
            {"party": "sy", "category": "tanks", "count": 1},
            {"party": "sy", "category": "tanks", "count": 2},
        ],
        "tanks",
    ]
    for holdings in bad:
        with pytest.raises(ValidationFailed) as refused:
            _file(actor, holdings=holdings)
        assert "holdings" in refused.value.fields
    with pytest.raises(ValidationFailed):
        _file(actor, zone="economic_zone")
    with pytest.raises(ValidationFailed):
        _file(actor, inspected_at=timezone.now() + dt.timedelta(days=1))
    assert (InspectionReport.objects.count(), Entry.objects.count()) == before


def test_a_request_is_due_within_the_hours_the_clause_sets_and_a_report_answers_it(
    actor: Any,
) -> None:
    request = inspections.request_inspection(
        actor=actor("il.liaison"),
        version=_version(actor),
        zone=AOS,
        reason="Reported works (fictional exercise)",
    )
    assert request.due_at is not None
    hours = (request.due_at - request.requested_at).total_seconds() / 3600
    assert hours == 48  # the scenario's on_request_within_hours
    assert request in list(selectors.open_requests(actor("sy.liaison")))
    with pytest.raises(PermissionDenied):
        inspections.request_inspection(
            actor=actor("monitor"), version=_version(actor), zone=AOS, reason="x"
        )
    with pytest.raises(ValidationFailed):
        inspections.request_inspection(
            actor=actor("sy.liaison"), version=_version(actor), zone="economic_zone", reason="x"
        )
    report = _file(
        actor,
        zone=AOS,
        holdings=[{"party": "il", "category": "personnel", "count": 0}],
        request=request,
    )
    request.refresh_from_db()
    assert request.report == report
    assert request not in list(selectors.open_requests(actor("sy.liaison")))
    with pytest.raises(ValidationFailed):  # answered once
        _file(
            actor,
            zone=AOS,
            holdings=[{"party": "il", "category": "personnel", "count": 0}],
            request=request,
        )


def test_the_schedule_shows_what_is_due_and_overdue(actor: Any) -> None:
    version = _version(actor)
    later = timezone.now() + dt.timedelta(days=16)
    rows = {r.zone: r for r in selectors.schedule(actor("il.liaison"), version, now=later)}
    assert set(rows) == {AOS, AOL, "aol_A_0_10km"}
    assert all(r.status == "overdue" for r in rows.values())
    report = _file(actor)
    rows = {r.zone: r for r in selectors.schedule(actor("il.liaison"), version, now=later)}
    assert rows[AOL].last_inspected_at == report.inspected_at
    assert rows[AOL].due_at == report.inspected_at + dt.timedelta(days=15)
    assert rows[AOL].status == "overdue"
    assert rows[AOS].status == "overdue"
    soon = timezone.now() + dt.timedelta(days=13)
    rows = {r.zone: r for r in selectors.schedule(actor("il.liaison"), version, now=soon)}
    assert rows[AOL].status == "due"  # within 72 hours
    assert {r.status for r in selectors.schedule(actor("il.liaison"), version)} == {"scheduled"}


def test_an_access_denial_is_recorded_with_a_validated_place_and_time(actor: Any) -> None:
    version = _version(actor)
    denial = inspections.record_denial(
        actor=actor("monitor"),
        version=version,
        kind="denial",
        place=QUNEITRA,
        occurred_at=timezone.now() - dt.timedelta(hours=1),
        description="Patrol turned back at a checkpoint (fictional exercise)",
        party="sy",
    )
    assert denial.zones == [AOS]
    assert list(selectors.denials_for_scorecard(actor("il.liaison")))[-1][:2] == ("sy", "denial")
    with pytest.raises(NotFound):
        selectors.get_denial(actor("donor"), denial.public_id)
    before = (AccessDenial.objects.count(), Entry.objects.count())
    for place in (
        {"type": "Point", "coordinates": [0.0, 0.0]},
        {"type": "LineString", "coordinates": [[35.8, 33.1], [35.9, 33.2]]},
    ):
        with pytest.raises(ValidationFailed):
            inspections.record_denial(
                actor=actor("monitor"), version=version, kind="denial", place=place,
                occurred_at=timezone.now(), description="x",
            )  # fmt: skip
    with pytest.raises(PermissionDenied):
        inspections.record_denial(
            actor=actor("sy.liaison"), version=version, kind="denial", place=QUNEITRA,
            occurred_at=timezone.now(), description="x",
        )  # fmt: skip
    assert (AccessDenial.objects.count(), Entry.objects.count()) == before
    assert InspectionRequest.objects.count() >= 0


def test_denials_and_restrictions_count_in_the_compliance_scorecard(actor: Any) -> None:
    from coordcell.cases.scorecard import period_of, scorecard

    version = _version(actor)
    now = timezone.now()
    month = period_of(now - dt.timedelta(hours=1), "month")

    def counts(reader: str) -> tuple[int, int]:
        card = {p["party"]: p["months"] for p in scorecard(actor(reader))["parties"]}
        row = card["il"].get(month, {})
        return row.get("monitor_access_denied", 0), row.get("monitor_movement_restricted", 0)

    before = counts("sy.liaison")
    for kind in ("denial", "restriction", "restriction"):
        inspections.record_denial(
            actor=actor("monitor"), version=version, kind=kind, place=QUNEITRA,
            occurred_at=now - dt.timedelta(hours=1),
            description="Scorecard drill (fictional)", party="il",
        )  # fmt: skip
    assert counts("sy.liaison") == (before[0] + 1, before[1] + 2)
    assert counts("mediator") == counts("sy.liaison")
