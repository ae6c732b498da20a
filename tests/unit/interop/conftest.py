"""Shared paths and helpers for the importer tests (pure Python: no Django)."""

from __future__ import annotations

import pathlib
from collections.abc import Callable

import pytest

from tests.reference import DATA

HERE = pathlib.Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"


def reference(name: str) -> pathlib.Path:
    """A file of the reference data in ``tests/data`` (see its SOURCES.md)."""
    path = DATA / name
    assert path.is_file(), f"missing from tests/data: {name}"
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
