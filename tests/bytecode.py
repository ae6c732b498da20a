"""Bytecode for the suite's processes, even where the environment turns it off.

With ``PYTHONDONTWRITEBYTECODE`` set (as on the project's CI machines), Python writes no
``.pyc`` files, so every process compiles each module it imports from source again: each
test worker spent some 7 s of CPU compiling and assertion-rewriting the test modules at
collection, and each ``coordcell`` process the tests start (about a hundred a run: servers,
commands, the demo) some 0.8 s compiling the project before it did anything.

``cache_bytecode`` keeps that setting's intent (no ``__pycache__`` folders in the source
tree) and still caches: it points Python's ``PYTHONPYCACHEPREFIX`` at one folder under
``.pytest_cache`` (ignored by git) and lets this process and its children write there.
``pytest_configure`` in ``tests/conftest.py`` calls it before pytest-xdist starts the
workers, so they and every process the tests start inherit it. Where the variable is not
set, Python already caches beside the sources and nothing changes. pytest honours the
prefix for its rewritten test modules too (``_pytest.assertion.rewrite.get_cache_dir``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["cache_bytecode"]

#: The environment variable that turns Python's bytecode cache off.
OFF = "PYTHONDONTWRITEBYTECODE"


def cache_bytecode(folder: Path) -> bool:
    """Cache bytecode in ``folder`` for this process and its children, if the environment
    had turned it off; whether it did anything."""
    if not os.environ.get(OFF) and not sys.dont_write_bytecode:
        return False
    if os.environ.get("PYTHONPYCACHEPREFIX") or sys.pycache_prefix:
        return False  # the user chose where bytecode goes: leave it
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.pop(OFF, None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(folder)
    sys.pycache_prefix = str(folder)
    sys.dont_write_bytecode = False
    return True
