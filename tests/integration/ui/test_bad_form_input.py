"""Bad input through the pages: a 400 page with a message, never a 500, and nothing written
(issue 11, point 9)."""

from __future__ import annotations

import html
import json
import sys
from typing import Any

import pytest
import shapely

from coordcell.cases.models import Case, Deadline
from coordcell.incidents.models import Incident
from coordcell.record.models import Entry

pytestmark = pytest.mark.django_db

LODGE = {
    "respondent": "il",
    "title": "Drone over the Area of Separation (fictional)",
    "kind": "overflight",
    "occurred_from": "2026-05-02T04:15",
    "time_precision": "minute",
    "uncertainty_m": "200",
    "summary": "A drone crossed the Area of Separation (fictional).",
}
BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[35.8, 33.1], [35.9, 33.2], [35.9, 33.1], [35.8, 33.2], [35.8, 33.1]]],
}


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _state() -> tuple[Any, ...]:
    return (
        Entry.objects.count(),
        list(Incident.objects.order_by("pk").values_list("pk", "geometry")),
        list(Case.objects.order_by("pk").values_list("pk", "state")),
        list(Deadline.objects.order_by("pk").values_list("pk", "due_at")),
    )


def _case() -> Case:
    case = Case.objects.order_by("pk").first()
    assert case is not None
    return case


@pytest.mark.parametrize(
    ("drawn", "message"),
    [
        (
            json.dumps({"type": "Point", "coordinates": ["35.82461", "33.12595"]}),
            'coordinates[0] must be a number, not "35.82461".',
        ),
        (
            json.dumps({"type": "Point", "coordinates": [35.82461, 33.12595], "x": "a\x00"}),
            'Unknown member "x" in the geometry: give only "type" and "coordinates".',
        ),
        (
            '{"type": "Point", "coordinates": [NaN, 33.12595]}',
            "coordinates[0] must be a finite number, not NaN.",
        ),
        ("[" * 100_000, "The drawn place could not be read; draw it again."),
    ],
)
def test_the_lodge_form_refuses_a_drawn_place_that_is_not_a_clean_geometry(
    client_for: Any, drawn: str, message: str
) -> None:
    client = client_for("sy.liaison")
    before = _state()
    response = client.post("/cases/new/", {**LODGE, "geometry": drawn})
    assert response.status_code == 400
    assert message in _text(response)
    assert _state() == before


def test_the_lodge_form_explains_an_invalid_shape_where_nothing_loaded_validation(
    client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As under ``coordcell serve``, where nothing on the request path imports it.
    monkeypatch.delitem(sys.modules, "shapely.validation", raising=False)
    monkeypatch.delattr(shapely, "validation", raising=False)
    client = client_for("sy.liaison")
    before = _state()
    response = client.post("/cases/new/", {**LODGE, "geometry": json.dumps(BOWTIE)})
    assert response.status_code == 400
    assert "The geometry is not valid: Self-intersection[35.85 33.15]." in _text(response)
    assert _state() == before


def test_the_lodge_form_stores_a_clean_copy_of_a_drawn_line(client_for: Any) -> None:
    drawn = {"type": "LineString", "coordinates": [[35.82, 33.12], [36, 33]], "bbox": [0, 0]}
    response = client_for("sy.liaison").post(
        "/cases/new/", {**LODGE, "geometry": json.dumps(drawn)}
    )
    assert response.status_code == 302, _text(response)
    incident = Incident.objects.order_by("-pk").first()
    assert incident is not None
    assert incident.geometry == {
        "type": "LineString",
        "coordinates": [[35.82, 33.12], [36.0, 33.0]],
    }


@pytest.mark.parametrize(
    "form",
    [
        {"kind": "acknowledge", "hours": "24", "text": "Agreed by phone\x00 (fictional)."},
        {"kind": "acknowledge\x00", "hours": "24", "text": "Agreed by phone (fictional)."},
        {"kind": "acknowledge", "hours": "24", "text": "Agreed.", "note\x00": "x"},
    ],
)
def test_a_form_post_with_a_nul_character_is_a_400_page_and_writes_nothing(
    client_for: Any, form: dict[str, str]
) -> None:
    client = client_for("mediator")
    before = _state()
    response = client.post(f"/cases/{_case().public_id}/extend/", form)
    assert response.status_code == 400
    assert "a NUL character or a lone surrogate" in _text(response)
    assert _state() == before


def test_a_path_with_a_nul_character_is_a_400_page_and_writes_nothing(client_for: Any) -> None:
    # Paths whose last part is free text reach the database on PostgreSQL, which cannot
    # compare a NUL (a 500): the edge refuses them first.
    case = _case()
    client = client_for("il.liaison")
    before = _state()
    for path in (f"/cases/{case.public_id}/evidence/%00/", f"/cases/{case.public_id}/%00/"):
        for response in (client.get(path), client.post(path)):
            assert response.status_code == 400
            assert "a NUL character or a lone surrogate" in _text(response)
    assert _state() == before


def test_a_query_string_with_a_nul_character_is_a_400_page(client_for: Any) -> None:
    response = client_for("sy.liaison").get("/cases/new/", {"activation": "\x00"})
    assert response.status_code == 400
    assert "a NUL character or a lone surrogate" in _text(response)


def test_the_same_form_without_it_is_recorded(client_for: Any) -> None:
    before = Entry.objects.count()
    form = {"kind": "acknowledge", "hours": "24", "text": "Agreed by phone (fictional)."}
    response = client_for("mediator").post(f"/cases/{_case().public_id}/extend/", form)
    assert response.status_code == 302
    assert Entry.objects.count() == before + 1
