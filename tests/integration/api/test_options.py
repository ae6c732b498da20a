"""Every API route answers OPTIONS (DRF's metadata: what the route takes) without a server
error, for an id that names nothing too. The API fuzzer found one that did: a view with no
body and no serializer, whose metadata raised."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver

pytestmark = pytest.mark.django_db


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def test_every_api_route_answers_options_without_a_server_error(tokens: dict[str, str]) -> None:
    client = Client(
        headers={"Authorization": f"Bearer {tokens['mediator']}"}, raise_request_exception=False
    )
    paths = sorted(
        {
            "/" + re.sub(r"<[^>]+>", "0", route).lstrip("^").rstrip("$")
            for route in _routes(get_resolver().url_patterns)
            if route.startswith("api/")
        }
    )
    assert len(paths) > 200
    failed = [
        (path, r.status_code) for path in paths if (r := client.options(path)).status_code >= 500
    ]
    assert failed == []
