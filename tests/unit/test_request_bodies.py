"""Request bodies at the edge: refused by size before they are read, read in full within
the request's deadline, and never waited on for ever."""

from __future__ import annotations

import io
import json
import socket
import threading

import pytest
from django.test import override_settings

from coordcell.core.bodies import BoundedRequestBodies
from coordcell.core.server import BoundedSocket

# --- the server's connections ------------------------------------------------------


@pytest.fixture
def pair():
    """A connected (server side as BoundedSocket, client side) pair, closed afterwards."""
    server, client = socket.socketpair()
    bounded = BoundedSocket.adopt(server, timeout=0.2)
    bounded.setblocking(True)
    yield bounded, client
    bounded.close()
    client.close()


def test_it_reads_what_arrives_in_time(pair) -> None:
    server, client = pair
    server.start_request()
    client.sendall(b"POST / HTTP/1.1\r\n")
    assert server.recv(100) == b"POST / HTTP/1.1\r\n"


def test_it_stops_waiting_for_a_client_that_sends_nothing(pair) -> None:
    server, _ = pair
    server.start_request()
    with pytest.raises(TimeoutError):
        server.recv(100)


def test_it_stops_a_client_that_trickles_past_the_deadline(pair) -> None:
    server, client = pair
    stop = threading.Event()

    def trickle() -> None:
        while not stop.wait(0.02):
            client.send(b"x")

    sender = threading.Thread(target=trickle)
    sender.start()
    server.start_request()

    def read_until_refused() -> int:
        received = 0
        try:
            while True:  # each read gets a byte; only the request's deadline ends it
                received += len(server.recv(1))
        except TimeoutError:
            return received

    try:
        received = read_until_refused()
    finally:
        stop.set()
        sender.join()
    assert received > 0


def test_it_reads_nothing_more_once_told_to_stop(pair) -> None:
    server, client = pair
    server.start_request()
    client.sendall(b"the rest of a refused body")
    server.stop_reading()
    with pytest.raises(TimeoutError):
        server.recv(100)


def test_it_keeps_non_blocking_mode_for_the_poller(pair) -> None:
    server, _ = pair
    server.setblocking(False)
    assert server.gettimeout() == 0.0
    server.start_request()
    with pytest.raises(BlockingIOError):
        server.recv(100)


# --- the WSGI wrapper --------------------------------------------------------------


class _App:
    """Records the body it was handed."""

    def __init__(self) -> None:
        self.body: bytes | None = None

    def __call__(self, environ, start_response):
        self.body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


class _Unreadable(io.RawIOBase):
    """A body that must not be read."""

    def read(self, size=-1):
        raise AssertionError("the body was read")


class _Stalling(io.RawIOBase):
    def read(self, size=-1):
        raise TimeoutError


class _Socket:
    stopped = False

    def stop_reading(self) -> None:
        self.stopped = True


def _environ(length: int | None, body=None, **extra) -> dict:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/accounts/login/",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "wsgi.input": body if body is not None else io.BytesIO(),
        "gunicorn.socket": _Socket(),
        **extra,
    }
    if length is not None:
        environ["CONTENT_LENGTH"] = str(length)
    return environ


def _call(environ, *, signed_in=lambda environ: False):
    app = _App()
    answer: dict = {}

    def start_response(status, headers):
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(headers)

    body = b"".join(BoundedRequestBodies(app, signed_in=signed_in)(environ, start_response))
    return answer["status"], body, app


def test_it_hands_a_body_in_full_to_the_application() -> None:
    status, _, app = _call(_environ(11, io.BytesIO(b"login=alice")))
    assert status == 200
    assert app.body == b"login=alice"


@override_settings(ANONYMOUS_MAX_BYTES=65_536)
def test_it_refuses_a_large_anonymous_body_unread() -> None:
    environ = _environ(65_537, _Unreadable())
    status, body, app = _call(environ)
    assert (status, body) == (413, b"The request is too large.")
    assert app.body is None
    assert environ["gunicorn.socket"].stopped


@override_settings(REQUEST_MAX_BYTES=26_000_000, ANONYMOUS_MAX_BYTES=65_536)
def test_it_refuses_a_body_above_the_upload_limit_even_signed_in() -> None:
    status, _, app = _call(_environ(26_000_001, _Unreadable()), signed_in=lambda e: True)
    assert status == 413
    assert app.body is None


@override_settings(ANONYMOUS_MAX_BYTES=1024)
def test_it_asks_whether_a_large_body_is_signed_in_only_when_credentials_are_present() -> None:
    asked = []

    def signed_in(environ) -> bool:
        asked.append(environ["HTTP_COOKIE"])
        return True

    status, _, app = _call(
        _environ(2000, io.BytesIO(b"x" * 2000), HTTP_COOKIE="sessionid=abc"), signed_in=signed_in
    )
    assert status == 200
    assert app.body == b"x" * 2000
    assert asked == ["sessionid=abc"]
    status, _, _ = _call(_environ(2000, _Unreadable()), signed_in=signed_in)
    assert status == 413
    assert asked == ["sessionid=abc"]


@override_settings(ANONYMOUS_MAX_BYTES=1024)
def test_it_takes_a_failing_identity_check_as_anonymous() -> None:
    def broken(environ) -> bool:
        raise RuntimeError("database unreachable")

    status, _, _ = _call(
        _environ(2000, _Unreadable(), HTTP_COOKIE="sessionid=abc"), signed_in=broken
    )
    assert status == 413


def test_it_refuses_a_chunked_body() -> None:
    environ = _environ(None, _Unreadable(), HTTP_TRANSFER_ENCODING="chunked")
    status, body, app = _call(environ)
    assert (status, body) == (411, b"A request body needs a Content-Length header.")
    assert app.body is None


def test_it_answers_a_stalled_body_with_408() -> None:
    status, body, app = _call(_environ(10, _Stalling()))
    assert (status, body) == (408, b"The request body came too slowly.")
    assert app.body is None


def test_it_refuses_a_body_shorter_than_announced() -> None:
    status, _, app = _call(_environ(10, io.BytesIO(b"short")))
    assert status == 400
    assert app.body is None


def test_it_refuses_a_malformed_length() -> None:
    status, _, _ = _call(_environ(None, HTTP_CONTENT_LENGTH="x", CONTENT_LENGTH="-5"))
    assert status == 400


@override_settings(ANONYMOUS_MAX_BYTES=1024)
def test_it_refuses_in_the_apis_error_shape_and_the_persons_language() -> None:
    environ = _environ(2000, _Unreadable(), PATH_INFO="/api/v1/incidents/")
    environ["HTTP_ACCEPT_LANGUAGE"] = "ar"
    status, body, _ = _call(environ)
    assert status == 413
    assert json.loads(body) == {"error": {"code": "too_large", "message": "الطلب كبير جدًا."}}
