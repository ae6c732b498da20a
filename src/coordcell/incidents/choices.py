"""Vocabularies of incidents, with translatable labels."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coordcell.core.choices import ChoiceSet
from coordcell.rules import vocabulary


class SourceChoices(ChoiceSet):
    """Where an incident comes from: never "the truth", always someone's report."""

    PARTY_REPORT = "party_report"
    MONITOR_OBSERVATION = "monitor_observation"
    OPEN_SOURCE = "open_source"
    HOTLINE = "hotline"

    CHOICES = [
        (PARTY_REPORT, _("A party's report"), "blue"),
        (MONITOR_OBSERVATION, _("A monitor's observation"), "teal"),
        (OPEN_SOURCE, _("Open-source data"), "grey"),
        (HOTLINE, _("Hotline activation"), "orange"),
    ]


class PrecisionChoices(ChoiceSet):
    """How precisely the time of an incident is known."""

    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    MONTH = "month"

    CHOICES = [
        (MINUTE, _("to the minute")),
        (HOUR, _("to the hour")),
        (DAY, _("to the day")),
        (MONTH, _("to the month")),
    ]


class ActorClaimChoices(ChoiceSet):
    """What a party's version says about who acted (proxies included)."""

    UNKNOWN = "unknown"
    CLAIMED = "claimed"
    DENIED = "denied"
    COORDINATION_CLAIMED = "coordination_claimed"
    COORDINATION_DENIED = "coordination_denied"

    CHOICES = [
        (UNKNOWN, _("not stated")),
        (CLAIMED, _("actor claimed")),
        (DENIED, _("actor denied")),
        (COORDINATION_CLAIMED, _("coordination claimed")),
        (COORDINATION_DENIED, _("coordination denied")),
    ]


class ActedByChoices(ChoiceSet):
    """Who acted, as the report says (the reporter's version, not a finding): not stated,
    a party (and possibly which of its forces), or an actor no party controls."""

    UNKNOWN = "unknown"
    PARTY = "party"
    NO_PARTY = "no_party"

    CHOICES = [
        (UNKNOWN, _("not stated")),
        (PARTY, _("a party")),
        (NO_PARTY, _("an actor no party controls")),
    ]


assert tuple(PrecisionChoices.values()) == vocabulary.TIME_PRECISIONS
