"""The running demo for the end-to-end tests (and, imported, for the browser tests), and
the demo data directory that the record's e2e tests each get a copy of."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import built_once
from tests.e2e import demo_server
from tests.e2e.record_cell import DEFAULT_DATA_DIR, Cell


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here starts, forks or kills ``coordcell`` processes (seconds of CPU
    each): marked ``slow``, so they go out while both workers are busy anyway
    (tests/conftest.py), not at the end of the run with one worker left to run them."""
    here = Path(__file__).parent
    for item in items:
        if item.path.parent == here:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def demo(demo_data_dir: Path) -> Iterator[demo_server.Demo]:
    """``coordcell demo`` running in a subprocess, on a copy of the run's demo data
    directory (``demo_data_dir``: ``coordcell demo --no-serve`` in an empty directory,
    made once per test run).

    So the served demo is the second start of a demo data directory, as when a user runs
    ``coordcell demo`` again: it migrates nothing, keeps the accounts, their passwords and
    tokens, does not tell the story again, then serves. What the first start sets up is
    what the tests read (accounts, story, witnesses); ``record_template`` checks that the
    first start made it in an empty directory. Session-scoped and started on first use,
    so the e2e and browser tests share one demo; stopped with its whole process group and
    its directory removed at the end.
    """
    with demo_server.shared(demo_data_dir) as running:
        yield running


@pytest.fixture(scope="session")
def record_template(demo_data_dir: Path) -> Cell:
    """``coordcell demo --no-serve`` in an empty directory with no configuration (so in
    ``./coordcell-data``, with its secret key): the run's demo data directory
    (``demo_data_dir``, tests/built_once.py), checked to be all the demo made there, one
    step further, as the demo's own worker takes it: the PDFs of the report the story
    released are drawn (the worker's ``reports.pdfs`` job) and a checkpoint signs their
    entries, so the latest checkpoint covers the whole record, as after the set-up. Made
    once per test run, for all its processes (tests/built_once.py, ``record-template``).

    Never served, never written: each test takes its own ``Cell.clone()`` of it, so a test
    starts from a demo data directory as fresh as if it had made it, without paying for
    the ten production password hashes, the migrations and the story each time, nor for
    the eighteen PDFs (WeasyPrint) that each worker pass on a copy drew again: the
    drill's, the exercise copy's and the one beside the demo. The browser tests still see
    the running demo's own worker draw them (``test_daily_report.py``).
    """
    root = demo_data_dir.parent
    assert sorted(p.name for p in root.iterdir() if not p.name.startswith("gunicorn")) == [
        DEFAULT_DATA_DIR
    ]
    assert (demo_data_dir / "secret-key").is_file()
    folder = built_once.ensure("record-template")
    return Cell(folder, folder / DEFAULT_DATA_DIR)
