"""Vocabularies of cases, with translatable labels (the codes live in rules.workflow)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coordcell.core.choices import ChoiceSet
from coordcell.rules import workflow


class StateChoices(ChoiceSet):
    CHOICES = [
        ("lodged", _("Lodged"), "blue"),
        ("acknowledged", _("Acknowledged"), "blue"),
        ("answered", _("Answered"), "teal"),
        ("verification_requested", _("Verification requested"), "orange"),
        ("verified", _("Verified"), "teal"),
        ("unverifiable", _("Unverifiable"), "grey"),
        ("disputed", _("Disputed"), "orange"),
        ("determined", _("Determined"), "purple"),
        ("remedied", _("Remedied"), "green"),
        ("closed", _("Closed"), "grey"),
        ("withdrawn", _("Withdrawn"), "grey"),
    ]


class ActionChoices(ChoiceSet):
    CHOICES = [
        ("lodge", _("Lodge")),
        ("acknowledge", _("Acknowledge")),
        ("answer", _("Answer")),
        ("request_verification", _("Request verification")),
        ("record_verified", _("Record: verified")),
        ("record_unverifiable", _("Record: unverifiable")),
        ("record_disputed", _("Record: disputed")),
        ("determine", _("Determine")),
        ("remedy", _("Report the remedy")),
        ("close", _("Close")),
        ("withdraw", _("Withdraw")),
        ("escalate", _("Escalate")),
        ("no_reply", _("No reply by the deadline")),
        ("extend", _("Deadline extended by agreement")),
    ]


class DeadlineKindChoices(ChoiceSet):
    ACKNOWLEDGE = "acknowledge"
    ANSWER = "answer"
    VERIFICATION = "verification"
    LEVEL = "level"

    CHOICES = [
        (ACKNOWLEDGE, _("acknowledgement")),
        (ANSWER, _("answer")),
        (VERIFICATION, _("verification")),
        (LEVEL, _("time at this level")),
    ]


class DeadlineStateChoices(ChoiceSet):
    OPEN = "open"
    MET = "met"
    EXPIRED = "expired"
    CANCELLED = "cancelled"

    CHOICES = [
        (OPEN, _("open"), "blue"),
        (MET, _("met"), "green"),
        (EXPIRED, _("missed"), "red"),
        (CANCELLED, _("no longer needed"), "grey"),
    ]


assert tuple(StateChoices.values()) == workflow.STATES
assert set(ActionChoices.values()) == {*workflow.ACTIONS, "lodge", "extend"}


class ChannelChoices(ChoiceSet):
    """How the hotline was activated."""

    CHOICES = [
        ("call", _("Telephone call")),
        ("message", _("Message")),
        ("radio", _("Radio")),
        ("in_person", _("In person")),
    ]
