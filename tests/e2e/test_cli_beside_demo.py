"""The command line beside a demo, with no configuration at all.

``coordcell demo --no-serve`` sets up its data directory (``coordcell-data`` in the working
directory, with its secret key: the ``record_template`` of tests/e2e/conftest.py, made
just so and checked there); then, in a directory holding a copy of it and with an
environment of ``PATH`` and ``HOME`` only, the commands that use the database work as they
are, and ``coordcell serve`` still refuses to start, because the demo's key is not one to
serve with.

Each command runs in a process of its own, forked from one process that set Django up in
that directory with that environment (``Commands``, tests/e2e/record_cell.py), as the
record's tests run theirs: what ``coordcell`` (``coordcell.cli.main``) does there, without
paying a fresh interpreter's start-up (about a second of CPU) each time. ``verify``, the
offline check that needs neither Django nor a database, runs as the console script in a
fresh interpreter with the same bare environment (``tests/unit/test_cli.py``'s
``coordcell``), so that nothing of Django set up before it could hide a dependency on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import built_once
from tests.e2e.record_cell import DEFAULT_DATA_DIR, Cell, Commands
from tests.unit.test_cli import NO_KEY, bare_environment
from tests.unit.test_cli import coordcell as console_script

pytestmark = [
    # Its four tests share one copy and one command process: on one worker.
    pytest.mark.xdist_group("beside-demo"),
    pytest.mark.skipif(
        built_once.postgres_pass(),
        reason="the demo's SQLite data directory: runs in the suite's SQLite pass",
    ),
]


@pytest.fixture(scope="module")
def beside_demo(tmp_path_factory: pytest.TempPathFactory, record_template: Cell) -> Path:
    """An otherwise empty directory holding a copy of the ``coordcell-data`` that
    ``coordcell demo --no-serve`` made in its working directory."""
    root = tmp_path_factory.mktemp("beside-demo")
    record_template.clone(root, DEFAULT_DATA_DIR)
    assert (root / DEFAULT_DATA_DIR / "secret-key").is_file()
    return root


@pytest.fixture(scope="module")
def coordcell(beside_demo: Path) -> Iterator[Commands]:
    """``coordcell`` in ``beside_demo`` with an environment of ``PATH`` and ``HOME`` only."""
    commands = Commands(beside_demo, bare_environment())
    yield commands
    commands.close()


def test_record_check_finds_the_demos_record(coordcell: Commands) -> None:
    result = coordcell.run("record", "check")
    assert result.returncode == 0, result.stderr
    assert "record intact:" in result.stdout
    assert "0 checkpoints" not in result.stdout


def test_record_export_writes_what_a_person_reads_and_verify_checks_it(
    beside_demo: Path, coordcell: Commands
) -> None:
    exported = coordcell.run("record", "export", "il.json", "--user", "il.liaison")
    assert exported.returncode == 0, exported.stderr
    entries, total = re.match(r"il\.json: (\d+) entries of (\d+),", exported.stdout).groups()
    assert 0 < int(entries) < int(total)  # the liaison reads some entries, not all
    # The offline check needs neither Django nor the database: run as a person runs it,
    # the console script in a fresh interpreter, not a fork of the Django process.
    verified = console_script(beside_demo, "verify", "il.json")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f": {entries} entries verified in a tree of {total} " in verified.stdout


def test_the_worker_runs_a_pass_at_a_given_time(coordcell: Commands) -> None:
    result = coordcell.run("worker", "--once", "--now", "2026-03-01T12:00:00+00:00")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "worker: 1 pass done\n"


def test_serve_refuses_the_demos_key(beside_demo: Path, coordcell: Commands) -> None:
    key = (beside_demo / "coordcell-data" / "secret-key").read_text(encoding="utf-8")
    result = coordcell.run("serve", "--port", "1")
    assert result.returncode == 2
    assert NO_KEY in result.stderr
    assert (beside_demo / "coordcell-data" / "secret-key").read_text(encoding="utf-8") == key
