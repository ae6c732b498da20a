from django.contrib import admin

from coordcell.core.admin import ReadOnlyAdmin
from coordcell.record.models import Entry


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "event_type", "occurred_at", "actor_name", "party_code", "hash"]
    list_filter = ["event_type"]
