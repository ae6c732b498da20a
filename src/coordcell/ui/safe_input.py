"""Refuse NUL characters and lone surrogates in a request's path, query and form fields.

PostgreSQL cannot store a NUL in text or JSON (the query fails, a 500), and neither
character can be written out as UTF-8. No page has a use for them, so a request that
carries one gets a 400 before any view runs: the API's error shape under ``/api/``, a page
saying what to fix elsewhere. The API's JSON bodies are checked by its parser
(``core/parsers.py``); form bodies are checked after the CSRF check has passed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext

__all__ = ["RefuseUnsafeCharactersMiddleware"]

_UNSAFE = re.compile("[\x00\ud800-\udfff]")
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _unsafe(texts: Iterable[Any]) -> bool:
    return any(isinstance(t, str) and _UNSAFE.search(t) for t in texts)


def _query_unsafe(request: HttpRequest) -> bool:
    return _unsafe([request.path]) or any(
        _unsafe([key, *values]) for key, values in request.GET.lists()
    )


def _form_unsafe(request: HttpRequest) -> bool:
    if request.method not in ("POST", "PUT", "PATCH") or request.content_type not in _FORMS:
        return False
    return any(_unsafe([key, *values]) for key, values in request.POST.lists()) or any(
        _unsafe([key, *(f.name for f in files)]) for key, files in request.FILES.lists()
    )


class RefuseUnsafeCharactersMiddleware:
    """400 for a NUL or a lone surrogate in the path, the query string or a form field."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _query_unsafe(request):
            return _refuse(request)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        # After CsrfViewMiddleware's own process_view: a forged post is refused unread.
        if not request.path.startswith("/api/") and _form_unsafe(request):
            return _refuse(request)
        return None


def _refuse(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        message = gettext("The request has a NUL character or a lone surrogate in a parameter.")
        return JsonResponse({"error": {"code": "parse_error", "message": message}}, status=400)
    return render(request, "ui/refused_input.html", status=400)
