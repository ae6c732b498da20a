"""The positions pages (ar/he/en): escrow on every page, the forms call the services."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest

from coordcell.positions import services
from coordcell.positions.models import Position, PositionChange
from coordcell.rules import positions_commit as pc
from tests.integration.test_positions import SY_SITE, declare

pytestmark = pytest.mark.django_db

PAGES = ["/positions/", "/positions/sealed/", "/positions/totals/", "/positions/export.geojson"]


@pytest.mark.parametrize("language", ["en", "ar", "he"])
@pytest.mark.parametrize("path", PAGES)
def test_every_member_opens_the_pages_in_each_language(
    client_for: Any, path: str, language: str
) -> None:
    client = client_for("monitor")
    client.cookies["django_language"] = language
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    if language != "en" and path.endswith("/"):
        assert 'dir="rtl"' in response.content.decode()


def test_the_other_party_and_the_monitor_see_nothing_of_a_declaration(
    client_for: Any, actor: Any
) -> None:
    position = declare(actor, "il.liaison", name="Ridge post (fictional test)")
    own = client_for("il.liaison").get("/positions/").content.decode()
    assert "Ridge post (fictional test)" in own
    assert position.reference in client_for("mediator").get("/positions/").content.decode()
    for other in ("sy.liaison", "monitor", "donor"):
        client = client_for(other)
        for path in PAGES:
            body = client.get(path).content.decode()
            assert position.reference not in body
            assert "Ridge post" not in body
        hidden = client.get(f"/positions/{position.public_id}/")
        missing = client.get("/positions/00000000-0000-0000-0000-000000000000/")
        assert hidden.status_code == missing.status_code == 404
        assert hidden.content == missing.content


def test_the_declaration_form_calls_the_service(client_for: Any) -> None:
    client = client_for("sy.liaison")
    assert client.get("/positions/new/").status_code == 200
    response = client.post(
        "/positions/new/",
        {"name": "Form post (fictional)", "kind": "checkpoint", "established": "2025-03-01",
         "lat": "33.1112", "lon": "35.9583", "h_personnel": "25"},
    )  # fmt: skip
    assert response.status_code == 302
    position = Position.objects.get(name="Form post (fictional)")
    assert position.party.code == "sy"
    assert position.holdings.get().count == 25
    bad = client.post("/positions/new/", {"name": "x", "kind": "castle", "established": "x"})
    assert bad.status_code == 400
    assert client_for("monitor").get("/positions/new/").status_code == 403


def test_the_import_page_shows_the_errors_per_feature(client_for: Any) -> None:
    client = client_for("il.liaison")
    document = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [35.79, 33.05]},
             "properties": {"name": "Imported (fictional)", "kind": "bunker",
                            "established": "2025-01-01"}},
        ],
    }  # fmt: skip
    upload = io.BytesIO(json.dumps(document).encode())
    upload.name = "posts.geojson"
    response = client.post("/positions/import/", {"file": upload})
    assert response.status_code == 400
    assert "features[0].kind" in response.content.decode()
    assert not Position.objects.exists()


def test_the_dispute_page_reveals_and_serves_a_file_that_verifies(
    client_for: Any, actor: Any
) -> None:
    position = declare(actor, "sy.liaison", name="Disputed post (fictional test)")
    services.seal_baseline(actor=actor("sy.liaison"))
    response = client_for("il.liaison").post(
        "/positions/sealed/",
        {"against": "sy", "claim": "Set up after the freeze (fictional test).",
         "lat": str(SY_SITE["coordinates"][1]), "lon": str(SY_SITE["coordinates"][0])},
    )  # fmt: skip
    assert response.status_code == 302
    dispute_url = response["Location"]
    page = client_for("sy.liaison").get(dispute_url).content.decode()
    assert "Disputed post (fictional test)" in page  # its own item, to choose
    assert "Disputed post" not in client_for("il.liaison").get(dispute_url).content.decode()
    item = PositionChange.objects.get(position=position)
    client_for("sy.liaison").post(dispute_url + "reveal/", {"item": str(item.public_id)})
    page = client_for("il.liaison").get(dispute_url).content.decode()
    assert "Disputed post (fictional test)" in page
    link = page.split('href="/positions/reveals/')[1].split('"')[0]
    file = client_for("il.liaison").get("/positions/reveals/" + link)
    assert file.status_code == 200
    assert pc.verify_reveal(json.loads(file.content)) == []
    assert client_for("monitor").get(dispute_url).status_code == 404
    assert client_for("monitor").get("/positions/reveals/" + link).status_code == 404


def test_zone_totals_page(client_for: Any, actor: Any) -> None:
    declare(actor, "sy.liaison", holdings=[{"category": "tanks", "count": 80}])
    page = client_for("mediator").get("/positions/totals/?at=2026-03-01").content.decode()
    assert "above the cap" in page
    assert (
        "above the cap"
        not in client_for("il.liaison").get("/positions/totals/?at=2026-03-01").content.decode()
    )
    assert client_for("il.liaison").get("/positions/totals/?at=nope").status_code == 400
    assert dt.date.today()  # the default day is today


@pytest.mark.parametrize(
    "content",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"type": "FeatureCollection", "features": [' + b"[" * 40 + b"]" * 40 + b"]}",
        b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        b'{"name": "A\\u0000B", "kind": "base", "established": "2025-01-01"}, '
        b'"geometry": {"type": "Point", "coordinates": [35.79, 33.05]}}]}',
    ],
    ids=["nested-100000", "nested-42", "nul-in-name"],
)
def test_the_import_page_refuses_a_file_nested_too_deep_or_with_a_nul(
    client_for: Any, content: bytes
) -> None:
    client = client_for("il.liaison")
    client.raise_request_exception = False
    upload = io.BytesIO(content)
    upload.name = "deep.geojson"
    response = client.post("/positions/import/", {"file": upload})
    assert response.status_code == 400
    assert "The file is not JSON." in response.content.decode()
    assert not Position.objects.exists()
