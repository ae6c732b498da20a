from django.contrib import admin

from coordcell.core.admin import ReadOnlyAdmin
from coordcell.parties.models import Delegation, Membership, Party


@admin.register(Party)
class PartyAdmin(ReadOnlyAdmin):
    list_display = ["code", "kind", "names", "fictional"]


@admin.register(Delegation)
class DelegationAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "party", "names", "active", "fictional"]
    list_filter = ["party", "active"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "delegation", "role", "active", "started_at", "ended_at"]
    list_filter = ["role", "active"]
