"""Long lists on the web pages, a page at a time.

Django's ``Paginator`` over a queryset the database orders (never a list sorted or cut in
Python); ``?page=N`` picks the page (a number out of range shows the nearest page), and
the previous and next links keep the page's other query parameters (``?all=1``, …). The
template ``ui/_pager.html`` shows "Page X of Y" with the links.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

__all__ = ["PAGE_SIZE", "Pager", "paginate"]

#: Rows per page of a list on the web pages.
PAGE_SIZE = 50


@dataclass(frozen=True)
class Pager:
    """One page of a list, with the links to its neighbours (``None`` at either end)."""

    page: Page[Any]
    previous_url: str | None
    next_url: str | None

    @property
    def items(self) -> list[Any]:
        return list(self.page.object_list)


def _url(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return f"?{query.urlencode()}"


def paginate(request: HttpRequest, items: Any, per_page: int | None = None) -> Pager:
    """The page of ``items`` (an ordered queryset) that ``?page=`` asks for."""
    page = Paginator(items, per_page or PAGE_SIZE).get_page(request.GET.get("page"))
    return Pager(
        page=page,
        previous_url=_url(request, page.previous_page_number()) if page.has_previous() else None,
        next_url=_url(request, page.next_page_number()) if page.has_next() else None,
    )
