"""Template context every page needs: the actor and the demo flag."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from coordcell.core.http import actor_for


def cell(request: HttpRequest) -> dict[str, Any]:
    return {
        "actor": actor_for(request),
        "demo_mode": settings.DEMO,
    }
