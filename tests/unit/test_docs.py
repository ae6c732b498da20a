"""Meta-tests: the documentation must keep up with the code.

Each test fails when something the code defines is missing from its page in ``docs/``:
an environment variable, a record event type, an API route and method, or a file the
README links to (style rule 10; compare datasette's ``tests/test_docs.py``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from coordcell.record.events import all_event_types

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "coordcell"
DOCS = ROOT / "docs"

# env_str("X", …), env_bool(\n "X", …), os.environ.get("X"), os.environ["X"], …
_ENV_HELPER = re.compile(r"\benv_(str|bool|int|list|path|secret)\(\s*\"([A-Z][A-Z0-9_]*)\"")
_OS_ENVIRON = re.compile(
    r"\bos\.environ(?:\.get\(|\.setdefault\(|\[)\s*\"([A-Z][A-Z0-9_]*)\"|"
    r"\"([A-Z][A-Z0-9_]*)\"\s+(?:not\s+)?in\s+os\.environ\b"
)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _mentions(text: str, name: str) -> bool:
    """``name`` appears as a whole word: COORDCELL_X does not count for COORDCELL_X_FILE."""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", text) is not None


def environment_variables() -> dict[str, str]:
    """Every variable the code reads, mapped to the file that reads it."""
    found: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        text = _read(path)
        where = str(path.relative_to(ROOT))
        for helper, name in _ENV_HELPER.findall(text):
            found.setdefault(name, where)
            if helper == "secret":
                found.setdefault(f"{name}_FILE", where)
        for groups in _OS_ENVIRON.findall(text):
            name = next(g for g in groups if g)
            found.setdefault(name, where)
    return found


def test_the_environment_scan_finds_the_known_variables() -> None:
    # Guards the scan itself: a broken regex would make the next test pass vacuously.
    found = environment_variables()
    for name in (
        "COORDCELL_SECRET_KEY",
        "COORDCELL_SECRET_KEY_FILE",
        "DATABASE_URL_FILE",
        "COORDCELL_WEB_WORKERS",
        "COORDCELL_HOST",
        "COORDCELL_SSL_REDIRECT",
    ):
        assert name in found
    assert len(found) >= 24


@pytest.mark.parametrize("name", sorted(environment_variables()))
def test_environment_variable_is_documented(name: str) -> None:
    assert _mentions(_read(DOCS / "deployment.md"), name), (
        f"{name} is read by {environment_variables()[name]} but not described in docs/deployment.md"
    )


def _event_codes_in_docs() -> set[str]:
    """Codes in the first column of the table in docs/events.md."""
    return set(
        re.findall(r"^\|\s*`([a-z0-9_]+\.[a-z0-9_.]+)`\s*\|", _read(DOCS / "events.md"), re.M)
    )


def test_every_registered_event_type_is_in_events_md() -> None:
    registered = {t.code for t in all_event_types()}
    assert registered, "no event types are registered: the app registry did not load"
    missing = sorted(registered - _event_codes_in_docs())
    assert missing == [], f"event types missing from docs/events.md: {missing}"


def test_events_md_lists_no_unregistered_event_type() -> None:
    registered = {t.code for t in all_event_types()}
    stale = sorted(_event_codes_in_docs() - registered)
    assert stale == [], f"docs/events.md lists event types that are not registered: {stale}"


def _clean(piece: str) -> str:
    """A URL pattern piece as the docs write it: ``(?P<code>[^/.]+)`` and ``<str:id>`` → ``{…}``."""
    piece = piece.removeprefix("^").removesuffix("$")
    piece = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", piece)
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", piece)


def _walk(patterns: list, prefix: str = "") -> list[tuple[str, object]]:
    routes = []
    for entry in patterns:
        piece = _clean(str(entry.pattern))
        if isinstance(entry, URLResolver):
            routes += _walk(entry.url_patterns, prefix + piece)
        elif isinstance(entry, URLPattern):
            routes.append((prefix + piece, entry.callback))
    return routes


def _methods(callback: object) -> list[str]:
    actions = getattr(callback, "actions", None)
    if actions:  # a DRF viewset route: the router's method → action map
        # DRF adds "head" to the map on the route's first request: HEAD goes with GET.
        return sorted(m.upper() for m in actions if m != "head")
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    names = ("get", "post", "put", "patch", "delete")
    return sorted(m.upper() for m in names if cls is not None and hasattr(cls, m))


def api_routes() -> list[str]:
    """``METHOD /api/v1/path`` for every route and method under /api/v1/."""
    result = []
    for path, callback in _walk(get_resolver().url_patterns, "/"):
        if path.startswith("/api/v1/"):
            result += [f"{method} {path}" for method in _methods(callback)]
    return sorted(set(result))


def test_the_route_scan_finds_the_known_routes() -> None:
    routes = api_routes()
    assert "GET /api/v1/parties/{code}/" in routes
    assert "POST /api/v1/delegations/{id}/members/" in routes
    assert "GET /api/v1/zones/" in routes
    assert len(routes) >= 14


@pytest.mark.parametrize("route", api_routes())
def test_api_route_is_documented(route: str) -> None:
    assert f"`{route}`" in _read(DOCS / "api.md"), f"`{route}` is not described in docs/api.md"


def test_readme_links_into_docs_resolve() -> None:
    links = re.findall(r"\]\(((?:\./)?docs/[^)#\s]*)", _read(ROOT / "README.md"))
    assert links, "the README links to no documentation"
    missing = [link for link in links if not (ROOT / link).exists()]
    assert missing == [], f"README links to missing files: {missing}"


#: Folders that are not the repository's own text (tools' caches, the venv, local data).
_NOT_OURS = {
    ".git", ".venv", "__pycache__", ".hypothesis", ".mypy_cache", ".ruff_cache",
    ".pytest_cache", "coordcell-data", "build", "dist", "var", "test-results",
}  # fmt: skip
# Built from pieces so that this file does not match itself.
_OUTSIDE = re.compile(
    "|".join(
        [
            re.escape("..") + "/shared",  # the workplace's reference folder beside a checkout
            '"shared"' + r"\s*/",  # … joined as a path in Python
            "/" + "work/",  # the workplace's absolute paths
            r"parents\[\d+\]\.parent\b",  # a path above the repository's root
        ]
    )
)


def test_nothing_in_the_repository_names_a_path_outside_it() -> None:
    offenders = []
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [
            name for name in subfolders if name not in _NOT_OURS and not name.endswith(".egg-info")
        ]
        for name in files:
            path = Path(folder) / name
            if name == ".git" or path.suffix in {".mo", ".pyc", ".png"}:
                continue
            text = path.read_bytes().decode("utf-8", errors="replace")
            offenders += [
                f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)}"
                for m in _OUTSIDE.finditer(text)
            ]
    assert offenders == []


def test_the_outside_path_scan_finds_what_it_looks_for() -> None:
    # Guards the scan above: a broken pattern would let it pass vacuously.
    for sample in (
        "see ../" + "shared/data/x.csv",
        "ROOT.parent / " + '"shar' + 'ed" / "data"',
        "/" + "work/main/tests",
        "Path(__file__).parents[3]" + ".parent",
    ):
        assert _OUTSIDE.search(sample), sample
    assert not _OUTSIDE.search("tests/data/ucdp_ged231_sample_levant.csv")


def _readme_command_table() -> list[tuple[str, str]]:
    """(synopsis, description) of each row of the README's command table, unescaped."""
    text = _read(ROOT / "README.md")
    table = text[text.index("| command | what it does |") :].split("\n\n", 1)[0]
    rows = []
    for line in table.splitlines()[2:]:
        cells = [c.replace("\\|", "|").strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        assert len(cells) == 2, line
        rows.append((cells[0].removeprefix("`").removesuffix("`"), cells[1]))
    return rows


def _help_commands(output: str) -> list[tuple[str, str]]:
    """(synopsis, description) of each command ``coordcell --help`` lists."""
    rows: list[tuple[str, str]] = []
    for line in output.splitlines():
        if line.startswith("  coordcell "):
            rows.append((line.strip(), ""))
        elif line.startswith("      ") and rows:
            synopsis, description = rows[-1]
            rows[-1] = (synopsis, f"{description} {line.strip()}".strip())
    return rows


def test_the_readme_command_table_is_what_coordcell_help_prints(tmp_path) -> None:
    from tests.unit.test_cli import coordcell

    result = coordcell(tmp_path, "--help")
    assert result.returncode == 0, result.stderr
    printed = _help_commands(result.stdout)
    assert len(printed) >= 14
    assert _readme_command_table() == printed


def test_coordcell_help_lists_every_command_of_coordcells_apps() -> None:
    from django.core.management import get_commands

    from coordcell.cli import ALIASES, CHECK_WITH_SCENARIO, COMMANDS, OFFLINE_TOOLS

    ours = {name for name, app in get_commands().items() if app.startswith("coordcell.")}
    assert {"serve", "worker", "record"} <= ours  # guards the scan
    listed = {synopsis.split()[1] for synopsis, _ in COMMANDS} - {"<django"}
    as_django_names = {ALIASES.get(name, name) for name in listed} - set(OFFLINE_TOOLS)
    as_django_names |= {CHECK_WITH_SCENARIO} if "check" in listed else set()
    assert as_django_names - {"check"} == ours
