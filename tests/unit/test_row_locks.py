"""Every row lock in the product is ``FOR NO KEY UPDATE`` (docs/architecture.md, "Row
locks"): a full ``FOR UPDATE`` blocks the key-share lock with which PostgreSQL checks a new
row referring to the locked one at commit, and deadlocked with the record's head."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "coordcell"


def _full_locks(tree: ast.AST) -> list[int]:
    """The lines of ``select_for_update(…)`` calls without ``no_key=True``."""
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "select_for_update"
            and not any(
                k.arg == "no_key" and isinstance(k.value, ast.Constant) and k.value.value is True
                for k in node.keywords
            )
        ):
            found.append(node.lineno)
    return found


def test_the_check_finds_a_full_lock() -> None:
    tree = ast.parse(
        "A.objects.select_for_update().get(pk=1)\n"
        "B.objects.select_for_update(no_key=True).get(pk=1)\n"
        "C.objects.select_for_update(of=('self',), no_key=False).first()\n"
    )
    assert _full_locks(tree) == [1, 3]


def test_every_row_lock_is_no_key() -> None:
    files = [p for p in SRC.rglob("*.py") if "migrations" not in p.parts]
    assert len(files) > 300  # the whole product was read
    offenders = [
        f"{path.relative_to(SRC)}:{line}"
        for path in files
        for line in _full_locks(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offenders == [], "lock with select_for_update(no_key=True): " + ", ".join(offenders)
