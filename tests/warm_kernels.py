"""Compile the rules engine's numba kernels once, before the test workers start.

numba keeps each kernel's machine code beside ``src/coordcell/rules/_kernels.py``
(``cache=True``), so only the first process after a change (or in a fresh clone) compiles
them: some 8 s of CPU. Without this, in a fresh clone both test workers and the first
demo processes the e2e tests start all compile the same kernels at the same time. The
controller runs the two halves below in two processes at once (one per core), and the
workers then load the machine code (``tests/conftest.py``, ``pytest_configure``).

Run as ``python -m tests.warm_kernels zones|lines``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

#: The kernels the engine calls (each has its own cache index, ``<name>-<line>.py3*.nbi``).
ENTRY_KERNELS = (
    "choose_refs",
    "locate_chunk",
    "nearest_query",
    "rasterize",
    "scan_inside_cells",
    "segment_grid",
    "segment_one",
    "segment_query",
    "uncertain_one",
)
HALVES = ("zones", "lines")


def kernels_file() -> Path:
    import coordcell

    return Path(coordcell.__file__).parent / "rules" / "_kernels.py"


def cached() -> bool:
    """Whether every entry kernel has a cache index beside the kernels, newer than them.

    numba checks more (the source's stamp, the machine); this only decides whether the
    warm-up is worth starting. Where the cache lives elsewhere (a read-only checkout), it
    answers False and the warm-up runs: two short processes that load what is cached.
    """
    source = kernels_file()
    folder = source.parent / "__pycache__"
    stamp = source.stat().st_mtime
    for name in ENTRY_KERNELS:
        found = list(folder.glob(f"_kernels.{name}-*.py3*.nbi"))
        if not found or max(p.stat().st_mtime for p in found) < stamp:
            return False
    return True


def warm_up() -> None:
    """Compile what is not cached yet, in two processes at once."""
    if cached():
        return
    root = Path(__file__).resolve().parent.parent
    procs = [
        subprocess.Popen([sys.executable, "-m", "tests.warm_kernels", half], cwd=root)  # noqa: S603 (a fixed command)
        for half in HALVES
    ]
    for proc in procs:
        proc.wait()


def _zones() -> None:
    import numpy as np
    import shapely

    from coordcell.rules.spatial import ZoneIndex

    index = ZoneIndex(
        [
            ("a", shapely.box(0, 0, 10, 10)),
            ("b", shapely.Polygon([(5, 5), (20, 5), (12, 18)])),
        ]
    )
    x = np.array([1.0, 6.0, 30.0])
    y = np.array([1.0, 6.0, 30.0])
    index.locate(x, y)
    index.locate_uncertain(x, y, np.array([0.5, 2.0, 1.0]))
    index.locate_one(6.0, 6.0, 2.0)


def _lines() -> None:
    import numpy as np
    import shapely

    from coordcell.rules.spatial import NearestPoints, SegmentDistance

    x = np.array([1.0, 6.0, 30.0])
    y = np.array([1.0, 6.0, 30.0])
    line = SegmentDistance(shapely.LineString([(0, 0), (10, 3), (20, 0)]))
    line.distance_one(3.0, 4.0)
    line.distance(x, y)
    NearestPoints(x, y).query(x + 0.5, y)


if __name__ == "__main__":
    {"zones": _zones, "lines": _lines}[sys.argv[1]]()
