"""Where the suite's copies of the reference data and the standards' test vectors live.

Both folders are part of the repository (``tests/data``, ``tests/vectors``), each with a
``SOURCES.md`` giving every file's origin and licence, so a bare clone runs every test.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DATA", "VECTORS"]

_TESTS = Path(__file__).resolve().parent

#: Reference data: the UCDP sample, the ACLED schema, the 1974 limits and derived zones.
DATA = _TESTS / "data"
#: Test vectors of the standards: CAP 1.2, RFC 6962, signed notes, Ed25519, GeoJSON.
VECTORS = _TESTS / "vectors"
