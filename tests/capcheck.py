"""Check CAP 1.2 documents with the CAP test vectors: the OASIS schema (lxml) and
``check_cap.py``, the rules of the CAP text that the schema does not enforce.

The vectors are in ``tests/vectors/cap`` (origins and licences in ``tests/vectors/SOURCES.md``).
"""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

from tests.reference import VECTORS

CAP_VECTORS = VECTORS / "cap"
CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
NS = {"c": CAP_NS, "a": "http://www.w3.org/2005/Atom"}


@cache
def _schema() -> Any:
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(CAP_VECTORS / "CAP-v1.2.xsd")))


def xsd_errors(alert: Any) -> list[str]:
    """Schema errors of one ``<alert>`` (bytes, or an lxml element); [] when valid."""
    from lxml import etree

    root = parse(alert) if isinstance(alert, bytes) else alert
    schema = _schema()
    if schema.validate(etree.ElementTree(root)):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def spec_check(documents: list[bytes], tmp_path: Path) -> list[str]:
    """Run ``check_cap.py`` (schema and spec rules) on each document; return its complaints.

    Each document is written to its own file; the script prints ``<file>: OK`` or
    ``<file>: INVALID`` with its errors and exits 1 if any file is invalid.
    """
    paths = []
    for i, document in enumerate(documents):
        path = tmp_path / f"alert-{i}.xml"
        path.write_bytes(document)
        paths.append(str(path))
    result = subprocess.run(  # noqa: S603 (our interpreter, the vectors' script, our files)
        [sys.executable, str(CAP_VECTORS / "check_cap.py"), *paths],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    lines = result.stdout.splitlines()
    problems = [line for line in lines if not line.endswith(": OK")]
    if result.returncode != 0 or len(lines) - len(problems) != len(paths):
        problems.append(f"check_cap.py exited {result.returncode}: {result.stderr}")
    return problems


def parse(document: bytes) -> Any:
    """Our own XML, parsed with lxml (no entities resolved, no network)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(document, parser)


def embedded_alerts(feed: bytes) -> list[bytes]:
    """Each ``<alert>`` inside an Atom feed's ``<content>``, as a standalone document."""
    from lxml import etree

    root = parse(feed)
    return [
        etree.tostring(alert, xml_declaration=True, encoding="UTF-8")
        for alert in root.iterfind("a:entry/a:content/c:alert", NS)
    ]
