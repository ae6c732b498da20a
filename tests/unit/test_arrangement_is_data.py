"""The arrangement is data: no module outside ``scenarios/`` names a shipped scenario's zone,
clause or party.

The ids are read from the shipped scenario files themselves. A module names one when a
whole quoted string literal (``"il"``, ``'B.3'``) in a ``.py``, ``.js`` or ``.html`` file
equals it, or when a JavaScript regular expression literal (``/separation/``) matches part
of a zone or clause id. Migrations are history and are not read.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import coordcell
from coordcell.rules import vocabulary
from coordcell.rules.scenario import read_scenario

PACKAGE = Path(coordcell.__file__).resolve().parent
SCENARIOS = PACKAGE / "scenarios"
SUFFIXES = (".py", ".js", ".html")

#: (file relative to the package, literal) -> why it may stay. Keep it tiny.
ALLOWED: dict[tuple[str, str], str] = {
    ("rules/scenario.py", "B.3"): "a comment: why the id pattern allows dots",
    ("rules/scenario.py", "aol_A_0_10km"): "a comment: why the id pattern allows upper case",
}

_QUOTED = re.compile(r"""(["'])([^"'\\\n]{1,80})\1""")
# A regular expression literal used as a test or match, as in ``/economic/.test(id)``.
_JS_REGEX = re.compile(r"/([A-Za-z0-9_]{4,})/\s*\.\s*(?:test|exec)\(")


def _shipped() -> list[Path]:
    return sorted(p for p in SCENARIOS.iterdir() if (p / "arrangement.toml").is_file())


def shipped_ids(*, with_vocabulary: bool = False) -> dict[str, str]:
    """Every zone id, clause id and party code of the shipped scenarios -> what it is.

    An id that is also a code of the platform's vocabulary (the zone ``economic_zone`` and
    the clause kind of that name) is the vocabulary's word, which code may quote; unless
    ``with_vocabulary``, such ids are left out. (A regular expression on ids is still
    caught: ``/economic/.test(feature.id)`` chooses by id, not by kind.)
    """
    ids: dict[str, str] = {}
    for folder in _shipped():
        arrangement = read_scenario(folder)
        ids.update({z.id: f"zone of {folder.name}" for z in arrangement.zones})
        ids.update({c.id: f"clause of {folder.name}" for c in arrangement.clauses})
        parties = list(arrangement.parties)
        if arrangement.demo is not None:
            parties += list(arrangement.demo.parties)
        ids.update({p.code: f"party of {folder.name}" for p in parties})
    if with_vocabulary:
        return ids
    return {code: what for code, what in ids.items() if code not in _vocabulary()}


def _vocabulary() -> set[str]:
    return {code for name in vocabulary.__all__ for code in getattr(vocabulary, name)}


def _modules() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*")
        if path.suffix in SUFFIXES
        and SCENARIOS not in path.parents
        and "migrations" not in path.relative_to(PACKAGE).parts
    )


def namings(
    path: Path, ids: dict[str, str], all_ids: dict[str, str], root: Path = PACKAGE
) -> list[tuple[str, str]]:
    """Where the file names an id: (``file:line: 'id' (what)``, the id); a quoted literal
    is looked up in ``ids``, a regular expression in ``all_ids``."""
    relative = path.relative_to(root).as_posix()
    found = []
    text = path.read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        literals = [m.group(2) for m in _QUOTED.finditer(line)]
        hits = [(lit, ids[lit]) for lit in literals if lit in ids]
        if path.suffix == ".js":
            for m in _JS_REGEX.finditer(line):
                hits += [(m.group(1), f"regex on {i}") for i in all_ids if m.group(1) in i]
        found += [(f"{relative}:{number}: {lit!r} ({what})", lit) for lit, what in hits]
    return found


def test_the_shipped_scenarios_give_ids_to_look_for() -> None:
    ids = shipped_ids()
    kinds = {what.split(" ")[0] for what in ids.values()}
    assert kinds == {"zone", "clause", "party"}
    assert len(_modules()) > 50


def test_no_module_outside_the_scenarios_names_a_zone_clause_or_party() -> None:
    ids, all_ids = shipped_ids(), shipped_ids(with_vocabulary=True)
    found = [
        where
        for path in _modules()
        for where, literal in namings(path, ids, all_ids)
        if (path.relative_to(PACKAGE).as_posix(), literal) not in ALLOWED
    ]
    assert found == [], "the arrangement is data; move these into the scenario:\n" + "\n".join(
        found
    )


def test_every_allowed_entry_is_still_needed() -> None:
    ids, all_ids = shipped_ids(), shipped_ids(with_vocabulary=True)
    for (relative, literal), reason in ALLOWED.items():
        assert reason
        path = PACKAGE / relative
        assert path.is_file(), relative
        assert literal in [lit for _, lit in namings(path, ids, all_ids)], (relative, literal)


@pytest.mark.parametrize(
    ("line", "suffix", "expected"),
    [
        ('WITNESSES = ("p1", "p2")', ".py", ["'p1'", "'p2'"]),
        ("if (/area_a/.test(feature.id)) return x;", ".js", ["'area_a'"]),
        ("if (/kind/.test(feature.id)) return x;", ".js", ["'kind'"]),
        ('kind = "kind_word"', ".py", []),
        ("{% if clause == 'C1' %}", ".html", ["'C1'"]),
        ('name = "p10"  # not an id', ".py", []),
        ("# p1 in a comment, unquoted", ".py", []),
    ],
)
def test_it_finds_an_id_in_a_quoted_literal_or_a_regex(
    tmp_path: Path, line: str, suffix: str, expected: list[str]
) -> None:
    module = tmp_path / f"module{suffix}"
    module.write_text(line + "\n", encoding="utf-8")
    ids = {"p1": "party", "p2": "party", "area_a": "zone", "C1": "clause"}
    all_ids = {**ids, "kind_word": "zone"}
    assert [repr(literal) for _, literal in namings(module, ids, all_ids, tmp_path)] == expected


@pytest.mark.parametrize("folder", _shipped(), ids=lambda p: p.name)
def test_a_module_quoting_any_id_of_any_shipped_scenario_is_caught(
    tmp_path: Path, folder: Path
) -> None:
    """Every shipped scenario's zones, clauses and parties are looked for, not only the
    default one's: a module quoting one of them is reported."""
    arrangement = read_scenario(folder)
    ids, all_ids = shipped_ids(), shipped_ids(with_vocabulary=True)
    quoted = [
        *(z.id for z in arrangement.zones),
        *(c.id for c in arrangement.clauses),
        *(p.code for p in arrangement.parties),
    ]
    quoted = [q for q in quoted if q in ids]  # the vocabulary's words stay allowed
    assert quoted
    module = tmp_path / "module.py"
    module.write_text("".join(f"X = {q!r}\n" for q in quoted), encoding="utf-8")
    assert [literal for _, literal in namings(module, ids, all_ids, tmp_path)] == quoted
