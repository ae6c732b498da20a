"""The liaison officer's guide in Arabic and Hebrew keeps up with docs/cases.md.

Each translation exists, says it translates docs/cases.md and that the English text is
the reference, is mostly in its own script, and has a heading for every section of the
English guide listed below, linking to that section's anchor. A section renamed or
dropped in English fails here until both translations follow.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"

#: The English guide's sections a liaison officer needs, and their headings in the
#: translations (``docs/cases.ar.md``, ``docs/cases.he.md``).
SECTIONS: dict[str, dict[str, str]] = {
    "Complaints as cases": {"ar": "الشكاوى بوصفها قضايا", "he": "תלונות כתיקים"},
    "Clarifications, agreements, referrals and links": {
        "ar": "التوضيحات والاتفاقات والإحالات والربط",
        "he": "הבהרות, הסכמות, הפניות וקישורים",
    },
    "Verification by element": {"ar": "التحقق عنصرًا عنصرًا", "he": "אימות לפי רכיבים"},
    "Determinations, remedies and reservations": {
        "ar": "القرارات والتدابير التصحيحية والتحفّظات",
        "he": "הכרעות, צעדים מתקנים והסתייגויות",
    },
    "Deadlines and the ladder": {"ar": "المهل والسلّم", "he": "מועדים והסולם"},
    "When a case climbs (what a liaison officer needs to know)": {
        "ar": "متى تصعد القضية على السلّم (ما يحتاج ضابط الارتباط إلى معرفته)",
        "he": "מתי תיק עולה בסולם (מה שקצין קישור צריך לדעת)",
    },
    "The hotline": {"ar": "الخط الساخن", "he": "הקו החם"},
    "The call as a conversation": {"ar": "المكالمة بوصفها محادثة", "he": "השיחה כהתכתבות"},
    "Warnings and action requests": {
        "ar": "التحذيرات وطلبات اتخاذ إجراء",
        "he": "אזהרות ובקשות לפעולה",
    },
    "The warning-before-action ledger": {
        "ar": "سجلّ التحذير قبل الإجراء",
        "he": "פנקס אזהרה-לפני-פעולה",
    },
    "The scorecard": {"ar": "بطاقة الأداء", "he": "מדדי ביצוע"},
    "Release beyond the parties": {"ar": "النشر خارج الأطراف", "he": "שחרור מעבר לצדדים"},
}

#: The letters of each script (its Unicode blocks, presentation forms included).
SCRIPTS = {
    "ar": re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"),
    "he": re.compile("[\u0590-\u05ff\ufb1d-\ufb4f]"),
}

_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.MULTILINE)


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to -."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def _read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def test_every_listed_section_is_a_heading_of_the_english_guide() -> None:
    headings = set(_HEADING.findall(_read("cases.md")))
    assert sorted(set(SECTIONS) - headings) == []


@pytest.mark.parametrize("language", ["ar", "he"])
def test_the_translation_says_what_it_translates_and_that_english_is_the_reference(
    language: str,
) -> None:
    top = "\n".join(_read(f"cases.{language}.md").splitlines()[:8])
    assert "docs/cases.md" in top
    assert "the English text is the reference" in top
    assert re.search(r"\b20\d\d-\d\d-\d\d\b", top)


@pytest.mark.parametrize("language", ["ar", "he"])
def test_the_translation_is_mostly_in_its_script(language: str) -> None:
    text = _read(f"cases.{language}.md")
    # Code, URLs and link targets stay in Latin script by design: count the prose.
    prose = re.sub(r"`[^`]*`|\]\([^)]*\)", " ", text)
    letters = [c for c in prose if c.isalpha()]
    share = sum(1 for c in letters if SCRIPTS[language].match(c)) / len(letters)
    assert share > 0.5, f"{share:.0%} of the letters are in the script"


@pytest.mark.parametrize("language", ["ar", "he"])
def test_the_translation_has_every_section_linked_to_the_english_one(language: str) -> None:
    text = _read(f"cases.{language}.md")
    headings = _HEADING.findall(text)
    missing = [en for en, names in SECTIONS.items() if names[language] not in headings]
    assert missing == []
    unlinked = [en for en in SECTIONS if f"(cases.md#{_anchor(en)})" not in text]
    assert unlinked == []
    # Every link into the English guide names a section it has.
    english = {_anchor(h) for h in _HEADING.findall(_read("cases.md"))}
    assert sorted(set(re.findall(r"\(cases\.md#([^)]+)\)", text)) - english) == []


def test_the_english_guide_and_the_readme_link_the_translations() -> None:
    for page, prefix in (("cases.md", ""), ("../README.md", "docs/")):
        text = _read(page)
        for language in ("ar", "he"):
            assert f"({prefix}cases.{language}.md)" in text, (page, language)
