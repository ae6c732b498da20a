from django.contrib import admin

from coordcell.agreements.models import ArrangementVersion, Clause, Zone
from coordcell.core.admin import ReadOnlyAdmin


@admin.register(ArrangementVersion)
class ArrangementVersionAdmin(ReadOnlyAdmin):
    list_display = ["arrangement", "number", "is_current", "loaded_at", "loaded_by", "content_hash"]
    exclude = ["content", "basemap"]


@admin.register(Clause)
class ClauseAdmin(ReadOnlyAdmin):
    list_display = ["clause_id", "version", "kind"]
    list_filter = ["version", "kind"]


@admin.register(Zone)
class ZoneAdmin(ReadOnlyAdmin):
    list_display = ["zone_id", "version", "kind", "derived", "illustrative"]
    list_filter = ["version"]
    exclude = ["geometry"]
