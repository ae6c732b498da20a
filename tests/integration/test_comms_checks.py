"""Daily communications checks of the hotline's links: one end sends, the other answers
within the hotline protocol's minutes, the worker marks a late one failed — seen by both
ends and the mediator, by no one else."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from coordcell.agreements.selectors import get_version
from coordcell.cases import comms
from coordcell.cases.models import CommsCheck
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.core.worker import registered_jobs
from coordcell.parties.models import Party
from coordcell.record.models import Entry

pytestmark = pytest.mark.django_db


def _send(actor: Any, sender: str, to: str) -> CommsCheck:
    who = actor(sender)
    return comms.send_check(
        actor=who, to_party=Party.objects.get(code=to), version=get_version(who, None, None)
    )


def test_the_answer_time_is_the_hotline_protocols(actor: Any) -> None:
    check = _send(actor, "il.liaison", "sy")
    # southern_syria_2026's hotline protocol: comms_check_answer_minutes = 15.
    assert check.answer_due_at - check.sent_at == dt.timedelta(minutes=15)
    assert set(check.audience_codes) >= {"il", "sy"}
    assert "donor_a" not in check.audience_codes
    with pytest.raises(PermissionDenied):  # the sender's own party does not answer it
        comms.answer_check(actor=actor("il.liaison"), check=check)
    with pytest.raises(NotFound):
        comms.answer_check(actor=actor("donor"), check=check)
    answered = comms.answer_check(actor=actor("sy.liaison"), check=check)
    assert answered.state == comms.ANSWERED
    last = Entry.objects.order_by("-seq").first()
    assert last is not None
    assert last.event_type == "cases.comms_check_answered"


def test_a_late_check_is_marked_failed_by_the_worker_and_seen_by_both_ends_and_the_mediator(
    actor: Any, client_for: Any
) -> None:
    check = _send(actor, "sy.liaison", "il")
    job = next(j for j in registered_jobs() if j.name == "cases.comms_checks")
    assert job.func(check.answer_due_at - dt.timedelta(seconds=1)) == 0
    assert job.func(check.answer_due_at) == 1
    assert job.func(check.answer_due_at + dt.timedelta(minutes=5)) == 0  # claimed once
    check.refresh_from_db()
    assert check.state == comms.FAILED
    last = Entry.objects.order_by("-seq").first()
    assert last is not None
    assert last.event_type == "cases.comms_check_failed"
    assert last.actor_name == "console:worker"
    with pytest.raises(ValidationFailed):  # too late to answer it now
        comms.answer_check(actor=actor("il.liaison"), check=check)
    for reader in ("il.liaison", "sy.liaison", "mediator"):
        assert comms.list_checks(actor(reader)).get(pk=check.pk).state == comms.FAILED
        day = check.sent_at.date().isoformat()
        page = client_for(reader).get(f"/cases/hotline/checks/?day={day}").content.decode()
        assert "failed" in page
    for outsider in ("donor", "observer"):
        assert not comms.list_checks(actor(outsider)).filter(pk=check.pk).exists()
        with pytest.raises(NotFound):
            comms.get_check(actor(outsider), check.public_id)


def test_a_bad_check_writes_nothing(actor: Any) -> None:
    before = (Entry.objects.count(), CommsCheck.objects.count())
    with pytest.raises(ValidationFailed):
        _send(actor, "il.liaison", "il")  # to itself
    with pytest.raises(ValidationFailed):
        _send(actor, "il.liaison", "donor_a")  # not an end of a hotline link
    for who in ("il.analyst", "monitor", "il.admin"):
        with pytest.raises(PermissionDenied):
            _send(actor, who, "sy")
    assert (Entry.objects.count(), CommsCheck.objects.count()) == before


def test_the_api_lists_the_days_checks_and_answers_one(actor: Any, client_for: Any) -> None:
    sent = client_for("mediator").post(
        "/api/v1/comms-checks/", {"to_party": "sy"}, content_type="application/json"
    )
    assert sent.status_code == 201, sent.content
    check_id = sent.json()["id"]
    today = timezone.now().date().isoformat()
    listed = client_for("sy.liaison").get(f"/api/v1/comms-checks/?day={today}").json()
    assert check_id in [c["id"] for c in listed["results"]]
    assert client_for("il.liaison").post(
        f"/api/v1/comms-checks/{check_id}/answer/"
    ).status_code in (403, 404)
    answered = client_for("sy.liaison").post(f"/api/v1/comms-checks/{check_id}/answer/")
    assert answered.status_code == 200
    assert answered.json()["state"] == "answered"
    bad_day = client_for("sy.liaison").get("/api/v1/comms-checks/?day=yesterday")
    assert bad_day.status_code == 400
