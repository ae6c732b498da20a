"""The talks' states and kinds, with translatable labels."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coordcell.core.choices import ChoiceSet

__all__ = [
    "AgendaKindChoices",
    "AgendaStateChoices",
    "MeetingStateChoices",
    "MinutesStateChoices",
    "RequestStateChoices",
]


class MeetingStateChoices(ChoiceSet):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"
    CHOICES = [
        (SCHEDULED, _("Scheduled"), "blue"),
        (HELD, _("Held"), "green"),
        (CANCELLED, _("Cancelled"), "grey"),
    ]


class AgendaKindChoices(ChoiceSet):
    STANDING = "standing"
    AUTOMATIC = "automatic"
    ITEM = "item"
    CHOICES = [
        (STANDING, _("Standing item"), "purple"),
        (AUTOMATIC, _("Pulled in"), "orange"),
        (ITEM, _("Item"), "grey"),
    ]


class AgendaStateChoices(ChoiceSet):
    OPEN = "open"
    CLOSED = "closed"
    CHOICES = [(OPEN, _("Open"), "orange"), (CLOSED, _("Closed"), "green")]


class MinutesStateChoices(ChoiceSet):
    DRAFT = "draft"
    CIRCULATED = "circulated"
    AGREED = "agreed"
    CHOICES = [
        (DRAFT, _("Draft"), "grey"),
        (CIRCULATED, _("Awaiting approvals"), "orange"),
        (AGREED, _("Agreed"), "green"),
    ]


class RequestStateChoices(ChoiceSet):
    PENDING = "pending"
    SCHEDULED = "scheduled"
    DECLINED = "declined"
    LAPSED = "lapsed"
    CHOICES = [
        (PENDING, _("Awaiting the mediator"), "orange"),
        (SCHEDULED, _("Meeting scheduled"), "green"),
        (DECLINED, _("Declined"), "grey"),
        (LAPSED, _("Unanswered in time"), "red"),
    ]
