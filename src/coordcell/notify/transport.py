"""One HTTP POST to a URL a party chose, made safe to send from inside the cell's network.

:func:`post` is the whole transport of the webhooks, and knows nothing of Django,
deliveries or signatures (``dispatch`` builds the body and headers; this module only
carries them):

- the host is checked with :func:`addresses.check_host` (no internal address outside the
  allowed networks) and the connection goes to the very addresses checked, never to a
  second lookup of the name, so a name that resolves elsewhere between the check and the
  connection (DNS rebinding) reaches nothing new; the ``Host`` header and, over https,
  SNI and the certificate check still use the URL's host;
- no proxy is taken from the environment and no redirect is followed (``http.client``
  does neither): a 3xx answer is just a failed attempt;
- the whole exchange, name lookup included, has a hard wall-clock limit: a socket's own
  timeout is per operation, and an endpoint that answers a byte at a time would keep it
  alive for ever;
- of the answer's body at most :data:`RESPONSE_MAX_BYTES` are read (only the status
  matters).

It never raises: every way a send can fail is an :class:`Outcome` with ``ok`` false and
an ``error`` fit for the delivery's ``last_error`` (at most 500 characters).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from coordcell.notify import addresses

__all__ = ["RESPONSE_MAX_BYTES", "Outcome", "default_port", "post", "tls_context"]

#: The most of an endpoint's answer body that is read.
RESPONSE_MAX_BYTES = 4096
#: The longest error kept (the width of ``Delivery.last_error``).
ERROR_MAX_CHARS = 500
#: The name of the thread each exchange runs in.
THREAD_NAME = "coordcell-webhook-send"


@dataclass(frozen=True)
class Outcome:
    """How one send went: ``ok`` for a 2xx answer; ``status`` is None when no answer came."""

    ok: bool
    status: int | None
    error: str


def default_port(scheme: str) -> int:
    """The port of an http or https URL that names none."""
    return 443 if scheme == "https" else 80


def tls_context() -> ssl.SSLContext:
    """The TLS settings of every https send: the system's trusted CAs, the host name checked."""
    return ssl.create_default_context()


def _failed(error: str, status: int | None = None) -> Outcome:
    return Outcome(False, status, error[:ERROR_MAX_CHARS])


class _Deadline:
    """Shared by :func:`post` and its exchange's thread: once the time is up, every socket
    the exchange opened is shut down and any it opens later is closed at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.passed = False
        self.sockets: list[socket.socket] = []

    def adopt(self, sock: socket.socket) -> None:
        """Put a freshly connected socket under the deadline (or close it: time is up).

        A duplicate of the descriptor is kept: shutting it down cuts the connection even
        after TLS has taken the original socket object over (``wrap_socket`` detaches it).
        """
        with self.lock:
            if self.passed:
                sock.close()
                raise TimeoutError("the send's time is up")
            self.sockets.append(sock.dup())

    def expire(self) -> None:
        """Time is up: wake whatever the exchange is blocked on."""
        with self.lock:
            self.passed = True
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def release(self) -> None:
        """Close the duplicates (the exchange has closed its own sockets)."""
        with self.lock:
            for sock in self.sockets:
                sock.close()
            self.sockets.clear()


def _connect(
    checked: list[addresses.Address], timeout: float, deadline: _Deadline
) -> socket.socket:
    """A TCP connection to the first of the checked addresses that answers."""
    last: OSError = OSError("no address to connect to")
    for address in checked:
        sock = socket.socket(address.family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(address.sockaddr)
        except OSError as exc:
            sock.close()
            last = exc
            continue
        deadline.adopt(sock)
        return sock
    raise last


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to addresses already checked, whatever the host name resolves to now;
    the ``Host`` header still names the host."""

    def __init__(
        self,
        host: str,
        port: int,
        checked: list[addresses.Address],
        timeout: float,
        deadline: _Deadline,
    ) -> None:
        super().__init__(host, port, timeout=timeout)
        self.checked = checked
        self.send_timeout = timeout
        self.deadline = deadline

    def connect(self) -> None:
        self.sock = _connect(self.checked, self.send_timeout, self.deadline)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS: the certificate must be valid for the host name (SNI too)."""

    def __init__(
        self,
        host: str,
        port: int,
        checked: list[addresses.Address],
        timeout: float,
        deadline: _Deadline,
    ) -> None:
        self.tls = tls_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.checked = checked
        self.send_timeout = timeout
        self.deadline = deadline

    def connect(self) -> None:
        sock = _connect(self.checked, self.send_timeout, self.deadline)
        try:
            self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


Connection = _PinnedHTTPConnection | _PinnedHTTPSConnection


def _exchange(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    timeout: float,
    allowed: tuple[addresses.Network, ...],
    deadline: _Deadline,
) -> Outcome:
    """Check the host, connect to the checked addresses, POST, read the status.

    Each socket operation times out after ``timeout``; the whole exchange is bounded by
    :func:`post`, which cuts it through ``deadline``.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _failed("not an http(s) URL")
    host = parts.hostname
    try:
        port = parts.port or default_port(parts.scheme)
        checked = addresses.check_host(host, port, allowed)
    except ValueError:
        return _failed("not a valid URL")
    except addresses.Unresolvable as exc:
        return _failed(f"cannot resolve {host}: {exc.reason}")
    except addresses.Refused as exc:
        return _failed(
            f"refused: {host} resolves to {exc.address}, an internal address outside "
            "COORDCELL_WEBHOOK_ALLOWED_NETWORKS"
        )
    connection: Connection
    if parts.scheme == "https":
        connection = _PinnedHTTPSConnection(host, port, checked, timeout, deadline)
    else:
        connection = _PinnedHTTPConnection(host, port, checked, timeout, deadline)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=dict(headers))
        response = connection.getresponse()
        status = int(response.status)
        response.read(RESPONSE_MAX_BYTES)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return _failed(str(exc) or type(exc).__name__)
    finally:
        connection.close()
    if 200 <= status < 300:
        return Outcome(True, status, "")
    return _failed(f"HTTP {status}", status)


def post(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    timeout: float,
    allowed: Iterable[str | addresses.Network] = (),
) -> Outcome:
    """POST ``body`` to ``url``; the whole exchange gets ``timeout`` seconds in all.

    ``allowed`` are the internal networks the host may resolve into anyway
    (``COORDCELL_WEBHOOK_ALLOWED_NETWORKS``). The exchange runs in a daemon thread; if it
    has not finished in time the attempt has failed: its socket is shut down (a socket it
    connects later is closed at once) and the thread is left to end on its own, which it
    does as soon as its blocked call wakes (it touches nothing but its own sockets).
    """
    try:
        nets = addresses.networks(allowed)
    except ValueError as exc:
        return _failed(f"the allowed networks are not valid: {exc}")
    result: list[Outcome] = []
    deadline = _Deadline()

    def run() -> None:
        try:
            result.append(_exchange(url, body, headers, timeout, nets, deadline))
        except Exception as exc:  # never let the thread die with an unreported error
            result.append(_failed(f"{type(exc).__name__}: {exc}"))
        finally:
            deadline.release()

    thread = threading.Thread(target=run, name=THREAD_NAME, daemon=True)
    thread.start()
    thread.join(timeout)
    if result:
        return result[0]
    deadline.expire()
    return _failed(f"timed out: no complete answer within {timeout:g} s")
