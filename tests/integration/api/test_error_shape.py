"""Every refusal has one JSON shape: ``{"error": {"code", "message"[, "fields"]}}``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.api.conftest import AUTHS, NOT_FOUND

pytestmark = pytest.mark.django_db

INVALID = "The input is invalid."


def _post(client: Any, path: str, body: Any) -> Any:
    return client.post(path, body, content_type="application/json")


def _invalid(response: Any, message: str, fields: dict[str, list[str]]) -> None:
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": {"code": "invalid", "message": message, "fields": fields}}


@pytest.mark.parametrize("auth", AUTHS)
@pytest.mark.parametrize(
    ("names", "message", "fields"),
    [
        (
            {"ar": "وفد"},
            "An English name is required.",
            {"names.en": ["An English name is required."]},
        ),
        ({"en": "Delegation", "fr": "Délégation"}, INVALID, {"names": ["unknown language(s): fr"]}),
        (
            {"en": "x" * 201},
            INVALID,
            {"names.en": ["Ensure this field has no more than 200 characters."]},
        ),
        ("Delegation", INVALID, {"names": ['Expected a dictionary of items but got type "str".']}),
    ],
    ids=["without-en", "unknown-language", "too-long", "not-a-mapping"],
)
def test_it_names_the_invalid_field_when_creating_a_delegation(
    names: Any,
    message: str,
    fields: dict[str, list[str]],
    auth: str,
    api: Any,
    snapshot: Any,
) -> None:
    client = api("il.admin", auth)
    before = snapshot()
    response = _post(client, "/api/v1/delegations/", {"party": "il", "names": names})
    _invalid(response, message, fields)
    assert snapshot() == before


def test_it_accepts_a_name_of_exactly_200_characters(api: Any) -> None:
    response = _post(
        api("il.admin"), "/api/v1/delegations/", {"party": "il", "names": {"en": "x" * 200}}
    )
    assert response.status_code == 201
    assert response.json()["names"] == {"en": "x" * 200}


def test_it_names_the_invalid_field_when_renaming_a_delegation(
    api: Any, ids: dict[str, str], snapshot: Any
) -> None:
    before = snapshot()
    response = api("il.admin").put(
        f"/api/v1/delegations/{ids['il_delegation']}/",
        {"names": {"en": "Renamed", "fr": "Renommée"}},
        content_type="application/json",
    )
    _invalid(
        response,
        INVALID,
        {"names": ["unknown language(s): fr"], "active": ["This field is required."]},
    )
    assert snapshot() == before


@pytest.mark.parametrize("auth", AUTHS)
def test_it_names_the_role_when_it_is_unknown(
    auth: str, api: Any, ids: dict[str, str], snapshot: Any
) -> None:
    client = api("il.admin", auth)
    before = snapshot()
    response = _post(
        client,
        f"/api/v1/delegations/{ids['il_delegation']}/members/",
        {"username": "outsider", "role": "king"},
    )
    _invalid(response, INVALID, {"role": ['"king" is not a valid choice.']})
    assert snapshot() == before


def test_it_names_the_user_name_when_no_account_has_it(
    api: Any, ids: dict[str, str], snapshot: Any
) -> None:
    before = snapshot()
    response = _post(
        api("il.admin"),
        f"/api/v1/delegations/{ids['il_delegation']}/members/",
        {"username": "no-such-person", "role": "analyst"},
    )
    message = "No active account has this user name."
    _invalid(response, message, {"username": [message]})
    assert snapshot() == before


def test_it_refuses_to_end_a_membership_twice(api: Any, ids: dict[str, str]) -> None:
    client = api("il.admin")
    path = f"/api/v1/memberships/{ids['il_membership']}/end/"
    assert _post(client, path, {}).status_code == 200
    message = "This membership has already ended."
    _invalid(_post(client, path, {}), message, {"": [message]})


def test_it_answers_a_body_that_is_not_json_with_a_parse_error(api: Any, snapshot: Any) -> None:
    before = snapshot()
    response = api("il.admin").post(
        "/api/v1/delegations/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "parse_error",
            "message": "JSON parse error - Expecting property name enclosed in double quotes: "
            "line 1 column 2 (char 1)",
        }
    }
    assert snapshot() == before


@pytest.mark.parametrize("username", [None, "outsider", "il.liaison"])
@pytest.mark.parametrize(
    "path",
    ["/api/", "/api/nope/", "/api/v1/", "/api/v1/unknown/", "/api/v2/parties/", "/api/v1/parties"],
)
def test_it_answers_an_unknown_api_path_with_the_404_shape(
    username: str | None, path: str, api: Any
) -> None:
    response = api(username).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == NOT_FOUND


def test_it_answers_an_unsupported_method_with_405(api: Any, ids: dict[str, str]) -> None:
    response = api("il.admin").delete(f"/api/v1/delegations/{ids['il_delegation']}/")
    assert response.status_code == 405
    assert response.json() == {
        "error": {"code": "method_not_allowed", "message": 'Method "DELETE" not allowed.'}
    }
