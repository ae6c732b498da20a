"""Who may call each endpoint at all: anonymous callers, outsiders and members."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver

from coordcell.api import urls as api_urls
from coordcell.core.rest import Pagination
from tests.integration.api.conftest import (
    AUTHS,
    ENVELOPE,
    MEMBERS,
    NOT_A_MEMBER,
    UNAUTHENTICATED,
)
from tests.integration.api.endpoints import (
    AUDIENCE_PAGED,
    ENDPOINTS,
    PAGED,
    READS,
    Endpoint,
    call,
    url,
)

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
        # DRF adds "head" to a viewset's map on the route's first request: HEAD goes with GET.
        actions = {k: v for k, v in (getattr(pattern.callback, "actions", None) or {}).items()
                   if k != "head"}  # fmt: skip
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
    if endpoint.paged:
        body = response.json()
        assert sorted(body) == ENVELOPE
        assert body["previous"] is None
        assert len(body["results"]) == min(body["count"], Pagination.page_size)
        assert (body["next"] is not None) == (body["count"] > Pagination.page_size)
    assert snapshot() == before


def test_it_marks_every_list_of_the_schema_as_paged(api: Any) -> None:
    """A GET whose answer is a list is in the envelope, and marked so in the matrix; the
    only bare array is the record's entries, which page by sequence number."""
    schema = api("il.liaison").get("/api/schema/", {"format": "json"}).json()
    paged, arrays = set(), set()
    for path, item in schema["paths"].items():
        if "get" not in item:
            continue
        content = item["get"]["responses"]["200"].get("content", {})
        for body in content.values():
            ref = body["schema"].get("$ref", "")
            if ref.startswith("#/components/schemas/Paginated"):
                paged.add(path)
                assert schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["required"] == [
                    "count",
                    "results",
                ]
            elif body["schema"].get("type") == "array":
                arrays.add(path)
    assert paged == {e.path for e in PAGED + AUDIENCE_PAGED}
    assert arrays == {"/api/v1/record/entries"}
