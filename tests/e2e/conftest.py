"""The running demo for the end-to-end tests (and, imported, for the browser tests)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e import demo_server


@pytest.fixture(scope="session")
def demo() -> Iterator[demo_server.Demo]:
    """``coordcell demo`` running in a subprocess on an empty data directory.

    Session-scoped and started on first use, so the e2e and browser tests share one
    demo (its start-up is most of their run time); stopped with its whole process
    group and its directory removed at the end.
    """
    with demo_server.shared() as running:
        yield running
