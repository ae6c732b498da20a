"""The kinds of what the daily report issues for time-locked publication."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coordcell.core.choices import ChoiceSet


class PublicationKindChoices(ChoiceSet):
    """What is published after its embargo: the day's counts, a determination, the scorecard."""

    DAILY_COUNTS = "daily_counts"
    DETERMINATION = "determination"
    SCORECARD = "scorecard"

    CHOICES = [
        (DAILY_COUNTS, _("Daily counts"), "blue"),
        (DETERMINATION, _("Determination"), "purple"),
        (SCORECARD, _("Scorecard"), "teal"),
    ]


class PdfStateChoices(ChoiceSet):
    """Where a rendition's PDF stands: to be made by the worker, made, or impossible on this
    server (its PDF library is missing: the HTML is the report)."""

    PENDING = "pending"
    MADE = "made"
    UNAVAILABLE = "unavailable"

    CHOICES = [
        (PENDING, _("being made"), "blue"),
        (MADE, _("made"), "green"),
        (UNAVAILABLE, _("not available on this server"), "grey"),
    ]
