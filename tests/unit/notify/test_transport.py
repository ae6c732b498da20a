"""The webhooks' transport on its own: one POST, to the checked addresses only, with no
proxy, no redirect and a hard wall-clock deadline, against local servers on 127.0.0.1.

No database and no Django: ``transport.post`` takes the URL, body, headers, deadline and
allowed networks as arguments. Names resolve through ``tests.httpd.fake_dns``.
"""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from coordcell.notify import transport
from coordcell.notify.transport import Outcome
from tests.httpd import Answers, Dripper, Receiver, fake_dns

#: The local servers listen on 127.0.0.1: allowed, as a closed network's would be.
LOOPBACK = ["127.0.0.0/8"]
#: A deadline no test reaches unless the transport fails it.
AMPLE = 5.0
#: The deadline of the tests that reach it.
SHORT = 0.3
REFUSED_LOOPBACK = (
    "refused: 127.0.0.1 resolves to 127.0.0.1, an internal address outside "
    "COORDCELL_WEBHOOK_ALLOWED_NETWORKS"
)


@pytest.fixture(autouse=True)
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, Answers]:
    return fake_dns(monkeypatch)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def _post(url: str, **kwargs: Any) -> Outcome:
    kwargs.setdefault("timeout", AMPLE)
    kwargs.setdefault("allowed", LOOPBACK)
    headers = kwargs.pop("headers", {"Content-Type": "application/json"})
    return transport.post(url, kwargs.pop("body", b"{}"), headers, **kwargs)


def _send_threads_end() -> None:
    """Wait for every abandoned exchange's thread to end (they are daemons)."""
    for thread in threading.enumerate():
        if thread.name == transport.THREAD_NAME:
            thread.join(5)
            assert not thread.is_alive()


# --- what is sent, and what counts as delivered --------------------------------------------


def test_it_posts_the_body_and_headers_as_given(receiver: Receiver) -> None:
    outcome = _post(
        receiver.url("/in?party=il"),
        body=b'{"a":1}',
        headers={"Content-Type": "application/json", "X-Test": "yes"},
    )
    assert outcome == Outcome(True, 200, "")
    [request] = receiver.requests
    assert (request["method"], request["path"], request["body"]) == (
        "POST",
        "/in?party=il",
        b'{"a":1}',
    )
    assert request["headers"]["X-Test"] == "yes"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["Host"] == f"127.0.0.1:{receiver.port}"


def test_a_url_without_a_path_posts_to_the_root(receiver: Receiver) -> None:
    assert _post(f"http://127.0.0.1:{receiver.port}").ok
    assert [r["path"] for r in receiver.requests] == ["/"]


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome(True, 200, "")),
        (204, Outcome(True, 204, "")),
        (299, Outcome(True, 299, "")),
        (404, Outcome(False, 404, "HTTP 404")),
        (500, Outcome(False, 500, "HTTP 500")),
        (503, Outcome(False, 503, "HTTP 503")),
        (199, Outcome(False, 199, "HTTP 199")),
    ],
)
def test_only_a_2xx_answer_is_a_delivery(status: int, outcome: Outcome, receiver: Receiver) -> None:
    receiver.script = [status]
    assert _post(receiver.url()) == outcome
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_not_followed(status: int, receiver: Receiver) -> None:
    receiver.script = [status]
    assert _post(receiver.url("/hook")) == Outcome(False, status, f"HTTP {status}")
    assert [r["path"] for r in receiver.requests] == ["/hook"]  # not /elsewhere


def test_no_proxy_from_the_environment_is_used(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    assert _post(receiver.url()) == Outcome(True, 200, "")
    assert len(receiver.requests) == 1


def test_it_reads_no_more_of_the_answer_than_it_needs() -> None:
    """The endpoint sends its status, 8 KiB of a 1 MiB body and then nothing: a client
    that read the whole body would wait for the rest until its deadline."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(5)
    done = threading.Event()

    def serve() -> None:
        conn, _address = server.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n" + b"x" * 8192)
            done.wait(5)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        port = server.getsockname()[1]
        outcome = _post(f"http://127.0.0.1:{port}/big")
    finally:
        done.set()
        thread.join(5)
        server.close()
    assert outcome == Outcome(True, 200, "")
    assert transport.RESPONSE_MAX_BYTES == 4096


# --- where it may connect -----------------------------------------------------------------


def test_an_internal_address_outside_the_allowed_networks_is_refused(receiver: Receiver) -> None:
    assert _post(receiver.url(), allowed=[]) == Outcome(False, None, REFUSED_LOOPBACK)
    assert _post(receiver.url(), allowed=["10.0.0.0/8"]) == Outcome(False, None, REFUSED_LOOPBACK)
    assert receiver.requests == []


def test_one_internal_address_among_public_ones_refuses_the_host(
    receiver: Receiver, dns: dict[str, Answers]
) -> None:
    dns["mixed.example"] = ["93.184.215.14", "127.0.0.1"]
    outcome = _post(f"http://mixed.example:{receiver.port}/hook", allowed=[])
    assert outcome == Outcome(
        False,
        None,
        "refused: mixed.example resolves to 127.0.0.1, an internal address outside "
        "COORDCELL_WEBHOOK_ALLOWED_NETWORKS",
    )
    assert receiver.requests == []


def test_it_connects_to_the_address_it_checked(receiver: Receiver, dns: dict[str, Answers]) -> None:
    lookups: list[str] = []

    def answers() -> list[str]:
        lookups.append("pinned.example")
        # The check sees loopback (allowed); a second lookup, by a connection that
        # resolved the name again, would be sent elsewhere.
        return ["127.0.0.1"] if len(lookups) == 1 else ["10.255.255.1"]

    dns["pinned.example"] = answers
    outcome = _post(f"http://pinned.example:{receiver.port}/hook?party=il")
    assert outcome == Outcome(True, 200, "")
    assert lookups == ["pinned.example"]
    [request] = receiver.requests
    assert request["path"] == "/hook?party=il"
    assert request["headers"]["Host"] == f"pinned.example:{receiver.port}"


def test_a_host_that_does_not_resolve_fails_saying_so() -> None:
    assert _post("https://nowhere.invalid/hook") == Outcome(
        False, None, "cannot resolve nowhere.invalid: Name or service not known"
    )


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("ftp://hooks.example/in", "not an http(s) URL"),
        ("http:///no-host", "not an http(s) URL"),
        ("hooks.example/in", "not an http(s) URL"),
        ("http://hooks.example:99999/", "not a valid URL"),
    ],
)
def test_a_url_it_cannot_send_to_fails_saying_why(url: str, error: str) -> None:
    assert _post(url) == Outcome(False, None, error)


def test_an_endpoint_that_refuses_the_connection_is_a_failed_attempt() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # free now, and nothing listens once it is closed
    outcome = _post(f"http://127.0.0.1:{port}/hook")
    assert (outcome.ok, outcome.status) == (False, None)
    assert "refused" in outcome.error.lower()


def test_a_bad_allowed_network_is_a_failed_attempt_not_an_exception() -> None:
    outcome = _post("http://127.0.0.1:9/hook", allowed=["ten"])
    assert (outcome.ok, outcome.status) == (False, None)
    assert outcome.error.startswith("the allowed networks are not valid:")


def test_errors_are_cut_to_what_a_delivery_keeps(dns: dict[str, Answers]) -> None:
    name = ".".join(["x" * 60] * 9) + ".invalid"  # longer than the error may be
    outcome = _post(f"http://{name}/hook")
    assert outcome.error.startswith(f"cannot resolve {name[:40]}")
    assert len(outcome.error) == transport.ERROR_MAX_CHARS


# --- how long: a hard limit on the whole exchange -----------------------------------------


@pytest.mark.parametrize("where", ["headers", "body"])
def test_an_endpoint_that_drips_its_answer_is_cut_off_at_the_deadline(where: str) -> None:
    # A byte every 0.02 s: each read succeeds long before the socket's own timeout (the
    # deadline, 0.5 s, per operation), and the whole answer would take 10 s; only the
    # wall-clock deadline stops it.
    dripper = Dripper(where, interval=0.02, length=500)
    try:
        outcome = _post(dripper.url(), timeout=0.5)
        assert outcome == Outcome(False, None, "timed out: no complete answer within 0.5 s")
        assert dripper.hung_up.wait(5)  # the abandoned exchange let go of the socket
        assert not dripper.finished.is_set()
    finally:
        dripper.close()
    _send_threads_end()


def test_a_slow_name_lookup_counts_against_the_deadline(dns: dict[str, Answers]) -> None:
    release = threading.Event()

    def slowly() -> list[str]:
        release.wait(5)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    dns["slow.example"] = slowly
    try:
        outcome = _post("https://slow.example/hook", timeout=SHORT)
    finally:
        release.set()
    assert outcome == Outcome(False, None, f"timed out: no complete answer within {SHORT:g} s")
    _send_threads_end()


def test_a_lookup_that_answers_after_the_deadline_sends_nothing(
    receiver: Receiver, dns: dict[str, Answers]
) -> None:
    release = threading.Event()

    def late() -> list[str]:
        release.wait(5)
        return ["127.0.0.1"]

    dns["late.example"] = late
    outcome = _post(f"http://late.example:{receiver.port}/hook", timeout=SHORT)
    assert outcome.error.startswith("timed out")
    release.set()  # the abandoned exchange now resolves the name and connects …
    _send_threads_end()
    assert receiver.requests == []  # … and closes the connection unused


# --- TLS: the certificate is checked for the URL's host, pinned address or not -----------


class Authority:
    """A certificate authority made for the test, and server contexts it signs."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "coordcell test CA")])
        self.cert = (
            self._builder(name, name, self.key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )

    def _builder(self, subject: x509.Name, issuer: x509.Name, key: Any) -> x509.CertificateBuilder:
        now = dt.datetime.now(dt.UTC)
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(hours=1))
        )

    def client(self) -> ssl.SSLContext:
        """A client context like the transport's, trusting this authority."""
        return ssl.create_default_context(
            cadata=self.cert.public_bytes(serialization.Encoding.PEM).decode()
        )

    def server(self, host: str, tmp_path: Any) -> ssl.SSLContext:
        """A server context with a certificate for ``host`` signed by this authority."""
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            self._builder(
                x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]),
                self.cert.subject,
                key.public_key(),
            )
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        cert_file, key_file = tmp_path / f"{host}.pem", tmp_path / f"{host}.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        return context


@pytest.fixture(scope="module")
def authority() -> Authority:
    return Authority()


@pytest.fixture
def tls_receiver(authority: Authority, tmp_path: Any) -> Iterator[Receiver]:
    r = Receiver(tls=authority.server("tls.example", tmp_path))
    yield r
    r.close()


def test_over_https_it_sends_the_host_name_and_checks_the_certificate_for_it(
    authority: Authority,
    tls_receiver: Receiver,
    dns: dict[str, Answers],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(transport, "tls_context", authority.client)
    dns["tls.example"] = ["127.0.0.1"]
    outcome = _post(tls_receiver.url("/hook", host="tls.example"))
    assert outcome == Outcome(True, 200, "")
    assert tls_receiver.server_names == ["tls.example"]
    assert [r["path"] for r in tls_receiver.requests] == ["/hook"]


def test_over_https_a_certificate_for_another_name_is_refused(
    authority: Authority,
    tls_receiver: Receiver,
    dns: dict[str, Answers],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(transport, "tls_context", authority.client)
    dns["other.example"] = ["127.0.0.1"]  # the same server, under a name its certificate lacks
    outcome = _post(tls_receiver.url("/hook", host="other.example"))
    assert (outcome.ok, outcome.status) == (False, None)
    assert "CERTIFICATE_VERIFY_FAILED" in outcome.error
    assert "other.example" in outcome.error
    assert tls_receiver.requests == []


def test_over_https_an_untrusted_certificate_is_refused(
    tls_receiver: Receiver, dns: dict[str, Answers]
) -> None:
    dns["tls.example"] = ["127.0.0.1"]  # the system's authorities do not know the test's
    outcome = _post(tls_receiver.url("/hook", host="tls.example"))
    assert (outcome.ok, outcome.status) == (False, None)
    assert "CERTIFICATE_VERIFY_FAILED" in outcome.error
    assert tls_receiver.requests == []
