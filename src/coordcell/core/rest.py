"""API plumbing every app's ``api.py`` shares: who may call the API, and how lists page.

It sits in ``core`` so that an app's API module can use it without importing the ``api``
package, which routes to every app and therefore sits above them all.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from coordcell.core.http import actor_for

__all__ = ["IsCellMember", "Pagination"]


class IsCellMember(BasePermission):
    """Authenticated, active, and holding an active membership in some delegation."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        return actor_for(request).is_member


class Pagination(PageNumberPagination):
    """Page-number pagination with a caller-chosen page size, capped by a setting."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE
