"""Shift handovers: the outgoing officer's note, prefilled from the thread, and the
incoming officer's acknowledgement — the party's own, hidden from everyone else (the
other party and the mediator included) as if missing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from coordcell.accounts.models import User
from coordcell.agreements.selectors import get_version
from coordcell.cases import handover, hotline, thread
from coordcell.cases.models import Handover
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.parties.models import Delegation, Membership, Party
from coordcell.record.models import Entry
from coordcell.record.selectors import list_visible_entries

pytestmark = pytest.mark.django_db

INCOMING = "IL LO-INCOMING"


def _incoming() -> Actor:
    """A second Israeli liaison officer (fictional), to take over the desk."""
    user = User.objects.create_user(username="il.liaison2", password="fictional-password-123")
    Membership.objects.create(
        user=user,
        delegation=Delegation.objects.filter(party__code="il").first(),
        role="liaison_officer",
        call_sign=INCOMING,
    )
    return Actor.from_user(user)


def _open_thread(actor: Any) -> None:
    """A call from Syria that Israel answered with a commitment, and one not answered."""
    sy = actor("sy.liaison")
    version = get_version(sy, None, None)
    call = hotline.activate(
        actor=sy,
        callee=Party.objects.get(code="il"),
        channel="radio",
        subject_text="Patrol near the crossing (fictional).",
        version=version,
    )
    thread.post_message(
        actor=actor("il.liaison"),
        activation=call,
        text="Unit on its way (fictional).",
        commitment="unit_dispatched",
        due_at=timezone.now() + dt.timedelta(hours=1),
    )
    hotline.activate(
        actor=sy,
        callee=Party.objects.get(code="il"),
        channel="call",
        subject_text="Smoke seen east of the road (fictional).",
        version=version,
    )


def test_the_note_is_prefilled_from_the_thread_and_acknowledged_by_the_incoming_officer(
    actor: Any,
) -> None:
    incoming = _incoming()
    _open_thread(actor)
    note = handover.hand_over(
        actor=actor("il.liaison"), incoming_call_sign=INCOMING, text="Quiet night (fictional)."
    )
    subjects = {c["subject"] for c in note.open_calls}
    assert "Patrol near the crossing (fictional)." in subjects  # answered, open commitment
    assert "Smoke seen east of the road (fictional)." in subjects  # not answered
    assert [c["kind"] for c in note.open_commitments] == ["unit_dispatched"]
    assert note.audience_codes == ["il"]
    with pytest.raises(PermissionDenied):  # the outgoing officer does not acknowledge it
        handover.acknowledge(actor=actor("il.liaison"), handover=note)
    handover.acknowledge(actor=incoming, handover=note)
    last = Entry.objects.order_by("-seq").first()
    assert last is not None
    assert last.event_type == "cases.handover_acknowledged"
    with pytest.raises(ValidationFailed):
        handover.acknowledge(actor=incoming, handover=note)


def test_a_handover_is_invisible_to_the_other_party_and_to_the_mediator(
    actor: Any, client_for: Any
) -> None:
    _incoming()
    first = Entry.objects.order_by("-seq").first()
    assert first is not None
    note = handover.hand_over(
        actor=actor("il.liaison"), incoming_call_sign=INCOMING, text="Secret note (fictional)."
    )
    for other in ("sy.liaison", "mediator", "monitor"):
        who = actor(other)
        assert not handover.list_handovers(who).exists()
        with pytest.raises(NotFound):
            handover.get_handover(who, note.public_id)
        with pytest.raises(NotFound):
            handover.acknowledge(actor=who, handover=note)
        assert list_visible_entries(who, after=first.seq) == []
        client = client_for(other)
        assert client.get("/api/v1/handovers/").json()["count"] == 0
        missing = client.post(f"/api/v1/handovers/{note.public_id}/acknowledge/")
        unknown = client.post("/api/v1/handovers/00000000-0000-0000-0000-000000000000/acknowledge/")
        assert (missing.status_code, missing.json()) == (unknown.status_code, unknown.json())
        assert missing.status_code == 404
        assert "Secret note" not in client.get("/cases/hotline/handover/").content.decode()
    assert "Secret note" in client_for("il.admin").get("/cases/hotline/handover/").content.decode()


def test_a_bad_handover_writes_nothing(actor: Any) -> None:
    before = (Entry.objects.count(), Handover.objects.count())
    for who, incoming in (
        ("il.liaison", "SY-NOT-OURS"),
        ("il.liaison", ""),
    ):
        with pytest.raises(ValidationFailed):
            handover.hand_over(actor=actor(who), incoming_call_sign=incoming, text="x")
    sy_sign = Membership.objects.filter(user__username="sy.liaison").first().call_sign
    with pytest.raises(ValidationFailed):  # another party's officer
        handover.hand_over(actor=actor("il.liaison"), incoming_call_sign=sy_sign, text="x")
    for who in ("il.analyst", "mediator", "il.admin"):
        with pytest.raises((PermissionDenied, ValidationFailed)):
            handover.hand_over(actor=actor(who), incoming_call_sign=INCOMING, text="x")
    assert (Entry.objects.count(), Handover.objects.count()) == before
