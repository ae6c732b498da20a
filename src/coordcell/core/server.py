"""Run the WSGI application under gunicorn from inside the ``coordcell`` command."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

__all__ = ["run_server"]


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()


def run_server(*, host: str, port: int, workers: int, threads: int, timeout: int = 30) -> None:
    """Serve until interrupted (SIGINT/SIGTERM stop the workers gracefully)."""
    _Server(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread" if threads > 1 else "sync",
            "timeout": timeout,
            "graceful_timeout": 10,
            "accesslog": "-",
            "errorlog": "-",
            "preload_app": True,
            "forwarded_allow_ips": "127.0.0.1",
            # gunicorn 27's control socket lives in ~/.gunicorn by default, shared by
            # every server of the same user; coordcell does not use it.
            "control_socket_disable": True,
        }
    ).run()
