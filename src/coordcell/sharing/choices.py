"""Audience tiers, TLP 2.0, Admiralty grades, consent states: constants with labels."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coordcell.core.choices import ChoiceSet
from coordcell.rules import arrangement

__all__ = [
    "ConsentAction",
    "ConsentState",
    "CredibilityChoices",
    "LinkKind",
    "ReliabilityChoices",
    "Surface",
    "TierChoices",
    "TlpChoices",
]


class TierChoices(ChoiceSet):
    """Who reads an item, narrowest first (the order is the order of widening)."""

    ORIGINATOR = "originator"
    MEDIATOR = "mediator"
    BILATERAL = "bilateral"
    PARTIES = "parties"
    PUBLIC = "public"

    CHOICES = [
        (ORIGINATOR, _("Originator only"), "grey"),
        (MEDIATOR, _("The mediator only"), "purple"),
        (BILATERAL, _("Bilateral"), "blue"),
        (PARTIES, _("All parties"), "teal"),
        (PUBLIC, _("Public"), "green"),
    ]

    @classmethod
    def rank(cls, value: str) -> int:
        return cls.values().index(value)


class TlpChoices(ChoiceSet):
    """Traffic Light Protocol 2.0 (FIRST), kept on each item for export."""

    CLEAR = "clear"
    GREEN = "green"
    AMBER = "amber"
    AMBER_STRICT = "amber+strict"
    RED = "red"

    CHOICES = [
        (CLEAR, "TLP:CLEAR", "grey"),
        (GREEN, "TLP:GREEN", "green"),
        (AMBER, "TLP:AMBER", "orange"),
        (AMBER_STRICT, "TLP:AMBER+STRICT", "orange"),
        (RED, "TLP:RED", "red"),
    ]


#: The Admiralty grades' codes (NATO STANAG 2511), in order.
RELIABILITY_CODES = tuple("ABCDEF")
CREDIBILITY_CODES = tuple("123456")


class ReliabilityChoices(ChoiceSet):
    """Admiralty source reliability, A (completely reliable) to F (cannot be judged)."""

    CHOICES = list(
        zip(
            RELIABILITY_CODES,
            (
                _("A — Completely reliable"),
                _("B — Usually reliable"),
                _("C — Fairly reliable"),
                _("D — Not usually reliable"),
                _("E — Unreliable"),
                _("F — Reliability cannot be judged"),
            ),
            strict=True,
        )
    )


class CredibilityChoices(ChoiceSet):
    """Admiralty information credibility, 1 (confirmed) to 6 (cannot be judged)."""

    CHOICES = list(
        zip(
            CREDIBILITY_CODES,
            (
                _("1 — Confirmed by other sources"),
                _("2 — Probably true"),
                _("3 — Possibly true"),
                _("4 — Doubtful"),
                _("5 — Improbable"),
                _("6 — Truth cannot be judged"),
            ),
            strict=True,
        )
    )


class LinkKind(ChoiceSet):
    """What an item may point at (resolved for each reader through the owning app)."""

    INCIDENT = "incident"
    CASE = "case"
    POSITION = "position"

    CHOICES = [
        (INCIDENT, _("Incident")),
        (CASE, _("Case")),
        (POSITION, _("Position")),
    ]


class ConsentAction(ChoiceSet):
    """What a consent request asks the originator (and, for public release, every party)."""

    WIDEN = "widen"
    PUBLISH = "publish"

    CHOICES = [
        (WIDEN, _("Widen the audience")),
        (PUBLISH, _("Release to the public")),
    ]


class ConsentState(ChoiceSet):
    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"

    CHOICES = [
        (PENDING, _("Awaiting consent"), "orange"),
        (GRANTED, _("Consent given"), "green"),
        (REFUSED, _("Consent refused"), "red"),
        (WITHDRAWN, _("Withdrawn"), "grey"),
    ]


class Surface(ChoiceSet):
    """Where an item was opened (the access log)."""

    PAGE = "page"
    API = "api"
    EXPORT = "export"

    CHOICES = [
        (PAGE, _("Page")),
        (API, _("API")),
        (EXPORT, _("Export")),
    ]


# The scenario format's vocabularies (pure, in rules) and these choices never drift apart.
assert tuple(TierChoices.values()) == arrangement.SHARING_TIERS
assert tuple(TlpChoices.values()) == arrangement.TLP_MARKINGS
