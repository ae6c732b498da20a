"""The lodge form's map: the offline basemap and the zones in the situation map's colours,
a legend, beside the first fields, and a live answer saying which zones the place falls
in. The script's behaviour is tested in tests/browser/test_lodge_map.py."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def _config(page: str) -> dict[str, Any]:
    found = re.search(r'<script id="picker-config" type="application/json">(.*?)</script>', page)
    assert found is not None
    return json.loads(found.group(1))


@pytest.mark.parametrize("path", ["/cases/new/", "correct"])
def test_the_picker_reads_the_basemap_and_the_zone_look_up_from_this_server(
    client_for: Any, path: str
) -> None:
    from coordcell.cases.models import Case

    client = client_for("il.liaison")
    if path == "correct":
        case = Case.objects.order_by("pk").first()
        assert case is not None
        path = f"/cases/{case.public_id}/incident/"
    page = client.get(path).content.decode()
    config = _config(page)
    assert config["basemapUrl"] == "/map/basemap.json"
    assert config["locateUrl"] == "/api/v1/locate"
    assert client.get(config["basemapUrl"]).status_code == 200
    assert "/static/coordcell/mapstyle.js" in page  # the situation map's colours
    assert 'id="picker-legend"' in page
    assert 'id="picker-zones" class="picker-zones" role="status" aria-live="polite"' in page


def test_the_map_sits_beside_the_first_field(client_for: Any) -> None:
    page = client_for("il.liaison").get("/cases/new/").content.decode()
    grid = page.index('class="incident-grid"')
    assert grid < page.index('id="id_respondent"') < page.index('id="picker"')
    assert page.index('id="picker"') < page.index('id="id_summary"')


@pytest.mark.parametrize(
    ("language", "prompt"),
    [("ar", "حدّد موقع الحادث على الخريطة"), ("he", "יש למקם את האירוע על המפה")],
)
def test_the_picker_speaks_the_page_language(client_for: Any, language: str, prompt: str) -> None:
    client = client_for("il.liaison")
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    page = client.get("/cases/new/").content.decode()
    assert prompt in page
    assert prompt in _config(page)["text"]["prompt"]
