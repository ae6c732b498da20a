"""The case page in Arabic and Hebrew: zones by name, findings' certainty and units in the
page's language, and English fragments (ids, references, user text) isolated from the
right-to-left text around them."""

from __future__ import annotations

import re
from typing import Any

import pytest

from coordcell.agreements.models import Zone
from coordcell.cases.models import Case
from coordcell.incidents.models import Incident

pytestmark = pytest.mark.django_db

#: What "possibly", "inside" and the metre read as in each language's catalogue.
WORDS = {
    "ar": {"possibly": "يُحتمل", "inside": "داخل", "metres": "250 م"},
    "he": {"possibly": "ייתכן", "inside": "בתוך", "metres": "250 מ׳"},
}


def _page(client_for: Any, language: str) -> tuple[Case, str]:
    case = Case.objects.order_by("pk").first()
    assert case is not None
    client = client_for("il.liaison")
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    return case, client.get(f"/cases/{case.public_id}/").content.decode()


def _zone(case: Case, zone_id: str) -> Zone:
    return Zone.objects.get(version=case.incident.version, zone_id=zone_id)


@pytest.mark.parametrize("language", ["ar", "he"])
def test_zones_are_named_in_the_page_language(client_for: Any, language: str) -> None:
    case = Case.objects.order_by("pk").first()
    assert case is not None
    incident = case.incident
    inside = incident.zones[0]
    other = next(
        z.zone_id
        for z in Zone.objects.filter(version=incident.version, kind="area")
        if z.zone_id not in incident.zones
    )
    Incident.objects.filter(pk=incident.pk).update(possible_zones=[other], uncertainty_m=250)
    _, html = _page(client_for, language)
    zones = re.search(r"<dd>(.*?)</dd>", html[html.index("h-incident") :].split("<dt>")[4])
    assert zones is not None, html
    shown = zones.group(1)
    assert _zone(case, inside).names[language] in shown
    assert _zone(case, other).names[language] in shown
    assert WORDS[language]["possibly"] in shown
    assert f">{inside}<" not in html  # the id is no longer what the reader reads
    assert WORDS[language]["metres"] in html
    assert " m<" not in html


@pytest.mark.parametrize("language", ["ar", "he"])
def test_a_findings_certainty_is_translated(client_for: Any, language: str) -> None:
    case, html = _page(client_for, language)
    certainty = case.incident.findings[0]["certainty"]
    assert f'<span class="badge grey">{certainty}</span>' not in html
    assert f'<span class="badge grey">{WORDS[language][certainty]}</span>' in html


def test_english_fragments_are_isolated(client_for: Any) -> None:
    case, html = _page(client_for, "ar")
    incident = case.incident
    assert f'<bdi class="mono">{case.reference}</bdi>' in html
    # The reporter's title is its party's version, isolated; the complaint as lodged too.
    assert f'<strong dir="auto">{incident.title}</strong>' in html
    assert f'<p dir="auto">{case.summary}</p>' in html
    clause = incident.findings[0]["clause"]
    assert f'<bdi class="mono">{clause}</bdi>' in html


@pytest.mark.parametrize(("language", "call"), [("ar", "مكالمة هاتفية"), ("he", "שיחת טלפון")])
def test_the_hotline_names_its_channels_in_the_page_language(
    client_for: Any, language: str, call: str
) -> None:
    client = client_for("il.liaison")
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    page = client.get("/cases/hotline/").content.decode()
    assert f'<span class="muted small">{call}</span>' in page
    assert '<span class="muted small">call</span>' not in page


@pytest.mark.parametrize("language", ["ar", "he"])
def test_a_findings_ids_and_names_keep_their_order_in_a_right_to_left_sentence(
    client_for: Any, language: str
) -> None:
    case, html = _page(client_for, language)
    clause = case.incident.findings[0]["clause"]
    assert f"\u2068{clause}\u2069" in html  # first-strong isolate … pop directional isolate
    _, english = _page(client_for, "en")
    assert "\u2068" not in english
