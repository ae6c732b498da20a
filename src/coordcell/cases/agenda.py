"""The cases' automatic source of agenda items (``core.agenda``): every open case with a
deadline the worker found missed is put on the agenda of the talks' meetings on the
tracks the scenario feeds from ``cases.past_deadline``, read by the case's audience."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from coordcell.cases.choices import DeadlineStateChoices
from coordcell.cases.models import Case
from coordcell.core.agenda import AgendaEntry, register_agenda_source
from coordcell.rules import vocabulary, workflow

__all__ = ["past_deadline", "register"]

#: At most this many cases are pulled onto one agenda (the oldest first).
MAX_ITEMS = 20


def past_deadline(now: dt.datetime) -> list[AgendaEntry]:
    """Open cases with at least one missed deadline, oldest lodged first."""
    cases = (
        Case.objects.exclude(state__in=workflow.CLOSED_STATES)
        .filter(deadlines__state=DeadlineStateChoices.EXPIRED, deadlines__due_at__lte=now)
        .distinct()
        .order_by("lodged_at", "pk")[:MAX_ITEMS]
    )
    entries = []
    for case in cases:
        titles = {}
        for language in vocabulary.LANGUAGES:
            with translation.override(language):
                titles[language] = _("Case %(reference)s: a deadline was missed") % {
                    "reference": case.reference
                }
        entries.append(
            AgendaEntry(
                ref=case.reference,
                titles=titles,
                audience=tuple(case.audience_codes),
                link=reverse("cases:case", args=[case.public_id]),
            )
        )
    return entries


def register() -> None:
    register_agenda_source("cases.past_deadline", past_deadline)
