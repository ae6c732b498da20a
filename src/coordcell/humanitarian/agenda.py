"""The detainee files' automatic source of agenda items (``core.agenda``): every file of a
person still detained or missing whose release or access request was missed is put on the
agenda of the talks' meetings on the tracks the scenario feeds from
``humanitarian.missed_requests``. By its reference only, never a name; read by the file's
audience and the meeting's alike (the talks never widen either)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from coordcell.core.agenda import AgendaEntry, register_agenda_source
from coordcell.humanitarian.choices import RequestStateChoices, StatusChoices
from coordcell.humanitarian.models import PersonFile
from coordcell.rules import vocabulary

__all__ = ["missed_requests", "register"]

#: At most this many files are pulled onto one agenda (the longest held first).
MAX_ITEMS = 20

#: The statuses of a person whose file is still open (detained or missing).
OPEN_STATUSES = (StatusChoices.DETAINED, StatusChoices.MISSING, StatusChoices.CHARGED)


def missed_requests(now: dt.datetime) -> list[AgendaEntry]:
    """Open files with a request missed at its deadline, the longest held first."""
    files = (
        PersonFile.objects.filter(status__in=OPEN_STATUSES)
        .filter(requests__state=RequestStateChoices.MISSED, requests__due_at__lte=now)
        .distinct()
        .order_by("since", "pk")[:MAX_ITEMS]
    )
    entries = []
    for file in files:
        titles = {}
        for language in vocabulary.LANGUAGES:
            with translation.override(language):
                titles[language] = _("File %(reference)s: a request's deadline was missed") % {
                    "reference": file.reference
                }
        entries.append(
            AgendaEntry(
                ref=file.reference,
                titles=titles,
                audience=tuple(file.audience_codes),
                link=reverse("humanitarian:file", args=[file.public_id]),
            )
        )
    return entries


def register() -> None:
    register_agenda_source("humanitarian.missed_requests", missed_requests)
