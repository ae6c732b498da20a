"""A server killed with SIGKILL in the middle of a burst of writes (docs/record.md, Crashes).

The production server (``coordcell serve``, two gunicorn workers, SQLite) takes a burst of
``POST /api/v1/delegations/`` from several threads; once some have succeeded, while
others are in flight, every process of it is killed with SIGKILL. Then, with no server:
every delegation whose creation was answered 201 is in the database; delegations and
their ``parties.delegation_created`` entries match one to one (no change without its
event, no event without its change); ``coordcell record check`` passes; and after a
restart the record goes on growing from where it stopped.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import built_once
from tests.e2e.record_cell import Cell, api

pytestmark = [
    pytest.mark.skipif(
        built_once.postgres_pass(),
        reason="a SQLite data directory: runs in the suite's SQLite pass",
    ),
]

THREADS = 6
#: Kill the server once this many creations have been answered 201.
KILL_AFTER = 30
#: How long the burst may take to reach KILL_AFTER successes (a slow two-core VM).
BURST_TIMEOUT = 300.0


@dataclass
class Attempt:
    name: str
    status: int | None = None  # None: no answer (the connection was cut or refused)
    public_id: str | None = None
    error: str = ""


@pytest.fixture
def cell(record_template: Cell, tmp_path: Path) -> Iterator[Cell]:
    cell = record_template.clone(tmp_path)
    try:
        yield cell
    finally:
        cell.kill_all()


class Burst:
    """Threads that create delegations without pause until told to stop."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.token = token
        self.attempts: list[Attempt] = []
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._run = uuid.uuid4().hex[:8]
        self.threads = [
            threading.Thread(target=self._fire, args=(i,), daemon=True) for i in range(THREADS)
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def succeeded(self) -> int:
        with self._lock:
            return sum(a.status == 201 for a in self.attempts)

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=180)
        assert not any(t.is_alive() for t in self.threads), "a request never returned"

    def _fire(self, worker: int) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            attempt = Attempt(f"Crash desk {self._run} {worker}-{n}")
            with self._lock:
                self.attempts.append(attempt)
            try:
                status, body = api(
                    self.base_url,
                    "POST",
                    "/api/v1/delegations/",
                    self.token,
                    {"party": "il", "names": {"en": attempt.name}},
                    timeout=120,
                )
            except (OSError, http.client.HTTPException) as exc:
                # Connection reset, refused, remote disconnected, or an answer cut short
                # (IncompleteRead) by the kill: the attempt's fate is unknown.
                attempt.error = repr(exc)
                continue
            with self._lock:
                attempt.status = status
                if status == 201:
                    attempt.public_id = body["id"]
                else:
                    attempt.error = str(body)[:300]


def _delegations(cell: Cell) -> dict[str, str]:
    """public id (with dashes) -> English name, of every delegation in the database."""
    with cell.db() as db:
        rows = db.execute("SELECT public_id, names FROM parties_delegation").fetchall()
    return {str(uuid.UUID(public_id)): json.loads(names)["en"] for public_id, names in rows}


def _created_events(cell: Cell) -> list[str]:
    """The delegation public ids named by every ``parties.delegation_created`` entry."""
    with cell.db() as db:
        rows = db.execute(
            "SELECT subjects FROM record_entry WHERE event_type = 'parties.delegation_created'"
        ).fetchall()
    named = []
    for (subjects,) in rows:
        ids = [s["id"] for s in json.loads(subjects) if s["type"] == "parties.delegation"]
        assert len(ids) == 1, subjects
        named.append(str(uuid.UUID(ids[0])))
    return named


def _tree_counts(cell: Cell) -> dict[str, int]:
    with cell.db() as db:
        entries, max_seq = db.execute("SELECT count(*), max(seq) FROM record_entry").fetchone()
        (size,) = db.execute("SELECT size FROM record_head WHERE id = 1").fetchone()
        (leaves,) = db.execute("SELECT count(*) FROM record_leaf").fetchone()
        # Level-0 nodes are the leaf hashes (key = level * 2^56 + index).
        (leaf_nodes,) = db.execute(
            "SELECT count(*) FROM record_node WHERE id < ?", (1 << 56,)
        ).fetchone()
    return {
        "entries": entries,
        "max_seq": max_seq,
        "head_size": size,
        "leaves": leaves,
        "leaf_nodes": leaf_nodes,
    }


def _check_passes(cell: Cell) -> int:
    """Run ``coordcell record check``; return the number of entries it verified."""
    result = cell.cli("record", "check")
    assert result.returncode == 0, result.stdout + result.stderr
    match = re.search(r"record intact: (\d+) entries, (\d+) checkpoints verified", result.stdout)
    assert match, result.stdout + result.stderr
    return int(match.group(1))


def test_a_sigkill_mid_burst_loses_no_committed_change_and_no_event(cell: Cell) -> None:
    server = cell.serve(workers=2)
    token = cell.token("il.admin")  # a party's own administrator creates its delegations
    before = _delegations(cell)  # SQLite readers do not disturb the running server
    burst = Burst(server.base_url, token)

    burst.start()
    deadline = time.monotonic() + BURST_TIMEOUT
    try:
        while burst.succeeded() < KILL_AFTER:
            assert server.process.poll() is None, server.log_tail()
            assert time.monotonic() < deadline, (
                f"only {burst.succeeded()} delegations created in {BURST_TIMEOUT:.0f} s:\n"
                + server.log_tail()
            )
            time.sleep(0.01)
        # No new request from here on; those in flight stay in flight, and are cut off.
        burst.stop.set()
        server.kill()
    finally:
        burst.finish()

    attempts = burst.attempts
    created = {a.public_id: a.name for a in attempts if a.status == 201}
    cut_off = [a for a in attempts if a.status is None]
    statuses = Counter(a.status for a in attempts)
    after = _delegations(cell)
    new = {pid: name for pid, name in after.items() if pid not in before}
    print(
        f"\n{len(attempts)} requests: {dict(statuses)}; {len(cut_off)} cut off by the kill, "
        f"{len(new) - len(created)} of which had committed"
    )
    assert len(created) >= KILL_AFTER
    # The kill came while requests were in flight: six threads fire without pause.
    assert cut_off, statuses
    refused = [a for a in attempts if a.status not in {201, None}]
    assert all(a.status >= 500 for a in refused), [(a.status, a.error) for a in refused]

    # (a) Every delegation answered 201 is in the database, under its name.
    missing = {pid: name for pid, name in created.items() if after.get(pid) != name}
    assert not missing, f"committed and answered 201, but lost: {missing}"
    assert set(created) <= set(new)
    # A creation cut off in flight may or may not have committed; one that failed (5xx)
    # did not; nothing else appeared.
    assert set(new.values()) <= {a.name for a in attempts if a.status in {201, None}}
    assert len(new) <= len(created) + len(cut_off)

    # (b) One delegation_created entry per delegation, and one delegation per entry.
    named = Counter(_created_events(cell))
    assert set(named) == set(after), (
        f"changes without their event: {set(after) - set(named)}; "
        f"events without their change: {set(named) - set(after)}"
    )
    assert all(count == 1 for count in named.values()), named.most_common(3)

    counts = _tree_counts(cell)
    assert counts["entries"] == counts["max_seq"] == counts["head_size"], counts
    assert counts["leaves"] == counts["leaf_nodes"] == counts["entries"], counts

    # (c) The record checks intact with no server and no repair.
    assert _check_passes(cell) == counts["entries"]

    # (d) Restarted, the server goes on from where it was killed.
    server = cell.serve(workers=2)
    status, body = api(
        server.base_url,
        "POST",
        "/api/v1/delegations/",
        token,
        {"party": "il", "names": {"en": f"After the crash {uuid.uuid4().hex[:8]}"}},
        timeout=120,
    )
    assert status == 201, body
    server.stop()

    checkpoint = cell.cli("record", "checkpoint")
    assert checkpoint.returncode == 0, checkpoint.stdout + checkpoint.stderr
    final = _tree_counts(cell)
    assert final["entries"] == counts["entries"] + 1
    assert final["head_size"] == final["entries"] == final["max_seq"], final
    assert final["leaves"] == final["leaf_nodes"] == final["entries"], final
    assert f"\n{final['entries']}\n" in checkpoint.stdout  # the checkpoint covers them all
    assert _check_passes(cell) == final["entries"]
    assert body["id"] in _delegations(cell)
    assert Counter(_created_events(cell))[body["id"]] == 1
