"""Template context every page needs: the actor, the demo flag, whether the cell is an
exercise, and the local time zone."""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import lazy

from coordcell.agreements import selectors as agreements
from coordcell.core.http import actor_for
from coordcell.record.selectors import is_exercise
from coordcell.rules import localtime


def cell(request: HttpRequest) -> dict[str, Any]:
    actor = actor_for(request)

    @functools.cache
    def zone() -> str:
        # Asked only by a page that shows a time, once per request however many times it
        # shows; a member's pages show the arrangement's.
        if not actor.is_member:
            return localtime.DEFAULT_TIME_ZONE
        return agreements.current_time_zone(actor)

    return {
        "actor": actor,
        "demo_mode": settings.DEMO,
        "exercise_cell": is_exercise(),
        # The zone times are shown in (``local_time`` filter); a page may set its own,
        # e.g. the case page: the zone of the incident's arrangement version.
        "tz": lazy(zone, str)(),
    }
