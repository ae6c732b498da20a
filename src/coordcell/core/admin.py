"""Django admin as a read-only window onto the data.

Every change must go through a service so that it is recorded; the admin's own
add/change/delete forms would bypass that, so they are switched off here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from coordcell.core.models import WorkerBeat

__all__ = ["ReadOnlyAdmin"]


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """List and inspect; never add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WorkerBeat)
class WorkerBeatAdmin(ReadOnlyAdmin):
    list_display = ["name", "started_at", "last_beat_at", "passes"]
