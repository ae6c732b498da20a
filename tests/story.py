"""The demo's story on the session database, for the modules that read what it leaves.

Playing the story costs about 2.5 s of CPU (some 170 steps through the services). A
module that reads it gets it with ``demo_story.told()`` (the ``demo_story`` fixture of
``tests/conftest.py``), in a transaction rolled back after the module's last test; each
test runs in a savepoint inside it (pytest-django's ``db``), so what a test changes is
undone as usual. ``told()`` gives the ``Telling``: how many steps the story took and when
it was told.

The story is told as the demo tells it, with one addition made first: an active webhook
for every party (``hooks.<code>.example``), so that each delivery the story queues exists
and can be searched (``test_humanitarian_matrix.py`` searches them all for names). The
deliveries change nothing else: ``queue_delivery`` only adds their rows, and nothing in
the suite sends them. What the database held before the telling is what a module reads
before it enters ``told()`` (``test_demo_story.py`` compares the two).

The story is played once per worker:

- On SQLite (the README's run) the session database is copied before it and after it
  with SQLite's backup API (milliseconds for the whole in-memory database), and each
  module starts from a copy of the told database and leaves the untold one behind, byte
  for byte what rolling back would leave.
- On PostgreSQL the worker's test database is copied once into a database of its own
  (``CREATE DATABASE … TEMPLATE``, about a second) and the story told there, committed;
  a module's connection goes to that told database for the module and back to the
  session database after it (its transaction rolled back, the told database stays as
  told). Played in each module's transaction instead, the story cost some 3.4 s of CPU
  per module in the PostgreSQL pass. The told database is dropped at the end of the
  session.

If a transaction is already open (a caller inside ``atomic``), the module plays the
story itself inside it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from coordcell.agreements.models import ArrangementVersion
from coordcell.demo.loader import tell_story
from coordcell.notify.models import Webhook
from coordcell.parties.models import Party
from coordcell.rules.scenario import read_scenario
from tests import built_once

__all__ = ["DemoStory", "Telling", "play_story"]


@dataclasses.dataclass(frozen=True)
class Telling:
    """One telling of the story: the steps it took, and when it started and ended."""

    steps: int
    started: dt.datetime
    ended: dt.datetime


def play_story() -> Telling:
    """Play the demo's story of the session's scenario on the database, a webhook for
    every party made first (module docstring)."""
    from tests.conftest import SCENARIO

    demo = read_scenario(SCENARIO).demo
    assert demo is not None
    version = ArrangementVersion.objects.get(
        arrangement__key="southern_syria_2026", is_current=True
    )
    now = timezone.now()
    for party in Party.objects.all():
        Webhook.objects.create(
            party=party, url=f"https://hooks.{party.code}.example/x", secret="s", created_at=now
        )
    started = timezone.now()
    steps = tell_story(demo=demo, version=version)
    telling = Telling(steps=steps, started=started, ended=timezone.now())
    assert telling.steps > 0
    return telling


def _copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    source.backup(target)


@contextmanager
def _on_database(name: str) -> Iterator[None]:
    """The connection on the PostgreSQL database ``name`` of the same server until the
    block ends, then back on the one it was on (each switch closes the connection; the
    next query opens it where ``NAME`` points)."""
    settings = connection.settings_dict
    before = settings["NAME"]
    connection.close()
    settings["NAME"] = name
    try:
        yield
    finally:
        # Back on the session database whatever happens: pytest-django destroys the
        # database that ``NAME`` names at the end of the session.
        try:
            connection.close()
        finally:
            settings["NAME"] = before


def _drop(name: str) -> None:
    with contextlib.suppress(Exception):  # the server is gone: nothing to drop
        built_once.maintenance(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class DemoStory:
    """The story once per worker (module docstring)."""

    def __init__(self, blocker: Any) -> None:
        self._blocker = blocker
        self._copies: tuple[sqlite3.Connection, sqlite3.Connection] | None = None
        self._told_database: str | None = None  # PostgreSQL
        self._telling: Telling | None = None

    def _restorable(self) -> bool:
        return connection.vendor in ("sqlite", "postgresql") and not connection.in_atomic_block

    def _raw(self) -> sqlite3.Connection:
        connection.ensure_connection()
        raw: sqlite3.Connection = connection.connection
        return raw

    def _copies_made(self) -> tuple[sqlite3.Connection, sqlite3.Connection]:
        """The database without and with the story (the story told, copied, undone)."""
        if self._copies is None:
            untold = sqlite3.connect(":memory:")
            _copy(self._raw(), untold)
            try:
                # its own transaction, committed: the copy below undoes it
                self._telling = play_story()
                told = sqlite3.connect(":memory:")
                _copy(self._raw(), told)
            finally:
                _copy(untold, self._raw())
            self._copies = (untold, told)
        return self._copies

    def _told_database_made(self) -> str:
        """PostgreSQL: the name of a copy of the session database with the story told in
        it, committed (made on the first call)."""
        if self._told_database is None:
            session = connection.settings_dict["NAME"]
            told = f"{session[:58]}_told"  # PostgreSQL's names are 63 bytes at most
            assert told != session
            # Copying the file of each table is quicker than the default (PostgreSQL 15
            # on) for a database this size.
            strategy = " STRATEGY FILE_COPY" if connection.pg_version >= 150000 else ""
            # A database can only be copied while nobody is connected to it: this
            # worker's connection is the only one, closed here.
            connection.close()
            built_once.maintenance(
                f'DROP DATABASE IF EXISTS "{told}"',
                f'CREATE DATABASE "{told}" TEMPLATE "{session}"{strategy}',
            )
            try:
                with _on_database(told):
                    self._telling = play_story()
            except BaseException:
                _drop(told)
                raise
            self._told_database = told
        return self._told_database

    def close(self) -> None:
        """The end of the session: drop the told database, if one was made."""
        if self._told_database is not None:
            _drop(self._told_database)
            self._told_database = None

    @contextmanager
    def told(self) -> Iterator[Telling]:
        """The story told, in a transaction rolled back on leaving."""
        with self._blocker.unblock():
            if not self._restorable():
                with transaction.atomic():
                    yield play_story()
                    transaction.set_rollback(True)
                return
            if connection.vendor == "postgresql":
                told_database = self._told_database_made()
                assert self._telling is not None
                with _on_database(told_database), transaction.atomic():
                    yield self._telling
                    transaction.set_rollback(True)
                return
            untold, told = self._copies_made()
            assert self._telling is not None
            _copy(told, self._raw())
            try:
                with transaction.atomic():
                    yield self._telling
                    transaction.set_rollback(True)
            finally:
                _copy(untold, self._raw())
