"""The talks' meetings as an iCalendar (RFC 5545) file, built with ``icalendar``.

Each meeting the reader may see is one VEVENT: its reference in the summary with its
title, its place as the agreed lexicon names it, its tracks as categories, its start
and end in UTC (the pages show them in the arrangement's time zone), and, in the
description, the media line once its embargo has passed. Nothing confidential to the
attendees (the attendee list, the logistics) is ever in the file: a calendar leaves the
cell for phones and mail clients.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import icalendar
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coordcell.core.actor import Actor
from coordcell.talks import selectors
from coordcell.talks.choices import MeetingStateChoices
from coordcell.talks.models import Meeting

__all__ = ["MAX_EVENTS", "calendar_ics"]

#: The calendar holds at most this many meetings (the latest).
MAX_EVENTS = 500


def calendar_ics(actor: Actor, meetings: Iterable[Meeting], *, host: str, name: str) -> bytes:
    """The meetings as an RFC 5545 calendar (CRLF lines, folded at 75 octets)."""
    language = get_language() or "en"
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//coordcell//talks//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    names: dict[int, dict[str, str]] = {}
    for meeting in meetings:
        tracks = names.setdefault(meeting.version_id, selectors.track_names(meeting.version))
        event = icalendar.Event()
        event.add("uid", f"{meeting.public_id}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.starts_at.astimezone(dt.UTC))
        event.add("dtend", meeting.ends_at.astimezone(dt.UTC))
        event.add("summary", f"{meeting.reference} · {meeting.title}")
        event.add("location", selectors.venue_name(meeting.version, meeting.venue, language))
        event.add("categories", [tracks.get(t, t) for t in meeting.tracks])
        event.add(
            "status",
            "CANCELLED" if meeting.state == MeetingStateChoices.CANCELLED else "CONFIRMED",
        )
        lines = [", ".join(tracks.get(t, t) for t in meeting.tracks)]
        line = selectors.media_line_of(actor, meeting)
        if line is not None and not line.embargoed:
            lines.append(_("Media line: %(text)s") % {"text": line.text})
        event.add("description", "\n".join(lines))
        calendar.add_component(event)
    return bytes(calendar.to_ical())
