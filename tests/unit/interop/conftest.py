"""Shared paths and helpers for the importer tests (pure Python: no Django)."""

from __future__ import annotations

import pathlib
from collections.abc import Callable

import pytest

HERE = pathlib.Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
#: ../shared/data next to the repository (the reference data; absent in a bare clone).
SHARED_DATA = pathlib.Path(__file__).resolve().parents[3].parent / "shared" / "data"


def shared(name: str) -> pathlib.Path:
    """A file of the shared reference data, or skip the test when it is not there."""
    path = SHARED_DATA / name
    if not path.is_file():
        pytest.skip(f"reference data not available: {path}")
    return path


@pytest.fixture
def write(tmp_path: pathlib.Path) -> Callable[[str, str | bytes], pathlib.Path]:
    """``write("x.csv", text_or_bytes)`` writes a file under tmp_path and returns its path."""

    def _write(name: str, content: str | bytes) -> pathlib.Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return path

    return _write
