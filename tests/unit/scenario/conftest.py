"""Shared fixtures for the scenario reader tests (pure Python: no Django)."""

from __future__ import annotations

import pathlib
import shutil

import pytest

import coordcell

HERE = pathlib.Path(__file__).resolve().parent
SHIPPED = pathlib.Path(coordcell.__file__).resolve().parent / "scenarios" / "southern_syria_2026"


@pytest.fixture
def shipped_copy(tmp_path: pathlib.Path) -> pathlib.Path:
    """A writable copy of the shipped scenario folder."""
    target = tmp_path / "southern_syria_2026"
    shutil.copytree(SHIPPED, target)
    return target
