"""Template context every page needs: the actor, the demo flag and whether the cell is an
exercise."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from coordcell.core.http import actor_for
from coordcell.record.selectors import is_exercise


def cell(request: HttpRequest) -> dict[str, Any]:
    return {
        "actor": actor_for(request),
        "demo_mode": settings.DEMO,
        "exercise_cell": is_exercise(),
    }
