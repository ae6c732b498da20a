"""A demo data directory served by ``coordcell serve`` alone, for the record's e2e tests.

``Cell.create()`` runs ``coordcell demo --no-serve`` (SQLite, the demo's personas, API
tokens and witness keys), then ``Cell.serve()`` starts the production server on it in its
own process group (so a test can stop it gracefully, or SIGKILL every process of it at
once). ``Cell.cli()`` runs any ``coordcell`` command with the same environment, and
``Cell.db()`` opens the SQLite database directly when no server runs.

Each ``Cell.cli()`` command runs in a process of its own, forked from one process per
cell that has imported coordcell and set Django up with the cell's environment
(``_COMMANDS``): a command costs what it does, not the two seconds of start-up a fresh
interpreter pays, and still runs apart, with its own database connection, standard
streams and exit status.

``coordcell demo --no-serve`` hashes ten passwords with the production hasher and takes
seconds, so the SQLite tests make one cell per test run (``record_template`` in
tests/e2e/conftest.py) and ``Cell.clone()`` it into each test's own directory: every test
still starts from a fresh, never-served demo data directory of its own.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.e2e.demo_server import STARTUP_TIMEOUT, _group_alive, demo_env, free_port

__all__ = ["DATABASE", "Cell", "Commands", "Server", "api", "copy_database"]

#: Files of a data directory that make up its state (the database with its WAL, the keys).
STATE_FILES = (
    "coordcell.sqlite3",
    "coordcell.sqlite3-wal",
    "coordcell.sqlite3-shm",
    "secret-key",
    "record-log.key",
    "record-exercise.key",
    "demo-accounts.json",
)

#: The SQLite database's file in a data directory.
DATABASE = "coordcell.sqlite3"

#: Generous: a slow two-core machine migrates, collects static files and forks workers.
SERVE_TIMEOUT = 180.0
COMMAND_TIMEOUT = 300.0


#: The data directory ``coordcell demo`` makes in the working directory by default.
DEFAULT_DATA_DIR = "coordcell-data"

#: The process ``Cell.cli()`` forks each command from: Django set up (its URLs, checked by
#: every command, imported too), then one command per line of standard input, each run in
#: a fork with its own standard streams and answered with one line of JSON. Nothing in it
#: touches the database, so no connection is shared with the forks.
_COMMANDS = """
import json, os, sys, tempfile
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordcell.settings")
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
from coordcell import cli
answers = os.fdopen(os.dup(1), "w")
null = os.open(os.devnull, os.O_RDONLY)
for line in sys.stdin:
    args = json.loads(line)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:
            os.dup2(null, 0)
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            sys.argv = ["coordcell", *args]
            code = 0
            try:
                cli.main(sys.argv)
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else (stop.code is not None)
            except BaseException:
                import traceback
                traceback.print_exc()
                code = 1
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        out.seek(0)
        err.seek(0)
        answers.write(json.dumps([os.waitstatus_to_exitcode(status),
                                  out.read().decode(errors="replace"),
                                  err.read().decode(errors="replace")]) + "\\n")
        answers.flush()
"""


def copy_database(source: Path, target: Path | str, *, uri: bool = False) -> sqlite3.Connection:
    """Copy the SQLite database ``source`` (opened read-only) into ``target``, a file or,
    with ``uri``, an in-memory database's URI, with SQLite's backup; the target's
    connection is returned open (an in-memory database lives while a connection does)."""
    copy = sqlite3.connect(target, uri=uri)
    with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as original:
        original.backup(copy)
    return copy


def api(
    base_url: str, method: str, path: str, token: str, body: Any = None, timeout: float = 60.0
) -> tuple[int, Any]:
    """``(status, decoded JSON or None)``; HTTP errors are returned, not raised."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 (http://127.0.0.1)
        base_url + path, data=data, method=method
    )
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw) if raw else None
        except ValueError:
            return exc.code, raw.decode("utf-8", "replace")


class Commands:
    """``coordcell`` commands run in ``cwd`` with the environment ``env``, each in a fork of
    one process that has set Django up there (``_COMMANDS``): started by the first
    ``run()``, again if it has died, stopped by ``close()``."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.cwd = cwd
        self.env = env
        self._driver: subprocess.Popen[str] | None = None

    def run(self, *args: str, timeout: float = COMMAND_TIMEOUT) -> subprocess.CompletedProcess[str]:
        """``coordcell ARGS`` in a process of its own: its exit status and standard streams."""
        if self._driver is None or self._driver.poll() is not None:
            self._driver = subprocess.Popen(  # noqa: S603 (our own interpreter and driver)
                [sys.executable, "-c", _COMMANDS],
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
        driver = self._driver
        assert driver.stdin is not None
        assert driver.stdout is not None
        driver.stdin.write(json.dumps(list(args)) + "\n")
        driver.stdin.flush()
        ready, _, _ = select.select([driver.stdout], [], [], timeout)
        if not ready:
            self.close()
            raise subprocess.TimeoutExpired(["coordcell", *args], timeout)
        line = driver.stdout.readline()
        if not line:  # the driver died: say why
            driver.wait(timeout=30)
            stderr = driver.stderr.read() if driver.stderr else ""
            self._driver = None
            raise RuntimeError(f"the command process exited ({driver.returncode}):\n{stderr}")
        code, out, err = json.loads(line)
        return subprocess.CompletedProcess(["coordcell", *args], code, out, err)

    def close(self) -> None:
        """Stop the process (and any command still running in it)."""
        driver, self._driver = self._driver, None
        if driver is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(driver.pid, signal.SIGKILL)
        driver.wait(timeout=30)
        for stream in (driver.stdin, driver.stdout, driver.stderr):
            if stream is not None:
                stream.close()


@dataclass
class Server:
    """``coordcell serve`` running in its own process group."""

    base_url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pgid(self) -> int:
        return self.process.pid  # start_new_session: the leader's pid is the group's id

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def kill(self) -> None:
        """SIGKILL every process of the server at once (master and workers), then reap."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGKILL)
        self._reap()

    def stop(self) -> None:
        """SIGTERM (gunicorn stops gracefully), then SIGKILL whatever is left."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGKILL)
        self._reap()

    def _reap(self) -> None:
        self.process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while _group_alive(self.pgid):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server's process group {self.pgid} outlived SIGKILL")
            time.sleep(0.1)


@dataclass
class Cell:
    """A demo data directory and the environment every command on it runs with."""

    root: Path
    data_dir: Path
    servers: list[Server] = field(default_factory=list)
    #: Added to every command's environment (e.g. ``DATABASE_URL`` for PostgreSQL).
    extra_env: dict[str, str] = field(default_factory=dict)
    #: The process ``cli()`` forks commands from (started by the first command).
    _commands: Commands | None = field(default=None, repr=False)

    @classmethod
    def create(
        cls,
        root: Path,
        name: str = "data",
        extra_env: dict[str, str] | None = None,
        scenario: str | None = None,
        migrated: Path | None = None,
    ) -> Cell:
        """``coordcell demo --no-serve`` on a new data directory ``root/name``; for
        ``name="coordcell-data"``, as a user runs it: no option, the default directory in
        the working directory. ``scenario``: ``--scenario`` (default: the demo's own).
        ``migrated``: a data directory on which ``coordcell migrate`` ran (SQLite), whose
        database the new one starts as a copy of, so the demo finds the migrations applied."""
        root.mkdir(parents=True, exist_ok=True)
        cell = cls(root, root / name, extra_env=dict(extra_env or {}))
        if migrated is not None:
            cell.data_dir.mkdir()
            copy_database(migrated / DATABASE, cell.data_dir / DATABASE).close()
        where = [] if name == DEFAULT_DATA_DIR else ["--data-dir", str(cell.data_dir)]
        if scenario is not None:
            where += ["--scenario", scenario]
        result = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
            [sys.executable, "-m", "coordcell.cli", "demo", *where, "--no-serve"],
            cwd=root,
            env={**demo_env(root), **cell.extra_env},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
            start_new_session=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return cell

    def clone(self, root: Path, name: str = "data") -> Cell:
        """This (never served, stopped) data directory copied whole to ``root/name``: its
        database, keys, accounts, witness folders and collected static files."""
        assert not any(s.process.poll() is None for s in self.servers), "stop the server first"
        root.mkdir(parents=True, exist_ok=True)
        target = root / name
        shutil.copytree(self.data_dir, target)
        return Cell(root, target, extra_env=dict(self.extra_env))

    def copy(self, name: str) -> Cell:
        """A second data directory with the same database and keys.

        The database is copied with SQLite's online backup, which gives a consistent
        snapshot even while a server of this cell runs (as an operator forking a live
        log would copy it); the other state files are copied as they are.
        """
        target = self.root / name
        target.mkdir()
        for file in STATE_FILES:
            if file.startswith("coordcell.sqlite3"):
                continue
            if (self.data_dir / file).exists():
                shutil.copy2(self.data_dir / file, target / file)
        with (
            contextlib.closing(self.db()) as source,
            contextlib.closing(sqlite3.connect(target / "coordcell.sqlite3")) as copy,
        ):
            source.backup(copy)
        return Cell(self.root, target)

    @property
    def env(self) -> dict[str, str]:
        env = demo_env(self.root)
        env["COORDCELL_DATA_DIR"] = str(self.data_dir)
        env["COORDCELL_SECRET_KEY_FILE"] = str(self.data_dir / "secret-key")
        env["COORDCELL_DEMO"] = "1"
        env.update(self.extra_env)
        return env

    def accounts(self) -> dict[str, dict[str, Any]]:
        data = json.loads((self.data_dir / "demo-accounts.json").read_text(encoding="utf-8"))
        return {a["username"]: a for a in data["accounts"]}

    def token(self, username: str) -> str:
        return str(self.accounts()[username]["token"])

    def cli(self, *args: str, timeout: float = COMMAND_TIMEOUT) -> subprocess.CompletedProcess[str]:
        """``coordcell ARGS`` with this data directory's environment, in a process of its
        own forked from this cell's command process (``_COMMANDS``, started on first use,
        so with the files and environment the cell has then)."""
        if self._commands is None:
            self._commands = Commands(self.root, self.env)
        return self._commands.run(*args, timeout=timeout)

    def close_commands(self) -> None:
        """Stop the command process (and any command still running in it)."""
        commands, self._commands = self._commands, None
        if commands is not None:
            commands.close()

    def serve(self, workers: int = 1) -> Server:
        """Start ``coordcell serve`` on a free port and wait until it answers."""
        port = free_port()
        log = self.root / f"serve-{self.data_dir.name}-{port}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
                [
                    sys.executable,
                    "-m",
                    "coordcell.cli",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--workers",
                    str(workers),
                ],
                cwd=self.root,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = Server(f"http://127.0.0.1:{port}", process, log)
        self.servers.append(server)
        deadline = time.monotonic() + max(SERVE_TIMEOUT, STARTUP_TIMEOUT)
        while not _answers(server.base_url + "/accounts/login/"):
            if process.poll() is not None:
                raise RuntimeError(
                    f"coordcell serve exited with status {process.returncode}:\n"
                    + server.log_tail()
                )
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError("coordcell serve did not answer:\n" + server.log_tail())
            time.sleep(0.2)
        return server

    def stop_all(self) -> None:
        self.close_commands()
        for server in self.servers:
            if server.process.poll() is None or _group_alive(server.pgid):
                server.stop()

    def kill_all(self) -> None:
        """SIGKILL what still runs: a test's clean-up, when its data is thrown away."""
        self.close_commands()
        for server in self.servers:
            if server.process.poll() is None or _group_alive(server.pgid):
                server.kill()

    def db(self) -> sqlite3.Connection:
        """The SQLite database, opened directly (to read it, or to copy it)."""
        return sqlite3.connect(self.data_dir / "coordcell.sqlite3", timeout=60)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (http://127.0.0.1)
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False
