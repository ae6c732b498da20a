"""Template helpers of cases: clocks and labels."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.agreements import selectors as agreements
from coordcell.agreements.choices import CertaintyChoices
from coordcell.agreements.engines import engine_for, kind_name
from coordcell.cases.choices import (
    ActionChoices,
    ChannelChoices,
    DeadlineKindChoices,
    DeadlineStateChoices,
    ElementChoices,
    ExtensionStateChoices,
    FindingChoices,
    GroundChoices,
    LadderOwnerChoices,
    OutcomeChoices,
    ReasonChoices,
    RemedyStateChoices,
    StateChoices,
)
from coordcell.core import timefmt
from coordcell.core.models import localized_now
from coordcell.rules import taxonomy

register = template.Library()


def _span(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)s d %(h)s h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": mins}
    return _("%(m)s min") % {"m": mins}


@register.simple_tag
def clock(due_at: dt.datetime | None, now: dt.datetime | None = None) -> dict[str, Any]:
    """``{"text": "5 h 12 min left", "overdue": False}`` for a deadline."""
    if due_at is None:
        return {"text": "", "overdue": False, "none": True}
    now = now or timezone.now()
    seconds = (due_at - now).total_seconds()
    if seconds < 0:
        return {"text": _("overdue by %(span)s") % {"span": _span(seconds)}, "overdue": True}
    return {"text": _("%(span)s left") % {"span": _span(seconds)}, "overdue": False}


@register.filter
def local_time(value: dt.datetime | None, zone_name: str = "UTC") -> str:
    """A moment in the arrangement's local time beside UTC (``core.timefmt``), the same
    filter as the ``coordcell`` library's: ``2026-03-01 09:30 (06:30 UTC)``."""
    return timefmt.local_time_html(value, zone_name)


@register.filter
def local_time_s(value: dt.datetime | None, zone_name: str = "UTC") -> str:
    """``local_time`` to the second."""
    return timefmt.local_time_html(value, zone_name, seconds=True)


@register.filter
def state_label(code: str) -> Any:
    return StateChoices.label(code)


@register.filter
def state_colour(code: str) -> str:
    return StateChoices.colour(code)


@register.filter
def outcome_label(code: str) -> Any:
    """What a determination found, in the reader's language."""
    return OutcomeChoices.label(code)


@register.filter
def outcome_colour(code: str) -> str:
    return OutcomeChoices.colour(code)


@register.filter
def element_label(code: str) -> Any:
    """A verified element (presence, time, …) in the reader's language."""
    return ElementChoices.label(code)


@register.filter
def finding_label(code: str) -> Any:
    return FindingChoices.label(code)


@register.filter
def finding_colour(code: str) -> str:
    return FindingChoices.colour(code)


@register.filter
def reason_label(code: str) -> Any:
    return ReasonChoices.label(code)


@register.filter
def remedy_state_label(code: str) -> Any:
    return RemedyStateChoices.label(code)


@register.filter
def remedy_state_colour(code: str) -> str:
    return RemedyStateChoices.colour(code)


@register.filter
def channel_label(code: str) -> Any:
    """A hotline channel (call, message, radio…) in the reader's language."""
    return ChannelChoices.label(code)


@register.filter
def certainty_label(code: str) -> Any:
    """A finding's certainty (inside, possibly, declared) in the reader's language."""
    return CertaintyChoices.label(code)


@register.filter
def action_label(code: str) -> Any:
    return ActionChoices.label(code)


@register.filter
def deadline_label(code: str) -> Any:
    return DeadlineKindChoices.label(code)


@register.filter
def deadline_state_label(code: str) -> Any:
    return DeadlineStateChoices.label(code)


@register.filter
def deadline_state_colour(code: str) -> str:
    return DeadlineStateChoices.colour(code)


@register.filter
def extension_state_label(code: str) -> Any:
    return ExtensionStateChoices.label(code)


@register.filter
def extension_state_colour(code: str) -> str:
    return ExtensionStateChoices.colour(code)


@register.filter
def ladder_owner_label(code: str) -> Any:
    return LadderOwnerChoices.label(code)


@register.filter
def ground_label(code: str) -> Any:
    return GroundChoices.label(code)


@register.filter
def incident_kind_label(incident: Any) -> str:
    """An incident's kind as its arrangement version's lexicon names it; else as the
    version's engine does (a kind the scenario declares, by its own names; a built-in one,
    by the catalogue)."""
    names = agreements.lexicon_section(incident.version_id, "kinds").get(incident.kind)
    if names:
        return localized_now(names)
    return kind_name(incident.kind, engine_for(incident.version))


@register.filter
def kind_label(code: str) -> str:
    """The translated label of an incident kind (its code if unknown)."""
    try:
        return _(taxonomy.label(code))
    except taxonomy.UnknownKind:
        return code


def _choice(name: str, value: str, colour: bool = False) -> str:
    from coordcell.cases import exchange_choices

    choices = getattr(exchange_choices, name)
    return str(choices.colour(value) if colour else choices.label(value))


@register.filter
def commitment_label(value: str) -> str:
    return _choice("CommitmentKindChoices", value)


@register.filter
def commitment_state_label(value: str) -> str:
    return _choice("CommitmentStateChoices", value)


@register.filter
def commitment_colour(value: str) -> str:
    return _choice("CommitmentStateChoices", value, colour=True)


@register.filter
def window_label(value: str) -> str:
    return _choice("WindowStateChoices", value)


@register.filter
def window_colour(value: str) -> str:
    return _choice("WindowStateChoices", value, colour=True)


@register.filter
def warning_outcome_label(value: str) -> str:
    return _choice("OutcomeChoices", value)


@register.filter
def warning_outcome_colour(value: str) -> str:
    return _choice("OutcomeChoices", value, colour=True)


@register.filter
def confirmation_label(value: str) -> str:
    return _choice("ConfirmationChoices", value)


@register.filter
def confirmation_colour(value: str) -> str:
    return _choice("ConfirmationChoices", value, colour=True)


@register.filter
def percent(value: float | None) -> str:
    """``0.5`` → ``50%`` (Latin digits)."""
    return "" if value is None else f"{round(value * 100)}%"
