"""Who may call each endpoint at all: anonymous callers, outsiders and members."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver

from coordcell.api import urls as api_urls
from tests.integration.api.conftest import AUTHS, MEMBERS, NOT_A_MEMBER, UNAUTHENTICATED
from tests.integration.api.endpoints import ENDPOINTS, READS, Endpoint, call, url

pytestmark = pytest.mark.django_db


def _routes(patterns: list[Any], prefix: str = "/api/") -> set[tuple[str, str]]:
    """(method, OpenAPI path) for every route in the API's URLconf, the catch-all aside."""
    found: set[tuple[str, str]] = set()
    for pattern in patterns:
        raw = str(pattern.pattern).removeprefix("^").removesuffix("$")
        raw = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", raw)
        raw = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", raw)
        if isinstance(pattern, URLResolver):
            found |= _routes(pattern.url_patterns, prefix + raw)
            continue
        assert isinstance(pattern, URLPattern)
        if pattern.name == "not-found":
            continue
        actions = getattr(pattern.callback, "actions", None)
        view = getattr(pattern.callback, "cls", None) or pattern.callback.view_class
        methods = actions or {m: m for m in ("get", "post", "put", "patch", "delete")}
        found |= {(m.upper(), prefix + raw) for m in methods if hasattr(view, methods[m])}
    return found


def test_it_lists_every_route_of_the_api_in_the_matrix() -> None:
    assert _routes(api_urls.urlpatterns) == {(e.method, e.path) for e in ENDPOINTS}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_it_refuses_anonymous_callers_with_401(
    endpoint: Endpoint, api: Any, ids: dict[str, str], snapshot: Any
) -> None:
    client = api(None)
    before = snapshot()
    response = call(client, endpoint, url(endpoint, ids))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == UNAUTHENTICATED
    assert snapshot() == before


@pytest.mark.parametrize("auth", AUTHS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_it_refuses_an_authenticated_outsider_with_403(
    endpoint: Endpoint, auth: str, api: Any, ids: dict[str, str], snapshot: Any
) -> None:
    client = api("outsider", auth)
    before = snapshot()
    response = call(client, endpoint, url(endpoint, ids))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json() == NOT_A_MEMBER
    assert snapshot() == before


@pytest.mark.parametrize("auth", AUTHS)
@pytest.mark.parametrize("username", MEMBERS)
@pytest.mark.parametrize("endpoint", READS, ids=lambda e: e.id)
def test_it_serves_every_read_endpoint_to_every_member(
    endpoint: Endpoint, username: str, auth: str, api: Any, ids: dict[str, str], snapshot: Any
) -> None:
    client = api(username, auth)
    before = snapshot()
    response = call(client, endpoint, url(endpoint, ids))
    assert response.status_code == 200
    assert snapshot() == before
