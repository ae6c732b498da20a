"""Run the WSGI application under gunicorn from inside the ``coordcell`` command.

Both ``coordcell serve`` and ``coordcell demo`` use gunicorn's threaded worker with one
change (:class:`BoundedThreadWorker`): a client has ``COORDCELL_REQUEST_TIMEOUT`` seconds
to send a whole request, headers and body, and no single read or write on its connection
waits longer than that. Stock gunicorn waits for a stalled client for ever, so a few
connections that announce a body and never send it would hold every thread. The WSGI
wrapper (``coordcell.core.bodies.BoundedRequestBodies``) refuses bodies that are too large
before they are read, and reads the others in full before the application runs.
"""

from __future__ import annotations

import errno
import signal
import socket
import time
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

__all__ = ["BoundedSocket", "BoundedThreadWorker", "run_server"]


def _late() -> TimeoutError:
    """The client missed its deadline: to gunicorn, a client that went away.

    The errno makes gunicorn log it at debug level and close the connection (as for a
    reset) instead of logging a traceback for every slow client; the WSGI wrapper still
    sees a ``TimeoutError`` and answers 408 when the body was late.
    """
    return TimeoutError(errno.ECONNRESET, "the client did not send its request in time")


class BoundedSocket(socket.socket):
    """A client connection whose reads stop at a deadline, and whose every wait is bounded.

    ``start_request`` sets the deadline by which the request must have arrived;
    ``stop_reading`` moves it to now (a refused request's unread body is not drained).
    Blocking mode becomes a timeout of ``timeout`` seconds, so writes to a client that
    stops reading are bounded too.
    """

    timeout_seconds: float = 30.0
    deadline: float | None = None

    @classmethod
    def adopt(cls, sock: socket.socket, timeout: float) -> BoundedSocket:
        """Take over ``sock``'s file descriptor (and its blocking mode)."""
        blocking = sock.getblocking()
        bounded = cls(sock.family, sock.type, sock.proto, fileno=sock.detach())
        bounded.timeout_seconds = timeout
        bounded.setblocking(blocking)
        return bounded

    def start_request(self) -> None:
        self.deadline = time.monotonic() + self.timeout_seconds

    def stop_reading(self) -> None:
        self.deadline = time.monotonic()

    def setblocking(self, flag: bool) -> None:
        if flag:
            self.settimeout(self.timeout_seconds)
        else:
            super().setblocking(False)

    def _bounded(self, read: Any, *args: Any) -> Any:
        if self.deadline is None:
            return read(*args)
        before = self.gettimeout()
        if before == 0.0:  # non-blocking (the poller's own probes): no waiting to bound
            return read(*args)
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise _late()
        try:
            if before is None or remaining < before:
                self.settimeout(remaining)
                try:
                    return read(*args)
                finally:
                    self.settimeout(before)
            return read(*args)
        except TimeoutError:
            raise _late() from None

    def recv(self, *args: Any) -> bytes:
        return self._bounded(super().recv, *args)  # type: ignore[no-any-return]

    def recv_into(self, *args: Any) -> int:
        return self._bounded(super().recv_into, *args)  # type: ignore[no-any-return]


class BoundedThreadWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's ``gthread`` worker, with :class:`BoundedSocket` connections."""

    def enqueue_req(self, conn: Any) -> None:
        if not isinstance(conn.sock, BoundedSocket):
            from django.conf import settings

            conn.sock = BoundedSocket.adopt(conn.sock, float(settings.REQUEST_TIMEOUT_SECONDS))
        super().enqueue_req(conn)

    def handle(self, conn: Any) -> Any:
        if isinstance(conn.sock, BoundedSocket):
            conn.sock.start_request()
        return super().handle(conn)


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from django.core.wsgi import get_wsgi_application

        from coordcell.core.bodies import BoundedRequestBodies

        return BoundedRequestBodies(get_wsgi_application())


def _stop_safely(worker: Any) -> None:
    """In each worker: Ctrl-C is left to the arbiter, and its SIGQUIT stops us gracefully.

    Ctrl-C in a terminal sends SIGINT to the whole process group, the arbiter and its
    workers at once, and the arbiter then sends each worker SIGQUIT. gunicorn's
    quick-exit handler (SIGINT and SIGQUIT) calls ``ThreadPoolExecutor.shutdown``, which
    takes a lock that the worker's main thread holds while it hands a request to a
    thread, and that the first signal's handler holds when the second signal interrupts
    it: the worker then waits on itself until the arbiter kills it ("Worker … was sent
    SIGKILL!") after the graceful timeout. The graceful handler (SIGTERM's) only sets a
    flag and wakes the loop through a pipe; the worker finishes its requests and exits.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGQUIT, worker.handle_exit)


def run_server(*, host: str, port: int, workers: int, threads: int, timeout: int = 30) -> None:
    """Serve until interrupted (SIGINT/SIGTERM stop the workers gracefully)."""
    _Server(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            # Threaded even with one thread: the sync worker has no bound on a stalled client.
            "worker_class": "coordcell.core.server.BoundedThreadWorker",
            "timeout": timeout,
            "graceful_timeout": 10,
            "accesslog": "-",
            "errorlog": "-",
            "preload_app": True,
            "forwarded_allow_ips": "127.0.0.1",
            # gunicorn 27's control socket lives in ~/.gunicorn by default, shared by
            # every server of the same user; coordcell does not use it.
            "control_socket_disable": True,
            "post_worker_init": _stop_safely,
        }
    ).run()
