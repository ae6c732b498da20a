"""The talks' writers: one service per intent (permission → validation of everything →
rows → record entry, in one transaction), called by the pages, the API and the demo.

Who does what: the mediator's principals and liaison officers schedule meetings, keep
the agenda, draft and circulate the minutes, write the chair's summary, record the
media line and answer requests for meetings; each attending party's principals and
liaison officers name their own attendees and approve the minutes (with an objection
recorded beside the text, if they have one); a party's principals and liaison officers
request a meeting at short notice; every member of an attending party keeps its
delegation's own notes; each person makes and revokes their calendar subscriptions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.agreements import official
from coordcell.agreements.choices import OfficialTextKindChoices
from coordcell.core.actor import Actor
from coordcell.core.agenda import agenda_source
from coordcell.core.audience import ALL_MEMBERS, encode, normalise
from coordcell.core.errors import Conflict, PermissionDenied, ValidationFailed
from coordcell.core.models import new_reference
from coordcell.parties import selectors as parties
from coordcell.record.services import append_event, subject
from coordcell.rules import vocabulary
from coordcell.rules.arrangement import TalksSpec, procedure_from_content, talks_from_content
from coordcell.talks import events
from coordcell.talks.choices import (
    AgendaKindChoices,
    AgendaStateChoices,
    MeetingStateChoices,
    MinutesStateChoices,
    RequestStateChoices,
)
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

if TYPE_CHECKING:
    from coordcell.agreements.models import ArrangementVersion

__all__ = [
    "REQUEST_ANSWER_HOURS",
    "add_agenda_item",
    "agree_media_line",
    "answer_request",
    "approve_minutes",
    "cancel_meeting",
    "circulate_minutes",
    "close_agenda_item",
    "create_subscription",
    "draft_minutes",
    "lapse_unanswered_requests",
    "may_manage",
    "mediator_codes",
    "record_held",
    "request_meeting",
    "revoke_subscription",
    "save_notes",
    "schedule_meeting",
    "set_chair_summary",
    "set_participants",
    "spec_of",
    "token_hash",
    "translate_minutes",
]

TITLE_MAX_CHARS = 200
TEXT_MAX_CHARS = 20_000
#: A meeting lasts at most this long, and is scheduled within this many days of today.
MAX_MEETING_HOURS = 24
MAX_DAYS_AHEAD = 366
MAX_DAYS_BEHIND = 366
#: Without ``on_request_within_hours`` in the rules of procedure, the mediator answers a
#: request for a meeting within this many hours.
REQUEST_ANSWER_HOURS = 24.0
MAX_PARTICIPANTS = 30
MAX_AGENDA_ITEMS = 60

_MANAGERS = ("principal", "liaison_officer")


# --- who --------------------------------------------------------------------------------


def mediator_codes() -> list[str]:
    return [p.code for p in parties.parties_of_kinds(["mediator"])]


def _party_codes() -> list[str]:
    return [p.code for p in parties.parties_of_kinds(["party"])]


def may_manage(actor: Actor) -> bool:
    """The mediator's principals and liaison officers (and the console)."""
    if actor.system:
        return True
    return actor.party_kind == "mediator" and any(actor.has_role(r) for r in _MANAGERS)


def _may_speak_for_party(actor: Actor) -> bool:
    return (
        not actor.system
        and actor.party_kind == "party"
        and any(actor.has_role(r) for r in _MANAGERS)
    )


def _require_manager(actor: Actor) -> None:
    if not may_manage(actor):
        raise PermissionDenied(_("Only the mediator's principals and liaison officers do this."))


def _in_audience(actor: Actor, meeting: Meeting) -> bool:
    return actor.system or (actor.party_code or "") in meeting.audience_codes


# --- validation ---------------------------------------------------------------------------


def spec_of(version: ArrangementVersion) -> TalksSpec:
    spec = talks_from_content(version.content.get("talks"))
    if spec is None:
        raise Conflict(_("The arrangement states no talks (no tracks)."))
    return spec


def _text(value: Any, field: str, *, required: bool = True, limit: int = TEXT_MAX_CHARS) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed({field: [_("Expected text.")]})
    value = value.strip().replace("\r\n", "\n")
    if required and not value:
        raise ValidationFailed({field: [_("This field is required.")]})
    if len(value) > limit:
        raise ValidationFailed(
            {field: [_("At most %(count)s characters.") % {"count": f"{limit:,}"}]}
        )
    return str(value)


def _tracks(spec: TalksSpec, tracks: Iterable[Any]) -> list[str]:
    known = [t.id for t in spec.tracks]
    chosen = list(dict.fromkeys(str(t) for t in tracks if t))
    if not chosen:
        raise ValidationFailed({"tracks": [_("Choose at least one track.")]})
    if any(t not in known for t in chosen):
        raise ValidationFailed({"tracks": [_("Unknown track.")]})
    return [t for t in known if t in chosen]


def _moment(value: Any, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise ValidationFailed({field: [_("Give a date and time.")]})
    now = timezone.now()
    if not (
        now - dt.timedelta(days=MAX_DAYS_BEHIND) <= value <= now + dt.timedelta(days=MAX_DAYS_AHEAD)
    ):
        raise ValidationFailed({field: [_("Within a year of today.")]})
    return value


def _venue(spec: TalksSpec, version: ArrangementVersion, venue: str) -> str:
    venue = (venue or "").strip() or spec.venue
    places = {p.get("key") for p in version.content.get("places", ())}
    if venue not in places:
        raise ValidationFailed({"venue": [_("Unknown place.")]})
    return venue


# --- meetings and their agenda ------------------------------------------------------------


def schedule_meeting(
    *,
    actor: Actor,
    version: ArrangementVersion,
    title: str,
    tracks: Sequence[str],
    parties_attending: Sequence[str],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    venue: str = "",
    logistics: str = "",
    request: MeetingRequest | None = None,
    now: dt.datetime | None = None,
) -> Meeting:
    """Schedule a meeting, and open its agenda: the items still open at the last meeting
    on one of its tracks carry forward, the standing items of its tracks never closed
    are added, and the automatic sources of its tracks pull in theirs."""
    _require_manager(actor)
    spec = spec_of(version)
    title = _text(title, "title", limit=TITLE_MAX_CHARS)
    chosen = _tracks(spec, tracks)
    known_parties = _party_codes()
    attending = sorted({str(c) for c in parties_attending if c})
    if not attending or any(c not in known_parties for c in attending):
        raise ValidationFailed({"parties": [_("Choose the parties attending.")]})
    starts_at = _moment(starts_at, "starts_at")
    ends_at = _moment(ends_at, "ends_at")
    if not starts_at < ends_at <= starts_at + dt.timedelta(hours=MAX_MEETING_HOURS):
        raise ValidationFailed({"ends_at": [_("A meeting ends after it starts, within 24 hours.")]})
    venue = _venue(spec, version, venue)
    logistics = _text(logistics, "logistics", required=False, limit=4_000)
    now = now or timezone.now()
    audience = normalise([*attending, *mediator_codes()])
    with transaction.atomic():
        meeting = Meeting.objects.create(
            reference=new_reference("MTG"),
            version=version,
            title=title,
            tracks=chosen,
            parties=attending,
            venue=venue,
            starts_at=starts_at,
            ends_at=ends_at,
            logistics=logistics,
            audience=encode(audience),
            request=request,
            created_by=actor.user,
            created_at=now,
        )
        agenda = _open_agenda(meeting, spec, now)
        append_event(
            actor=actor,
            event_type=events.MEETING_SCHEDULED,
            data={
                "reference": meeting.reference,
                "title": title,
                "tracks": chosen,
                "parties": attending,
                "venue": venue,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
                # The items every reader of the meeting reads (pulled-in ones are read by
                # their own audience: not named here).
                "agenda": [
                    {"kind": i.kind, "key": i.key, "carried": i.carried_from_id is not None}
                    for i in agenda
                    if i.kind != AgendaKindChoices.AUTOMATIC
                ],
                "request": request.reference if request is not None else "",
            },
            subjects=[subject("talks.meeting", meeting.public_id, meeting.reference)],
            audience=audience,
        )
    return meeting


def _previous_meeting(meeting: Meeting) -> Meeting | None:
    """The last meeting before ``meeting`` sharing one of its tracks (not cancelled)."""
    earlier = (
        Meeting.objects.filter(version__arrangement_id=meeting.version.arrangement_id)
        .exclude(pk=meeting.pk)
        .exclude(state=MeetingStateChoices.CANCELLED)
        .filter(starts_at__lt=meeting.starts_at)
        .order_by("-starts_at", "-pk")
    )
    wanted = set(meeting.tracks)
    return next((m for m in earlier[:200] if wanted & set(m.tracks)), None)


def _open_agenda(meeting: Meeting, spec: TalksSpec, now: dt.datetime) -> list[AgendaItem]:
    items: list[AgendaItem] = []
    seen: set[str] = set()
    audience = meeting.audience_codes

    def add(kind: str, key: str, titles: dict[str, str], **extra: Any) -> None:
        items.append(
            AgendaItem.objects.create(
                meeting=meeting,
                position=len(items) + 1,
                kind=kind,
                key=key,
                titles=titles,
                audience=extra.pop("item_audience", encode(audience)),
                **extra,
            )
        )
        if key:
            seen.add(key)

    previous = _previous_meeting(meeting)
    if previous is not None:
        for item in previous.agenda.filter(state=AgendaStateChoices.OPEN).exclude(
            kind=AgendaKindChoices.AUTOMATIC
        ):
            # Never wider than before: an item of a meeting some of this meeting's
            # parties did not attend stays with those who read it (a standing item's
            # title is the arrangement's, read by everyone attending).
            shared = (
                list(audience)
                if item.kind == AgendaKindChoices.STANDING
                else _intersection(audience, item.audience_codes)
            )
            if shared:
                add(
                    item.kind,
                    item.key,
                    dict(item.titles),
                    carried_from=item,
                    link=item.link,
                    item_audience=encode(shared),
                )
    closed = set(
        AgendaItem.objects.filter(
            meeting__version__arrangement_id=meeting.version.arrangement_id,
            kind=AgendaKindChoices.STANDING,
            state=AgendaStateChoices.CLOSED,
        ).values_list("key", flat=True)
    )
    for standing in spec.standing_for(meeting.tracks):
        if standing.id not in seen and standing.id not in closed:
            add(AgendaKindChoices.STANDING, standing.id, dict(standing.title))
    for name in spec.sources_for(meeting.tracks):
        source = agenda_source(name)
        if source is None:
            continue
        for entry in source(now):
            shared = _intersection(audience, entry.audience)
            key = f"{name}:{entry.ref}"
            if shared and key not in seen:
                add(
                    AgendaKindChoices.AUTOMATIC,
                    key,
                    dict(entry.titles),
                    link=entry.link,
                    item_audience=encode(shared),
                )
    if len(items) > MAX_AGENDA_ITEMS:
        raise ValidationFailed({"agenda": [_("The agenda would be too long.")]})
    return items


def _intersection(meeting: Sequence[str], other: Sequence[str]) -> list[str]:
    if ALL_MEMBERS in other:
        return list(meeting)
    return sorted(set(meeting) & set(other))


def add_agenda_item(*, actor: Actor, meeting: Meeting, title: str) -> AgendaItem:
    """The mediator adds an item, in the language of the page (read by the meeting's
    audience); it carries forward until closed like any other."""
    _require_manager(actor)
    title = _text(title, "title", limit=TITLE_MAX_CHARS)
    if meeting.state == MeetingStateChoices.CANCELLED:
        raise Conflict(_("The meeting was cancelled."))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update(no_key=True).get(pk=meeting.pk)
        position = (
            meeting.agenda.order_by("-position").values_list("position", flat=True).first() or 0
        ) + 1
        if position > MAX_AGENDA_ITEMS:
            raise ValidationFailed({"title": [_("The agenda is full.")]})
        item = AgendaItem.objects.create(
            meeting=meeting,
            position=position,
            kind=AgendaKindChoices.ITEM,
            titles={"en": title, **_same_in_every_language(title)},
            audience=meeting.audience,
        )
        append_event(
            actor=actor,
            event_type=events.AGENDA_ITEM_ADDED,
            data={"meeting": meeting.reference, "title": title},
            subjects=[subject("talks.meeting", meeting.public_id, meeting.reference)],
            audience=meeting.audience_codes,
        )
    return item


def _same_in_every_language(title: str) -> dict[str, str]:
    """A title typed by a person is shown as typed in every language."""
    return dict.fromkeys(vocabulary.LANGUAGES, title)


def close_agenda_item(*, actor: Actor, item: AgendaItem, outcome: str = "") -> AgendaItem:
    """The mediator closes an item at its meeting: it no longer carries forward (a
    standing item closed does not come back)."""
    _require_manager(actor)
    outcome = _text(outcome, "outcome", required=False, limit=4_000)
    with transaction.atomic():
        item = (
            AgendaItem.objects.select_for_update(no_key=True)
            .select_related("meeting")
            .get(pk=item.pk)
        )
        if item.state == AgendaStateChoices.CLOSED:
            raise Conflict(_("The item is already closed."))
        item.state, item.outcome, item.closed_at = (
            AgendaStateChoices.CLOSED,
            outcome,
            timezone.now(),
        )
        item.save(update_fields=["state", "outcome", "closed_at"])
        meeting = item.meeting
        append_event(
            actor=actor,
            event_type=events.AGENDA_ITEM_CLOSED,
            data={
                "meeting": meeting.reference,
                "kind": item.kind,
                "key": item.key,
                "outcome": outcome,
            },
            subjects=[subject("talks.meeting", meeting.public_id, meeting.reference)],
            audience=item.audience_codes,
        )
    return item


def _set_state(actor: Actor, meeting: Meeting, state: str, event: Any) -> Meeting:
    _require_manager(actor)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update(no_key=True).get(pk=meeting.pk)
        if meeting.state != MeetingStateChoices.SCHEDULED:
            raise Conflict(_("The meeting is no longer scheduled."))
        if state == MeetingStateChoices.HELD and meeting.starts_at > timezone.now():
            raise Conflict(_("The meeting has not started yet."))
        meeting.state = state
        meeting.save(update_fields=["state"])
        append_event(
            actor=actor,
            event_type=event,
            data={"reference": meeting.reference},
            subjects=[subject("talks.meeting", meeting.public_id, meeting.reference)],
            audience=meeting.audience_codes,
        )
    return meeting


def record_held(*, actor: Actor, meeting: Meeting) -> Meeting:
    return _set_state(actor, meeting, MeetingStateChoices.HELD, events.MEETING_HELD)


def cancel_meeting(*, actor: Actor, meeting: Meeting) -> Meeting:
    return _set_state(actor, meeting, MeetingStateChoices.CANCELLED, events.MEETING_CANCELLED)


def set_participants(*, actor: Actor, meeting: Meeting, usernames: Sequence[str]) -> list[str]:
    """A party names who attends for it (its own active members alone); the list is
    read by that party and the mediators, and so is its record entry."""
    code = actor.party_code or ""
    if not (_may_speak_for_party(actor) or may_manage(actor)) or actor.system:
        raise PermissionDenied(_("A principal or liaison officer names the party's attendees."))
    if code not in meeting.audience_codes:
        raise PermissionDenied(_("Your party does not attend this meeting."))
    wanted = list(dict.fromkeys(str(u).strip() for u in usernames if str(u).strip()))
    if len(wanted) > MAX_PARTICIPANTS:
        raise ValidationFailed({"participants": [_("Too many attendees.")]})
    members = {u.get_username(): u for u in parties.member_users([code], vocabulary.ROLES)}
    if any(name not in members for name in wanted):
        raise ValidationFailed({"participants": [_("Not an active member of your party.")]})
    call_signs = parties.call_signs_of(members[name].pk for name in wanted)
    now = timezone.now()
    with transaction.atomic():
        Meeting.objects.select_for_update(no_key=True).filter(pk=meeting.pk).first()
        Participant.objects.filter(meeting=meeting, party_code=code).delete()
        for name in wanted:
            Participant.objects.create(
                meeting=meeting, party_code=code, user=members[name], added_at=now
            )
        append_event(
            actor=actor,
            event_type=events.PARTICIPANTS_SET,
            data={
                "meeting": meeting.reference,
                "party": code,
                "attendees": [call_signs.get(members[n].pk, "") for n in wanted],
            },
            subjects=[subject("talks.meeting", meeting.public_id, meeting.reference)],
            audience=normalise([code, *mediator_codes()]),
        )
    return wanted


# --- minutes, summary, notes, media line ----------------------------------------------------


def _minutes_subject(meeting: Meeting) -> str:
    return f"talks.minutes:{meeting.reference}"


def draft_minutes(*, actor: Actor, meeting: Meeting, text: str, language: str) -> Minutes:
    """The mediator drafts the minutes (or revises a draft not yet agreed: the parties'
    approvals of the former revision no longer count, and it goes back to draft)."""
    _require_manager(actor)
    if meeting.state == MeetingStateChoices.CANCELLED:
        raise Conflict(_("The meeting was cancelled."))
    text = _text(text, "text", limit=official.OFFICIAL_TEXT_MAX_CHARS)
    if language not in vocabulary.LANGUAGES:
        raise ValidationFailed({"language": [_("Choose Arabic, Hebrew or English.")]})
    now = timezone.now()
    # A draft is the mediators' (and its drafter's) until circulated: the official text's
    # record entries go to them alone, and are widened to the meeting by circulation.
    drafters = normalise([actor.party_code or "", *mediator_codes()])
    with transaction.atomic():
        minutes = Minutes.objects.select_for_update(no_key=True).filter(meeting=meeting).first()
        if minutes is None:
            official_text = official.issue_text(
                actor=actor,
                kind=OfficialTextKindChoices.MINUTES,
                subject_label=_minutes_subject(meeting),
                version=meeting.version,
                language=language,
                body=text,
                audience=drafters,
            )
            minutes = Minutes.objects.create(
                meeting=meeting,
                text=official_text,
                drafted_by_party=actor.party_code or "",
                drafted_at=now,
            )
        else:
            if minutes.state == MinutesStateChoices.AGREED:
                raise Conflict(_("The minutes are agreed: they are not revised."))
            # A new revision is a draft again: its words are the drafters' until circulated.
            official.set_audience(text=minutes.text, audience=drafters)
            official.revise_text(actor=actor, text=minutes.text, language=language, body=text)
            minutes.state, minutes.drafted_at, minutes.circulated_at = (
                MinutesStateChoices.DRAFT,
                now,
                None,
            )
            minutes.save(update_fields=["state", "drafted_at", "circulated_at"])
        append_event(
            actor=actor,
            event_type=events.MINUTES_DRAFTED,
            data={
                "meeting": meeting.reference,
                "revision": minutes.text.revision,
                "language": language,
                "sha256": official.sha256_of(text),
            },
            subjects=[subject("talks.meeting", meeting.public_id, meeting.reference)],
            audience=drafters,
        )
    return minutes


def translate_minutes(
    *, actor: Actor, meeting: Meeting, language: str, text: str, translator: str
) -> Any:
    """The mediator records the minutes in another language, while they are a draft:
    circulated minutes are what the parties approve, hash by hash, so a translation
    added then would be agreed unread (revise the minutes to add one: that is a new
    revision and the approvals start again)."""
    _require_manager(actor)
    with transaction.atomic():
        minutes = Minutes.objects.select_for_update(no_key=True).filter(meeting=meeting).first()
        if minutes is None:
            raise Conflict(_("There are no minutes to translate."))
        if minutes.state != MinutesStateChoices.DRAFT:
            raise Conflict(
                _(
                    "The minutes are circulated or agreed: translate them in a new "
                    "revision (revise the minutes first)."
                )
            )
        return official.add_translation(
            actor=actor, text=minutes.text, language=language, body=text, translator=translator
        )


def _authoritative_hash(minutes: Minutes) -> dict[str, str]:
    return {t.language: t.sha256 for t in minutes.text.translations.order_by("language")}


def circulate_minutes(*, actor: Actor, meeting: Meeting) -> Minutes:
    """The mediator circulates the draft to the meeting's audience for approval."""
    _require_manager(actor)
    with transaction.atomic():
        minutes = Minutes.objects.select_for_update(no_key=True).filter(meeting=meeting).first()
        if minutes is None or minutes.state != MinutesStateChoices.DRAFT:
            raise Conflict(_("There is no draft to circulate."))
        if not minutes.text.translations.filter(
            language=minutes.text.authoritative_language
        ).exists():
            raise Conflict(_("The text in the authoritative language is still missing."))
        minutes.state, minutes.circulated_at = MinutesStateChoices.CIRCULATED, timezone.now()
        minutes.save(update_fields=["state", "circulated_at"])
        official.set_audience(text=minutes.text, audience=meeting.audience_codes)
        append_event(
            actor=actor,
            event_type=events.MINUTES_CIRCULATED,
            data={
                "meeting": meeting.reference,
                "revision": minutes.text.revision,
                "languages": _authoritative_hash(minutes),
            },
            subjects=[subject("talks.meeting", meeting.public_id, meeting.reference)],
            audience=meeting.audience_codes,
        )
    drafted: Minutes = minutes
    return drafted


def approve_minutes(*, actor: Actor, meeting: Meeting, objection: str = "") -> MinutesApproval:
    """An attending party approves the circulated revision of the minutes, on the
    record with its hashes; an objection is recorded beside the text. When every
    attending party has approved, the minutes are agreed."""
    code = actor.party_code or ""
    if not _may_speak_for_party(actor):
        raise PermissionDenied(_("A party's principal or liaison officer approves the minutes."))
    if code not in meeting.parties:
        raise PermissionDenied(_("Your party does not attend this meeting."))
    objection = _text(objection, "objection", required=False, limit=4_000)
    with transaction.atomic():
        minutes = Minutes.objects.select_for_update(no_key=True).filter(meeting=meeting).first()
        if minutes is None or minutes.state != MinutesStateChoices.CIRCULATED:
            raise Conflict(_("There are no minutes awaiting approval."))
        revision = minutes.text.revision
        if minutes.approvals.filter(revision=revision, party_code=code).exists():
            raise Conflict(_("Your party has already approved these minutes."))
        now = timezone.now()
        hashes = _authoritative_hash(minutes)
        entry = append_event(
            actor=actor,
            event_type=events.MINUTES_APPROVED,
            data={
                "meeting": meeting.reference,
                "revision": revision,
                "party": code,
                "languages": hashes,
                "objection": objection,
            },
            subjects=[subject("talks.meeting", meeting.public_id, meeting.reference)],
            audience=meeting.audience_codes,
        )
        approval = MinutesApproval.objects.create(
            minutes=minutes,
            revision=revision,
            party_code=code,
            objection=objection,
            by=actor.user,
            at=now,
            entry_seq=entry.seq,
        )
        approved = set(
            minutes.approvals.filter(revision=revision).values_list("party_code", flat=True)
        )
        if set(meeting.parties) <= approved:
            minutes.state, minutes.agreed_at = MinutesStateChoices.AGREED, now
            minutes.save(update_fields=["state", "agreed_at"])
            append_event(
                actor=actor,
                event_type=events.MINUTES_AGREED,
                data={
                    "meeting": meeting.reference,
                    "revision": revision,
                    "languages": hashes,
                    "objections": {
                        a.party_code: a.objection
                        for a in minutes.approvals.filter(revision=revision)
                        if a.objection
                    },
                },
                subjects=[subject("talks.meeting", meeting.public_id, meeting.reference)],
                audience=meeting.audience_codes,
            )
    return approval


def set_chair_summary(*, actor: Actor, meeting: Meeting, text: str) -> Meeting:
    """The chair's own summary (not agreed by the parties), read by the meeting's audience."""
    _require_manager(actor)
    text = _text(text, "text")
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update(no_key=True).get(pk=meeting.pk)
        meeting.chair_summary, meeting.chair_summary_at = text, timezone.now()
        meeting.save(update_fields=["chair_summary", "chair_summary_at"])
        append_event(
            actor=actor,
            event_type=events.CHAIR_SUMMARY,
            data={"meeting": meeting.reference, "sha256": official.sha256_of(text)},
            subjects=[subject("talks.meeting", meeting.public_id, meeting.reference)],
            audience=meeting.audience_codes,
        )
    return meeting


def save_notes(*, actor: Actor, meeting: Meeting, text: str) -> DelegationNote:
    """A delegation's own notes: written and read by its party's members alone; the
    record states their hash, read by that party alone."""
    code = actor.party_code or ""
    if actor.system or not code or code not in meeting.audience_codes:
        raise PermissionDenied(_("Your party does not attend this meeting."))
    text = _text(text, "text", required=False)
    with transaction.atomic():
        note, _created = DelegationNote.objects.update_or_create(
            meeting=meeting,
            party_code=code,
            defaults={"text": text, "updated_by": actor.user, "updated_at": timezone.now()},
        )
        append_event(
            actor=actor,
            event_type=events.NOTES_SAVED,
            data={"meeting": meeting.reference, "sha256": official.sha256_of(text)},
            subjects=[subject("talks.meeting", meeting.public_id, meeting.reference)],
            audience=[code],
        )
    return note


def agree_media_line(
    *,
    actor: Actor,
    meeting: Meeting,
    text: str,
    next_meeting_on: dt.date | None = None,
    embargo_until: dt.datetime | None = None,
) -> MediaLine:
    """The agreed press line after a meeting (recorded by the mediator, who holds the
    media under the rules of procedure), with the next meeting's date and any embargo;
    it may be replaced while it is still embargoed, never once released."""
    _require_manager(actor)
    text = _text(text, "text", limit=2_000)
    now = timezone.now()
    if embargo_until is not None:
        embargo_until = _moment(embargo_until, "embargo_until")
    if next_meeting_on is not None and (
        not isinstance(next_meeting_on, dt.date)
        or abs((next_meeting_on - now.date()).days) > MAX_DAYS_AHEAD
    ):
        raise ValidationFailed({"next_meeting_on": [_("Within a year of today.")]})
    with transaction.atomic():
        current = MediaLine.objects.select_for_update(no_key=True).filter(meeting=meeting).first()
        if current is not None and not current.embargoed:
            raise Conflict(_("The media line is released: it is not changed."))
        line, _created = MediaLine.objects.update_or_create(
            meeting=meeting,
            defaults={
                "text": text,
                "next_meeting_on": next_meeting_on,
                "embargo_until": embargo_until,
                "agreed_by": actor.user,
                "agreed_at": now,
            },
        )
        append_event(
            actor=actor,
            event_type=events.MEDIA_LINE_AGREED,
            data={
                "meeting": meeting.reference,
                "text": text,
                "next_meeting_on": next_meeting_on.isoformat() if next_meeting_on else "",
                "embargo_until": embargo_until.isoformat() if embargo_until else "",
            },
            subjects=[subject("talks.meeting", meeting.public_id, meeting.reference)],
            audience=meeting.audience_codes,
        )
    return line


# --- requests for a meeting at short notice --------------------------------------------------


def request_meeting(
    *, actor: Actor, version: ArrangementVersion, tracks: Sequence[str], reason: str
) -> MeetingRequest:
    """A party asks for a meeting at short notice; the mediator answers within the rules
    of procedure's ``on_request_within_hours`` (else :data:`REQUEST_ANSWER_HOURS`), or
    the worker records that it did not."""
    if not _may_speak_for_party(actor):
        raise PermissionDenied(_("A party's principal or liaison officer requests a meeting."))
    spec = spec_of(version)
    chosen = _tracks(spec, tracks)
    reason = _text(reason, "reason", limit=4_000)
    procedure = procedure_from_content(version.content.get("procedure"))
    hours = (
        procedure.meetings_on_request_within_hours
        if procedure is not None and procedure.meetings_on_request_within_hours
        else REQUEST_ANSWER_HOURS
    )
    now = timezone.now()
    audience = normalise([actor.party_code or "", *mediator_codes()])
    with transaction.atomic():
        request = MeetingRequest.objects.create(
            reference=new_reference("MRQ"),
            version=version,
            party_code=actor.party_code or "",
            tracks=chosen,
            reason=reason,
            requested_by=actor.user,
            requested_at=now,
            answer_due_at=now + dt.timedelta(hours=float(hours)),
            audience=encode(audience),
        )
        append_event(
            actor=actor,
            event_type=events.MEETING_REQUESTED,
            data={
                "reference": request.reference,
                "party": request.party_code,
                "tracks": chosen,
                "reason": reason,
                "answer_due_at": request.answer_due_at.isoformat(),
            },
            subjects=[subject("talks.request", request.public_id, request.reference)],
            audience=audience,
        )
    return request


def answer_request(
    *,
    actor: Actor,
    request: MeetingRequest,
    answer: str,
    schedule: dict[str, Any] | None = None,
) -> MeetingRequest:
    """The mediator answers a request: schedules the meeting (``schedule``: the
    arguments of :func:`schedule_meeting`, the requesting party among those attending),
    or declines with its reasons (``answer``)."""
    _require_manager(actor)
    answer = _text(answer, "answer", required=schedule is None, limit=4_000)
    with transaction.atomic():
        request = MeetingRequest.objects.select_for_update(no_key=True).get(pk=request.pk)
        if request.state != RequestStateChoices.PENDING:
            raise Conflict(_("The request has already been answered."))
        meeting = None
        if schedule is not None:
            attending = list(schedule.get("parties_attending") or ())
            if request.party_code not in attending:
                raise ValidationFailed(
                    {"parties": [_("The party that asked for the meeting attends it.")]}
                )
            meeting = schedule_meeting(
                actor=actor, version=request.version, request=request, **schedule
            )
        request.state = RequestStateChoices.SCHEDULED if meeting else RequestStateChoices.DECLINED
        request.answer, request.answered_at = answer, timezone.now()
        request.save(update_fields=["state", "answer", "answered_at"])
        append_event(
            actor=actor,
            event_type=events.REQUEST_ANSWERED,
            data={
                "reference": request.reference,
                "state": request.state,
                "answer": answer,
                "meeting": meeting.reference if meeting else "",
                "in_time": request.answered_at <= request.answer_due_at,
            },
            subjects=[subject("talks.request", request.public_id, request.reference)],
            audience=request.audience_codes,
        )
    return request


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


# --- calendar subscriptions --------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


MAX_SUBSCRIPTIONS = 5


def create_subscription(*, actor: Actor) -> tuple[CalendarSubscription, str]:
    """A new secret calendar URL for the actor (the token is shown once; only its hash
    is kept). It shows what the person may see, as long as they may see it."""
    if actor.user is None or not actor.is_member or actor.system:
        raise PermissionDenied(_("Only a member of the cell subscribes to the calendar."))
    active = CalendarSubscription.objects.filter(user=actor.user, revoked_at__isnull=True)
    if active.count() >= MAX_SUBSCRIPTIONS:
        raise Conflict(_("Revoke one of your subscriptions first."))
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        subscription = CalendarSubscription.objects.create(
            user=actor.user, token_hash=token_hash(token), created_at=timezone.now()
        )
        append_event(
            actor=actor,
            event_type=events.SUBSCRIPTION_CREATED,
            data={"subscription": subscription.pk},
            subjects=[],
            audience=[actor.party_code or ""],
        )
    return subscription, token


def revoke_subscription(*, actor: Actor, subscription: CalendarSubscription) -> None:
    """Revoke one's own subscription: its URL answers 404 from now on."""
    if actor.user is None or subscription.user_id != actor.user.pk:
        raise PermissionDenied(_("Only its own person revokes a subscription."))
    with transaction.atomic():
        updated = CalendarSubscription.objects.filter(
            pk=subscription.pk, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if not updated:
            raise Conflict(_("The subscription is already revoked."))
        append_event(
            actor=actor,
            event_type=events.SUBSCRIPTION_REVOKED,
            data={"subscription": subscription.pk},
            subjects=[],
            audience=[actor.party_code or ""],
        )
