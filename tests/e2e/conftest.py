"""The running demo for the end-to-end tests (and, imported, for the browser tests), and
the demo data directory that the record's e2e tests each get a copy of."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e import demo_server
from tests.e2e.record_cell import DEFAULT_DATA_DIR, Cell


@pytest.fixture(scope="session")
def demo() -> Iterator[demo_server.Demo]:
    """``coordcell demo`` running in a subprocess on an empty data directory.

    Session-scoped and started on first use, so the e2e and browser tests share one
    demo (its start-up is most of their run time); stopped with its whole process
    group and its directory removed at the end.
    """
    with demo_server.shared() as running:
        yield running


@pytest.fixture(scope="session")
def record_template(tmp_path_factory: pytest.TempPathFactory) -> Cell:
    """``coordcell demo --no-serve`` in an empty directory with no configuration (so in
    ``./coordcell-data``, with its secret key), once per test run.

    Never served: each test takes its own ``Cell.clone()`` of it, so a test starts from
    a demo data directory as fresh as if it had made it, without paying for the ten
    production password hashes, the migrations and the story each time. The tests that
    use it (the record's, and the command line's beside a demo) share one xdist group
    (``record-cells``), so one worker makes it once.
    """
    root = tmp_path_factory.mktemp("record-template")
    template = Cell.create(root, DEFAULT_DATA_DIR)
    assert sorted(p.name for p in root.iterdir() if not p.name.startswith("gunicorn")) == [
        DEFAULT_DATA_DIR
    ]
    assert (template.data_dir / "secret-key").is_file()
    return template
