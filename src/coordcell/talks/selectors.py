"""Reads of the talks, always restricted to the caller (hidden looks like missing)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from coordcell.agreements import selectors as agreements
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound
from coordcell.parties import selectors as parties
from coordcell.rules import lexicon as lexicon_rules
from coordcell.rules import vocabulary
from coordcell.rules.arrangement import TalksSpec, talks_from_content
from coordcell.talks.choices import AgendaStateChoices, MeetingStateChoices
from coordcell.talks.models import (
    AgendaItem,
    CalendarSubscription,
    DelegationNote,
    MediaLine,
    Meeting,
    MeetingRequest,
    Minutes,
    MinutesApproval,
    Participant,
)
from coordcell.talks.services import token_hash

if TYPE_CHECKING:
    from coordcell.agreements.models import ArrangementVersion

__all__ = [
    "TrackRow",
    "agenda_of",
    "approvals_of",
    "current_spec",
    "find_subscription",
    "get_meeting",
    "get_request",
    "list_meetings",
    "list_requests",
    "media_line_of",
    "minutes_of",
    "notes_of",
    "own_members",
    "participants_of",
    "party_choices",
    "released_media_lines",
    "subscriptions_of",
    "track_board",
    "track_names",
    "venue_name",
]


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def current_spec(actor: Actor) -> tuple[ArrangementVersion, TalksSpec | None]:
    """The current arrangement version and its talks (None: it states none)."""
    version = agreements.get_version(actor, None, None)
    return version, talks_from_content(version.content.get("talks"))


def track_names(version: ArrangementVersion) -> dict[str, str]:
    """Track id → its name in the current language."""
    from coordcell.core.models import localized_now

    spec = talks_from_content(version.content.get("talks"))
    return {t.id: localized_now(dict(t.name)) for t in spec.tracks} if spec else {}


def venue_name(version: ArrangementVersion, venue: str, language: str) -> str:
    """A place's name as the agreed lexicon gives it (the place id where it has none)."""
    names = agreements.lexicon_of(version).get("places", {}).get(venue)
    return lexicon_rules.name_in(names, language, venue)


def list_meetings(
    actor: Actor, *, track: str = "", state: str = "", upcoming: bool | None = None
) -> QuerySet[Meeting]:
    qs = Meeting.objects.restrict(actor).select_related("version")
    if track:
        # JSON list membership, the same on SQLite and PostgreSQL: the track id is quoted.
        qs = qs.filter(tracks__icontains=f'"{track}"')
    if state:
        qs = qs.filter(state=state)
    if upcoming is True:
        qs = qs.filter(ends_at__gte=timezone.now())
    elif upcoming is False:
        qs = qs.filter(ends_at__lt=timezone.now())
    return qs.order_by("-starts_at", "-pk")


def get_meeting(actor: Actor, public_id: Any) -> Meeting:
    key = _uuid(public_id)
    meeting = (
        Meeting.objects.restrict(actor).select_related("version").filter(public_id=key).first()
        if key
        else None
    )
    if meeting is None:
        raise NotFound()
    found: Meeting = meeting
    return found


def agenda_of(actor: Actor, meeting: Meeting) -> QuerySet[AgendaItem]:
    return (
        AgendaItem.objects.restrict(actor)
        .filter(meeting=meeting)
        .select_related("carried_from__meeting")
        .order_by("position")
    )


def numbered_agenda(actor: Actor, meeting: Meeting) -> list[AgendaItem]:
    """The agenda as ``actor`` reads it, each item numbered among the items it may read
    (``item.number``, from 1): the stored order, never a count of the hidden items."""
    items = list(agenda_of(actor, meeting))
    for number, item in enumerate(items, start=1):
        item.number = number  # type: ignore[attr-defined]
    return items


def agenda_item_numbered(actor: Actor, meeting: Meeting, number: int) -> AgendaItem:
    """The item ``actor`` reads as number ``number`` of the agenda, else NotFound."""
    items = numbered_agenda(actor, meeting)
    if not 1 <= number <= len(items):
        raise NotFound()
    return items[number - 1]


def participants_of(actor: Actor, meeting: Meeting) -> list[dict[str, str]]:
    """The attendees the actor may know of: party and call sign (the name too for the
    actor's own party)."""
    rows = list(
        Participant.objects.restrict(actor)
        .filter(meeting=meeting)
        .select_related("user")
        .order_by("party_code", "pk")
    )
    signs = parties.call_signs_of(r.user_id for r in rows)
    return [
        {
            "party": r.party_code,
            "call_sign": signs.get(r.user_id, ""),
            "name": r.user.get_full_name() or r.user.get_username()
            if r.party_code == actor.party_code
            else "",
        }
        for r in rows
    ]


def minutes_of(actor: Actor, meeting: Meeting) -> Minutes | None:
    return Minutes.objects.restrict(actor).filter(meeting=meeting).select_related("text").first()


def approvals_of(minutes: Minutes) -> QuerySet[MinutesApproval]:
    """The approvals of the minutes' current revision (read by who reads the minutes)."""
    return minutes.approvals.filter(revision=minutes.text.revision).order_by("at", "pk")


def notes_of(actor: Actor, meeting: Meeting) -> DelegationNote | None:
    return DelegationNote.objects.restrict(actor).filter(meeting=meeting).first()


def media_line_of(actor: Actor, meeting: Meeting) -> MediaLine | None:
    return MediaLine.objects.restrict(actor).filter(meeting=meeting).first()


def released_media_lines(actor: Actor) -> QuerySet[MediaLine]:
    """Media lines past their embargo of meetings the actor does not attend: what every
    member of the cell reads of them (the line, its tracks and date)."""
    hidden = Meeting.objects.restrict(actor).values("pk")
    now = timezone.now()
    return (
        MediaLine.objects.restrict(actor)
        .exclude(meeting__in=hidden)
        .filter(Q(embargo_until__isnull=True) | Q(embargo_until__lte=now))
        .select_related("meeting")
        .order_by("-agreed_at", "-pk")
    )


def list_requests(actor: Actor) -> QuerySet[MeetingRequest]:
    return MeetingRequest.objects.restrict(actor).order_by("-requested_at", "-pk")


def get_request(actor: Actor, public_id: Any) -> MeetingRequest:
    key = _uuid(public_id)
    request = MeetingRequest.objects.restrict(actor).filter(public_id=key).first() if key else None
    if request is None:
        raise NotFound()
    found: MeetingRequest = request
    return found


def subscriptions_of(actor: Actor) -> QuerySet[CalendarSubscription]:
    return CalendarSubscription.objects.restrict(actor).filter(revoked_at__isnull=True)


def find_subscription(token: str) -> CalendarSubscription | None:
    """The active subscription of a calendar URL's token (None: unknown or revoked)."""
    if not token or len(token) > 100:
        return None
    return (
        CalendarSubscription.objects.filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )


@dataclass
class TrackRow:
    """One track of the board: its name, its next meeting and its open items, as the
    actor may see them."""

    id: str
    name: str
    upcoming: list[Meeting] = field(default_factory=list)
    last: Meeting | None = None
    open_items: int = 0


def track_board(actor: Actor, version: ArrangementVersion) -> list[TrackRow]:
    from coordcell.core.models import localized_now

    spec = talks_from_content(version.content.get("talks"))
    if spec is None:
        return []
    now = timezone.now()
    meetings = list(
        list_meetings(actor)
        .exclude(state=MeetingStateChoices.CANCELLED)
        .order_by("starts_at")[:500]
    )
    rows = []
    for track in spec.tracks:
        mine = [m for m in meetings if track.id in m.tracks]
        past = [m for m in mine if m.ends_at < now]
        last = past[-1] if past else None
        open_items = (
            agenda_of(actor, last).filter(state=AgendaStateChoices.OPEN).count() if last else 0
        )
        rows.append(
            TrackRow(
                id=track.id,
                name=localized_now(dict(track.name)),
                upcoming=[m for m in mine if m.ends_at >= now][:3],
                last=last,
                open_items=open_items,
            )
        )
    return rows


def party_choices(version: ArrangementVersion) -> list[tuple[str, str]]:
    """(code, name) of the parties to the arrangement (kind ``party``): who may attend."""
    from coordcell.core.models import localized_now

    return [
        (str(p["code"]), localized_now(dict(p.get("name") or {})) or str(p["code"]))
        for p in version.content.get("parties", [])
        if p.get("kind") == "party"
    ]


def own_members(actor: Actor) -> list[tuple[str, str]]:
    """(username, call sign) of the active members of the actor's own party: whom it may
    name as its attendees."""
    if not actor.party_code:
        return []
    users = parties.member_users([actor.party_code], vocabulary.ROLES)
    signs = parties.call_signs_of(u.pk for u in users)
    return [(u.get_username(), signs.get(u.pk, "") or u.get_username()) for u in users]
