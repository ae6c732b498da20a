from django.contrib import admin

from coordcell.accounts.models import ApiToken, User
from coordcell.core.admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["username", "full_name", "is_active", "is_superuser", "last_login"]
    exclude = ["password"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    exclude = ["key_hash"]
