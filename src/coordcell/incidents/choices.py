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


class CasualtyCategoryChoices(ChoiceSet):
    """Who was harmed, as a party's figures state it."""

    CIVILIAN = "civilian"
    MILITARY = "military"
    UNKNOWN = "unknown"

    CHOICES = [
        (CIVILIAN, _("civilians"), "orange"),
        (MILITARY, _("military personnel"), "blue"),
        (UNKNOWN, _("status not known"), "grey"),
    ]


class CasualtyOutcomeChoices(ChoiceSet):
    """What happened to them."""

    KILLED = "killed"
    INJURED = "injured"
    DETAINED = "detained"

    CHOICES = [
        (KILLED, _("killed"), "red"),
        (INJURED, _("injured"), "orange"),
        (DETAINED, _("detained"), "purple"),
    ]


class AgeBandChoices(ChoiceSet):
    """Age bands, where known (a person counts in one band only)."""

    UNKNOWN = "unknown"
    CHILD = "child"
    ADULT = "adult"
    OLDER = "older"

    CHOICES = [
        (UNKNOWN, _("age not known")),
        (CHILD, _("children (under 18)")),
        (ADULT, _("adults (18 to 59)")),
        (OLDER, _("older persons (60 and over)")),
    ]


class SexBandChoices(ChoiceSet):
    """Sex, where known."""

    UNKNOWN = "unknown"
    FEMALE = "female"
    MALE = "male"

    CHOICES = [
        (UNKNOWN, _("sex not known")),
        (FEMALE, _("female")),
        (MALE, _("male")),
    ]


class PropertyKindChoices(ChoiceSet):
    """What was done to property around an incident."""

    DEMOLITION = "demolition"
    LAND_CLEARING = "land_clearing"
    DAMAGE = "damage"

    CHOICES = [
        (DEMOLITION, _("demolition"), "red"),
        (LAND_CLEARING, _("land clearing"), "orange"),
        (DAMAGE, _("damage"), "yellow"),
    ]


class LandUseChoices(ChoiceSet):
    """What the land or structures were used for."""

    AGRICULTURAL = "agricultural"
    ORCHARD = "orchard"
    GRAZING = "grazing"
    RESIDENTIAL = "residential"
    PUBLIC_INFRASTRUCTURE = "public_infrastructure"
    OTHER = "other"

    CHOICES = [
        (AGRICULTURAL, _("farmland")),
        (ORCHARD, _("orchard")),
        (GRAZING, _("grazing land")),
        (RESIDENTIAL, _("homes")),
        (PUBLIC_INFRASTRUCTURE, _("public infrastructure")),
        (OTHER, _("other use")),
    ]


assert tuple(PrecisionChoices.values()) == vocabulary.TIME_PRECISIONS
assert tuple(CasualtyCategoryChoices.values()) == vocabulary.CASUALTY_CATEGORIES
assert tuple(CasualtyOutcomeChoices.values()) == vocabulary.CASUALTY_OUTCOMES
assert tuple(AgeBandChoices.values()) == vocabulary.AGE_BANDS
assert tuple(SexBandChoices.values()) == vocabulary.SEX_BANDS
assert tuple(PropertyKindChoices.values()) == vocabulary.PROPERTY_KINDS
assert tuple(LandUseChoices.values()) == vocabulary.LAND_USES
