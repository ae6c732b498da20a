"""The drill of issue 5, on the services: a complaint nobody answers climbs the ladder.

An Israeli liaison officer lodges a complaint about an incident in the Area of
Separation; the Syrian delegation and the mediator have it in their inboxes at the same
moment; nobody answers; the worker, run at the deadline plus one minute, writes "no
reply" and escalates; the case's chain lists every step with its record entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail

from coordcell.agreements.selectors import get_version
from coordcell.cases import selectors
from coordcell.cases.models import Deadline, Notification
from coordcell.cases.services import act, expire_due, lodge_complaint
from coordcell.core.worker import run_pass
from coordcell.incidents.services import IncidentInput, report_incident
from coordcell.record.models import Entry

pytestmark = pytest.mark.django_db

#: A point inside the Area of Separation (see the scenario's zones).
IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}


def _incident(actor: Any) -> Any:
    liaison = actor("il.liaison")
    return report_incident(
        actor=liaison,
        data=IncidentInput(
            kind="military_presence",
            title="Armed personnel seen in the Area of Separation (fictional drill)",
            occurred_from=dt.datetime(2026, 3, 1, 6, 30, tzinfo=dt.UTC),
            geometry=IN_AOS,
            uncertainty_m=50,
        ),
        version=get_version(liaison, None, None),
        audience=["il", "sy", "us", "undof"],
    )


def test_the_drill(actor: Any) -> None:
    incident = _incident(actor)
    assert "area_of_separation_approx" in incident.zones
    assert incident.findings, "the engine finds a clause for a presence in the AoS"
    case = lodge_complaint(
        actor=actor("il.liaison"),
        incident=incident,
        respondent="sy",
        summary="Armed personnel in the Area of Separation (fictional drill).",
    )
    # Delivered at once, at the same moment, to the other party and the mediator.
    notes = list(Notification.objects.filter(case=case).select_related("recipient"))
    names = {n.recipient.username for n in notes}
    assert {"sy.liaison", "mediator"} <= names
    assert "il.liaison" not in names  # not told of one's own step
    assert len({n.created_at for n in notes}) == 1
    assert selectors.get_case(actor("sy.liaison"), case.public_id) == case
    # Nobody answers: the worker runs one minute after the acknowledgement deadline.
    ack = Deadline.objects.get(case=case, kind="acknowledge")
    handled = run_pass(ack.due_at + dt.timedelta(minutes=1), name="drill", started_at=ack.due_at)
    assert handled["cases.deadlines"] >= 1
    case.refresh_from_db()
    assert case.level == 1
    steps = list(selectors.list_steps(case))
    assert [s.action for s in steps] == ["lodge", "no_reply", "escalate"]
    assert [s.entry.event_type for s in steps] == [
        "cases.complaint_lodged",
        "cases.no_reply",
        "cases.escalated",
    ]
    assert steps[1].entry.data["deadline"] == "acknowledge"
    assert steps[2].entry.data["to_level"] == "cell_principals"
    ack.refresh_from_db()
    assert ack.state == "expired"
    # The principals at the next level are told.
    told = set(
        Notification.objects.filter(step=steps[2]).values_list("recipient__username", flat=True)
    )
    assert "mediator" in told
    # Running the worker again at the same moment does nothing more to this case.
    expire_due(ack.due_at + dt.timedelta(minutes=1))
    assert [s.action for s in selectors.list_steps(case)] == ["lodge", "no_reply", "escalate"]
    escalations = Entry.objects.filter(event_type="cases.escalated", data__case=case.reference)
    assert escalations.count() == 1


def test_a_reply_in_time_stops_the_clock(actor: Any) -> None:
    incident = _incident(actor)
    case = lodge_complaint(
        actor=actor("il.liaison"),
        incident=incident,
        respondent="sy",
        summary="Drill complaint",
    )
    act(actor=actor("sy.liaison"), case=case, action="acknowledge")
    act(
        actor=actor("sy.liaison"),
        case=case,
        action="answer",
        text="Our forces were not there (fictional).",
    )
    answer = Deadline.objects.get(case=case, kind="answer")
    assert answer.state == "met"
    level = Deadline.objects.get(case=case, kind="level", state="open")
    expire_due(answer.due_at + dt.timedelta(minutes=1))  # only the level timer is left
    case.refresh_from_db()
    assert case.level == 0  # time at a level is no failure: a review reminder, no climb
    assert [s.action for s in selectors.list_steps(case)] == [
        "lodge",
        "acknowledge",
        "answer",
        "review_due",
    ]
    level.refresh_from_db()
    assert level.state == "expired"
    assert len(mail.outbox) == 0  # the demo personas have no e-mail addresses


def test_a_late_reply_does_not_meet_the_deadline(actor: Any) -> None:
    """Answering after the deadline (before the worker ran) still records the miss first."""
    from unittest import mock

    incident = _incident(actor)
    case = lodge_complaint(
        actor=actor("il.liaison"),
        incident=incident,
        respondent="sy",
        summary="Late reply drill (fictional)",
    )
    ack = Deadline.objects.get(case=case, kind="acknowledge")
    late = ack.due_at + dt.timedelta(minutes=5)
    with mock.patch("coordcell.cases.services.timezone.now", return_value=late):
        act(actor=actor("sy.liaison"), case=case, action="acknowledge")
    ack.refresh_from_db()
    assert ack.state == "expired"
    assert [s.action for s in selectors.list_steps(case)] == [
        "lodge",
        "no_reply",
        "escalate",
        "acknowledge",
    ]
