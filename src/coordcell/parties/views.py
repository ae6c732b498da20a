"""Delegation pages (being written)."""

from django.http import HttpRequest, HttpResponse

from coordcell.ui.decorators import member_required


@member_required
def delegation_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


@member_required
def delegation_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    return HttpResponse("")
