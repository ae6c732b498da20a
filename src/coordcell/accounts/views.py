"""Account pages (being written)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
