"""Access to land near the lines through the services: a request by reference (never a
name), near the lines, with a window; the other party's receipt and answer (granted,
granted with an escorted window, denied with a reason), once; an unanswered request
climbing the ladder exactly once when due; the counts against an independent count; and
the audience (a request is missing to anyone outside the two parties, the mediators and
the monitors)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.deconfliction import access, jobs, selectors
from coordcell.deconfliction.models import AccessRequest
from coordcell.record.models import Entry

pytestmark = pytest.mark.django_db

#: A field inside the Area of Separation (Quneitra), and one far east of the lines.
FIELD = {"type": "Point", "coordinates": [35.82461, 33.12595]}
FAR = {"type": "Point", "coordinates": [36.3, 32.7]}


def _request(actor: Any, by: str = "sy.liaison", **kw: Any) -> AccessRequest:
    start = timezone.now() + dt.timedelta(days=2)
    values: dict[str, Any] = {
        "answering_party": "il" if by.startswith("sy") else "sy",
        "requester_kind": "farmer",
        "requester_ref": "FARM-0042",
        "purpose": "harvest",
        "geometry": FIELD,
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=8),
        "description": "Olive harvest (fictional exercise).",
        **kw,
    }
    return access.request_access(actor=actor(by), **values)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"requester_ref": "Ahmad Khalil"}, "requester_ref"),  # a name does not fit
        ({"requester_ref": "AHMAD"}, "requester_ref"),  # nor a code without a digit
        ({"requester_ref": "F1"}, "requester_ref"),
        ({"answering_party": "sy"}, "answering_party"),  # not one's own party
        ({"answering_party": "us"}, "answering_party"),
        ({"requester_kind": "soldier"}, "requester_kind"),
        ({"purpose": "picnic"}, "purpose"),
        ({"geometry": FAR}, "geometry"),  # in no zone: not near the lines
        ({"geometry": {"type": "Point", "coordinates": [200, 33]}}, "geometry"),
        ({"geometry": None}, "geometry"),
        ({"geometry": {"type": "LineString", "coordinates": [[35.8, 33.1], [35.82, 33.12]]}},
         "geometry"),
        ({"ends_at": timezone.now() - dt.timedelta(days=1)}, "ends_at"),
        ({"starts_at": dt.datetime(2026, 1, 1)}, "ends_at"),  # no time zone
        ({"description": "x" * 2001}, "description"),
    ],
)  # fmt: skip
def test_a_bad_request_is_refused_before_any_write(
    actor: Any, change: dict[str, Any], field: str
) -> None:
    before = Entry.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        _request(actor, **change)
    assert field in refused.value.fields
    assert Entry.objects.count() == before
    assert not AccessRequest.objects.exists()


def test_only_a_partys_liaison_officers_and_principals_request(actor: Any) -> None:
    for who in ("sy.analyst", "mediator", "monitor", "donor", "observer"):
        with pytest.raises(PermissionDenied):
            _request(actor, by=who, answering_party="il")
    assert not AccessRequest.objects.exists()


def test_granted_with_an_escorted_window_on_the_calendar_of_its_readers(actor: Any) -> None:
    row = _request(actor)
    assert row.requester_ref == "FARM-0042"
    assert row.zones  # the zones it lies in: land near the lines
    assert row.audience == "|il|sy|undof|us|"
    assert list(selectors.awaiting_answer(actor("il.liaison"))) == [row]
    access.acknowledge_access(actor=actor("il.liaison"), request=row)
    with pytest.raises(ValidationFailed):
        access.acknowledge_access(actor=actor("il.liaison"), request=row)
    start = row.starts_at + dt.timedelta(hours=1)
    for bad, field in (
        ({"escort_by": "jo"}, "escort_by"),  # Jordan's observers do not read it
        ({"escort_by": "undof", "window_ends_at": start - dt.timedelta(hours=1)},
         "window_ends_at"),
        ({"escort_by": ""}, "escort_by"),
    ):  # fmt: skip
        values = {"window_starts_at": start, "window_ends_at": start + dt.timedelta(hours=4),
                  **bad}  # fmt: skip
        with pytest.raises(ValidationFailed) as refused:
            access.answer_access(
                actor=actor("il.liaison"), request=row, answer="granted_escorted", **values
            )
        assert field in refused.value.fields
    for who in ("sy.liaison", "il.analyst", "mediator"):
        with pytest.raises(PermissionDenied):
            access.answer_access(actor=actor(who), request=row, answer="granted")
    answered = access.answer_access(
        actor=actor("il.liaison"),
        request=row,
        answer="granted_escorted",
        window_starts_at=start,
        window_ends_at=start + dt.timedelta(hours=4),
        escort_by="undof",
    )
    assert (answered.window_starts_at, answered.escort_by) == (start, "undof")
    with pytest.raises(ValidationFailed):
        access.answer_access(actor=actor("il.liaison"), request=row, answer="denied", reason="x")
    entry = Entry.objects.filter(event_type="deconfliction.access_answered").get()
    assert entry.audience == row.audience
    assert entry.data["escort_by"] == "undof"
    assert not selectors.awaiting_answer(actor("il.liaison")).exists()
    around = (start - dt.timedelta(days=1), start + dt.timedelta(days=1))
    for who in ("il.liaison", "sy.liaison", "mediator", "monitor"):
        assert list(selectors.access_windows(actor(who), *around)) == [row]
    for who in ("donor", "observer", "outsider"):
        assert not selectors.access_windows(actor(who), *around).exists()
        with pytest.raises(NotFound):
            selectors.get_access(actor(who), row.public_id)


def test_a_denial_gives_its_reason_and_opens_no_window(actor: Any) -> None:
    row = _request(actor)
    with pytest.raises(ValidationFailed) as refused:
        access.answer_access(actor=actor("il.liaison"), request=row, answer="denied")
    assert "reason" in refused.value.fields
    with pytest.raises(ValidationFailed):  # a window belongs to an escorted grant only
        access.answer_access(
            actor=actor("il.liaison"), request=row, answer="denied", reason="x", escort_by="undof"
        )
    denied = access.answer_access(
        actor=actor("il.liaison"),
        request=row,
        answer="denied",
        reason="Live-fire training in the area that day (fictional exercise).",
    )
    assert denied.window_starts_at is None
    assert denied.received_at is not None  # an answer is a receipt
    assert not selectors.access_windows(actor("sy.liaison"), None, None).exists()
    plain = _request(actor, requester_ref="FARM-0043")
    granted = access.answer_access(actor=actor("il.liaison"), request=plain, answer="granted")
    assert (granted.window_starts_at, granted.window_ends_at) == (plain.starts_at, plain.ends_at)


def test_an_unanswered_request_climbs_the_ladder_exactly_once_when_due(actor: Any) -> None:
    row = _request(actor)
    answered = _request(actor, requester_ref="FARM-0044")
    access.answer_access(actor=actor("il.liaison"), request=answered, answer="granted")
    due = row.answer_due_at
    assert due == row.submitted_at + dt.timedelta(hours=12)  # the arrangement's receipt time
    assert access.escalate_unanswered(due - dt.timedelta(minutes=1)) == 0
    assert jobs.receipts_job(due) == 1  # the worker's receipts job climbs it
    assert access.escalate_unanswered(due + dt.timedelta(hours=1)) == 0
    row.refresh_from_db()
    answered.refresh_from_db()
    assert row.escalation_level == "cell_principals"
    assert answered.escalated_at is None
    (entry,) = Entry.objects.filter(event_type="deconfliction.access_escalated")
    assert entry.audience == row.audience
    assert entry.data["grounds"] == "missed_deadline"
    assert entry.data["received"] is False
    # Answered late, after the climb: counted as late.
    access.answer_access(
        actor=actor("il.liaison"), request=row, answer="granted", now=due + dt.timedelta(hours=2)
    )
    row.refresh_from_db()
    assert row.answered_at > row.answer_due_at


def test_access_counts_against_an_independent_count_and_the_audience(actor: Any) -> None:
    now = timezone.now()
    since, until = now - dt.timedelta(hours=1), now + dt.timedelta(hours=1)
    rows = [_request(actor, requester_ref=f"FARM-{n:04}") for n in range(4)]
    rows.append(_request(actor, by="il.liaison", requester_ref="HERD-0001", purpose="grazing"))
    access.answer_access(actor=actor("il.liaison"), request=rows[0], answer="granted")
    access.answer_access(actor=actor("il.liaison"), request=rows[1], answer="denied", reason="r")
    start = rows[2].starts_at
    access.answer_access(
        actor=actor("il.liaison"), request=rows[2], answer="granted_escorted",
        window_starts_at=start, window_ends_at=start + dt.timedelta(hours=2), escort_by="il",
    )  # fmt: skip
    access.escalate_unanswered(now + dt.timedelta(hours=13))
    access.answer_access(  # answered after its deadline: counted late
        actor=actor("il.liaison"), request=rows[3], answer="granted",
        now=now + dt.timedelta(hours=14),
    )  # fmt: skip
    for who in ("il.liaison", "sy.liaison", "mediator", "monitor", "donor", "observer"):
        counts = selectors.access_counts(actor(who), since=since, until=until)
        readable = [r for r in AccessRequest.objects.all() if selectors.list_access(actor(who))
                    .filter(pk=r.pk).exists()]  # fmt: skip
        expected = {
            "requests": len(readable),
            "granted": sum(r.answer == "granted" for r in readable),
            "granted_escorted": sum(r.answer == "granted_escorted" for r in readable),
            "denied": sum(r.answer == "denied" for r in readable),
            "unanswered": sum(r.answer == "" for r in readable),
            "escalated": sum(r.escalated_at is not None for r in readable),
            "answered_late": sum(
                r.answered_at is not None and r.answered_at > r.answer_due_at for r in readable
            ),
        }
        assert {k: counts[k] for k in expected} == expected, who
    full = selectors.access_counts(actor("mediator"), since=since, until=until)
    assert (full["requests"], full["unanswered"], full["escalated"]) == (5, 1, 2)
    assert full["answered_late"] == 1
    assert full["by_answering_party"]["il"]["requests"] == 4
    assert selectors.access_counts(actor("donor"), since=since, until=until)["requests"] == 0
