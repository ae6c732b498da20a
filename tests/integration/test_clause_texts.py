"""The arrangement page shows each clause's wording in the reader's language, saying when it
is an unofficial working translation and keeping the English reference at hand; zones
cited by a clause are named in that language too."""

from __future__ import annotations

import html
from typing import Any

import pytest

from coordcell.agreements.models import Clause, Zone

pytestmark = pytest.mark.django_db

UNOFFICIAL = {"ar": "ترجمة عمل غير رسمية", "he": "תרגום עבודה לא רשמי"}


def _page(client_for: Any, language: str) -> str:
    client = client_for("sy.liaison")
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    return html.unescape(client.get("/arrangement/").content.decode())


@pytest.mark.parametrize("language", ["ar", "he"])
def test_clause_wording_is_shown_in_the_page_language(client_for: Any, language: str) -> None:
    page = _page(client_for, language)
    clause = Clause.objects.filter(version__is_current=True).order_by("position").first()
    assert clause is not None
    translated = clause.text_translations[language]
    assert f'<span lang="{language}" dir="auto">{translated}</span>' in page
    assert UNOFFICIAL[language] in page
    assert f'<span lang="en" dir="ltr">{clause.text}</span>' in page  # the reference


def test_zones_a_clause_cites_are_named(client_for: Any) -> None:
    page = _page(client_for, "he")
    clause = (
        Clause.objects.filter(version__is_current=True).exclude(zone_ids=[]).order_by("position")
    ).first()
    assert clause is not None
    zone = Zone.objects.get(version=clause.version, zone_id=clause.zone_ids[0])
    assert f'title="{zone.zone_id}"><bdi>{zone.names["he"]}</bdi></a>' in page


def test_the_api_gives_the_translations(client_for: Any) -> None:
    body = client_for("sy.liaison").get("/api/v1/clauses/").json()
    first = body["results"][0]
    assert set(first["text_translations"]) == {"ar", "he"}
    assert first["text_unofficial"] == ["ar", "he"]
