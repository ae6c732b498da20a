"""Three languages: the whole interface switches, and Arabic and Hebrew run right-to-left."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

import coordcell

pytestmark = pytest.mark.django_db

PAGES = ["/", "/map/", "/arrangement/", "/delegations/", "/accounts/profile/", "/accounts/tokens/"]
LOCALE = Path(coordcell.__file__).resolve().parent / "locale"


def _switch(client, language: str) -> None:
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert response.status_code == 302


@pytest.mark.parametrize(("language", "direction"), [("en", "ltr"), ("ar", "rtl"), ("he", "rtl")])
@pytest.mark.parametrize("path", PAGES)
def test_every_page_follows_the_chosen_language(client_for, language, direction, path) -> None:
    client = client_for("sy.liaison")
    _switch(client, language)
    html = client.get(path).content.decode()
    assert re.search(rf'<html lang="{language}" dir="{direction}">', html)


@pytest.mark.parametrize(
    ("language", "home", "map_"),
    [("ar", "الصفحة الرئيسية", "الخريطة"), ("he", "דף הבית", "מפה")],
)
def test_the_navigation_is_translated(client_for, language, home, map_) -> None:
    client = client_for("il.liaison")
    _switch(client, language)
    html = client.get("/").content.decode()
    assert f">{home}<" in html
    assert f">{map_}<" in html


def test_the_login_page_is_translated_for_anonymous_visitors(client) -> None:
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="he").content.decode()
    assert 'dir="rtl"' in html


def _untranslated(po_text: str) -> list[str]:
    """msgids whose translation is empty or fuzzy, from a .po file's text."""
    missing = []
    for block in po_text.split("\n\n")[1:]:  # the first block is the header
        fields: dict[str, str] = {}
        current = ""
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if "msgid" not in fields:
            continue
        translations = [v for k, v in fields.items() if k.startswith("msgstr")]
        if "#, fuzzy" in block or not translations or not all(translations):
            missing.append(fields["msgid"])
    return missing


@pytest.mark.parametrize("language", ["ar", "he"])
def test_every_message_has_a_translation(language: str) -> None:
    """No string of ours is left untranslated (empty or fuzzy) in the catalogue."""
    po = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert _untranslated(po) == []


def test_languages_are_the_three_of_the_cell() -> None:
    assert [code for code, _ in settings.LANGUAGES] == ["en", "ar", "he"]


@pytest.mark.parametrize("language", ["ar", "he", "en"])
def test_coordinates_keep_latin_digits_and_a_point_in_every_language(client_for, language) -> None:
    from coordcell.cases.models import Case

    case = Case.objects.order_by("pk").first()
    client = client_for("il.liaison")
    _switch(client, language)
    html = client.get(f"/cases/{case.public_id}/").content.decode()
    incident = case.incident
    assert f"{incident.lat:.5f}, {incident.lon:.5f}" in html
    assert f"{incident.lat:.5f}".replace(".", ",") not in html
