"""The data directories a test run builds once, for every process of the run.

- ``migrated``: ``coordcell migrate`` on an empty SQLite data directory (``data/``). Each
  test process's SQLite test database starts as a copy of it (``tests/conftest.py``,
  ``django_db_modify_db_settings``), and so does the demo of each shipped scenario other
  than the default (``tests/browser/test_other_scenarios.py``), and the ``demo`` below. A
  fresh ``migrate`` costs some 20 s of CPU (Django renders the migration state once per
  migration, and each rendering grows with the models); a copy costs milliseconds. It is
  the run's one ``migrate`` of an empty database.
- ``migrated-pg``: the same on PostgreSQL, when the suite runs there (``DATABASE_URL``):
  a database of the suite's server that each process's test database is created from
  (``CREATE DATABASE … TEMPLATE``), dropped at the end of the run.
- ``demo-pg``: ``coordcell demo --no-serve`` on a database of that server created from
  ``migrated-pg``, with the environment of the PostgreSQL race tests (``race_env``), and
  its data directory (``data/``, whose keys sign that database's record): the scenario,
  ten production password hashes, the story, on PostgreSQL. Each race test
  (``tests/e2e/test_worker_race.py``) starts on a database created from it and a copy of
  its data directory instead of running the demo itself; dropped at the end of the run.
- ``demo``: ``coordcell demo --no-serve`` with no option and no setting, as a user first
  runs it (so in ``./coordcell-data``, with the secret key it makes), in a directory whose
  ``coordcell-data`` holds only a copy of ``migrated``'s database: the scenario, ten
  production password hashes, the story. The running demo
  of the e2e and browser tests starts on a copy of it (``tests/e2e/conftest.py``,
  ``demo``).
- ``record-template``: a copy of ``demo`` one step further, as the demo's own worker takes
  it: the PDFs of the report the story released are drawn and a checkpoint signs their
  entries. The record's e2e tests each serve or read a copy of it (``record_template``),
  so their worker passes do not each draw the same PDFs again; as it is built once per
  run and not per process, those tests need no xdist group to share it.

They live in one folder per test run, which the controller makes in ``pytest_configure``
and hands to the pytest-xdist workers (``workerinput``); it is removed when the run ends.
Whichever process needs one first takes its lock (``fcntl.flock`` on ``<kind>.lock``) and
builds it in a subprocess; the others block on the lock, then find it built, or find the
build's failure and report it. When a run with workers covers the e2e or browser tests,
the controller starts the builds at once in background threads as soon as it is
configured, while the workers start and collect (the ``demo`` group, handed out first,
waits for the demo data directory anyway; ``record-template`` starts once ``demo`` is
built). Without workers (``-n 0``), or for a run of other tests, each is built when first
asked for. The PostgreSQL pass builds ``migrated-pg`` and, for its race tests,
``demo-pg``, not the others: the tests of the demo's SQLite data directories skip there
(tests/conftest.py). The SQLite pass never builds the PostgreSQL ones.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.e2e.demo_server import demo_env, record_timing
from tests.e2e.record_cell import COMMAND_TIMEOUT, DATABASE, DEFAULT_DATA_DIR, Cell, copy_database

__all__ = [
    "DATABASE",
    "BuildFailed",
    "configure",
    "configure_node",
    "copy_database",
    "ensure",
    "unconfigure",
]

#: The ``workerinput`` key that names the run's folder.
WORKERINPUT_KEY = "coordcell_built_once"

#: The test folders whose tests use the demo data directory (``demo``, ``record_template``).
DEMO_FOLDERS = ("tests/e2e", "tests/browser")

_root: Path | None = None
_owner = False  # this process made the folder and removes it
_threads: list[threading.Thread] = []
_children: set[subprocess.Popen[str]] = set()
_children_lock = threading.Lock()
_thread = threading.local()  # a background build's ``niceness``


class BuildFailed(RuntimeError):
    """A build failed (in this process or another one of the run)."""


def configure(config: Any) -> None:
    """Every process's ``pytest_configure``: a worker takes the controller's folder; the
    controller (or a run without workers) makes it, and starts the builds in the background
    when workers will need them at once."""
    global _root, _owner
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and WORKERINPUT_KEY in workerinput:
        _root = Path(workerinput[WORKERINPUT_KEY])
        return
    _root = Path(tempfile.mkdtemp(prefix="coordcell-built-once-"))
    _owner = True
    workers = getattr(config.option, "numprocesses", None) or 0
    runs_tests = not (config.option.collectonly or getattr(config.option, "help", False))
    if workerinput is None and workers > 0 and runs_tests and _covers(config, DEMO_FOLDERS):
        # The workers' databases and the demo data directory both start from the migrated
        # database, and the record's template from the demo data directory. The
        # PostgreSQL pass runs none of the tests on the demo's SQLite data directories
        # (tests/conftest.py): its workers wait for its own migrated database, and its
        # race tests (handed out first) for the demo on PostgreSQL.
        builds = (
            {"migrated-pg": 0, "demo-pg": 0}
            if _database_url()
            else {"migrated": 0, "demo": 0, "record-template": 0}
        )
        for kind, niceness in builds.items():
            thread = threading.Thread(
                target=_ensure_quietly,
                args=(kind, niceness),
                name=f"built-once-{kind}",
                daemon=True,
            )
            thread.start()
            _threads.append(thread)


def configure_node(node: Any) -> None:
    """The controller's ``pytest_configure_node``: tell the worker where the folder is."""
    assert _root is not None
    node.workerinput[WORKERINPUT_KEY] = str(_root)


def unconfigure() -> None:
    """The end of the run: stop a build still running (an interrupted run), remove the
    folder if this process made it."""
    global _root
    with _children_lock:
        for child in _children:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
    for thread in _threads:
        thread.join(timeout=30)
    _threads.clear()
    if _owner and _root is not None:
        _drop_postgres_templates()
        shutil.rmtree(_root, ignore_errors=True)
    _root = None


def ensure(kind: str) -> Path:
    """The folder of ``kind`` (a key of ``BUILDERS``), built first if no process of the
    run has built it yet; :class:`BuildFailed` if its build failed."""
    if _root is None:
        raise RuntimeError("tests.built_once is not configured (tests/conftest.py)")
    folder = _root / kind
    built = _root / f"{kind}.built"
    failed = _root / f"{kind}.failed"
    with (_root / f"{kind}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if built.exists():
                return folder
            if failed.exists():
                raise BuildFailed(f"building {kind} once for the run failed:\n{failed.read_text()}")
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            started = time.monotonic()
            try:
                BUILDERS[kind](folder)
            except BaseException as exc:
                failed.write_text(f"{type(exc).__name__}: {exc}", encoding="utf-8")
                raise
            seconds = time.monotonic() - started
            built.write_text(f"{seconds:.1f}\n", encoding="utf-8")
            record_timing(f"built once: {kind} (wall time, in this process)", seconds)
            return folder
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _ensure_quietly(kind: str, niceness: int) -> None:
    """A background build (its processes at ``niceness``): its failure is recorded for
    the tests that need it."""
    _thread.niceness = niceness
    with contextlib.suppress(BaseException):
        ensure(kind)


def _covers(config: Any, folders: tuple[str, ...]) -> bool:
    """Whether the run's paths (or the default ``testpaths``) include one of ``folders``."""
    here, root = Path(config.invocation_params.dir), Path(config.rootpath)
    targets = [(root / f).resolve() for f in folders]
    for arg in config.args or ["."]:
        given = str(arg).split("::", 1)[0]
        path = (here / given).resolve()
        if not path.exists():  # testpaths are relative to the root directory
            path = (root / given).resolve()
        for target in targets:
            if path == target or target in path.parents or path in target.parents:
                return True
    return False


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Run ``command`` in its own process group (killed if the run is interrupted)."""
    child = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    with _children_lock:
        _children.add(child)
    niceness = getattr(_thread, "niceness", 0)
    if niceness:
        with contextlib.suppress(OSError):  # gone already: its status says why
            os.setpriority(os.PRIO_PROCESS, child.pid, niceness)
    try:
        output, _ = child.communicate(timeout=COMMAND_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        output, _ = child.communicate()
        raise BuildFailed(f"{' '.join(command[2:])} took over {COMMAND_TIMEOUT:.0f} s") from None
    finally:
        with _children_lock:
            _children.discard(child)
    if child.returncode != 0:
        raise BuildFailed(f"{' '.join(command[2:])} exited with {child.returncode}:\n{output}")
    return output


def _build_migrated(folder: Path) -> None:
    """``coordcell migrate`` on the empty data directory ``folder/data``, always SQLite.

    Product settings, not the tests': the schema and the rows the migrations make (the
    record's append-only triggers, the content types, the permissions) are the same, and
    a test database made from it is what ``migrate`` makes (tests/conftest.py says how
    that was checked). The system checks are skipped: the suite runs them elsewhere.
    """
    data = folder / "data"
    env = demo_env(folder)
    env["COORDCELL_DATA_DIR"] = str(data)
    env["COORDCELL_SECRET_KEY"] = "built-once-migrate-key-not-for-production-0123456789"
    _run(
        [sys.executable, "-m", "coordcell.cli", "migrate", "--skip-checks", "-v", "0"], folder, env
    )
    # One file, no write-ahead log beside it, so that copies can open it read-only (the
    # servers started on a copy set their own journal mode, as on any database).
    with contextlib.closing(sqlite3.connect(data / DATABASE)) as db:
        db.execute("PRAGMA journal_mode=DELETE")
        (tables,) = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
    assert tables > 100, f"{data / DATABASE}: {tables} tables after migrate"


def _build_migrated_postgres(folder: Path) -> None:
    """``coordcell migrate`` on a new PostgreSQL database beside the suite's (the server
    of ``DATABASE_URL``), which each process's test database is then created from
    (``CREATE DATABASE … TEMPLATE``, Django's ``TEST["TEMPLATE"]``). Its name is kept in
    ``folder/name``; the process that made the run's folder drops it at the end."""
    url = _database_url()
    name = _new_postgres_database(folder, "migrated")
    env = demo_env(folder)
    env["DATABASE_URL"] = _with_database(url, name)
    env["COORDCELL_DATA_DIR"] = str(folder / "data")
    env["COORDCELL_SECRET_KEY"] = "built-once-migrate-key-not-for-production-0123456789"
    _run(
        [sys.executable, "-m", "coordcell.cli", "migrate", "--skip-checks", "-v", "0"], folder, env
    )


#: The secret key of the PostgreSQL race tests' cells: ``demo-pg`` and each test's copy.
RACE_SECRET_KEY = "race-test-secret-key-0123456789-0123456789"


def race_env(root: Path, database_url: str) -> dict[str, str]:
    """The environment of every command on a PostgreSQL race test's cell (the data
    directory ``root/data``, the database ``database_url``). The ``demo-pg`` build runs
    the demo with it too, so that each test's copy is the cell on which the test itself
    ran the demo before: the same secret key beside the same database and keys."""
    env = demo_env(root)
    env["DATABASE_URL"] = database_url
    env["COORDCELL_DATA_DIR"] = str(root / "data")
    env["COORDCELL_SECRET_KEY"] = RACE_SECRET_KEY
    return env


def _build_demo_postgres(folder: Path) -> None:
    """``coordcell demo --no-serve --data-dir folder/data`` on a new PostgreSQL database
    created from ``migrated-pg``, as a PostgreSQL race test ran it on its own scratch
    database (``race_env``). Its name is kept in ``folder/name``; the process that made the
    run's folder drops it at the end.

    Each race test's database is created from it (``CREATE DATABASE … TEMPLATE``), which
    PostgreSQL refuses while anyone is connected to it: once the demo's process has ended,
    the build closes the database to new connections and waits until the server has let
    the demo's go too (a backend outlives its client's exit by a moment)."""
    template = (ensure("migrated-pg") / "name").read_text(encoding="utf-8")
    name = _new_postgres_database(folder, "demo", template)
    data = folder / "data"
    output = _run(
        [sys.executable, "-m", "coordcell.cli", "demo", "--no-serve", "--data-dir", str(data)],
        folder,
        race_env(folder, _with_database(_database_url(), name)),
    )
    assert "steps played now" in output, output
    maintenance(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    deadline = time.monotonic() + 30
    while _postgres_connections(name):
        if time.monotonic() > deadline:
            raise BuildFailed(f"{name}: still connected to 30 s after coordcell demo ended")
        time.sleep(0.1)


def _new_postgres_database(folder: Path, kind: str, template: str | None = None) -> str:
    """A new database of the suite's server for the run's ``kind`` build (from
    ``template``, if given), its name kept in ``folder/name`` for the end of the run."""
    assert _root is not None
    suite = urllib.parse.urlsplit(_database_url()).path.lstrip("/")
    name = f"{suite}_{kind}_{_root.name[-8:]}".lower()
    name = "".join(c if c.isalnum() else "_" for c in name)[:63]
    (folder / "name").write_text(name, encoding="utf-8")
    maintenance(
        f'DROP DATABASE IF EXISTS "{name}"',
        f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""),
    )
    return name


def postgres_template(admin_url: str) -> str | None:
    """The name of the run's migrated PostgreSQL database (built first if need be), for a
    scratch database on ``admin_url``'s server to be created from
    (``CREATE DATABASE … TEMPLATE``), so that ``coordcell demo`` on it finds the migrations
    applied; ``None`` outside the PostgreSQL pass or on another server."""
    if not _on_suite_server(admin_url):
        return None
    return (ensure("migrated-pg") / "name").read_text(encoding="utf-8")


def postgres_demo(admin_url: str) -> tuple[str, Path] | None:
    """The name of the run's PostgreSQL database on which the demo ran, and its data
    directory (``demo-pg``, built first if need be), for a race test's scratch database on
    ``admin_url``'s server to be created from and its data directory to be a copy of;
    ``None`` outside the PostgreSQL pass or on another server. Read them, never write."""
    if not _on_suite_server(admin_url):
        return None
    folder = ensure("demo-pg")
    return (folder / "name").read_text(encoding="utf-8"), folder / "data"


def _on_suite_server(admin_url: str) -> bool:
    """Whether this is the PostgreSQL pass and ``admin_url`` names the suite's server."""
    if not postgres_pass():
        return False
    suite, admin = urllib.parse.urlsplit(_database_url()), urllib.parse.urlsplit(admin_url)
    if suite.hostname is None or admin.hostname is None:  # a socket: which one is unclear
        return False
    return (suite.hostname, suite.port or 5432) == (admin.hostname, admin.port or 5432)


def postgres_pass() -> bool:
    """Whether the suite runs on PostgreSQL (``DATABASE_URL``) in this run."""
    return bool(_database_url())


def _database_url() -> str:
    """The suite's ``DATABASE_URL`` (or ``DATABASE_URL_FILE``'s), as the settings read it."""
    from django.conf import settings

    return str(getattr(settings, "DATABASE_URL", ""))


def _with_database(url: str, name: str) -> str:
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path=f"/{name}"))


def maintenance(*statements: str) -> None:
    """Run ``statements`` on the ``postgres`` database of ``DATABASE_URL``'s server."""
    import psycopg

    url = _with_database(_database_url(), "postgres")
    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        for statement in statements:
            conn.execute(statement.encode())


def _postgres_connections(name: str) -> int:
    """How many backends of ``DATABASE_URL``'s server are connected to database ``name``."""
    import psycopg

    url = _with_database(_database_url(), "postgres")
    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        query = (
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = %s AND backend_type = 'client backend'"
        )
        (count,) = conn.execute(query, (name,)).fetchone() or (0,)
    return int(count)


def _drop_postgres_templates() -> None:
    """Drop the run's PostgreSQL databases (``migrated-pg``, ``demo-pg``)."""
    assert _root is not None
    for kind in ("demo-pg", "migrated-pg"):
        name_file = _root / kind / "name"
        if name_file.exists():
            name = name_file.read_text(encoding="utf-8")
            with contextlib.suppress(Exception):  # the server is gone: nothing to drop
                maintenance(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _build_demo(folder: Path) -> None:
    """``coordcell demo --no-serve`` in the directory ``folder``, as a user first runs it:
    no option, no setting, so the data directory is ``./coordcell-data``, with the secret
    key the demo makes for itself. Its database is a copy of ``migrated`` (the demo's
    ``migrate`` finds every migration applied): what the migrations make does not depend
    on the data directory or its key, and a fresh ``migrate`` is some 20 s of CPU that the
    ``migrated`` build already spends for the run."""
    data = folder / DEFAULT_DATA_DIR
    data.mkdir()
    copy_database(ensure("migrated") / "data" / DATABASE, data / DATABASE).close()
    output = _run(
        [sys.executable, "-m", "coordcell.cli", "demo", "--no-serve"], folder, demo_env(folder)
    )
    made = sorted(p.name for p in folder.iterdir() if not p.name.startswith("gunicorn"))
    assert made == [DEFAULT_DATA_DIR], made
    assert (data / "secret-key").is_file()
    assert "steps played now" in output, output


#: What the ``record-template`` build runs on its copy: the worker's PDF job
#: (``reports.pdfs``), as the demo's own worker runs it after the set-up.
DRAW_PDFS = (
    "from django.utils import timezone\n"
    "from coordcell.reports.services import make_pdfs\n"
    "print(make_pdfs(timezone.now()))"
)


def _build_record_template(folder: Path) -> None:
    """A copy of the demo data directory (``folder/coordcell-data``) with the PDFs of the
    report the story released drawn (the worker's ``reports.pdfs`` job, some 18 PDFs:
    seconds of WeasyPrint) and a checkpoint signing their entries, so that the latest
    checkpoint covers the whole record, as after the demo's set-up."""
    demo = ensure("demo") / DEFAULT_DATA_DIR
    template = Cell(demo.parent, demo).clone(folder, DEFAULT_DATA_DIR)
    try:
        drawn = template.cli("shell", "-c", DRAW_PDFS)
        settled = drawn.stdout.split()[-1:]  # the job's count of renditions settled
        if drawn.returncode != 0 or settled in ([], ["0"]):
            raise BuildFailed(f"drawing the demo's PDFs:\n{drawn.stdout}{drawn.stderr}")
        signed = template.cli("record", "checkpoint")
        if signed.returncode != 0:
            raise BuildFailed(f"coordcell record checkpoint:\n{signed.stdout}{signed.stderr}")
    finally:
        template.close_commands()
    with contextlib.closing(template.db()) as db:  # one file again, no write-ahead log
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (pending,) = db.execute(
            "SELECT count(*) FROM reports_rendition WHERE pdf_state = 'pending'"
        ).fetchone()
    if pending:
        raise BuildFailed(f"{pending} renditions still wait for their PDF")


BUILDERS: dict[str, Callable[[Path], None]] = {
    "migrated": _build_migrated,
    "migrated-pg": _build_migrated_postgres,
    "demo-pg": _build_demo_postgres,
    "demo": _build_demo,
    "record-template": _build_record_template,
}
