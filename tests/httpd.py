"""Local endpoints and a name table for the webhook tests (transport and worker).

- :class:`Receiver`: an HTTP(S) endpoint on 127.0.0.1 that records each request and
  answers from a script of statuses;
- :class:`Dripper`: an endpoint that answers a byte at a time until the client hangs up;
- :func:`fake_dns`: names under ``.example`` resolve as the test says (a public address
  by default) and names under ``.invalid`` do not resolve; other names resolve as usual.

The servers stop at once when closed (``serve_forever`` polls every 10 ms, not every
0.5 s, the default that made each test's teardown wait half a second).
"""

from __future__ import annotations

import http.server
import socket
import ssl
import threading
from collections.abc import Callable
from typing import Any

import pytest

#: A public address for names under .example (example.com's); no test connects to it.
PUBLIC = "93.184.215.14"
#: How often a server's loop looks whether it was asked to stop.
POLL_SECONDS = 0.01

Answers = list[str] | Callable[[], list[str]]


def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, Answers]:
    """Patch ``socket.getaddrinfo``; return the table of name → addresses (or a function
    giving them, called at each lookup) for names under ``.example``."""
    table: dict[str, Answers] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = str(host).rstrip(".").lower()
        if name.endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if not name.endswith(".example"):
            return real(host, port, *args, **kwargs)
        answers = table.get(name, [PUBLIC])
        found = answers() if callable(answers) else answers
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, int(port), 0, 0))
            if ":" in a
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, int(port)))
            for a in found
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


class Receiver:
    """A local HTTP endpoint (HTTPS with ``tls``) that records each request and answers
    from a script: the next status, 200 when the script is empty. A 3xx answer points
    ``Location`` at ``/elsewhere``. Over TLS it notes the server name each client sent."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.requests: list[dict[str, Any]] = []
        self.script: list[int] = []
        self.server_names: list[str | None] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.requests.append(
                        {
                            "method": self.command,
                            "path": self.path,
                            "headers": dict(self.headers),
                            "body": body,
                        }
                    )
                    status = receiver.script.pop(0) if receiver.script else 200
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", receiver.url("/elsewhere"))
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.scheme = "https" if tls else "http"
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:

            def note_name(sock: Any, name: str | None, context: Any) -> None:
                self.server_names.append(name)

            tls.sni_callback = note_name
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True
        )
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str = "/hook", host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Dripper:
    """An endpoint that answers 200 one byte every ``interval`` seconds, in its headers or
    in its body, far longer than any test waits; it notes when the client hangs up.

    ``hung_up`` is set when a write fails (the client let go of the socket); ``finished``
    when the whole answer went out (the client waited for all of it)."""

    def __init__(self, where: str, interval: float = 0.05, length: int = 100) -> None:
        self.where = where
        self.interval = interval
        self.length = length
        self.hung_up = threading.Event()
        self.finished = threading.Event()
        self.closing = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(5)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/slow"

    def serve(self) -> None:
        try:
            conn, _address = self.sock.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(5)
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                request += chunk
            if self.where == "headers":
                head = b"HTTP/1.1 200 OK\r\n"
                drip = b"X-Slow: " + b"x" * self.length + b"\r\nContent-Length: 2\r\n\r\nok"
            else:
                head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % self.length
                drip = b"x" * self.length
            try:
                conn.sendall(head)
                for byte in drip:
                    if self.closing.wait(self.interval):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:
                self.hung_up.set()
                return
            self.finished.set()

    def close(self) -> None:
        self.closing.set()
        self.sock.close()
        self.thread.join(5)
