"""The GIS doors' tests: the demo's story told once for the package (a transaction rolled
back after its last test), and what each persona may read, from the owning
apps' selectors (the reference the OGC API and the exports are checked against)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.story import DemoStory

#: Every kind of reader of the demo: the mediator, both parties, a monitor, a donor and
#: an observer.
PERSONAS = ("mediator", "il.liaison", "sy.liaison", "monitor", "donor", "observer")
COLLECTIONS = ("zones", "places", "incidents", "positions", "notices", "projects")


@pytest.fixture(scope="package")
def _told_once(demo_story: DemoStory) -> Iterator[None]:
    with demo_story.told():
        yield


@pytest.fixture
def story(db: Any, _told_once: None) -> None:
    """The demo's story is told (once for the package: ``_told_once``)."""


def expected_ids(actor: Any, collection: str) -> set[str] | None:
    """The ids of the features ``actor`` may read in ``collection``, straight from the
    owning app's selectors; None when the actor may read none of the layer."""
    from coordcell.agreements import selectors as agreements
    from coordcell.deconfliction import selectors as deconfliction
    from coordcell.economy import selectors as economy
    from coordcell.incidents import selectors as incidents
    from coordcell.positions import selectors as positions

    version = agreements.get_version(actor, None, None)
    if collection == "zones":
        return {f["id"] for f in agreements.zones_feature_collection(actor, version)["features"]}
    if collection == "places":
        return {f["id"] for f in agreements.places_feature_collection(actor, version)["features"]}
    if collection == "incidents":
        return {str(i.public_id) for i in incidents.list_incidents(actor)}
    if collection == "positions":
        if actor.party_kind not in ("party", "mediator"):
            return None
        return {str(p.public_id) for p in positions.list_positions(actor)}
    if collection == "notices":
        return {str(n.public_id) for n in deconfliction.list_notices(actor)}
    assert collection == "projects"
    return {str(p.public_id) for p in economy.list_projects(actor)}


class _Handler(http.server.BaseHTTPRequestHandler):
    """Hands each GET to Django through its test client, on the test's own database
    connection (so the server sees the story the test's transaction holds)."""

    server: _Server

    def do_GET(self) -> None:
        from django.test import Client

        headers = {"host": f"127.0.0.1:{self.server.server_port}"}
        for name in ("authorization", "accept", "accept-language"):
            if self.headers.get(name):
                headers[name] = self.headers[name]
        self.server.paths.append(self.path)
        answer = Client(headers=headers, raise_request_exception=False).get(self.path)
        if answer.status_code == 400:
            self.server.refused.append((self.path, answer.content.decode()))
        body = answer.content
        self.send_response(answer.status_code)
        for name, value in answer.items():
            if name.lower() not in ("content-length", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(http.server.HTTPServer):
    paths: list[str]
    refused: list[tuple[str, str]]


@pytest.fixture
def live(story: None) -> Iterator[_Server]:
    """A real HTTP server on 127.0.0.1 in front of Django, for clients that do their own
    HTTP (GDAL's curl, OWSLib's requests): one request at a time, in a thread that uses
    the test's database connection while the test waits for the client's answer."""
    from django.db import connections

    shared = connections["default"]
    server = _Server(("127.0.0.1", 0), _Handler)
    server.paths = []
    server.refused = []

    def serve() -> None:
        connections["default"] = shared
        server.serve_forever(poll_interval=0.01)

    shared.inc_thread_sharing()
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        shared.dec_thread_sharing()
