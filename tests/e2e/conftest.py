"""The running demo for the end-to-end tests (and, imported, for the browser tests), and
the demo data directory that the record's e2e tests each get a copy of."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e import demo_server
from tests.e2e.record_cell import DEFAULT_DATA_DIR, Cell


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


#: What ``record_template`` runs on its copy: the worker's PDF job (``reports.pdfs``), as the
#: demo's own worker runs it after the set-up, on the day's report the story released.
DRAW_PDFS = (
    "from django.utils import timezone\n"
    "from coordcell.reports.services import make_pdfs\n"
    "print(make_pdfs(timezone.now()))"
)


@pytest.fixture(scope="session")
def record_template(demo_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Cell:
    """``coordcell demo --no-serve`` in an empty directory with no configuration (so in
    ``./coordcell-data``, with its secret key): a copy of the run's demo data directory
    (``demo_data_dir``, tests/built_once.py, made once per test run and shared with the
    running demo's copy), checked to be all the demo made there, then one step further, as
    the demo's own worker takes it: the PDFs of the report the story released are drawn
    (the worker's ``reports.pdfs`` job) and a checkpoint signs their entries, so the
    latest checkpoint covers the whole record, as after the set-up.

    Never served, never written after that: each test takes its own ``Cell.clone()`` of
    it, so a test starts from a demo data directory as fresh as if it had made it, without
    paying for the ten production password hashes, the migrations and the story each time,
    nor for the eighteen PDFs (WeasyPrint, some 5 s of CPU) each worker pass on a copy drew
    again: the drill's, the exercise copy's and the one beside the demo. The browser tests
    still see the running demo's worker draw them (``test_daily_report.py``).
    """
    root = demo_data_dir.parent
    assert sorted(p.name for p in root.iterdir() if not p.name.startswith("gunicorn")) == [
        DEFAULT_DATA_DIR
    ]
    assert (demo_data_dir / "secret-key").is_file()
    template = Cell(root, demo_data_dir).clone(
        tmp_path_factory.mktemp("record-template"), DEFAULT_DATA_DIR
    )
    try:
        drawn = template.cli("shell", "-c", DRAW_PDFS)
        assert drawn.returncode == 0, drawn.stdout + drawn.stderr
        assert int(drawn.stdout.split()[-1]) > 0, drawn.stdout  # renditions settled
        signed = template.cli("record", "checkpoint")
        assert signed.returncode == 0, signed.stdout + signed.stderr
    finally:
        template.close_commands()
    with contextlib.closing(template.db()) as db:  # one file again, no write-ahead log
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (pending,) = db.execute(
            "SELECT count(*) FROM reports_rendition WHERE pdf_state = 'pending'"
        ).fetchone()
    assert pending == 0
    return template
