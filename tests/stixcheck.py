"""Run the STIX vectors' TLP 2.0 checker, ``check_tlp2_markings.py`` (kept as written: a
script, ``python check_tlp2_markings.py FILE...``), in this process.

Started as a program, each check cost about 3 s of CPU: the checker imports
stix2-validator and jsonschema, whose IRI grammar (rfc3987-syntax) is built at import.
Here the script runs as ``__main__`` with its arguments, as the command line would run
it, over the modules this process has already loaded; its exit status and what it
prints come back as from ``subprocess.run``.
"""

from __future__ import annotations

import contextlib
import io
import runpy
import subprocess
import sys
from pathlib import Path

from tests.reference import VECTORS

__all__ = ["check_tlp2"]

CHECKER = VECTORS / "stix" / "check_tlp2_markings.py"


def check_tlp2(*paths: Path) -> subprocess.CompletedProcess[str]:
    """``python check_tlp2_markings.py PATH...``: 0 when every TLP 2.0 marking definition
    in the files is right, 1 otherwise; one ``OK``/``BAD`` line per definition."""
    args = [str(CHECKER), *map(str, paths)]
    out = io.StringIO()
    argv, sys.argv = sys.argv, args
    code: int = 0
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(str(CHECKER), run_name="__main__")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.argv = argv
    return subprocess.CompletedProcess(args, code, out.getvalue(), "")
