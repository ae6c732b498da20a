"""The OpenAPI schema is valid OpenAPI 3 and covers every endpoint; the docs page loads
its assets only from our own /static/."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.staticfiles import finders

from coordcell.api import views
from tests.integration.api.endpoints import ENDPOINTS

pytestmark = pytest.mark.django_db

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
V1 = {e.path for e in ENDPOINTS if e.path.startswith("/api/v1/")}


def _schema(response: Any) -> dict[str, Any]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oai.openapi+json"
    body: dict[str, Any] = json.loads(response.content)
    return body


class _Assets(HTMLParser):
    """Every URL the page makes the browser fetch (scripts, stylesheets, icons, images)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        for attr in ("src", "href"):
            if tag in {"script", "link", "img", "iframe"} and named.get(attr) is not None:
                self.urls.append(str(named[attr]))


@pytest.mark.parametrize(
    "request_kwargs",
    [{"data": {"format": "json"}}, {"HTTP_ACCEPT": "application/vnd.oai.openapi+json"}],
    ids=["format-query", "accept-header"],
)
def test_it_serves_a_valid_openapi_3_schema(api: Any, request_kwargs: dict[str, Any]) -> None:
    # Imported here, not with the module: it imports jsonschema, which builds some forty
    # grammars of rfc3987-syntax (about 3 s of CPU), and every worker collects this module.
    from drf_spectacular.validation import validate_schema

    schema = _schema(api("il.liaison").get("/api/schema/", **request_kwargs))
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "coordcell API"


def test_it_generates_the_schema_without_a_warning_or_an_error(api: Any) -> None:
    """Each of drf-spectacular's warnings is a wrong schema for the API's users: two
    serializers under one component name (one's shape silently replaces the other's), a
    field typed as a string that takes JSON, a view whose model cannot be found.

    The schema is generated as a member reads it (one generation; kept for the tests that
    follow in this process, as a fresh process would keep it)."""
    from drf_spectacular.drainage import GENERATOR_STATS

    with views._SCHEMAS_LOCK:
        views._SCHEMAS.clear()
        views._RENDERED.clear()
    GENERATOR_STATS.reset()
    _schema(api("il.liaison").get("/api/schema/", {"format": "json"}))
    assert sorted(GENERATOR_STATS._error_cache) == []
    assert sorted(GENERATOR_STATS._warn_cache) == []


def test_a_readers_own_language_version_or_media_type_parameters_grow_no_cache(api: Any) -> None:
    """The schema is kept per site language and the API's version only: ``?lang=``,
    ``?version=`` and the Accept header's parameters take any value a member sends."""
    client = api("il.liaison")
    assert client.get("/api/schema/", {"format": "json"}).status_code == 200
    kept = (len(views._SCHEMAS), len(views._RENDERED))
    for n in range(3):
        assert client.get("/api/schema/", {"format": "json", "lang": f"x{n}"}).status_code == 200
        assert client.get("/api/schema/", {"format": "json", "version": f"v{n}"}).status_code == 200
        answer = client.get("/api/schema/", HTTP_ACCEPT=f"application/vnd.oai.openapi+json; x={n}")
        assert answer.status_code == 200
        assert json.loads(answer.content)["openapi"].startswith("3.")
    assert (len(views._SCHEMAS), len(views._RENDERED)) == kept


def test_it_documents_every_v1_endpoint_with_its_methods(api: Any) -> None:
    schema = _schema(api("il.liaison").get("/api/schema/", {"format": "json"}))
    documented = {
        path: {m.upper() for m in item if m in HTTP_METHODS}
        for path, item in schema["paths"].items()
    }
    expected = {path: {e.method for e in ENDPOINTS if e.path == path} for path in V1}
    assert documented == expected


def test_it_documents_bearer_tokens_and_sessions_as_security_schemes(api: Any) -> None:
    schema = _schema(api("il.liaison").get("/api/schema/", {"format": "json"}))
    schemes = schema["components"]["securitySchemes"]
    assert schemes["apiToken"]["type"] == "http"
    assert schemes["apiToken"]["scheme"] == "bearer"
    assert schemes["cookieAuth"]["type"] == "apiKey"
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert {"apiToken": []} in operation["security"], (method, path)


def test_it_serves_the_docs_page_with_local_assets_only(api: Any) -> None:
    response = api("il.liaison").get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert "http://" not in html
    assert "https://" not in html
    assert "//" not in html.replace("<!DOCTYPE html>", "")
    parser = _Assets()
    parser.feed(html)
    static = [u for u in parser.urls if u.startswith("/static/")]
    assert sorted(set(parser.urls) - set(static)) == ["/api/docs/?script="]
    assert sorted(static) == [
        "/static/coordcell/swagger.css",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
    ]
    for asset in static:
        assert finders.find(asset.removeprefix("/static/")) is not None, asset


def test_it_serves_the_docs_init_script_pointing_at_our_schema(api: Any) -> None:
    response = api("il.liaison").get("/api/docs/", {"script": ""})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript"
    script = response.content.decode()
    assert "http://" not in script
    assert "https://" not in script
    assert '"/api/schema/"' in script
