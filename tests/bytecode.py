"""Bytecode for the suite's processes, even where the environment turns it off.

With ``PYTHONDONTWRITEBYTECODE`` set (as on the project's CI machines), Python writes no
``.pyc`` files, so every process compiles each module of the project it imports from
source again: each test worker spent some 7 s of CPU compiling and assertion-rewriting
the test modules at collection, and each ``coordcell`` process the tests start (about a
hundred a run: servers, commands, the demos, the witnesses) some 0.7 s compiling the
project before it did anything.

``cache_bytecode`` lets this process and its children write bytecode again, where Python
writes it by default: in ``__pycache__`` beside each module (ignored by git; the
installed libraries already have theirs, compiled by pip). ``pytest_configure`` in
``tests/conftest.py`` calls it before pytest-xdist starts the workers, so they and every
process the tests start inherit it. pytest caches its rewritten test modules there too,
which it does only where bytecode may be written. (A ``PYTHONPYCACHEPREFIX`` folder,
tried first, kept the tree free of ``__pycache__`` but made Python ignore the libraries'
own bytecode: a fresh clone's first run then compiled all of Django, DRF and the rest in
every process.) Where the variable is not set, nothing changes; a prefix the user set is
left as it is.
"""

from __future__ import annotations

import os
import sys

__all__ = ["cache_bytecode"]

#: The environment variable that turns Python's bytecode cache off.
OFF = "PYTHONDONTWRITEBYTECODE"


def cache_bytecode() -> bool:
    """Let this process and its children write bytecode, if the environment had turned it
    off; whether it did anything."""
    if not os.environ.get(OFF) and not sys.dont_write_bytecode:
        return False
    os.environ.pop(OFF, None)
    sys.dont_write_bytecode = False
    return True
