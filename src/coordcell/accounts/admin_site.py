"""The Django admin behind the one login of the cell.

The admin's own login form would check a password and nothing else: no second factor,
none of allauth's rate limits. Its login page therefore only sends people to allauth's
(``account_login``), and the admin opens only to staff whose session passed the second
factor (required when they have one, or when ``COORDCELL_REQUIRE_MFA`` is on).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from coordcell.accounts.second_factor import passed_second_factor

__all__ = ["CellAdminConfig", "CellAdminSite"]


class CellAdminSite(AdminSite):
    """``admin.site``: no login of its own, and the second factor at the door."""

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and passed_second_factor(request)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """Send the visitor to the one login (``next`` kept when it stays on this site)."""
        next_url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
        if not next_url or not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:index", current_app=self.name)
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect(next_url)
            # Signed in but not let in: sending them to the login page again would loop.
            raise PermissionDenied(
                gettext(
                    "The administration is open to staff only. Sign in again with your "
                    "second factor to use it."
                )
            )
        return redirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")


class CellAdminConfig(AdminConfig):
    """``django.contrib.admin`` with :class:`CellAdminSite` as ``admin.site``."""

    default_site = "coordcell.accounts.admin_site.CellAdminSite"
