"""The talks' writers: one service per intent (permission → validation → rows → record
entry, in one transaction)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from coordcell.core.actor import Actor
from coordcell.record.services import append_event, subject
from coordcell.talks import events
from coordcell.talks.choices import RequestStateChoices
from coordcell.talks.models import MeetingRequest

__all__ = ["lapse_unanswered_requests"]


def lapse_unanswered_requests(now: dt.datetime) -> int:
    """The worker: each request for a meeting still unanswered at its deadline is marked
    lapsed, on the record (read by the requesting party and the mediators)."""
    worker = Actor.console("worker")
    done = 0
    due = MeetingRequest.objects.filter(
        state=RequestStateChoices.PENDING, answer_due_at__lte=now
    ).values_list("pk", flat=True)
    for pk in list(due[:200]):
        with transaction.atomic():
            claimed = MeetingRequest.objects.filter(
                pk=pk, state=RequestStateChoices.PENDING
            ).update(state=RequestStateChoices.LAPSED, answered_at=now)
            if not claimed:
                continue
            request = MeetingRequest.objects.get(pk=pk)
            append_event(
                actor=worker,
                event_type=events.REQUEST_LAPSED,
                data={"reference": request.reference, "due": request.answer_due_at.isoformat()},
                subjects=[subject("talks.request", request.public_id, request.reference)],
                audience=request.audience_codes,
            )
            done += 1
    return done
