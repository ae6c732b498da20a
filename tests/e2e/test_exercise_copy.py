"""A drill on an exercise copy leaves the live cell's record untouched.

The live cell here is a copy of the record tests' demo data directory turned live (its
head's ``exercise`` flag cleared and the exercise key removed, as a cell that was never an
exercise has neither): ``coordcell exercise copy DIR`` copies it; the worker runs three
days ahead in the copy and signs an exercise checkpoint there; the live cell refuses the
same command and its database file is the same, byte for byte, after all of it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import built_once
from tests.e2e.record_cell import Cell

pytestmark = pytest.mark.skipif(
    built_once.postgres_pass(),
    reason="the demo's SQLite data directory: runs in the suite's SQLite pass",
)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _head(cell: Cell) -> tuple[int, int, int]:
    with contextlib.closing(cell.db()) as db:
        size, exercise = db.execute("SELECT size, exercise FROM record_head").fetchone()
        (checkpoints,) = db.execute("SELECT count(*) FROM record_checkpoint").fetchone()
    return size, exercise, checkpoints


@pytest.fixture
def cells() -> Iterator[list[Cell]]:
    """The cells a test made (their command processes are stopped at the end)."""
    made: list[Cell] = []
    yield made
    for cell in made:
        cell.kill_all()


def test_a_drill_on_an_exercise_copy_leaves_the_live_record_untouched(
    record_template: Cell, tmp_path: Path, cells: list[Cell]
) -> None:
    live = record_template.clone(tmp_path, "live")
    cells.append(live)
    with contextlib.closing(sqlite3.connect(live.data_dir / "coordcell.sqlite3")) as db:
        db.execute("UPDATE record_head SET exercise = 0")
        db.commit()
    (live.data_dir / "record-exercise.key").unlink()
    database = live.data_dir / "coordcell.sqlite3"
    size, _exercise, checkpoints = _head(live)
    before = _digest(database)

    target = tmp_path / "drill"
    made = live.cli("exercise", "copy", str(target))
    assert made.returncode == 0, made.stderr
    assert f"Exercise copy of coordcell.local/record in {target}" in made.stdout
    assert not (target / "record-log.key").exists()  # the live log's key stays behind
    drill = Cell(tmp_path, target, extra_env=dict(live.extra_env))
    cells.append(drill)
    copied_size, copied_exercise, _ = _head(drill)
    assert copied_exercise == 1
    assert copied_size > size  # the copy's own entries: adopted, webhooks paused

    ahead = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()
    ran = drill.cli("worker", "--once", "--now", ahead)
    assert ran.returncode == 0, ran.stderr
    signed = drill.cli("record", "checkpoint")
    assert signed.returncode == 0, signed.stderr
    with contextlib.closing(drill.db()) as db:
        (origin,) = db.execute(
            "SELECT origin FROM record_checkpoint ORDER BY size DESC LIMIT 1"
        ).fetchone()
    assert origin == "coordcell.local/record/exercise"

    refused = live.cli("worker", "--once", "--now", ahead)
    assert refused.returncode == 2
    assert "refused on a live cell" in refused.stderr
    assert _head(live) == (size, 0, checkpoints)
    assert _digest(database) == before
