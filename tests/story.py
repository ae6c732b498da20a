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

On SQLite (the README's run) the story is played once per worker: the session database
is copied before it and after it with SQLite's backup API (milliseconds for the whole
in-memory database), and each module starts from a copy of the told database and leaves
the untold one behind, byte for byte what rolling back would leave. Elsewhere
(PostgreSQL), and if a transaction is already open, each module plays the story itself
inside its transaction, as before.
"""

from __future__ import annotations

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


class DemoStory:
    """The story once per worker on SQLite, once per caller elsewhere (module docstring)."""

    def __init__(self, blocker: Any) -> None:
        self._blocker = blocker
        self._copies: tuple[sqlite3.Connection, sqlite3.Connection] | None = None
        self._telling: Telling | None = None

    def _restorable(self) -> bool:
        return connection.vendor == "sqlite" and not connection.in_atomic_block

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

    @contextmanager
    def told(self) -> Iterator[Telling]:
        """The story told, in a transaction rolled back on leaving."""
        with self._blocker.unblock():
            if not self._restorable():
                with transaction.atomic():
                    yield play_story()
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
