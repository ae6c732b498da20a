"""Bad input through the API: a 400 in the single error shape, never a 500, and nothing
written. Each case here was reproduced by the outside security test (issue 11, point 9)."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
import shapely

from coordcell.cases.models import Activation, Case, Deadline, Notification
from coordcell.incidents.models import Account, Incident
from coordcell.notify.models import Webhook
from coordcell.record.models import Cosignature, Witness
from tests.integration.api.endpoints import VALID_NAMES, Endpoint, url

pytestmark = pytest.mark.django_db

IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}
#: A polygon whose boundary crosses itself at (35.85, 33.15).
BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[35.8, 33.1], [35.9, 33.2], [35.9, 33.1], [35.8, 33.2], [35.8, 33.1]]],
}
INCIDENTS = "/api/v1/incidents/"


def _incident(geometry: Any = IN_AOS, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "military_presence",
        "title": "Vehicles near the line (fictional)",
        "occurred_from": "2026-04-01T10:00:00+03:00",
        "geometry": geometry,
        **extra,
    }


def _send(client: Any, path: str, body: Any, method: str = "post") -> Any:
    text = body if isinstance(body, str | bytes) else json.dumps(body)
    return getattr(client, method)(path, text, content_type="application/json")


@pytest.fixture
def state(snapshot: Any) -> Any:
    """``state()``: the record and every row an API write could add or change."""

    def take() -> dict[str, Any]:
        return {
            **snapshot(),
            "incidents": list(Incident.objects.order_by("pk").values_list("pk", "geometry")),
            "accounts": list(Account.objects.order_by("pk").values_list("pk", "narrative")),
            "cases": list(Case.objects.order_by("pk").values_list("pk", "state", "level")),
            "deadlines": list(Deadline.objects.order_by("pk").values_list("pk", "due_at")),
            "activations": list(Activation.objects.order_by("pk").values_list("pk", "answer")),
            "read": Notification.objects.filter(read_at__isnull=False).count(),
            "webhooks": Webhook.objects.count(),
            "witnesses": Witness.objects.count(),
            "cosignatures": Cosignature.objects.count(),
        }

    return take


def _geometry_errors(response: Any) -> list[str]:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    return error["fields"]["geometry"]


# --- geometries -----------------------------------------------------------------------------


def test_it_refuses_an_invalid_geometry_with_shapelys_reason_where_nothing_loaded_validation(
    api: Any, state: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ``coordcell serve`` never imports shapely.validation on the request path (the tests'
    # scenario reader does): take it away, as it is there.
    monkeypatch.delitem(sys.modules, "shapely.validation", raising=False)
    monkeypatch.delattr(shapely, "validation", raising=False)
    client = api("il.liaison", "token")
    before = state()
    response = _send(client, INCIDENTS, _incident(BOWTIE))
    assert _geometry_errors(response) == [
        "The geometry is not valid: Self-intersection[35.85 33.15]."
    ]
    assert state() == before


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        (
            {"type": "Point", "coordinates": ["35.82461", "33.12595"]},
            'coordinates[0] must be a number, not "35.82461".',
        ),
        ({"type": "Point", "coordinates": [True, 33.1]},
         "coordinates[0] must be a number, not true."),
        ({"type": "Point", "coordinates": [35.8, None]},
         "coordinates[1] must be a number, not null."),
        (
            {"type": "LineString", "coordinates": [[35.8, 33.1], [35.9, "33.2"]]},
            'coordinates[1][1] must be a number, not "33.2".',
        ),
        (
            {"type": "Point", "coordinates": [181, 33.1]},
            "Longitude 181 at coordinates is outside [-180, 180].",
        ),
        (
            {"type": "Point", "coordinates": [35.8, -91]},
            "Latitude -91 at coordinates is outside [-90, 90].",
        ),
        (
            {"type": "Point", "coordinates": [[35.8, 33.1]]},
            "coordinates is not a position [longitude, latitude]: [[35.8, 33.1]].",
        ),
        (
            {"type": "Polygon", "coordinates": [[[35.8, 33.1], [35.9, 33.1], [35.9, 33.2],
                                                 [35.8, 33.2]]]},
            "The ring at coordinates[0] is not closed: its first position [35.8, 33.1] "
            "differs from its last [35.8, 33.2].",
        ),
        (
            {"type": "GeometryCollection", "geometries": []},
            "Geometry type \"GeometryCollection\" is not supported; use Point, LineString, "
            "Polygon, MultiPoint, MultiLineString or MultiPolygon.",
        ),
        (
            {"type": "MultiPoint", "coordinates": [[35.8, 33.1]] * 10_001},
            "The geometry has more than 10000 positions.",
        ),
        ("POINT (35.8 33.1)", "The geometry must be a JSON object."),
    ],
)  # fmt: skip
def test_it_refuses_coordinates_that_are_not_numbers_in_range(
    api: Any, state: Any, geometry: Any, message: str
) -> None:
    client = api("il.liaison", "token")
    before = state()
    assert _geometry_errors(_send(client, INCIDENTS, _incident(geometry))) == [message]
    assert state() == before


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ar", 'يجب أن يكون coordinates[0] رقمًا، لا "35.8".'),
        ("he", 'coordinates[0] חייב להיות מספר, לא "35.8".'),
    ],
)
def test_the_geometry_refusal_is_in_the_callers_language(
    api: Any, language: str, message: str
) -> None:
    body = json.dumps(_incident({"type": "Point", "coordinates": ["35.8", "33.1"]}))
    response = api("il.liaison").post(
        INCIDENTS, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert _geometry_errors(response) == [message]


def test_a_call_turned_into_a_complaint_refuses_string_coordinates(
    api: Any, ids: dict[str, str], state: Any
) -> None:
    client = api("il.liaison", "token")
    before = state()
    body = {
        **_incident({"type": "Point", "coordinates": ["35.82461", "33.12595"]}),
        "respondent": "sy",
        "summary": "Shots near the line (fictional).",
    }
    response = _send(client, f"/api/v1/hotline/{ids['activation']}/convert/", body)
    assert _geometry_errors(response) == ['coordinates[0] must be a number, not "35.82461".']
    assert state() == before


def test_a_complaint_reported_in_one_request_refuses_string_coordinates(
    api: Any, state: Any
) -> None:
    client = api("il.liaison", "token")
    before = state()
    body = {
        "respondent": "sy",
        "summary": "Shots near the line (fictional).",
        "report": _incident({"type": "Point", "coordinates": [35.82461, "33.12595"]}),
    }
    response = _send(client, "/api/v1/cases/", body)
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "report.geometry": ['coordinates[1] must be a number, not "33.12595".']
    }
    assert state() == before


def test_it_refuses_members_of_a_geometry_other_than_type_and_coordinates(
    api: Any, state: Any
) -> None:
    client = api("il.liaison", "token")
    before = state()
    geometry = {**IN_AOS, "comment": "a" * 100_000}
    assert _geometry_errors(_send(client, INCIDENTS, _incident(geometry))) == [
        'Unknown member "comment" in the geometry: give only "type" and "coordinates".'
    ]
    assert state() == before


def test_it_stores_and_echoes_a_clean_copy_of_the_geometry(api: Any) -> None:
    geometry = {"type": "Point", "coordinates": [36, 33], "bbox": [36, 33, 36, 33]}
    response = _send(api("il.liaison", "token"), INCIDENTS, _incident(geometry))
    assert response.status_code == 201, response.content
    clean = {"type": "Point", "coordinates": [36.0, 33.0]}
    assert response.json()["geometry"] == clean
    stored = Incident.objects.get(public_id=response.json()["id"]).geometry
    assert stored == clean
    assert all(type(v) is float for v in stored["coordinates"])


# --- unknown fields ---------------------------------------------------------------------------

#: Every write that takes a JSON body, with a persona allowed to reach its validation and a
#: valid body: the unknown member alone must be the reason for the 400.
MODEL_WRITES = [
    ("il.admin", Endpoint("POST", "/api/v1/delegations/", {"party": "il", "names": VALID_NAMES})),
    ("il.admin", Endpoint("PUT", "/api/v1/delegations/{id}/",
                          {"names": VALID_NAMES, "active": True})),
    ("il.admin", Endpoint("POST", "/api/v1/delegations/{id}/members/",
                          {"username": "outsider", "role": "analyst"})),
    ("il.admin", Endpoint("POST", "/api/v1/record/witnesses", {"vkey": "x"})),
    ("il.liaison", Endpoint("POST", "/api/v1/incidents/", _incident())),
    ("sy.liaison", Endpoint("POST", "/api/v1/incidents/{id}/accounts/",
                            {"actor_claim": "denied", "casualties": {"low": 0}})),
    ("il.liaison", Endpoint("POST", "/api/v1/cases/", {"respondent": "sy", "summary": "x"})),
    ("sy.liaison", Endpoint("POST", "/api/v1/cases/{id}/actions/", {"action": "acknowledge"})),
    ("mediator", Endpoint("POST", "/api/v1/cases/{id}/extend/",
                          {"kind": "acknowledge", "hours": 24, "text": "Agreed by phone."})),
    ("sy.liaison", Endpoint("POST", "/api/v1/inbox/read/", {})),
    ("il.admin", Endpoint("POST", "/api/v1/webhooks/", {"url": "https://hooks.il.example/c"})),
    ("il.liaison", Endpoint("POST", "/api/v1/hotline/",
                            {"callee": "sy", "channel": "call", "subject": "x"})),
    ("sy.liaison", Endpoint("POST", "/api/v1/hotline/{id}/answer/", {"answer": "Checking."})),
    ("il.liaison", Endpoint("POST", "/api/v1/hotline/{id}/convert/",
                            {**_incident(), "respondent": "sy", "summary": "x"})),
    ("il.admin", Endpoint("POST", "/api/v1/record/checkpoints/{size}/cosignatures",
                          {"signature": "x"})),
]  # fmt: skip


@pytest.mark.parametrize(("persona", "endpoint"), MODEL_WRITES, ids=lambda v: getattr(v, "id", v))
def test_a_write_refuses_an_unknown_field_by_name(
    api: Any, ids: dict[str, str], state: Any, persona: str, endpoint: Endpoint
) -> None:
    client = api(persona, "token")
    body = dict(endpoint.body or {})
    if endpoint.path == "/api/v1/cases/":
        body["incident"] = ids["incident"]
    before = state()
    response = _send(
        client, url(endpoint, ids), {**body, "padding": "x" * 100_000}, endpoint.method.lower()
    )
    assert response.status_code == 400, response.content
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "The input is invalid.",
            "fields": {"padding": ["Unknown field."]},
        }
    }
    assert state() == before


def test_a_version_refuses_unknown_casualty_counts(
    api: Any, ids: dict[str, str], state: Any
) -> None:
    client = api("sy.liaison", "token")
    before = state()
    response = _send(
        client,
        f"/api/v1/incidents/{ids['incident']}/accounts/",
        {"casualties": {"low": 1, "wounded": 3}},
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"casualties.wounded": ["Unknown field."]}
    assert state() == before


# --- the JSON body itself ---------------------------------------------------------------------


def _incident_text(geometry_member: str = "", title: str = "Vehicles (fictional)") -> str:
    """An incident body written by hand, to carry what json.dumps would not write."""
    return (
        '{"kind": "military_presence", "title": "' + title + '", '
        '"occurred_from": "2026-04-01T10:00:00+03:00", '
        '"geometry": {"type": "Point", "coordinates": [35.82461, 33.12595]' + geometry_member + "}}"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[" * 1000 + "]" * 1000, "The JSON body is nested more than 32 levels deep."),
        (
            _incident_text(', "x": ' + "[" * 40 + "]" * 40),
            "The JSON body is nested more than 32 levels deep.",
        ),
        (
            _incident_text(', "note": "a\\u0000b"'),
            "The JSON body has a NUL character in a string at $.geometry.note.",
        ),
        (
            _incident_text(', "a\\u0000b": 1'),
            "The JSON body has a NUL character in a member name at $.geometry.",
        ),
        (
            _incident_text(', "note": "\\udc00"'),
            "The JSON body has a lone surrogate (U+DC00) in a string at $.geometry.note.",
        ),
        (
            _incident_text(title="drone \\ud83d"),
            "The JSON body has a lone surrogate (U+D83D) in a string at $.title.",
        ),
        (
            _incident_text(', "uncertainty": NaN'),
            "The JSON body has a number that is not finite (NaN).",
        ),
        (
            _incident_text(', "uncertainty": -Infinity'),
            "The JSON body has a number that is not finite (-Infinity).",
        ),
        (
            _incident_text(', "uncertainty": 1e400'),
            "The JSON body has a number that is not finite (1e400).",
        ),
    ],
)
def test_it_refuses_deep_nesting_nul_lone_surrogates_and_non_finite_numbers(
    api: Any, state: Any, body: str, message: str
) -> None:
    client = api("il.liaison", "token")
    before = state()
    response = _send(client, INCIDENTS, body)
    assert response.status_code == 400, response.content
    assert response.json() == {"error": {"code": "parse_error", "message": message}}
    assert state() == before


def test_a_surrogate_pair_is_one_character_and_welcome(api: Any) -> None:
    response = _send(
        api("il.liaison", "token"), INCIDENTS, _incident_text(title="drone \\ud83d\\udee9")
    )
    assert response.status_code == 201, response.content
    assert response.json()["accounts"][0]["title"] == "drone \U0001f6e9"  # its party's version


def test_the_check_endpoint_refuses_a_lone_surrogate_and_stores_nothing(
    api: Any, state: Any
) -> None:
    body = (
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "id": "\\udc00", '
        '"geometry": {"type": "Point", "coordinates": [35.82461, 33.12595]}, '
        '"properties": {"kind": "armed_clash", "time": "2026-02-01"}}]}'
    )
    client = api("il.analyst", "token")
    before = state()
    response = client.post("/api/v1/check", body, content_type="application/geo+json")
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "parse_error",
            "message": "The JSON body has a lone surrogate (U+DC00) in a string at "
            "$.features[0].id.",
        }
    }
    assert state() == before


def test_the_check_endpoint_reports_string_coordinates_per_feature(api: Any) -> None:
    body = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": "s",
             "properties": {"kind": "armed_clash", "time": "2026-02-01"},
             "geometry": {"type": "Point", "coordinates": ["35.8", "33.1"]}},
        ],
    }  # fmt: skip
    response = api("il.analyst").post(
        "/api/v1/check", json.dumps(body), content_type="application/geo+json"
    )
    assert response.status_code == 200
    (feature,) = response.json()["features"]
    assert feature["properties"]["rejected"] == {
        "category": "bad_geometry",
        "reason": 'coordinates[0] must be a number, not "35.8".',
    }


@pytest.mark.parametrize(
    ("path", "query"),
    [("/api/v1/zones/", {"arrangement": "a\x00b"}), ("/api/v1/parties/il%00/", None)],
)
def test_a_nul_in_the_path_or_query_is_refused_in_the_error_shape(
    api: Any, path: str, query: dict[str, str] | None
) -> None:
    response = api("il.analyst", "token").get(path, query)
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "parse_error",
            "message": "The request has a NUL character or a lone surrogate in a parameter.",
        }
    }


# --- the parser's edges -------------------------------------------------------------------


def _nested(depth: int) -> str:
    return "[" * (depth - 1) + "{}" + "]" * (depth - 1)


@pytest.mark.parametrize(
    "text",
    [
        _nested(32),
        '{"a": "' + "[" * 100 + '"}',  # brackets inside a string do not nest
        '{"a": "\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}',  # nor after an escaped quote
        '{"a": "\\\\u0000"}',  # a backslash, then the letters u0000: not a NUL
        '{"a": "\\ud83d\\udee9"}',  # a surrogate pair is one character
        '{"a": 1e308, "b": -1e-400, "c": 123456789012345678901234567890}',
    ],
)
def test_the_parser_takes_what_is_within_its_limits(text: str) -> None:
    from coordcell.core.parsers import loads_strict

    assert loads_strict(text.encode()) == json.loads(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_nested(33), "The JSON body is nested more than 32 levels deep."),
        ("[" * 5000, "The JSON body is nested more than 32 levels deep."),
        ('{"a": [1e999]}', "The JSON body has a number that is not finite (1e999)."),
        ('{"a": ' + "9" * 400 + ".0}", "The JSON body has a number that is not finite ("
         + "9" * 37 + "...)."),
        ('{"a": "\\ud83d\\udee9\\ud83d"}', "The JSON body has a lone surrogate (U+D83D) in "
         "a string at $.a."),
        ('{"a b": ["\\u0000"]}', 'The JSON body has a NUL character in a string at $["a b"][0].'),
        ("{not json", "JSON parse error - Expecting property name enclosed in double quotes: "
         "line 1 column 2 (char 1)"),
    ],
)  # fmt: skip
def test_the_parser_says_what_it_refuses(text: str, message: str) -> None:
    from rest_framework.exceptions import ParseError

    from coordcell.core.parsers import loads_strict

    with pytest.raises(ParseError) as refused:
        loads_strict(text.encode())
    assert str(refused.value.detail) == message


def test_a_body_above_the_upload_limit_is_413_and_not_read_further(api: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps(_incident(title="x" * 2000))
    response = _send(api("il.liaison", "token"), INCIDENTS, body)
    assert response.status_code == 413
    assert response.json() == {
        "error": {"code": "too_large", "message": "The request body is larger than 1000 bytes."}
    }


def test_a_geometry_stored_before_validation_does_not_stop_the_alert_feed(
    api: Any, actor: Any
) -> None:
    # A row written before geometries were validated on the way in: string coordinates.
    from coordcell.cases.services import act

    case = Case.objects.order_by("pk").first()
    assert case is not None
    Incident.objects.filter(pk=case.incident_id).update(
        geometry={"type": "Point", "coordinates": ["35.82461", "33.12595"]}
    )
    act(actor=actor("mediator"), case=case, action="escalate", text="Decided (test).")
    response = api("sy.liaison").get("/api/v1/alerts/")
    assert response.status_code == 200
    assert b"<circle>33.12595,35.82461 " in response.content
