"""The running demo at its edges: error pages, static files, slow and large requests.

These talk to the real ``coordcell demo`` (gunicorn in a subprocess) over sockets, since
the Django test client never goes through the server or its WSGI wrapper.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.demo_server import Demo

pytestmark = pytest.mark.xdist_group("demo")


def test_it_answers_a_missing_page_with_the_apps_page_not_a_debug_page(demo: Demo) -> None:
    status, _, body = demo.session().request("/no-such-page/")
    assert status == 404
    assert "<h1>Page not found</h1>" in body
    assert "URLconf" not in body
    assert "DEBUG" not in body


def test_it_serves_static_files_with_debug_off(demo: Demo) -> None:
    session = demo.session()
    status, _, css = session.request("/static/coordcell/coordcell.css")
    assert status == 200
    assert ".topbar" in css
    # Leaflet comes from the django-leaflet package's folder, not from a collected copy.
    status, _, script = session.request("/static/leaflet/leaflet.js")
    assert status == 200
    assert "Leaflet" in script


# --- slow and large requests -------------------------------------------------------


def _connect(demo: Demo) -> socket.socket:
    return socket.create_connection(("127.0.0.1", demo.port), timeout=5)


def _head(path: str, headers: dict[str, str], method: str = "POST") -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _answer(sock: socket.socket) -> tuple[int, str]:
    """The status and body of the response on ``sock`` (read until the server closes)."""
    data = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body.decode("utf-8", errors="replace")


def test_it_keeps_answering_while_clients_stall_their_bodies(demo: Demo) -> None:
    """Four requests announce a body and never send it; the demo answers the next at once."""
    token = demo.accounts["il.liaison"]["token"]
    stalled = []
    for _ in range(4):
        sock = _connect(demo)
        sock.sendall(
            _head(
                "/api/v1/incidents/",
                {
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/json",
                    "Content-Length": "1000",
                },
            )
        )
        stalled.append(sock)
    try:
        with urllib.request.urlopen(demo.base_url + "/accounts/login/", timeout=2) as response:  # noqa: S310
            assert response.status == 200
    finally:
        for sock in stalled:
            sock.close()


def test_it_refuses_a_huge_anonymous_upload_before_reading_it(demo: Demo) -> None:
    with _connect(demo) as sock:
        sock.sendall(
            _head(
                "/accounts/login/",
                {"Content-Type": "multipart/form-data; boundary=x", "Content-Length": "200000000"},
            )
        )
        status, body = _answer(sock)  # no byte of the body was sent
    assert status == 413
    assert body == "The request is too large."


def test_it_refuses_an_anonymous_body_above_the_anonymous_limit(demo: Demo) -> None:
    with _connect(demo) as sock:
        sock.sendall(
            _head(
                "/accounts/login/",
                {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": "100000"},
            )
        )
        status, _ = _answer(sock)
    assert status == 413


def test_it_refuses_an_anonymous_body_with_an_invented_session_cookie(demo: Demo) -> None:
    with _connect(demo) as sock:
        sock.sendall(
            _head(
                "/api/v1/incidents/",
                {
                    "Cookie": "sessionid=invented0123456789abcdefghijklmn",
                    "Content-Type": "application/json",
                    "Content-Length": "100000",
                },
            )
        )
        status, body = _answer(sock)
    assert status == 413
    assert json.loads(body) == {
        "error": {"code": "too_large", "message": "The request is too large."}
    }


def test_it_refuses_a_signed_in_body_above_the_upload_limit_before_reading_it(demo: Demo) -> None:
    token = demo.accounts["il.liaison"]["token"]
    with _connect(demo) as sock:
        sock.sendall(
            _head(
                "/api/v1/incidents/x/evidence/",
                {
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "multipart/form-data; boundary=x",
                    "Content-Length": "300000000",
                },
            )
        )
        status, _ = _answer(sock)
    assert status == 413


def test_it_takes_a_signed_in_body_above_the_anonymous_limit(demo: Demo) -> None:
    token = demo.accounts["il.liaison"]["token"]
    body = json.dumps({"type": "FeatureCollection", "features": [], "pad": "x" * 100_000})
    request = urllib.request.Request(  # noqa: S310 (http://127.0.0.1)
        demo.base_url + "/api/v1/check",
        data=body.encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    assert status != 413


def test_it_refuses_a_chunked_body(demo: Demo) -> None:
    with _connect(demo) as sock:
        sock.sendall(
            _head(
                "/accounts/login/",
                {"Content-Type": "application/octet-stream", "Transfer-Encoding": "chunked"},
            )
        )
        status, body = _answer(sock)
    assert status == 411
    assert body == "A request body needs a Content-Length header."


# --- retries -------------------------------------------------------------------------


def test_it_creates_one_incident_for_concurrent_tries_with_one_key(demo: Demo) -> None:
    """Three tries of one POST at once, with one Idempotency-Key: one incident, one answer."""
    token = demo.accounts["il.liaison"]["token"]
    title = "Concurrent retries near the line (fictional e2e)"
    body = json.dumps(
        {
            "kind": "military_presence",
            "title": title,
            "occurred_from": "2026-04-01T10:00:00+03:00",
            "geometry": {"type": "Point", "coordinates": [35.82461, 33.12595]},
        }
    ).encode()
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Idempotency-Key": "e2e-concurrent-1",
    }
    start = threading.Barrier(3)

    def attempt() -> tuple[int, bytes, str | None]:
        request = urllib.request.Request(  # noqa: S310 (http://127.0.0.1)
            demo.base_url + "/api/v1/incidents/", data=body, headers=headers
        )
        start.wait()
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read(), response.headers.get("Idempotent-Replayed")

    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda _: attempt(), range(3)))

    assert {status for status, _, _ in answers} == {201}
    assert len({content for _, content, _ in answers}) == 1
    assert sorted(str(replayed) for _, _, replayed in answers) == ["None", "true", "true"]
    # Every incident that began at that minute (the list pages; this one page holds them).
    moment = "occurred_after=2026-04-01T07:00:00Z&occurred_before=2026-04-01T07:01:00Z"
    listing = urllib.request.Request(  # noqa: S310
        f"{demo.base_url}/api/v1/incidents/?{moment}",
        headers={"Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(listing, timeout=30) as response:  # noqa: S310
        page = json.loads(response.read())
    assert page["next"] is None
    # A reporter's title is its party's version (the headline is generated).
    titles = [a["title"] for i in page["results"] for a in i["accounts"]]
    assert titles.count(title) == 1
