"""Input read from pages and the API, checked and normalised before any service runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from coordcell.core.errors import ValidationFailed
from coordcell.rules import localtime

__all__ = ["local_moment", "optional_date", "optional_moment"]


def local_moment(value: Any, zone_name: str, field: str) -> dt.datetime:
    """``YYYY-MM-DDTHH:MM`` in the arrangement's time zone (or with an offset) → aware UTC."""
    if isinstance(value, dt.datetime):
        parsed: Any = value
    else:
        text = str(value or "").strip()
        if not text or len(text) > 40:
            raise ValidationFailed({field: [_("Give a date and time.")]})
        try:
            parsed = localtime.parse_moment(text)
        except ValueError:
            parsed = None
    if not isinstance(parsed, dt.datetime):
        raise ValidationFailed({field: [_("Give a date and time.")]})
    try:
        return localtime.instant(parsed, localtime.time_zone(zone_name))
    except (OverflowError, ValueError):  # year 1 or 9999 shifted out of range
        raise ValidationFailed({field: [_("Give a date and time.")]}) from None


def optional_moment(value: Any, zone_name: str, field: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    return local_moment(value, zone_name, field)


def optional_date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise ValidationFailed({field: [_("Give a date (YYYY-MM-DD).")]}) from None
