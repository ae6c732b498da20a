"""A clause's wording in Arabic and Hebrew: a localized ``text`` table, with the languages
that are unofficial working translations named in ``text_unofficial``."""

from __future__ import annotations

import pathlib

from coordcell.rules.arrangement import arrangement_from_content
from coordcell.rules.scenario import check_scenario, read_scenario

from .conftest import SHIPPED


def test_every_shipped_clause_has_its_wording_in_each_language_marked_unofficial() -> None:
    arrangement = read_scenario(SHIPPED)
    assert arrangement.clauses
    for clause in arrangement.clauses:
        assert clause.text  # the English, the reference
        assert set(clause.text_translations) == {"ar", "he"}, clause.id
        assert clause.text_unofficial == ("ar", "he"), clause.id
        assert all(t.strip() and t != clause.text for t in clause.text_translations.values())


def test_the_translations_survive_the_stored_content() -> None:
    arrangement = read_scenario(SHIPPED)
    again = arrangement_from_content(arrangement.content)
    assert again.clauses == arrangement.clauses


def test_content_stored_before_translations_still_reads() -> None:
    content = dict(read_scenario(SHIPPED).content)
    content["clauses"] = [
        {k: v for k, v in c.items() if k not in ("text_translations", "text_unofficial")}
        for c in content["clauses"]
    ]
    clause = arrangement_from_content(content).clauses[0]
    assert clause.text_translations == {}
    assert clause.text_unofficial == ()


def _first_clause_text(folder: pathlib.Path, old: str, new: str) -> list[str]:
    path = folder / "arrangement.toml"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    return _errors(folder)


def _errors(folder: pathlib.Path) -> list[str]:
    return [f"{e.file}: {e.field}: {e.message}" for e in check_scenario(folder)[1]]


def test_a_plain_english_text_is_still_accepted(shipped_copy: pathlib.Path) -> None:
    path = shipped_copy / "arrangement.toml"
    lines = path.read_text("utf-8").split("\n")
    header = lines.index("[clauses.text]")
    english = lines[header + 1].replace("en = ", "text = ", 1)
    # The first clause as before translations: its text a plain English string.
    del lines[header - 2 : header + 4]
    lines.insert(header - 2, english)
    path.write_text("\n".join(lines), "utf-8")
    arrangement, errors = check_scenario(shipped_copy)
    assert errors == []
    assert arrangement is not None
    first = arrangement.clauses[0]
    assert first.text == english[len('text = "') : -1].replace('\\"', '"')
    assert (first.text_translations, first.text_unofficial) == ({}, ())


def test_unofficial_needs_a_translation_to_mark(shipped_copy: pathlib.Path) -> None:
    errors = _first_clause_text(
        shipped_copy, 'text_unofficial = ["ar", "he"]', 'text_unofficial = ["ar", "he", "en"]'
    )
    assert len(errors) == 1
    assert errors[0].startswith("arrangement.toml: clauses[0].text_unofficial[2]: ")


def test_a_translation_without_english_is_refused(shipped_copy: pathlib.Path) -> None:
    errors = _first_clause_text(shipped_copy, "[clauses.text]\nen = ", "[clauses.text]\nfr = ")
    assert errors == [
        "arrangement.toml: clauses[0].text.en: missing the English name ('en'); English is "
        "required as the fallback language",
        "arrangement.toml: clauses[0].text.fr: unknown key 'fr' (expected: en, ar, he)",
    ]


def test_marking_a_missing_translation_is_refused(shipped_copy: pathlib.Path) -> None:
    path = shipped_copy / "arrangement.toml"
    text = path.read_text("utf-8")
    start = text.index("[clauses.text]")
    he = text.index("\nhe = ", start)
    end = text.index("\n", he + 1)
    path.write_text(text[:he] + text[end:], "utf-8")
    errors = _errors(shipped_copy)
    assert errors == [
        "arrangement.toml: clauses[0].text_unofficial[1]: "
        "the text has no 'he' translation to mark unofficial"
    ]
