"""Moments shown to people: the arrangement's local time beside UTC, everywhere.

One format for every page, the CLI and the messages: ``2026-03-01 09:30 (06:30 UTC)``
(the UTC date repeated when it differs: ``2026-03-01 01:30 (2026-02-28 22:30 UTC)``), and
in UTC itself ``2026-03-01 06:30 UTC``. Times and numbers stay in Latin digits and left to
right in every language. The pages wrap it in ``<time datetime="…" title="<zone>">``
(``local_time`` filter of the ``coordcell`` and ``cases`` template libraries); the CLI
adds the zone's name (``local_time_text(..., named=True)``).
"""

from __future__ import annotations

import datetime as dt

from django.utils.html import format_html

from coordcell.rules import localtime

__all__ = ["local_date_text", "local_time_html", "local_time_text", "zone_of"]


def zone_of(zone_name: object) -> tuple[str, dt.tzinfo]:
    """The zone's name and tzinfo; an unknown or empty name is UTC."""
    name = str(zone_name or "") or localtime.DEFAULT_TIME_ZONE
    try:
        return name, localtime.time_zone(name)
    except ValueError:
        return localtime.DEFAULT_TIME_ZONE, dt.UTC


def _utc(value: dt.datetime) -> dt.datetime:
    aware = value if value.tzinfo is not None and value.utcoffset() is not None else None
    return (aware or value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


def local_time_text(
    value: object, zone_name: object = "UTC", *, seconds: bool = False, named: bool = False
) -> str:
    """``value`` (an aware datetime; naive means UTC) as local time beside UTC, or ""
    when it is not a datetime. ``named`` adds the zone's name after the local time."""
    if not isinstance(value, dt.datetime):
        return ""
    clock = "%H:%M:%S" if seconds else "%H:%M"
    utc = _utc(value)
    name, zone = zone_of(zone_name)
    if zone is dt.UTC:
        return f"{utc:%Y-%m-%d} {utc.strftime(clock)} UTC"
    local = utc.astimezone(zone)
    utc_part = utc.strftime(clock if local.date() == utc.date() else f"%Y-%m-%d {clock}")
    label = f" {name}" if named else ""
    return f"{local:%Y-%m-%d} {local.strftime(clock)}{label} ({utc_part} UTC)"


def local_time_html(value: object, zone_name: object = "UTC", *, seconds: bool = False) -> str:
    """``local_time_text`` in a ``<time>`` element: the instant in ``datetime``, the zone
    in ``title``, left to right."""
    if not isinstance(value, dt.datetime):
        return ""
    name, _zone = zone_of(zone_name)
    return format_html(
        '<time datetime="{}" dir="ltr" title="{}">{}</time>',
        _utc(value).isoformat(),
        name,
        local_time_text(value, name, seconds=seconds),
    )


def local_date_text(value: object, zone_name: object = "UTC") -> str:
    """The local calendar day of a moment (a date is its own day), ``YYYY-MM-DD``."""
    if isinstance(value, dt.datetime):
        _name, zone = zone_of(zone_name)
        return f"{_utc(value).astimezone(zone):%Y-%m-%d}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    return ""
