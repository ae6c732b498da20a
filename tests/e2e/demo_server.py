"""Run the real ``coordcell demo`` in a subprocess, shared by the e2e and browser tests.

The demo runs exactly as a user starts it: ``python -m coordcell.cli demo`` with no
``DATABASE_URL`` (so SQLite even when the suite itself runs against PostgreSQL), no secret
key beyond the one the demo keeps in its data directory, and none of the test settings.
The shared demo starts on a copy of the run's demo data directory (``coordcell demo
--no-serve`` in an empty directory, made once per test run: tests/built_once.py), as a
user's second ``coordcell demo`` does. It runs in its own process group (gunicorn, its
worker and the background worker) and the whole group is stopped at the end; its
directory is then removed.

The demo is started once per test session however many conftests ask for it:
``shared()`` counts its users and stops the demo when the last one is done.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

__all__ = ["Demo", "Session", "run_no_serve", "shared", "start", "stop", "timings"]

#: How long the demo may take to answer on /accounts/login/ (migrations, scenario,
#: ten accounts with hashed passwords, then gunicorn), on a two-core machine that other
#: processes keep busy.
STARTUP_TIMEOUT = 240.0

#: Measured durations (seconds), reported in the terminal summary by tests/conftest.py.
timings: dict[str, float] = {}


def record_timing(name: str, seconds: float) -> None:
    """Keep a measurement for the terminal summary (tests/conftest.py)."""
    timings[name] = seconds


@dataclass
class Demo:
    base_url: str
    port: int
    root: Path
    data_dir: Path
    log: Path
    process: subprocess.Popen[bytes]
    startup_seconds: float
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def read_accounts(self) -> dict[str, Any]:
        return json.loads((self.data_dir / "demo-accounts.json").read_text(encoding="utf-8"))

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def session(self, username: str | None = None) -> Session:
        """A cookie-keeping HTTP client, logged in as ``username`` through the login form."""
        s = Session(self.base_url)
        if username is not None:
            s.login(username, self.accounts[username]["password"])
        return s


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def demo_env(root: Path) -> dict[str, str]:
    """The environment of a user starting the demo: none of the tests' settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("COORDCELL_") and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    # gunicorn puts its control socket in $XDG_RUNTIME_DIR (else ~/.gunicorn): keep it
    # inside the demo's own directory, so that nothing is left behind and concurrent
    # demos do not share one socket.
    env["XDG_RUNTIME_DIR"] = str(root)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _command(data_dir: Path, port: int, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "coordcell.cli",
        "demo",
        "--data-dir",
        str(data_dir),
        "--port",
        str(port),
        *extra,
    ]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (http://127.0.0.1)
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs (zombies waiting for a reaper do not count)."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            return True
    return False


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the demo's process group, wait, then SIGKILL whatever is left."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=15)
    # gunicorn's worker and the background worker share the group: none may survive.
    deadline = time.monotonic() + 5
    while _group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.wait(timeout=5)


def copy_data_dir(source: Path, target: Path) -> None:
    """A copy of a (running) demo's data directory: files as they are, the database
    through SQLite's backup (a consistent snapshot, written after the witnesses' state)."""
    database = "coordcell.sqlite3"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(f"{database}*"))
    with (
        contextlib.closing(sqlite3.connect(source / database)) as src,
        contextlib.closing(sqlite3.connect(target / database)) as dst,
    ):
        src.backup(dst)


def start(*, data_from: Demo | Path | None = None) -> Demo:
    """Start ``coordcell demo`` on an empty data directory, or on a copy of another demo's
    or of a demo data directory (``data_from``: a warm start, with the accounts, story and
    witnesses already there)."""
    root = Path(tempfile.mkdtemp(prefix="coordcell-e2e-"))
    data_dir = root / "data"  # does not exist yet: the demo creates it
    if data_from is not None:
        copy_data_dir(data_from.data_dir if isinstance(data_from, Demo) else data_from, data_dir)
    port = free_port()
    log = root / "demo.log"
    base_url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        started = time.monotonic()
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            _command(data_dir, port),
            cwd=root,
            env=demo_env(root),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    demo = Demo(base_url, port, root, data_dir, log, process, startup_seconds=0.0)
    try:
        while not _answers(base_url + "/accounts/login/"):
            if process.poll() is not None:
                raise RuntimeError(
                    f"the demo exited with status {process.returncode} before answering:\n"
                    + demo.log_tail()
                )
            if time.monotonic() - started > STARTUP_TIMEOUT:
                raise RuntimeError(
                    f"the demo did not answer within {STARTUP_TIMEOUT:.0f} s:\n" + demo.log_tail()
                )
            time.sleep(0.2)
        demo.startup_seconds = time.monotonic() - started
        if data_from is None:
            record_timing("cold start-up (until /accounts/login/ answers)", demo.startup_seconds)
        elif not isinstance(data_from, Demo):
            record_timing(
                "start-up on a copy of the demo data directory (until /accounts/login/ answers)",
                demo.startup_seconds,
            )
        demo.accounts = {a["username"]: a for a in demo.read_accounts()["accounts"]}
    except BaseException:
        stop(demo)
        raise
    return demo


def stop(demo: Demo) -> None:
    try:
        _stop_group(demo.process)
    finally:
        shutil.rmtree(demo.root, ignore_errors=True)


def run_no_serve(demo: Demo) -> subprocess.CompletedProcess[str]:
    """Run ``coordcell demo --no-serve`` again on the running demo's data directory."""
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        _command(demo.data_dir, demo.port, "--no-serve"),
        cwd=demo.root,
        env=demo_env(demo.root),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=STARTUP_TIMEOUT,
        check=False,
        start_new_session=True,
    )
    record_timing("warm rerun (demo --no-serve on the same data dir)", time.monotonic() - started)
    return result


_shared: Demo | None = None
_users = 0


@contextlib.contextmanager
def shared(data_from: Path) -> Iterator[Demo]:
    """The session's demo, on a copy of the demo data directory ``data_from``: started by
    the first user, stopped after the last."""
    global _shared, _users
    if _shared is None:
        _shared = start(data_from=data_from)
    _users += 1
    try:
        yield _shared
    finally:
        _users -= 1
        if _users == 0:
            demo, _shared = _shared, None
            stop(demo)


class Session:
    """Just enough of a browser for server-rendered pages: cookies, CSRF, redirects."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def cookie(self, name: str) -> str:
        return next((c.value or "" for c in self.cookies if c.name == name), "")

    def request(
        self,
        path: str,
        *,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str, str]:
        """``(status, final URL, body)``; redirects are followed, HTTP errors returned."""
        body = None
        all_headers = dict(headers or {})
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
            all_headers["Referer"] = self.base_url + path
        req = urllib.request.Request(self.base_url + path, data=body, headers=all_headers)  # noqa: S310
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.url, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.url, exc.read().decode("utf-8", errors="replace")

    def login(self, username: str, password: str) -> None:
        status, _, _ = self.request("/accounts/login/")
        assert status == 200
        status, url, body = self.request(
            "/accounts/login/",
            data={
                "login": username,
                "password": password,
                "csrfmiddlewaretoken": self.cookie("csrftoken"),
            },
        )
        assert status == 200, body[:500]
        assert "/accounts/login/" not in url, f"login as {username} failed: {body[:500]}"
