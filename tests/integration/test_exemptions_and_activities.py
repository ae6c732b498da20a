"""Activities a scenario declares on top of the built-in ones, named by the scenario in
each language (issue 10): a clause prohibits one, the engine finds it, and the pages and
the explanations call it by the scenario's name, not the catalogue's."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from coordcell.agreements.engines import engine_for, explain_findings
from coordcell.agreements.services import SCENARIOS_DIR, load_arrangement
from coordcell.incidents.services import IncidentInput, report_incident

pytestmark = pytest.mark.django_db

IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}
CACHE = {"en": "Weapons cache", "ar": "مخبأ أسلحة", "he": "מחסן נשק"}

DECLARED = """
[[activities]]
id = "weapons_cache"
name = { en = "Weapons cache", ar = "مخبأ أسلحة", he = "מחסן נשק" }
implied_by = ["weapons_use_disrupted"]

"""


def _with_weapons_cache(tmp_path: Path) -> Path:
    """The shipped scenario whose Area of Separation clause also prohibits a weapons cache."""
    copy = tmp_path / "cache"
    shutil.copytree(SCENARIOS_DIR / "southern_syria_2026", copy)
    toml = copy / "arrangement.toml"
    text = toml.read_text(encoding="utf-8")
    b3 = 'prohibited = ["military_presence", "fire", "fortification"]'
    assert text.count(b3) == 1
    text = text.replace(b3, b3[:-1] + ', "weapons_cache"]').replace(
        "[[clauses]]", DECLARED + "[[clauses]]", 1
    )
    toml.write_text(text, encoding="utf-8")
    return copy


def test_a_declared_activity_is_found_and_named_in_the_readers_language(
    actor: Any, console: Any, client_for: Any, tmp_path: Path
) -> None:
    version = load_arrangement(actor=console, path=_with_weapons_cache(tmp_path)).version
    incident = report_incident(
        actor=actor("il.liaison"),
        data=IncidentInput(
            kind="weapons_use_disrupted",
            title="Weapons found in a barn (fictional)",
            occurred_from=dt.datetime(2026, 6, 1, 6, tzinfo=dt.UTC),
            geometry=IN_AOS,
        ),
        version=version,
    )
    rules = [f["rule"] for f in incident.findings]
    assert rules == ["prohibited:weapons_cache"]

    engine = engine_for(version)
    for language in ("en", "ar", "he"):
        with translation.override(language):
            _, apart = explain_findings(incident.findings, engine)
        assert CACHE[language] in apart[0]["explanation"], language

    page = client_for("sy.liaison").get(
        reverse("agreements:arrangement"), HTTP_ACCEPT_LANGUAGE="he"
    )
    assert page.status_code == 200
    assert CACHE["he"] in page.content.decode()


def test_a_finding_whose_report_does_not_say_who_acted_names_the_exempt_party(
    client_for: Any,
) -> None:
    """The drill's presence in the Area of Separation says nothing of who acted: clause
    B.3's finding stands and says, in the page's language, that B.3 exempts UNDOF."""
    from coordcell.cases.models import Case

    case = Case.objects.get(summary="Armed personnel in the Area of Separation (fictional test).")
    [b3] = [f for f in case.incident.findings if f["clause"] == "B.3"]
    assert b3["exempt"] == ["undof"]
    page = client_for("sy.liaison").get(
        reverse("cases:case", args=[case.public_id]), HTTP_ACCEPT_LANGUAGE="he"
    )
    body = page.content.decode()
    assert "פוטר את" in body
    assert "כוח האו״ם לפיקוח על הפרדת הכוחות (UNDOF)" in body
