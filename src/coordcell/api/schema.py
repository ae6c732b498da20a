"""The schema class of every API view (``DEFAULT_SCHEMA_CLASS``): drf-spectacular's, asking
django-filter for query parameters only where a view declares a filter set.

It lives here, not in ``core.rest``: the settings import ``core.rest`` (the permission and
pagination classes) while DRF itself is loading, and drf-spectacular's ``openapi`` imports
DRF's generic views, so importing it from there is circular.
"""

from __future__ import annotations

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular import openapi

__all__ = ["AutoSchema"]


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's ``AutoSchema``, with the filter backends a view really uses.

    ``DjangoFilterBackend`` is every view's filter backend (the settings) and does nothing
    for a view without ``filterset_class`` or ``filterset_fields``. To find that out
    drf-spectacular would call the view's ``get_queryset()`` for its model, which outside
    a request fails for a view that reads its path (``self.kwargs["id"]``) and cannot
    answer for one that returns a list; such a view has no filter parameters to document.
    """

    def get_filter_backends(self) -> list[Any]:
        backends: list[Any] = super().get_filter_backends()
        view = self.view
        if getattr(view, "filterset_class", None) or getattr(view, "filterset_fields", None):
            return backends
        return [b for b in backends if not issubclass(b, DjangoFilterBackend)]
