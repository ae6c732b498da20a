"""View decorators: who may open a page at all."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseBase
from django.template.response import TemplateResponse

from coordcell.ui.actor import actor_for

__all__ = ["member_required"]


def member_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Signed in and holding an active membership; otherwise a page that says so (403)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not actor_for(request).is_member:
            return TemplateResponse(request, "ui/no_membership.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper
