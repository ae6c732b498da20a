"""Meetings of the cell's talks: agenda, participants, minutes, notes, media lines.

Who reads what, failing closed:

- a meeting (its date, place, tracks, logistics, agenda and chair's summary) is read by
  its ``audience``: the parties that attend it and the mediators;
- its attendee list by each attending party for its own people, and by the mediators
  (:class:`Participant`);
- an agenda item pulled in from another app by the intersection of the meeting's
  audience and the audience of what it is about (:class:`AgendaItem`);
- the agreed minutes by the meeting's audience once the mediator circulates them (a
  draft by the drafting party alone); each party's approval and objection beside them;
- a delegation's own notes by that delegation's party alone (:class:`DelegationNote`);
- the media line by the meeting's audience, and by every member of the cell once its
  embargo has passed (:class:`MediaLine`);
- a request for a meeting by the requesting party and the mediators;
- a calendar subscription by its own person alone.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordcell.core.audience import AudienceMixin, visible_to
from coordcell.core.models import PublicIdModel, RestrictedQuerySet, localized_now
from coordcell.talks.choices import (
    AgendaKindChoices,
    AgendaStateChoices,
    MeetingStateChoices,
    MinutesStateChoices,
    RequestStateChoices,
)

__all__ = [
    "AgendaItem",
    "CalendarSubscription",
    "DelegationNote",
    "MediaLine",
    "Meeting",
    "MeetingRequest",
    "Minutes",
    "MinutesApproval",
    "Participant",
]

_USER = settings.AUTH_USER_MODEL
_MEDIATOR = "mediator"


def _is_mediator(actor: Any) -> bool:
    return getattr(actor, "party_kind", None) == _MEDIATOR


def _nothing() -> Q:
    return Q(pk__in=[])


class Meeting(AudienceMixin, PublicIdModel):
    """A meeting on one or more ``tracks`` (track ids of the version's ``[talks]``), at
    ``venue`` (a place id), from ``starts_at`` to ``ends_at`` (stored in UTC, shown in
    the arrangement's time zone). ``parties`` are the codes of the parties attending
    (the mediators attend every meeting); ``audience`` is theirs and the mediators'."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    version = models.ForeignKey(
        "agreements.ArrangementVersion", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    tracks = models.JSONField(_("tracks"), default=list)
    parties = models.JSONField(_("parties attending"), default=list)
    venue = models.CharField(_("place"), max_length=80)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    logistics = models.TextField(_("logistics"), blank=True)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=MeetingStateChoices.choices(),
        default=MeetingStateChoices.SCHEDULED,
    )
    chair_summary = models.TextField(_("chair's summary"), blank=True)
    chair_summary_at = models.DateTimeField(null=True, blank=True)
    request = models.OneToOneField(
        "talks.MeetingRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting",
    )
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-pk"]

    def __str__(self) -> str:
        return self.reference


class Participant(models.Model):
    """A person attending a meeting for ``party_code``: read by their own party and the
    mediators, never by the other parties."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="participants")
    party_code = models.CharField(_("party"), max_length=40)
    user = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["party_code", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="one_seat_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.party_code}:{self.user_id}"

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        if getattr(actor, "system", False):
            return Q()
        code = getattr(actor, "party_code", None)
        if not code:
            return _nothing()
        seen = visible_to(actor, "meeting__")
        return seen if _is_mediator(actor) else seen & Q(party_code=code)


class AgendaItem(AudienceMixin):
    """An item of a meeting's agenda. ``key`` says where it comes from: a standing
    item's id (``kind`` standing), ``<source>:<ref>`` for an item an automatic source
    pulled in, empty for one the mediator added. An open item carries forward to the
    next meeting of the same track (``carried_from``) until it is closed."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agenda")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(_("kind"), max_length=10, choices=AgendaKindChoices.choices())
    key = models.CharField(_("source"), max_length=120, blank=True)
    titles = models.JSONField(_("title"), default=dict)
    link = models.CharField(_("link"), max_length=300, blank=True)
    state = models.CharField(
        _("state"),
        max_length=8,
        choices=AgendaStateChoices.choices(),
        default=AgendaStateChoices.OPEN,
    )
    carried_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="carried_to"
    )
    outcome = models.TextField(_("outcome"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position"]

    def __str__(self) -> str:
        return f"{self.meeting_id}#{self.position}"

    @property
    def title(self) -> str:
        return localized_now(self.titles)


class Minutes(models.Model):
    """The agreed minutes of a meeting: drafted by the mediator (an official text of
    ``agreements``), circulated to the meeting's audience, approved by each attending
    party on the record (an objection recorded beside the text), agreed when all have."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="minutes")
    text = models.ForeignKey("agreements.OfficialText", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=MinutesStateChoices.choices(),
        default=MinutesStateChoices.DRAFT,
    )
    drafted_by_party = models.CharField(max_length=40)
    drafted_at = models.DateTimeField(_("drafted at"))
    circulated_at = models.DateTimeField(_("circulated at"), null=True, blank=True)
    agreed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return f"minutes:{self.meeting_id}"

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        if getattr(actor, "system", False):
            return Q()
        code = getattr(actor, "party_code", None)
        if not code:
            return _nothing()
        return visible_to(actor, "meeting__") & (
            ~Q(state=MinutesStateChoices.DRAFT) | Q(drafted_by_party=code)
        )


class MinutesApproval(models.Model):
    """One party's approval of a revision of the minutes, with its objection (if any)
    recorded beside the text; ``entry_seq`` is the record entry that states it."""

    minutes = models.ForeignKey(Minutes, on_delete=models.PROTECT, related_name="approvals")
    revision = models.PositiveSmallIntegerField()
    party_code = models.CharField(_("party"), max_length=40)
    objection = models.TextField(_("objection"), blank=True)
    by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(_("at"))
    entry_seq = models.PositiveBigIntegerField(_("record entry"))

    class Meta:
        verbose_name = _("approval of minutes")
        verbose_name_plural = _("approvals of minutes")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["minutes", "revision", "party_code"], name="one_approval_per_revision"
            )
        ]

    def __str__(self) -> str:
        return f"{self.minutes_id}:{self.party_code}"


class DelegationNote(models.Model):
    """A delegation's own notes of a meeting: read by that party alone."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="+")
    party_code = models.CharField(_("party"), max_length=40)
    text = models.TextField(_("notes"))
    updated_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(_("updated at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("delegation's notes")
        verbose_name_plural = _("delegations' notes")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "party_code"], name="one_note_per_party")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.party_code}"

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        code = getattr(actor, "party_code", None)
        if not code:  # the console included: a delegation's notes are its own
            return _nothing()
        return visible_to(actor, "meeting__") & Q(party_code=code)


class MediaLine(models.Model):
    """The agreed press line after a meeting, with the next meeting's date and an
    embargo: before ``embargo_until`` it does not leave the meeting's audience."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="media_line")
    text = models.TextField(_("press line"))
    next_meeting_on = models.DateField(_("next meeting"), null=True, blank=True)
    embargo_until = models.DateTimeField(_("embargoed until"), null=True, blank=True)
    agreed_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    agreed_at = models.DateTimeField(_("agreed at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("media line")
        verbose_name_plural = _("media lines")

    def __str__(self) -> str:
        return f"media:{self.meeting_id}"

    @property
    def embargoed(self) -> bool:
        return self.embargo_until is not None and self.embargo_until > timezone.now()

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        if getattr(actor, "system", False):
            return Q()
        if not getattr(actor, "party_code", None):
            return _nothing()
        released = Q(embargo_until__isnull=True) | Q(embargo_until__lte=timezone.now())
        return visible_to(actor, "meeting__") | released


class MeetingRequest(AudienceMixin, PublicIdModel):
    """A party's request for a meeting at short notice: read by it and the mediators.
    The mediator answers by ``answer_due_at`` (the rules of procedure's
    ``on_request_within_hours``), else the worker marks it lapsed, on the record."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    version = models.ForeignKey(
        "agreements.ArrangementVersion", on_delete=models.PROTECT, related_name="+"
    )
    party_code = models.CharField(_("requested by"), max_length=40)
    tracks = models.JSONField(_("tracks"), default=list)
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    answer_due_at = models.DateTimeField(_("answer due"), db_index=True)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=RequestStateChoices.choices(),
        default=RequestStateChoices.PENDING,
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return self.reference


class CalendarSubscription(models.Model):
    """A person's calendar subscription: the secret token of its URL is stored as its
    SHA-256 alone; revoked, the URL answers 404 like any unknown one."""

    user = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendar subscription")
        verbose_name_plural = _("calendar subscriptions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"subscription:{self.user_id}"

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        user = getattr(actor, "user", None)
        return Q(user=user) if user is not None else _nothing()
